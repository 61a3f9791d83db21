//! `site.toml` (SPEC 6): strict from day one, so a typo is an error with its
//! line instead of a setting silently ignored.

use serde::Deserialize;

use crate::diagnostic::Diagnostic;

pub const FILE: &str = "site.toml";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub title: String,
    #[serde(default)]
    pub base_url: String,
    #[serde(default = "default_language")]
    pub language: String,
    #[serde(default = "default_theme")]
    pub theme: String,
    #[serde(default = "default_true")]
    pub minify: bool,
    #[serde(default = "default_output")]
    pub output_dir: String,
}

fn default_language() -> String {
    "en".into()
}
fn default_theme() -> String {
    "default".into()
}
fn default_true() -> bool {
    true
}
fn default_output() -> String {
    "public".into()
}

impl Config {
    /// Parses `site.toml`; problems are E006 diagnostics at the offending key.
    pub fn parse(text: &str) -> Result<Config, Diagnostic> {
        let config: Config =
            toml::from_str(text).map_err(|e| toml_diagnostic("E006", FILE, text, &e))?;
        let mut problems = Vec::new();
        if config.theme.is_empty()
            || config.theme.contains(['/', '\\'])
            || config.theme.contains("..")
        {
            problems.push("`theme` must be a folder name under themes/");
        }
        if !config.base_url.is_empty() && !config.base_url.contains("://") {
            problems
                .push("`base_url` must be an absolute URL such as https://example.org/explainer/");
        }
        match problems.first() {
            Some(p) => {
                let key = if p.starts_with("`theme`") {
                    "theme"
                } else {
                    "base_url"
                };
                let at = text.find(key).unwrap_or(0);
                Err(Diagnostic::at("E006", FILE, text, at..at + key.len(), *p))
            }
            None => Ok(config),
        }
    }

    /// `base_url` with exactly one trailing slash, or `None` when unset.
    pub fn base(&self) -> Option<String> {
        (!self.base_url.is_empty()).then(|| format!("{}/", self.base_url.trim_end_matches('/')))
    }
}

/// A TOML or serde error as a diagnostic at the span the parser reports.
pub fn toml_diagnostic(
    code: &'static str,
    file: &str,
    text: &str,
    e: &toml::de::Error,
) -> Diagnostic {
    let span = e.span().unwrap_or(0..0);
    let message = e.message().trim().to_string();
    let d = Diagnostic::at(code, file, text, span, format!("invalid {file}: {message}"));
    match message.strip_prefix("unknown field ") {
        Some(rest) => match rest.split_once(", expected ") {
            Some((_, expected)) => d.with_help(format!("allowed keys: {expected}")),
            None => d,
        },
        None => d,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_apply() {
        let c = Config::parse("title = \"T\"\n").unwrap();
        assert_eq!(
            (
                c.language.as_str(),
                c.theme.as_str(),
                c.minify,
                c.output_dir.as_str()
            ),
            ("en", "default", true, "public")
        );
        assert_eq!(c.base(), None);
    }

    #[test]
    fn unknown_key_is_e006_with_line() {
        let d = Config::parse("title = \"T\"\nbase_ulr = \"x\"\n").unwrap_err();
        assert_eq!((d.code, d.line, d.column), ("E006", 2, 1));
        assert!(d.message.contains("base_ulr"), "{}", d.message);
        assert!(d.help.as_deref().unwrap_or("").contains("base_url"));
    }

    #[test]
    fn wrong_type_is_e006() {
        let d = Config::parse("title = \"T\"\nminify = \"yes\"\n").unwrap_err();
        assert_eq!((d.code, d.line), ("E006", 2));
    }

    #[test]
    fn base_url_gets_one_trailing_slash() {
        let c = Config::parse("title = \"T\"\nbase_url = \"https://x.org/a//\"\n").unwrap();
        assert_eq!(c.base().as_deref(), Some("https://x.org/a/"));
    }
}

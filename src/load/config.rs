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
    /// Build `/search/` and its index (README: Search).
    #[serde(default = "default_true")]
    pub search: bool,
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
        if !config.base_url.is_empty()
            && crate::load::url::web_url_problem(&config.base_url).is_some()
        {
            problems
                .push("`base_url` must be an absolute URL such as https://example.org/explainer/");
        }
        if problems.is_empty() {
            if let Some((message, help)) = output_dir_problem(&config.output_dir) {
                let at = key_span(text, "output_dir");
                return Err(Diagnostic::at("E006", FILE, text, at, message).with_help(help));
            }
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

/// Why `output_dir` may not be used, and what to do instead: it must stay
/// below the site root (only `--output` may point elsewhere) and may not be
/// the root itself or lie in `content/`, `sources/` or `themes/`. Checked on
/// the text alone; `build` checks the real paths again.
fn output_dir_problem(value: &str) -> Option<(String, &'static str)> {
    use std::path::Component;
    let path = std::path::Path::new(value);
    let leaves = || {
        Some((
            format!("`output_dir = {value:?}` leaves the site root"),
            "output_dir is a folder below the site root, such as \"public\"; pass --output DIR to build outside the site",
        ))
    };
    let mut parts: Vec<&std::ffi::OsStr> = Vec::new();
    for component in path.components() {
        match component {
            Component::Prefix(_) | Component::RootDir => return leaves(),
            Component::CurDir => {}
            Component::ParentDir => {
                if parts.pop().is_none() {
                    return leaves();
                }
            }
            Component::Normal(name) => parts.push(name),
        }
    }
    match parts.first().and_then(|p| p.to_str()) {
        None if parts.is_empty() => Some((
            format!("`output_dir = {value:?}` is the site root itself"),
            "the build replaces its output folder whole; use a folder below the root, such as \"public\"",
        )),
        Some(first @ ("content" | "sources" | "themes")) => Some((
            format!("`output_dir = {value:?}` is inside {first}/"),
            "the build replaces its output folder whole; use a folder of its own, such as \"public\"",
        )),
        _ => None,
    }
}

/// The byte span of a top-level key in a TOML text (its start when the key
/// cannot be found).
fn key_span(text: &str, key: &str) -> std::ops::Range<usize> {
    toml_edit::ImDocument::parse(text)
        .ok()
        .and_then(|doc| doc.as_table().get_key_value(key)?.0.span())
        .unwrap_or(0..0)
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
        assert!(c.search);
        assert!(
            !Config::parse("title = \"T\"\nsearch = false\n")
                .unwrap()
                .search
        );
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
    fn bug_21_output_dir_stays_below_the_root_outside_the_site_folders() {
        for ok in ["public", "./out", "a/../public", "docs/site", "contents"] {
            assert!(output_dir_problem(ok).is_none(), "{ok}");
        }
        for bad in [
            "..",
            "../x",
            "a/../../x",
            "/abs",
            "",
            ".",
            "public/..",
            "content",
            "./sources/x",
            "themes",
        ] {
            assert!(output_dir_problem(bad).is_some(), "{bad}");
        }
        let d = Config::parse("title = \"T\"\n  output_dir = \"../x\"\n").unwrap_err();
        assert_eq!((d.code, d.line, d.column), ("E006", 2, 3));
    }

    #[test]
    fn base_url_gets_one_trailing_slash() {
        let c = Config::parse("title = \"T\"\nbase_url = \"https://x.org/a//\"\n").unwrap();
        assert_eq!(c.base().as_deref(), Some("https://x.org/a/"));
    }
}

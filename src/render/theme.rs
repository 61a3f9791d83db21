//! Themes: the default theme is compiled into the binary; a site's
//! `themes/NAME/templates/X.html` overrides the template of the same name and
//! `themes/NAME/static/` adds or replaces static files.

use std::collections::BTreeMap;
use std::error::Error as _;
use std::fs;
use std::path::Path;

use anyhow::{Context, Result};
use serde::Serialize;
use tera::Tera;

use crate::diagnostic::Diagnostic;
use crate::load::{files_with_ext, no_symlink};

/// A view's field of HTML that is handed to the template rather than lent
/// ([`Theme::render_handing`]): serializing a view copies every string, and
/// a page's largest ones (its body, notes, numbered lines) are then moved
/// into place instead. It serializes as `""` until the HTML takes its place.
#[derive(Debug, Default, Clone, Copy)]
pub struct Handed;

impl Serialize for Handed {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str("")
    }
}

macro_rules! embed {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../themes/default/templates/", $name)))),*]
    };
}

const TEMPLATES: &[(&str, &str)] = embed!(
    "base.html",
    "macros.html",
    "page.html",
    "pager.html",
    "sources.html",
    "source.html",
    "claims.html",
    "delegations.html",
    "shortcode_delegations.html",
    "shortcode_claims.html",
    "404.html",
    "search.html",
);

const STATIC: &[(&str, &str)] = &[
    (
        "style.css",
        include_str!("../../themes/default/static/style.css"),
    ),
    (
        "explainer.js",
        include_str!("../../themes/default/static/explainer.js"),
    ),
    // Loaded by /search/ only.
    (
        "search.js",
        include_str!("../../themes/default/static/search.js"),
    ),
    (
        "search.css",
        include_str!("../../themes/default/static/search.css"),
    ),
];

pub struct Theme {
    tera: Tera,
    /// Template name -> (site-relative file, text) for overridden templates.
    overrides: BTreeMap<String, (String, String)>,
    /// Static files: path below `static/` -> bytes.
    pub statics: BTreeMap<String, Vec<u8>>,
}

/// Byte offset of 1-based `line`:`col` (chars) in `text`.
fn offset_of(text: &str, line: usize, col: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let rest = &text[start.min(text.len())..];
    start
        + rest
            .char_indices()
            .nth(col.saturating_sub(1))
            .map_or(rest.len(), |(i, _)| i)
}

/// E010 for every page whose front matter names a template the theme lacks.
pub fn check_templates(
    theme: &Theme,
    pages: &[(
        std::sync::Arc<crate::load::page::ParsedPage>,
        crate::load::page::PageText,
    )],
) -> Vec<Diagnostic> {
    pages
        .iter()
        .filter_map(|(p, text)| {
            let name = p.front.template.as_deref()?;
            if theme.has_template(name) {
                return None;
            }
            let text = text.get();
            let at = text.find("template").unwrap_or(0);
            Some(
                Diagnostic::at(
                    "E010",
                    &p.file,
                    &text,
                    at..at + "template".len(),
                    format!("template `{name}` does not exist"),
                )
                .with_help(
                    "templates live in themes/NAME/templates/; the default for pages is page.html",
                ),
            )
        })
        .collect()
}

/// `--> 3:5` in a Tera parse error.
fn parse_position(message: &str) -> Option<(usize, usize)> {
    let at = message.find("--> ")? + 4;
    let tail = &message[at..];
    let (line, rest) = tail.split_once(':')?;
    let col: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((line.trim().parse().ok()?, col.parse().ok()?))
}

fn chain(e: &tera::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    parts.join(": ")
}

impl Theme {
    /// Loads the theme for a site; template syntax errors are E010.
    pub fn load(root: &Path, name: &str) -> Result<std::result::Result<Theme, Vec<Diagnostic>>> {
        let dir = root.join("themes").join(name);
        let mut statics: BTreeMap<String, Vec<u8>> = STATIC
            .iter()
            .map(|(n, t)| (n.to_string(), t.as_bytes().to_vec()))
            .collect();
        let mut templates: BTreeMap<String, String> = TEMPLATES
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        let mut overrides = BTreeMap::new();
        // Nothing is read through a symbolic link: not the theme's folders.
        no_symlink(&root.join("themes"))?;
        no_symlink(&dir)?;
        if name != "default" && !dir.is_dir() {
            return Ok(Err(vec![Diagnostic::file(
                "E006",
                "site.toml",
                format!("theme `{name}` not found: there is no themes/{name}/ folder"),
            )]));
        }
        for (path, rel) in files_with_ext(&dir.join("templates"), "html")? {
            let text =
                fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
            overrides.insert(
                rel.clone(),
                (format!("themes/{name}/templates/{rel}"), text.clone()),
            );
            templates.insert(rel, text);
        }
        let static_dir = dir.join("static");
        no_symlink(&static_dir)?;
        if static_dir.is_dir() {
            for entry in walkdir::WalkDir::new(&static_dir)
                .follow_links(false)
                .follow_root_links(false)
                .sort_by_file_name()
            {
                let entry = entry.with_context(|| format!("reading {}", static_dir.display()))?;
                if entry.file_type().is_file() {
                    let rel = entry
                        .path()
                        .strip_prefix(&static_dir)
                        .expect("below static/");
                    let rel = rel
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy())
                        .collect::<Vec<_>>()
                        .join("/");
                    statics.insert(
                        rel,
                        fs::read(entry.path())
                            .with_context(|| format!("reading {}", entry.path().display()))?,
                    );
                }
            }
        }
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html"]);
        tera.set_escape_fn(crate::escape::escape_html);
        // Tera checks templates as a set; a syntax error names its template,
        // which is reported and left out so that the others are checked too.
        let mut errors = Vec::new();
        loop {
            match tera.add_raw_templates(templates.iter().map(|(n, t)| (n.as_str(), t.as_str()))) {
                Ok(()) => break,
                Err(e) => {
                    let message = e.to_string();
                    let failed = message
                        .split('"')
                        .nth(1)
                        .or_else(|| message.split('\'').nth(1))
                        .filter(|n| templates.contains_key(*n))
                        .map(str::to_string);
                    errors.push(Self::diagnostic(
                        &overrides,
                        failed.as_deref().unwrap_or("?"),
                        &e,
                    ));
                    match failed {
                        Some(n) if message.starts_with("Failed to parse") => {
                            templates.remove(&n);
                        }
                        _ => break,
                    }
                }
            }
        }
        if !errors.is_empty() {
            return Ok(Err(errors));
        }
        Ok(Ok(Theme {
            tera,
            overrides,
            statics,
        }))
    }

    fn diagnostic(
        overrides: &BTreeMap<String, (String, String)>,
        name: &str,
        e: &tera::Error,
    ) -> Diagnostic {
        let message = chain(e);
        let first_line = message
            .lines()
            .next()
            .unwrap_or("")
            .trim_end_matches(':')
            .to_string();
        match (overrides.get(name), parse_position(&message)) {
            (Some((file, text)), Some((line, col))) => {
                let at = offset_of(text, line, col);
                let detail = message
                    .lines()
                    .filter(|l| l.trim_start().starts_with("= "))
                    .map(|l| l.trim_start().trim_start_matches("= "))
                    .collect::<Vec<_>>()
                    .join("; ");
                Diagnostic::at(
                    "E010",
                    file,
                    text,
                    at..at + 1,
                    format!(
                        "template error in {name}: {}",
                        if detail.is_empty() {
                            first_line
                        } else {
                            detail
                        }
                    ),
                )
            }
            (Some((file, _)), None) => Diagnostic::file(
                "E010",
                file,
                format!("template error in {name}: {}", message.replace('\n', " ")),
            ),
            (None, _) => Diagnostic::file(
                "E010",
                &format!("themes/default/templates/{name}"),
                format!("template error in {name}: {}", message.replace('\n', " ")),
            ),
        }
    }

    pub fn has_template(&self, name: &str) -> bool {
        self.tera.get_template_names().any(|n| n == name)
    }

    pub fn has_script(&self) -> bool {
        self.statics
            .get("explainer.js")
            .is_some_and(|js| !js.is_empty())
    }

    /// [`Theme::render`] into bytes, in a buffer of `size` bytes to begin
    /// with: a page's size is known roughly before it is rendered (its body,
    /// its lines), and a large page then grows its buffer once or never.
    pub fn render_bytes(
        &self,
        name: &str,
        view: &impl Serialize,
        size: usize,
    ) -> std::result::Result<Vec<u8>, Diagnostic> {
        self.render_handing(name, view, size, [])
    }

    /// [`Theme::render_bytes`] with HTML handed over: each `(pointer, html)`
    /// takes the place of the [`Handed`] field at that JSON pointer of the
    /// serialized view (`"/page/body"`), moved rather than copied.
    pub fn render_handing<const N: usize>(
        &self,
        name: &str,
        view: &impl Serialize,
        size: usize,
        handed: [(&str, String); N],
    ) -> std::result::Result<Vec<u8>, Diagnostic> {
        let fail = |e: tera::Error| Self::diagnostic(&self.overrides, name, &e);
        let mut value = serde_json::to_value(view).map_err(|e| fail(tera::Error::json(e)))?;
        for (pointer, html) in handed {
            let slot = value.pointer_mut(pointer).ok_or_else(|| {
                fail(tera::Error::msg(format!(
                    "the view has no field `{pointer}` to hand HTML to"
                )))
            })?;
            *slot = serde_json::Value::String(html);
        }
        let ctx = tera::Context::from_value(value).map_err(fail)?;
        let mut out = Vec::with_capacity(size);
        self.tera.render_to(name, &ctx, &mut out).map_err(fail)?;
        Ok(out)
    }

    /// Renders a template with a typed view; failures are E010 naming the template.
    pub fn render(
        &self,
        name: &str,
        view: &impl Serialize,
    ) -> std::result::Result<String, Diagnostic> {
        let ctx = tera::Context::from_serialize(view)
            .map_err(|e| Self::diagnostic(&self.overrides, name, &e))?;
        self.tera
            .render(name, &ctx)
            .map_err(|e| Self::diagnostic(&self.overrides, name, &e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_from_line_and_column() {
        let t = "ab\ncdé\nf";
        assert_eq!(offset_of(t, 1, 1), 0);
        assert_eq!(offset_of(t, 2, 3), 5);
        assert_eq!(offset_of(t, 3, 1), 8);
    }

    #[test]
    fn tera_positions_are_found() {
        assert_eq!(parse_position(" --> 3:5\n  |"), Some((3, 5)));
        assert_eq!(parse_position("nothing"), None);
    }

    #[test]
    fn the_default_theme_compiles() {
        let dir = tempfile::tempdir().unwrap();
        let theme = Theme::load(dir.path(), "default").unwrap().unwrap();
        assert!(theme.statics.contains_key("style.css"));
    }
}

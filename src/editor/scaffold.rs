//! `explainer new source` and `explainer new page`: the files an editor
//! would otherwise type by hand, written so that nothing else changes.
//!
//! `new source` never copies or rewrites the source; it appends one
//! `[[source]]` table to `sources/sources.toml` with `toml_edit`, so the
//! manifest's existing text, order and comments stay exactly as they were.

use std::fs;
use std::path::{Component, Path, PathBuf};

use anyhow::{bail, Context, Result};
use toml_edit::{value, ArrayOfTables, DocumentMut, Item, Table};

use crate::load::source::{self, Source};
use crate::text;

/// What `new source` added.
#[derive(Debug)]
pub struct NewSource {
    pub file: String,
    pub id: String,
    pub title: String,
    pub sha256: String,
}

/// A path below `base` given either relative to `base` or to the site root,
/// refusing anything that leaves `base`.
fn below(base: &str, given: &Path) -> Result<String> {
    let given_str = given.to_string_lossy().replace('\\', "/");
    let rel = given_str
        .strip_prefix(&format!("{base}/"))
        .unwrap_or(&given_str);
    let rel_path = Path::new(rel);
    if rel_path.is_absolute()
        || rel_path
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
    {
        bail!(
            "{} is not a path below {base}/ (E012: a path that leaves the site root)",
            given.display()
        );
    }
    Ok(rel_path
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .filter(|c| c != ".")
        .collect::<Vec<_>>()
        .join("/"))
}

/// A citation key suggested from a file stem: lower case, `[a-z0-9_-]`.
pub fn suggest_id(stem: &str) -> String {
    let mut id: String = stem
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    id = id.trim_matches('-').to_string();
    while id.contains("--") {
        id = id.replace("--", "-");
    }
    if !id.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        id = format!("s{id}");
    }
    id
}

/// Adds `sources/FILE` to the manifest; returns what was written.
pub fn new_source(root: &Path, file: &Path, id: Option<&str>) -> Result<NewSource> {
    let rel = below("sources", file)?;
    if !rel.ends_with(".txt") {
        bail!("sources are .txt files; {rel} is not");
    }
    let path = root.join("sources").join(&rel);
    let bytes = fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    let s = Source::from_bytes(&rel, &bytes).map_err(|d| anyhow::anyhow!("{}", d.render(false)))?;
    let manifest_path = root.join(source::MANIFEST);
    let text = if manifest_path.is_file() {
        fs::read_to_string(&manifest_path)
            .with_context(|| format!("reading {}", manifest_path.display()))?
    } else {
        String::new()
    };
    let mut doc: DocumentMut = text
        .parse()
        .with_context(|| format!("{} is not valid TOML; fix it first", source::MANIFEST))?;
    let taken: Vec<(String, String)> = doc
        .get("source")
        .and_then(Item::as_array_of_tables)
        .map(|a| {
            a.iter()
                .map(|t| {
                    let f = t
                        .get("file")
                        .and_then(Item::as_str)
                        .unwrap_or("")
                        .to_string();
                    let i = t
                        .get("id")
                        .and_then(Item::as_str)
                        .map(str::to_string)
                        .unwrap_or_else(|| {
                            f.rsplit('/')
                                .next()
                                .unwrap_or("")
                                .trim_end_matches(".txt")
                                .to_string()
                        });
                    (f, i)
                })
                .collect()
        })
        .unwrap_or_default();
    if taken.iter().any(|(f, _)| f == &rel) {
        bail!("sources/{rel} already has an entry in {}", source::MANIFEST);
    }
    let id = match id {
        Some(id) if !source::valid_id(id) => bail!("`{id}` is not a valid id: lower-case letters, digits, `_` and `-`, starting with a letter or digit"),
        Some(id) if taken.iter().any(|(_, i)| i == id) => bail!("the id `{id}` is taken"),
        Some(id) => id.to_string(),
        None => {
            let base = suggest_id(s.file_name().trim_end_matches(".txt"));
            let mut id = base.clone();
            let mut k = 2;
            while taken.iter().any(|(_, i)| i == &id) {
                id = format!("{base}-{k}");
                k += 1;
            }
            id
        }
    };
    let title = text::ellipsize(&s.title(), 120);
    let mut table = Table::new();
    table.insert("file", value(rel.clone()));
    table.insert("id", value(id.clone()));
    table.insert("title", value(title.clone()));
    table.insert("sha256", value(s.sha256.clone()));
    match doc.get_mut("source").and_then(Item::as_array_of_tables_mut) {
        Some(array) => array.push(table),
        None => {
            let mut array = ArrayOfTables::new();
            array.push(table);
            doc.insert("source", Item::ArrayOfTables(array));
        }
    }
    let mut out = doc.to_string();
    if !text.is_empty() && !text.ends_with('\n') {
        out = out.replacen(&text, &format!("{text}\n"), 1);
    }
    fs::write(&manifest_path, out)
        .with_context(|| format!("writing {}", manifest_path.display()))?;
    Ok(NewSource {
        file: rel,
        id,
        title,
        sha256: s.sha256,
    })
}

/// Writes a new page with front matter; refuses to overwrite.
pub fn new_page(root: &Path, path: &Path, title: &str) -> Result<PathBuf> {
    let mut rel = below("content", path)?;
    if !rel.ends_with(".md") {
        rel.push_str(".md");
    }
    let target = root.join("content").join(&rel);
    if target.exists() {
        bail!("content/{rel} exists; not overwriting it");
    }
    if let Some(parent) = target.parent() {
        fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    }
    let page = format!(
        "+++\ntitle = {}\n+++\n\n<!-- Back every claim with a citation of a source line, e.g. [@KEY:LINE \"the quoted words\"]. -->\n",
        toml_edit::Value::from(title)
    );
    fs::write(&target, page).with_context(|| format!("writing {}", target.display()))?;
    Ok(PathBuf::from("content").join(rel))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_suggested_from_stems() {
        assert_eq!(suggest_id("000_ab1f564bbbd391fc"), "000_ab1f564bbbd391fc");
        assert_eq!(suggest_id("Reuters Story (2)"), "reuters-story-2");
        assert_eq!(suggest_id("_x"), "s_x");
    }

    #[test]
    fn paths_must_stay_below() {
        assert_eq!(
            below("sources", Path::new("sources/a/b.txt")).unwrap(),
            "a/b.txt"
        );
        assert_eq!(below("sources", Path::new("b.txt")).unwrap(), "b.txt");
        assert!(below("sources", Path::new("../x.txt")).is_err());
        assert!(below("sources", Path::new("/etc/passwd")).is_err());
    }
}

//! `explainer new source` and `explainer new page`: the files an editor
//! would otherwise type by hand, written so that nothing else changes.
//!
//! `new source` never rewrites a source (one from outside `sources/` is
//! copied in byte for byte); it appends one `[[source]]` table to
//! `sources/sources.toml` with `toml_edit`, so the manifest's existing text,
//! order and comments stay exactly as they were.

use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use anyhow::{bail, Context, Result};
use toml_edit::{value, ArrayOfTables, DocumentMut, InlineTable, Item, Table, Value};

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

/// Refuses `rel` (below `root`, `/`-separated) when it or a folder on the
/// way to it is a symbolic link: nothing is read or written through one, so
/// nothing leaves the site, not even through a dangling link.
pub(crate) fn no_links(root: &Path, rel: &str) -> Result<()> {
    let mut at = root.to_path_buf();
    let mut shown = Vec::new();
    for part in rel.split('/') {
        at.push(part);
        shown.push(part);
        match fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => bail!(
                "{} is a symbolic link; explainer never reads or writes through one",
                shown.join("/")
            ),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e).with_context(|| format!("reading {}", at.display())),
        }
    }
    Ok(())
}

/// The file name and the file stem of a path below `sources/`: with its id,
/// the keys a source is cited by.
fn name_and_stem(file: &str) -> (String, String) {
    let name = file.rsplit('/').next().unwrap_or(file).to_string();
    let stem = name.strip_suffix(".txt").unwrap_or(&name).to_string();
    (name, stem)
}

/// The manifest's entries as `(file, id)` whatever TOML form holds them (an
/// array of tables or an inline array of inline tables); an error for any
/// other form, which a new entry could only destroy.
fn entries(doc: &DocumentMut) -> Result<Vec<(String, Option<String>)>> {
    let entry = |file: Option<&str>, id: Option<&str>| {
        (
            file.unwrap_or("").trim_start_matches("./").to_string(),
            id.map(str::to_string),
        )
    };
    match doc.get("source") {
        None => Ok(Vec::new()),
        Some(Item::ArrayOfTables(a)) => Ok(a
            .iter()
            .map(|t| {
                entry(
                    t.get("file").and_then(Item::as_str),
                    t.get("id").and_then(Item::as_str),
                )
            })
            .collect()),
        Some(Item::Value(Value::Array(a))) => a
            .iter()
            .map(|v| match v.as_inline_table() {
                Some(t) => Ok(entry(
                    t.get("file").and_then(Value::as_str),
                    t.get("id").and_then(Value::as_str),
                )),
                None => bail!(
                    "{}: `source = [...]` holds something other than {{ file = … }} entries; fix it first",
                    source::MANIFEST
                ),
            })
            .collect(),
        Some(Item::Table(_)) => bail!(
            "{} has a single [source] table, which is not a list of sources; write it as [[source]] first (nothing was changed)",
            source::MANIFEST
        ),
        Some(_) => bail!(
            "{}: `source` is not a list of [[source]] entries; fix it first (nothing was changed)",
            source::MANIFEST
        ),
    }
}

/// `out` with every newline that is not in `before` written as CRLF: the
/// text a TOML editor added follows the file's CRLF line endings, and the
/// file's own bytes stay as they were.
fn crlf_where_added(before: &str, out: &str) -> String {
    let prefix = before
        .bytes()
        .zip(out.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    let max_suffix = before.len().min(out.len()) - prefix;
    let suffix = before
        .bytes()
        .rev()
        .zip(out.bytes().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    // The file's last `\r\n` may now follow added text: its `\n` matched,
    // its `\r` did not.
    let mut suffix = suffix;
    let (o, b) = (out.as_bytes(), before.as_bytes());
    while suffix > 0
        && o[o.len() - suffix] == b'\n'
        && b.len() > suffix
        && b[b.len() - suffix - 1] == b'\r'
        && o.len() > suffix
        && o[o.len() - suffix - 1] != b'\r'
    {
        suffix -= 1;
    }
    let (head, rest) = out.as_bytes().split_at(prefix);
    let (middle, tail) = rest.split_at(rest.len() - suffix);
    let mut bytes = head.to_vec();
    for (i, &b) in middle.iter().enumerate() {
        let after_cr = if i == 0 {
            head.last() == Some(&b'\r')
        } else {
            middle[i - 1] == b'\r'
        };
        if b == b'\n' && !after_cr {
            bytes.push(b'\r');
        }
        bytes.push(b);
    }
    bytes.extend_from_slice(tail);
    String::from_utf8(bytes).expect("only ASCII was inserted at char boundaries")
}

/// Adds `sources/FILE` to the manifest; returns what was written.
pub fn new_source(root: &Path, file: &Path, id: Option<&str>) -> Result<NewSource> {
    new_source_with(
        root,
        file,
        &SourceMeta {
            id: id.map(str::to_string),
            ..SourceMeta::default()
        },
    )
}

/// What `new source` writes into the entry besides the file, title and pin.
#[derive(Debug, Default, Clone)]
pub struct SourceMeta {
    pub id: Option<String>,
    pub publisher: Option<String>,
    /// TOML dates (`2026-01-07`), as the manifest holds them.
    pub published: Option<String>,
    pub url: Option<String>,
    pub retrieved: Option<String>,
}

/// [`new_source`] with the entry's other keys. A `file` that is not below
/// `sources/` but names a file elsewhere (relative to the working folder)
/// is copied in byte for byte as `sources/NAME`: never over an existing
/// file, never through a symbolic link, and only once everything else
/// checked out.
pub fn new_source_with(root: &Path, file: &Path, meta: &SourceMeta) -> Result<NewSource> {
    let id = meta.id.as_deref();
    let inside = below("sources", file)
        .ok()
        .filter(|rel| fs::symlink_metadata(root.join("sources").join(rel)).is_ok());
    let (rel, copy_from) = match inside {
        Some(rel) => (rel, None),
        None if fs::symlink_metadata(file).is_ok_and(|m| m.is_file()) => {
            let name = file
                .file_name()
                .and_then(|n| n.to_str())
                .context("the file's name is not UTF-8")?;
            (name.to_string(), Some(file.to_path_buf()))
        }
        None => (below("sources", file)?, None),
    };
    if !rel.ends_with(".txt") {
        bail!("sources are .txt files; {rel} is not");
    }
    no_links(root, &format!("sources/{rel}"))?;
    let path = root.join("sources").join(&rel);
    if copy_from.is_some() && fs::symlink_metadata(&path).is_ok() {
        bail!("sources/{rel} already exists; nothing was copied or changed");
    }
    let read_from = copy_from.as_deref().unwrap_or(&path);
    let bytes = fs::read(read_from).with_context(|| format!("reading {}", read_from.display()))?;
    let s = Source::from_bytes(&rel, &bytes).map_err(|d| anyhow::anyhow!("{}", d.render(false)))?;
    let mut extra: Vec<(&str, Item)> = Vec::new();
    if let Some(p) = &meta.publisher {
        extra.push(("publisher", value(p.clone())));
    }
    for (key, date) in [
        ("published", &meta.published),
        ("retrieved", &meta.retrieved),
    ] {
        if let Some(d) = date {
            let parsed: toml_edit::Datetime = d
                .parse()
                .map_err(|_| anyhow::anyhow!("--{key} {d:?} is not a date such as 2026-01-07"))?;
            extra.push((key, value(parsed)));
        }
    }
    if let Some(u) = &meta.url {
        if let Some(problem) = crate::load::url::web_url_problem(u) {
            bail!("--url {u:?} {problem}; nothing was changed");
        }
        extra.push(("url", value(u.clone())));
    }
    no_links(root, source::MANIFEST)?;
    let manifest_path = root.join(source::MANIFEST);
    let raw = if manifest_path.is_file() {
        fs::read_to_string(&manifest_path)
            .with_context(|| format!("reading {}", manifest_path.display()))?
    } else {
        String::new()
    };
    // The manifest's byte-order mark and line endings are kept as they are.
    let (bom, body) = match raw.strip_prefix('\u{feff}') {
        Some(body) => ("\u{feff}", body),
        None => ("", raw.as_str()),
    };
    let newline = match body.find('\n') {
        Some(i) if body[..i].ends_with('\r') => "\r\n",
        _ => "\n",
    };
    let mut text = body.to_string();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push_str(newline);
    }
    let mut doc: DocumentMut = text
        .parse()
        .with_context(|| format!("{} is not valid TOML; fix it first", source::MANIFEST))?;
    let listed = entries(&doc)?;
    if listed.iter().any(|(f, _)| f == &rel) {
        bail!("sources/{rel} already has an entry in {}", source::MANIFEST);
    }
    // Every key another source is cited by: its id (or stem), file name and
    // stem; a .txt file without an entry is cited by its name and stem.
    let mut taken: Vec<(String, String)> = Vec::new();
    for (f, i) in &listed {
        let (name, stem) = name_and_stem(f);
        taken.push((i.clone().unwrap_or_else(|| stem.clone()), f.clone()));
        taken.push((name, f.clone()));
        taken.push((stem, f.clone()));
    }
    for (_, f) in crate::load::files_with_ext(&root.join("sources"), "txt")? {
        if f != rel && !listed.iter().any(|(l, _)| l == &f) {
            let (name, stem) = name_and_stem(&f);
            taken.push((name, f.clone()));
            taken.push((stem, f));
        }
    }
    let owner = |key: &str| taken.iter().find(|(k, _)| k == key).map(|(_, f)| f.clone());
    let (name, stem) = name_and_stem(&rel);
    for key in [&name, &stem] {
        if let Some(other) = owner(key) {
            bail!("sources/{rel} would be cited as `{key}`, which is already a key of sources/{other}; rename the file (nothing was changed)");
        }
    }
    let id = match id {
        Some(id) if !source::valid_id(id) => bail!("`{id}` is not a valid id: lower-case letters, digits, `_` and `-`, starting with a letter or digit"),
        Some(id) => match owner(id) {
            Some(other) => bail!("the id `{id}` is taken: it is a key of sources/{other}"),
            None => id.to_string(),
        },
        None => {
            let base = suggest_id(s.file_name().trim_end_matches(".txt"));
            let mut id = base.clone();
            let mut k = 2;
            while owner(&id).is_some() {
                id = format!("{base}-{k}");
                k += 1;
            }
            id
        }
    };
    let title = text::ellipsize(&s.title(), 120);
    let fields = [
        ("file", rel.clone()),
        ("id", id.clone()),
        ("title", title.clone()),
        ("sha256", s.sha256.clone()),
    ];
    match doc.get_mut("source") {
        Some(Item::ArrayOfTables(array)) => {
            let mut table = Table::new();
            for (k, v) in &fields {
                table.insert(k, value(v.clone()));
            }
            for (k, v) in &extra {
                table.insert(k, v.clone());
            }
            array.push(table)
        }
        Some(Item::Value(Value::Array(array))) => {
            let mut table = InlineTable::new();
            for (k, v) in &fields {
                table.insert(*k, Value::from(v.clone()));
            }
            for (k, v) in &extra {
                if let Some(v) = v.as_value() {
                    table.insert(*k, v.clone());
                }
            }
            // Laid out like the entry before it (one a line, or all on one).
            let prefix = array
                .iter()
                .last()
                .and_then(|v| v.decor().prefix())
                .and_then(|p| p.as_str())
                .filter(|p| p.contains('\n'))
                .map(str::to_string);
            array.push(table);
            if let (Some(prefix), Some(last)) = (prefix, array.iter_mut().last()) {
                last.decor_mut().set_prefix(prefix);
            }
        }
        _ => {
            let mut array = ArrayOfTables::new();
            let mut table = Table::new();
            for (k, v) in &fields {
                table.insert(k, value(v.clone()));
            }
            for (k, v) in &extra {
                table.insert(k, v.clone());
            }
            array.push(table);
            doc.insert("source", Item::ArrayOfTables(array));
        }
    }
    let mut out = doc.to_string();
    if newline == "\r\n" {
        out = crlf_where_added(&text, &out);
    }
    if copy_from.is_some() {
        no_links(root, &format!("sources/{rel}"))?;
        // `create_new` refuses whatever stands there, a symbolic link included.
        fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .and_then(|mut f| f.write_all(&bytes))
            .with_context(|| format!("copying {} to sources/{rel}", read_from.display()))?;
    }
    fs::write(&manifest_path, format!("{bom}{out}"))
        .with_context(|| format!("writing {}", manifest_path.display()))?;
    Ok(NewSource {
        file: rel,
        id,
        title,
        sha256: s.sha256,
    })
}

/// A TOML string that holds `s` exactly, on one line whatever `s` holds
/// (newlines, quotes, `+++`), so that it can never end the front matter.
fn toml_line_string(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        // toml_edit picks the plainest single-line form for such text.
        return toml_edit::Value::from(s).to_string();
    }
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Writes a new page with front matter; refuses to overwrite, and never
/// writes through a symbolic link.
pub fn new_page(root: &Path, path: &Path, title: &str) -> Result<PathBuf> {
    let mut rel = below("content", path)?;
    if !rel.ends_with(".md") {
        rel.push_str(".md");
    }
    let shown = format!("content/{rel}");
    no_links(root, &shown)?;
    let target = root.join("content").join(&rel);
    if fs::symlink_metadata(&target).is_ok() {
        bail!("{shown} exists; not overwriting it");
    }
    if let Some(parent) = target.parent() {
        fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    }
    no_links(root, &shown)?;
    let page = format!(
        "+++\ntitle = {}\n+++\n\n<!-- Back every claim with a citation of a source line, e.g. [@KEY:LINE \"the quoted words\"]. -->\n",
        toml_line_string(title)
    );
    // `create_new` never follows a link at the target, dangling or not.
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&target)
        .with_context(|| format!("creating {}", target.display()))?;
    f.write_all(page.as_bytes())
        .with_context(|| format!("writing {}", target.display()))?;
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

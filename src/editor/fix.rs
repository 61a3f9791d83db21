//! `check --fix`: apply the corrections diagnostics carry.
//!
//! A fix replaces only the line numbers of one citation, and only when the
//! file still holds exactly the text the build saw there; every other byte of
//! the file is left as it was.
//!
//! A cite in `delegations.toml` is a TOML string, which may be written in any
//! of TOML's four string forms and with escapes (`"a\u003a2"`), so its bytes
//! in the file are not its value. Such fixes are located through the spans
//! of a TOML parser, the string is decoded with the byte range of every
//! character, and only the characters of its line numbers are replaced; the
//! file is then parsed again to prove that the string now holds exactly the
//! intended value. What cannot be rewritten exactly is refused, and then no
//! file is written.

use std::collections::BTreeMap;
use std::fs;
use std::ops::Range;
use std::path::Path;

use anyhow::{bail, Context, Result};

use crate::diagnostic::{line_of, Diagnostic, Fix};
use crate::load::{self, lock};
use crate::{next_lock, verify, write_lock, Failure, Options};

/// One applied (or, in a dry run, applicable) change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub file: String,
    pub line: usize,
    pub key: String,
    pub old: String,
    pub new: String,
}

impl std::fmt::Display for Applied {
    /// `content/x.md:12: newsmax:3 -> newsmax:5`
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: {}:{} -> {}:{}",
            self.file, self.line, self.key, self.old, self.key, self.new
        )
    }
}

/// Rewrites `text` with `fixes` (all for this file); errors if a span no
/// longer holds what the fix expects or two fixes overlap.
pub fn rewrite(text: &str, fixes: &[&Fix]) -> Result<String> {
    let mut sorted: Vec<&Fix> = fixes.to_vec();
    sorted.sort_by_key(|f| std::cmp::Reverse(f.span.start));
    let mut out = text.to_string();
    let mut limit = usize::MAX;
    for f in sorted {
        if f.span.end > limit {
            bail!("two fixes overlap in {}", f.file);
        }
        if out.get(f.span.clone()) != Some(f.old.as_str()) {
            bail!(
                "{} changed while it was being checked; run the check again",
                f.file
            );
        }
        out.replace_range(f.span.clone(), &f.new);
        limit = f.span.start;
    }
    Ok(out)
}

/// A string value of a TOML document: where its literal stands in the text,
/// and its decoded value.
struct TomlString {
    span: Range<usize>,
    value: String,
}

/// Every string value of a parsed TOML document, in tables, arrays and
/// inline tables at any depth.
fn toml_strings(doc: &toml_edit::ImDocument<&str>) -> Vec<TomlString> {
    fn value(v: &toml_edit::Value, out: &mut Vec<TomlString>) {
        match v {
            toml_edit::Value::String(s) => {
                if let Some(span) = s.span() {
                    out.push(TomlString {
                        span,
                        value: s.value().clone(),
                    });
                }
            }
            toml_edit::Value::Array(a) => a.iter().for_each(|v| value(v, out)),
            toml_edit::Value::InlineTable(t) => t.iter().for_each(|(_, v)| value(v, out)),
            _ => {}
        }
    }
    fn item(i: &toml_edit::Item, out: &mut Vec<TomlString>) {
        match i {
            toml_edit::Item::Value(v) => value(v, out),
            toml_edit::Item::Table(t) => table(t, out),
            toml_edit::Item::ArrayOfTables(a) => a.iter().for_each(|t| table(t, out)),
            toml_edit::Item::None => {}
        }
    }
    fn table(t: &toml_edit::Table, out: &mut Vec<TomlString>) {
        t.iter().for_each(|(_, i)| item(i, out));
    }
    let mut out = Vec::new();
    table(doc.as_table(), &mut out);
    out
}

/// Decodes a TOML string literal (`raw`, delimiters included) into its
/// characters, each with the byte range of `raw` it is written as. `None`
/// for anything this decoder does not know exactly.
fn decode_toml_string(raw: &str) -> Option<Vec<(char, Range<usize>)>> {
    let (open, basic) = if raw.starts_with(r#"""""#) {
        (3, true)
    } else if raw.starts_with("'''") {
        (3, false)
    } else if raw.starts_with('"') {
        (1, true)
    } else if raw.starts_with('\'') {
        (1, false)
    } else {
        return None;
    };
    if raw.len() < 2 * open || !raw.is_char_boundary(raw.len() - open) {
        return None;
    }
    let end = raw.len() - open;
    let mut i = open;
    // A newline right after the opening delimiter of a multi-line string is
    // not part of the value.
    if open == 3 {
        if raw[i..end].starts_with("\r\n") {
            i += 2;
        } else if raw[i..end].starts_with('\n') {
            i += 1;
        }
    }
    let mut out = Vec::new();
    while i < end {
        let c = raw[i..end].chars().next()?;
        if !(basic && c == '\\') {
            out.push((c, i..i + c.len_utf8()));
            i += c.len_utf8();
            continue;
        }
        let e = raw[i + 1..end].chars().next()?;
        let simple = match e {
            'b' => Some('\u{8}'),
            't' => Some('\t'),
            'n' => Some('\n'),
            'f' => Some('\u{c}'),
            'r' => Some('\r'),
            '"' => Some('"'),
            '\\' => Some('\\'),
            _ => None,
        };
        if let Some(d) = simple {
            out.push((d, i..i + 2));
            i += 2;
        } else if e == 'u' || e == 'U' {
            let n = if e == 'u' { 4 } else { 8 };
            let hex = raw.get(i + 2..i + 2 + n)?;
            if i + 2 + n > end || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            let d = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
            out.push((d, i..i + 2 + n));
            i += 2 + n;
        } else if open == 3 && matches!(e, ' ' | '\t' | '\r' | '\n') {
            // A line-ending backslash: it and the white space and newlines
            // after it are not part of the value.
            let rest = &raw[i + 1..end];
            let skipped = rest.len() - rest.trim_start_matches([' ', '\t', '\r', '\n']).len();
            if !rest[..skipped].contains('\n') {
                return None;
            }
            i += 1 + skipped;
        } else {
            return None;
        }
    }
    Some(out)
}

/// One replacement in a file's text.
struct Edit {
    span: Range<usize>,
    new: String,
}

/// The edit that points a cite of a TOML file at other lines: only the
/// characters that write the line numbers of the string's value are
/// replaced. Returns the edit, where the string starts, the value it must
/// hold afterwards and the line numbers it held.
fn cite_edit(
    text: &str,
    strings: &[TomlString],
    f: &Fix,
    line: usize,
) -> Result<(Edit, usize, String, String)> {
    let refuse = |why: &str| {
        anyhow::anyhow!(
            "{}:{line}: cannot rewrite this cite automatically ({why}); nothing was written; \
             change it by hand to \"{}:{}\"",
            f.file,
            f.key,
            f.new
        )
    };
    let s = strings
        .iter()
        .find(|s| s.span.start < f.span.start && f.span.start < s.span.end)
        .ok_or_else(|| refuse("it is not a TOML string"))?;
    let chars =
        decode_toml_string(&text[s.span.clone()]).ok_or_else(|| refuse("unknown string form"))?;
    let decoded: String = chars.iter().map(|(c, _)| *c).collect();
    if decoded != s.value {
        return Err(refuse("unknown string form"));
    }
    if !decoded
        .strip_prefix(f.key.as_str())
        .is_some_and(|r| r.starts_with(':'))
    {
        return Err(refuse("it does not start with its key"));
    }
    let at = f.key.chars().count() + 1;
    let n = chars[at..]
        .iter()
        .take_while(|(c, _)| c.is_ascii_digit() || *c == '-')
        .count();
    if n == 0 {
        return Err(refuse("it has no line numbers"));
    }
    let old: String = chars[at..at + n].iter().map(|(c, _)| *c).collect();
    let span = s.span.start + chars[at].1.start..s.span.start + chars[at + n - 1].1.end;
    let value: String = chars[..at]
        .iter()
        .map(|(c, _)| *c)
        .chain(f.new.chars())
        .chain(chars[at + n..].iter().map(|(c, _)| *c))
        .collect();
    Ok((
        Edit {
            span,
            new: f.new.clone(),
        },
        s.span.start,
        value,
        old,
    ))
}

/// Rewrites the cites of a TOML file (`delegations.toml`) with `fixes`
/// through the spans of its strings. Returns the new text and, for each fix,
/// the line numbers its string held; errors, and changes nothing, when one
/// of them cannot be rewritten exactly.
pub fn rewrite_toml(text: &str, fixes: &[&Fix]) -> Result<(String, Vec<String>)> {
    let Some(file) = fixes.first().map(|f| f.file.clone()) else {
        return Ok((text.to_string(), Vec::new()));
    };
    let doc = toml_edit::ImDocument::parse(text)
        .map_err(|e| anyhow::anyhow!("{file} is no longer valid TOML; run the check again: {e}"))?;
    let strings = toml_strings(&doc);
    let mut edits = Vec::new();
    let mut checks = Vec::new();
    let mut olds = Vec::new();
    for f in fixes {
        if text.get(f.span.clone()) != Some(f.old.as_str()) {
            bail!("{file} changed while it was being checked; run the check again");
        }
        let (edit, at, value, old) = cite_edit(text, &strings, f, line_of(text, f.span.start))?;
        checks.push((at, value));
        edits.push(edit);
        olds.push(old);
    }
    // Where each string starts once the edits before it are made.
    let moved = |at: usize| -> usize {
        let shift: isize = edits
            .iter()
            .filter(|e| e.span.start < at)
            .map(|e| e.new.len() as isize - e.span.len() as isize)
            .sum();
        (at as isize + shift) as usize
    };
    let checks: Vec<(usize, String)> = checks.into_iter().map(|(at, v)| (moved(at), v)).collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.span.start));
    let mut out = text.to_string();
    let mut limit = usize::MAX;
    for e in &edits {
        if e.span.end > limit {
            bail!("two fixes overlap in {file}");
        }
        out.replace_range(e.span.clone(), &e.new);
        limit = e.span.start;
    }
    // The proof: the new text parses, and each rewritten string holds exactly
    // the value intended.
    let doc = toml_edit::ImDocument::parse(out.as_str()).map_err(|e| {
        anyhow::anyhow!("{file}: cannot rewrite its cites automatically ({e}); nothing was written")
    })?;
    let after = toml_strings(&doc);
    for (at, value) in &checks {
        if !after
            .iter()
            .any(|s| s.span.start == *at && &s.value == value)
        {
            bail!(
                "{file}: cannot rewrite this cite automatically to \"{value}\"; nothing was written"
            );
        }
    }
    Ok((out, olds))
}

/// Applies every fix found in `diags` below `root`; with `dry_run`, only
/// reports them. Returns the changes in file order. Every file is rewritten
/// in memory first: when one fix cannot be made exactly, no file is written.
pub fn apply(root: &Path, diags: &[Diagnostic], dry_run: bool) -> Result<Vec<Applied>> {
    let mut by_file: BTreeMap<&str, Vec<&Fix>> = BTreeMap::new();
    for f in diags.iter().filter_map(|d| d.fix.as_deref()) {
        by_file.entry(&f.file).or_default().push(f);
    }
    let mut applied = Vec::new();
    let mut writes = Vec::new();
    for (file, fixes) in by_file {
        // Never read or write through a symbolic link, out of the site.
        crate::editor::scaffold::no_links(root, file)?;
        let path = root.join(file);
        let text =
            fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        // A TOML file's cites are strings whose bytes need not be their value.
        let (new, olds) = if file.ends_with(".toml") {
            rewrite_toml(&text, &fixes)?
        } else {
            let olds = fixes.iter().map(|f| f.old.clone()).collect();
            (rewrite(&text, &fixes)?, olds)
        };
        let mut lines: Vec<Applied> = fixes
            .iter()
            .zip(olds)
            .map(|(f, old)| Applied {
                file: file.to_string(),
                line: line_of(&text, f.span.start),
                key: f.key.clone(),
                old,
                new: f.new.clone(),
            })
            .collect();
        lines.sort_by_key(|a| a.line);
        writes.push((path, new));
        applied.extend(lines);
    }
    if !dry_run {
        for (path, new) in writes {
            fs::write(&path, new).with_context(|| format!("writing {}", path.display()))?;
        }
    }
    Ok(applied)
}

/// What `check --fix` did.
#[derive(Debug)]
pub struct FixReport {
    /// Citations rewritten (or, in a dry run, that would be).
    pub applied: Vec<Applied>,
    /// Diagnostics left after the fixes: ambiguous or missing quotes and the rest.
    pub remaining: Vec<Diagnostic>,
    /// `citations.lock` was refreshed.
    pub lock_written: bool,
    /// A lock exists but could not be refreshed because errors remain.
    pub lock_stale: bool,
}

/// `explainer check --fix [--dry-run]`: rewrite the line numbers of citations
/// whose quote (or locked line) now stands on exactly one other line.
pub fn run(opts: &Options, dry_run: bool) -> Result<FixReport, Failure> {
    let mode = load::Mode {
        drafts: opts.drafts,
        lock: true,
        html: false,
    };
    let diags = match verify(&opts.root, mode) {
        Ok((mut site, _)) => {
            return Ok(FixReport {
                applied: Vec::new(),
                remaining: std::mem::take(&mut site.warnings),
                lock_written: false,
                lock_stale: false,
            })
        }
        Err(Failure::Content(diags)) => diags,
        Err(e) => return Err(e),
    };
    let applied = apply(&opts.root, &diags, dry_run)?;
    if dry_run || applied.is_empty() {
        let remaining = diags.into_iter().filter(|d| d.fix.is_none()).collect();
        return Ok(FixReport {
            applied,
            remaining,
            lock_written: false,
            lock_stale: false,
        });
    }
    let had_lock = opts.root.join(lock::FILE).is_file();
    match verify(&opts.root, mode) {
        Ok((mut site, _)) => {
            // As a build would: lines now cited added, others dropped.
            if had_lock {
                if let Some(next) = next_lock(&site, false)? {
                    write_lock(&opts.root, &next)?;
                }
            }
            Ok(FixReport {
                applied,
                remaining: std::mem::take(&mut site.warnings),
                lock_written: had_lock,
                lock_stale: false,
            })
        }
        Err(Failure::Content(remaining)) => Ok(FixReport {
            applied,
            remaining,
            lock_written: false,
            lock_stale: had_lock,
        }),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests;

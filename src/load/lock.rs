//! `citations.lock`: what every cited source line said when an editor last
//! reviewed it.
//!
//! A quoted citation checks itself on every build; a line-only citation
//! (`[@newsmax:3]`) would silently point at other words if the source were
//! edited. The lock records, for every cited line, a hash of its normalized
//! text; a line-only citation whose line no longer matches is E014. The file
//! is TOML, sorted, with no timestamp, so it is byte-stable and diffs well.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use crate::diagnostic::Diagnostic;
use crate::load::source::{hex, Source};

pub const FILE: &str = "citations.lock";

/// Hash of a normalized line: 16 hex digits of its SHA-256.
pub fn line_hash(normalized: &str) -> String {
    hex(&Sha256::digest(normalized.as_bytes())[..8])
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Lock {
    /// Source id -> line -> hash.
    pub entries: BTreeMap<String, BTreeMap<usize, String>>,
}

impl Lock {
    pub fn parse(text: &str) -> Result<Lock, Diagnostic> {
        let table: toml::Table = toml::from_str(text)
            .map_err(|e| crate::load::config::toml_diagnostic("E006", FILE, text, &e))?;
        let mut lock = Lock::default();
        for (source, lines) in table {
            let Some(lines) = lines.as_table() else {
                return Err(Diagnostic::file(
                    "E006",
                    FILE,
                    format!("invalid citations.lock: `{source}` is not a table of lines"),
                )
                .with_help("rewrite it with `explainer lock`"));
            };
            let mut map = BTreeMap::new();
            for (key, hash) in lines {
                let line = key.strip_prefix('L').and_then(|n| n.parse::<usize>().ok());
                match (line, hash.as_str()) {
                    (Some(n), Some(h)) => {
                        map.insert(n, h.to_string());
                    }
                    _ => {
                        return Err(Diagnostic::file(
                            "E006",
                            FILE,
                            format!("invalid citations.lock entry `{source}.{key}`"),
                        )
                        .with_help("rewrite it with `explainer lock`"));
                    }
                }
            }
            lock.entries.insert(source, map);
        }
        Ok(lock)
    }

    /// The file's text: sorted tables, sorted lines, no timestamp.
    pub fn render(&self) -> String {
        let mut out = String::from("# citations.lock: what every cited source line said when the citations were last reviewed.\n# Written by `explainer lock`; a line-only citation whose line changed is error E014.\n");
        for (source, lines) in &self.entries {
            out.push_str(&format!("\n[{}]\n", toml_key(source)));
            for (line, hash) in lines {
                out.push_str(&format!("L{line} = \"{hash}\"\n"));
            }
        }
        out
    }

    pub fn get(&self, source: &str, line: usize) -> Option<&str> {
        self.entries.get(source)?.get(&line).map(String::as_str)
    }
}

/// A bare TOML key when possible, else a quoted one, escaped by the TOML
/// encoder: a key may hold quotes, backslashes or control characters (a
/// source's file stem), and the lock must always parse back.
fn toml_key(k: &str) -> String {
    toml_edit::Key::new(k).display_repr().into_owned()
}

/// Where the locked lines `first..=last` of `s` are now: every start line at
/// which the same run of locked hashes occurs.
pub fn relocate(s: &Source, locked: &[Option<&str>]) -> Vec<usize> {
    let hashes: Vec<String> = (1..=s.lines.len())
        .map(|n| line_hash(&s.normalized(n)))
        .collect();
    let width = locked.len();
    (1..=hashes.len().saturating_sub(width - 1))
        .filter(|&start| {
            locked
                .iter()
                .enumerate()
                .all(|(k, h)| h.is_none_or(|h| hashes[start - 1 + k] == h))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_sorted_and_parses_back() {
        let mut lock = Lock::default();
        lock.entries.insert(
            "newsmax".into(),
            [(12, "bb".to_string()), (3, "aa".to_string())].into(),
        );
        lock.entries
            .insert("a.b".into(), [(1, "cc".to_string())].into());
        let text = lock.render();
        assert!(text.find("L3").unwrap() < text.find("L12").unwrap());
        assert!(text.contains("[\"a.b\"]"));
        assert_eq!(Lock::parse(&text).unwrap(), lock);
    }

    #[test]
    fn hash_is_of_normalized_text() {
        assert_eq!(line_hash("a b").len(), 16);
        assert_ne!(line_hash("a b"), line_hash("a c"));
    }

    #[test]
    fn relocate_finds_moved_lines() {
        let s = Source::from_bytes("a.txt", b"new\nnew two\nfirst\nsecond\nthird").unwrap();
        let h = |t: &str| line_hash(t);
        let (a, b) = (h("first"), h("second"));
        assert_eq!(relocate(&s, &[Some(&a), Some(&b)]), vec![3]);
        assert_eq!(relocate(&s, &[Some(&h("nowhere"))]), Vec::<usize>::new());
    }

    #[test]
    fn bad_entries_are_e006() {
        assert_eq!(
            Lock::parse("[x]\nthree = \"a\"\n").unwrap_err().code,
            "E006"
        );
    }

    #[test]
    fn bug_09_hostile_keys_round_trip() {
        let mut lock = Lock::default();
        for key in [
            "a\"b",
            "back\\slash",
            "tab\there",
            "nl\nkey",
            "cr\rkey",
            "nul\u{0}",
            "esc\u{1b}[31m",
            "del\u{7f}",
            "'single'",
            "'''",
            "\"\"\"",
            "ünïcödé 日本",
            "\u{2028}sep",
            "",
            " ",
            "a.b",
            "[x]",
            "# not a comment",
        ] {
            lock.entries
                .insert(key.to_string(), [(1, "cc".to_string())].into());
        }
        let text = lock.render();
        assert_eq!(Lock::parse(&text).unwrap(), lock, "{text}");
    }
}

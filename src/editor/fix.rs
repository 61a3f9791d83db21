//! `check --fix`: apply the corrections diagnostics carry.
//!
//! A fix replaces only the line numbers of one citation, and only when the
//! file still holds exactly the text the build saw there; every other byte of
//! the file is left as it was.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use anyhow::{bail, Context, Result};

use crate::diagnostic::{line_of, Diagnostic, Fix};
use crate::load::{self, lock};
use crate::{verify, write_lock, Failure, Options};

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

/// Applies every fix found in `diags` below `root`; with `dry_run`, only
/// reports them. Returns the changes in file order.
pub fn apply(root: &Path, diags: &[Diagnostic], dry_run: bool) -> Result<Vec<Applied>> {
    let mut by_file: BTreeMap<&str, Vec<&Fix>> = BTreeMap::new();
    for f in diags.iter().filter_map(|d| d.fix.as_deref()) {
        by_file.entry(&f.file).or_default().push(f);
    }
    let mut applied = Vec::new();
    for (file, fixes) in by_file {
        let path = root.join(file);
        let text =
            fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        let new = rewrite(&text, &fixes)?;
        let mut lines: Vec<Applied> = fixes
            .iter()
            .map(|f| Applied {
                file: file.to_string(),
                line: line_of(&text, f.span.start),
                key: f.key.clone(),
                old: f.old.clone(),
                new: f.new.clone(),
            })
            .collect();
        lines.sort_by_key(|a| a.line);
        if !dry_run {
            fs::write(&path, new).with_context(|| format!("writing {}", path.display()))?;
        }
        applied.extend(lines);
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
            if had_lock {
                write_lock(&opts.root, &site)?;
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
mod tests {
    use super::*;

    fn fix(span: std::ops::Range<usize>, old: &str, new: &str) -> Fix {
        Fix {
            file: "content/a.md".into(),
            key: "k".into(),
            span,
            old: old.into(),
            new: new.into(),
        }
    }

    #[test]
    fn only_the_numbers_change() {
        let text = "A [@k:3 \"x\"] and [@k:10-11].\n";
        let at = text.find('3').unwrap();
        let a = fix(at..at + 1, "3", "5");
        let at = text.find("10-11").unwrap();
        let b = fix(at..at + 5, "10-11", "12-13");
        assert_eq!(
            rewrite(text, &[&a, &b]).unwrap(),
            "A [@k:5 \"x\"] and [@k:12-13].\n"
        );
    }

    #[test]
    fn stale_spans_are_refused() {
        assert!(rewrite("A [@k:4]", &[&fix(5..6, "3", "5")]).is_err());
    }

    #[test]
    fn report_line_format() {
        let a = Applied {
            file: "content/x.md".into(),
            line: 12,
            key: "newsmax".into(),
            old: "3".into(),
            new: "5".into(),
        };
        assert_eq!(a.to_string(), "content/x.md:12: newsmax:3 -> newsmax:5");
    }
}

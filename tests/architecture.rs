//! The shape of `src/` (ARCHITECTURE.md), checked so that it holds: the
//! top-level modules form layers that name only the layers below them (so
//! there is no module cycle), the page kinds of `render/` never name one
//! another, no source file passes 500 lines, and every file says why it
//! exists in a `//!` comment.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Each top-level module with its layer: a module may name only modules of
/// a lower layer. Layer 0 holds the leaves, which name no other module.
const LAYERS: &[(&str, u8)] = &[
    ("diagnostic", 0),
    ("escape", 0),
    ("text", 0),
    ("timing", 0),
    ("write", 0),
    ("load", 1),
    ("resolve", 2),
    ("render", 3),
    // lib.rs: the phase order (build, check, render, lock).
    ("lib", 4),
    ("editor", 5),
];

/// The page kinds of `render/`: each depends on render's shared leaves, never
/// on another page kind; only `render/plan.rs` and `render/mod.rs` name them.
const PAGE_KINDS: &[&str] = &[
    "annotations",
    "claims",
    "content",
    "feed",
    "files",
    "roster",
    "search",
    "sources",
];

const MAX_LINES: usize = 500;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file below `src/`, as (path relative to `src/` with `/`, text).
fn sources() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![src()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path
                    .strip_prefix(src())
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, fs::read_to_string(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// The top-level module a file belongs to (`load/page.rs` -> `load`).
fn module_of(rel: &str) -> String {
    match rel.split_once('/') {
        Some((dir, _)) => dir.to_string(),
        None => rel.trim_end_matches(".rs").to_string(),
    }
}

/// The code of a file without its comments (`//…` to the end of a line) and
/// without the contents of string literals, so that a path in a doc comment
/// or a message is not taken for a dependency.
fn code_of(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mut in_str = false;
        let mut prev = '\0';
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            if in_str {
                if c == '"' && prev != '\\' {
                    in_str = false;
                    out.push('"');
                }
                prev = if prev == '\\' && c == '\\' { '\0' } else { c };
                continue;
            }
            if c == '/' && chars.peek() == Some(&'/') {
                break;
            }
            if c == '"' && prev != '\'' {
                in_str = true;
            }
            out.push(c);
            prev = c;
        }
        out.push('\n');
    }
    out
}

/// The names that follow `prefix` in `code` as the first segment of a path:
/// `crate::load::page` and `crate::{load::page, text}` name `load` and `text`.
fn named_after(code: &str, prefix: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut rest = code;
    while let Some(at) = rest.find(prefix) {
        let before = rest[..at].chars().next_back();
        let after = &rest[at + prefix.len()..];
        rest = after;
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(group) = after.strip_prefix('{') {
            // One level of a `use` group: the first segment of each item.
            let mut depth = 0;
            let mut item_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if c.is_whitespace() => {}
                    _ if item_start && depth == 0 => {
                        names.insert(ident(&group[i..]));
                        item_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            names.insert(ident(after));
        }
    }
    names.remove("");
    names
}

/// Top-level module -> the top-level modules its files name.
fn edges(files: &[(String, String)]) -> BTreeMap<String, BTreeSet<String>> {
    let known: BTreeSet<&str> = LAYERS.iter().map(|(m, _)| *m).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (rel, text) in files {
        if rel == "main.rs" {
            // The binary: it uses the library from outside.
            continue;
        }
        let module = module_of(rel);
        let code = code_of(text);
        let mut named = named_after(&code, "crate::");
        if rel == "lib.rs" {
            // The crate root names its modules without `crate::`; a `mod`
            // declaration is not a dependency.
            let body: String = code
                .lines()
                .filter(|l| {
                    !l.trim_start().starts_with("pub mod ") && !l.trim_start().starts_with("mod ")
                })
                .collect::<Vec<_>>()
                .join("\n");
            for m in &known {
                if !named_after(&body, &format!("{m}::")).is_empty() {
                    named.insert((*m).to_string());
                }
            }
        }
        let entry = graph.entry(module.clone()).or_default();
        for n in named {
            let target = if known.contains(n.as_str()) {
                n
            } else {
                // `crate::Options`, `crate::verify`: an item of the crate root.
                "lib".to_string()
            };
            if target != module {
                entry.insert(target);
            }
        }
    }
    graph
}

#[test]
fn every_module_is_in_a_layer() {
    let layered: BTreeSet<&str> = LAYERS.iter().map(|(m, _)| *m).collect();
    for (rel, _) in sources() {
        let module = module_of(&rel);
        assert!(
            module == "main" || layered.contains(module.as_str()),
            "src/{rel}: module `{module}` has no layer in tests/architecture.rs (and ARCHITECTURE.md): give it one"
        );
    }
}

#[test]
fn modules_name_only_lower_layers() {
    let layer: BTreeMap<&str, u8> = LAYERS.iter().copied().collect();
    let mut wrong = Vec::new();
    for (from, targets) in edges(&sources()) {
        for to in targets {
            let (a, b) = (layer[from.as_str()], layer[to.as_str()]);
            if b >= a {
                wrong.push(format!("{from} (layer {a}) names {to} (layer {b})"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "dependencies must run down the layers (see ARCHITECTURE.md):\n  {}",
        wrong.join("\n  ")
    );
}

#[test]
fn page_kinds_do_not_name_each_other() {
    let mut wrong = Vec::new();
    for (rel, text) in sources() {
        let Some(name) = rel
            .strip_prefix("render/")
            .and_then(|f| f.strip_suffix(".rs"))
        else {
            continue;
        };
        if !PAGE_KINDS.contains(&name) {
            continue;
        }
        let code = code_of(&text);
        let named: BTreeSet<String> = named_after(&code, "super::")
            .into_iter()
            .chain(named_after(&code, "crate::render::"))
            .collect();
        for other in PAGE_KINDS.iter().filter(|k| **k != name) {
            if named.contains(*other) {
                wrong.push(format!("render/{name}.rs names render/{other}.rs"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "page kinds share code through render's leaf modules, not each other:\n  {}",
        wrong.join("\n  ")
    );
}

#[test]
fn no_source_file_passes_500_lines() {
    let long: Vec<String> = sources()
        .into_iter()
        .map(|(rel, text)| (rel, text.lines().count()))
        .filter(|(_, n)| *n > MAX_LINES)
        .map(|(rel, n)| format!("src/{rel}: {n} lines"))
        .collect();
    assert!(
        long.is_empty(),
        "split these by idea (at most {MAX_LINES} lines a file):\n  {}",
        long.join("\n  ")
    );
}

#[test]
fn every_file_says_why_it_exists() {
    let missing: Vec<String> = sources()
        .into_iter()
        .filter(|(_, text)| !text.trim_start().starts_with("//!"))
        .map(|(rel, _)| format!("src/{rel}"))
        .collect();
    assert!(
        missing.is_empty(),
        "begin these with a `//!` comment that says why the module exists:\n  {}",
        missing.join("\n  ")
    );
}

/// The checker itself: a back edge and a cycle are seen, comments and
/// strings are not dependencies.
#[test]
fn the_checker_sees_back_edges_and_ignores_comments() {
    let files = vec![
        ("load/page.rs".to_string(), "//! x\nuse crate::{diagnostic::Diagnostic, resolve::Site};\n// crate::render\nlet s = \"crate::editor\";\n".to_string()),
        ("resolve/mod.rs".to_string(), "//! x\nuse crate::load::Input;\n".to_string()),
        ("lib.rs".to_string(), "//! x\npub mod load;\nfn f() { load::site(); }\n".to_string()),
    ];
    let graph = edges(&files);
    assert_eq!(
        graph["load"],
        ["diagnostic", "resolve"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );
    assert_eq!(graph["resolve"], ["load".to_string()].into());
    assert_eq!(graph["lib"], ["load".to_string()].into());
}

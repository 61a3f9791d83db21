//! The manifest's `via` keys (SPEC 2, origins): each must name a source of
//! this site (E001, with a "did you mean"), and following them must never
//! come back to where it started (E017). Checked here, where the manifest's
//! text gives every problem its line; `resolve` follows the keys.

use super::{key_index, Source, MANIFEST};
use crate::diagnostic::Diagnostic;
use crate::text;

/// E001 for a `via` key that names no source, E017 for each circle of `via`.
pub(super) fn check(sources: &[Source], manifest: &str, diags: &mut Vec<Diagnostic>) {
    // Most manifests have no `via` at all: then there is nothing to check,
    // and no index of every key to build.
    if sources.iter().all(|s| s.meta.via.is_empty()) {
        return;
    }
    let keys = key_index(sources);
    // Per source: the sources it retells, with the span of each key.
    let mut edges: Vec<Vec<(usize, std::ops::Range<usize>)>> = vec![Vec::new(); sources.len()];
    for (i, s) in sources.iter().enumerate() {
        for (key, span) in &s.meta.via {
            match keys.get(key.as_str()) {
                Some(&j) => edges[i].push((j, span.clone())),
                None => {
                    let d = Diagnostic::at(
                        "E001",
                        MANIFEST,
                        manifest,
                        span.clone(),
                        format!("`via` names `{key}`, which is no source of this site"),
                    );
                    diags.push(
                        match text::did_you_mean(key, keys.keys().map(String::as_str)) {
                            Some(k) => d.with_help(format!("did you mean `{k}`?")),
                            None => d.with_help(
                                "`via` lists the ids (or file names) of sources in sources/ that this copy retells",
                            ),
                        },
                    );
                }
            }
        }
    }
    // Depth-first, without recursion: 0 unvisited, 1 on the path, 2 done.
    let mut state = vec![0u8; sources.len()];
    for start in 0..sources.len() {
        if state[start] != 0 {
            continue;
        }
        let mut path: Vec<(usize, usize)> = vec![(start, 0)];
        state[start] = 1;
        while let Some(&mut (node, ref mut next)) = path.last_mut() {
            let Some((to, span)) = edges[node].get(*next) else {
                state[node] = 2;
                path.pop();
                continue;
            };
            *next += 1;
            match state[*to] {
                0 => {
                    state[*to] = 1;
                    path.push((*to, 0));
                }
                1 => {
                    let from = path.iter().position(|&(n, _)| n == *to).unwrap_or(0);
                    let mut names: Vec<&str> = path[from..]
                        .iter()
                        .map(|&(n, _)| sources[n].id.as_str())
                        .collect();
                    names.push(&sources[*to].id);
                    diags.push(
                        Diagnostic::at(
                            "E017",
                            MANIFEST,
                            manifest,
                            span.clone(),
                            format!("`via` goes round in a circle: {}", names.join(" → ")),
                        )
                        .with_help("a copy retells an earlier report; remove the `via` key that leads back"),
                    );
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{apply_manifest, Manifest, Source};
    use crate::diagnostic::Diagnostic;

    fn run(manifest: &str) -> Vec<Diagnostic> {
        let mut sources: Vec<Source> = ["a.txt", "b.txt", "c.txt"]
            .iter()
            .map(|f| Source::from_bytes(f, b"one\n").unwrap())
            .collect();
        let m = Manifest::parse(manifest.to_string()).unwrap();
        let mut diags = Vec::new();
        apply_manifest(&mut sources, Some(&m), &mut diags);
        diags.retain(|d| d.code != "W003");
        diags
    }

    #[test]
    fn an_unknown_via_key_is_e001_at_the_value_with_a_suggestion() {
        let d = run("[[source]]\nfile = \"a.txt\"\nvia = [\"b\", \"cc\"]\n");
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!((d[0].code, d[0].line, d[0].column), ("E001", 3, 13));
        assert_eq!(d[0].help.as_deref(), Some("did you mean `c`?"));
    }

    #[test]
    fn circles_are_e017_once_each_self_reference_included() {
        let d = run(concat!(
            "[[source]]\nfile = \"a.txt\"\nvia = [\"b\"]\n",
            "[[source]]\nfile = \"b.txt\"\nvia = [\"a\"]\n",
            "[[source]]\nfile = \"c.txt\"\nvia = [\"c\"]\n",
        ));
        let found: Vec<_> = d.iter().map(|d| (d.code, d.line, d.column)).collect();
        assert_eq!(found, [("E017", 6, 8), ("E017", 9, 8)], "{d:?}");
        assert!(d[0].message.contains("a → b → a"), "{}", d[0].message);
        assert!(d[1].message.contains("c → c"), "{}", d[1].message);
    }

    #[test]
    fn chains_and_diamonds_are_no_circle() {
        let d = run(concat!(
            "[[source]]\nfile = \"a.txt\"\nvia = [\"b\", \"c\"]\n",
            "[[source]]\nfile = \"b.txt\"\nvia = [\"c\"]\n",
            "[[source]]\nfile = \"c.txt\"\n",
        ));
        assert!(d.is_empty(), "{d:?}");
    }
}

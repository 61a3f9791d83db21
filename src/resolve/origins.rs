//! Origins (SPEC 2): following `via` from a source to the sources it retells,
//! and on to theirs, ends at the reports that retell nothing. Corroboration
//! is counted in these, never in copies: two copies of one report are one
//! origin. Pure; unknown keys and circles were reported by the loader
//! (E001, E017) and are skipped here, so this never loops.

use std::collections::BTreeMap;

use crate::load::source::Source;

/// One independent report: a source of the site that retells nothing, or an
/// outside outlet or agency that a source names as its `origin`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Origin {
    Source(usize),
    Outlet(String),
}

/// The sources each source retells directly (its `via`, resolved to indexes).
pub fn retells(sources: &[Source], keys: &BTreeMap<String, usize>) -> Vec<Vec<usize>> {
    sources
        .iter()
        .map(|s| {
            let mut to: Vec<usize> = Vec::new();
            for (key, _) in &s.meta.via {
                if let Some(&j) = keys.get(key) {
                    if !to.contains(&j) {
                        to.push(j);
                    }
                }
            }
            to
        })
        .collect()
}

/// Each source's origins, sorted and without repeats.
pub fn origins(sources: &[Source], keys: &BTreeMap<String, usize>) -> Vec<Vec<Origin>> {
    let via = retells(sources, keys);
    // Which walk last reached each source (walk `start` marks `start + 1`):
    // one vector for all walks, not one per source, which made the walks
    // quadratic in the number of sources.
    let mut seen = vec![0; sources.len()];
    (0..sources.len())
        .map(|start| {
            let mut stack = vec![start];
            let mut found: Vec<Origin> = Vec::new();
            while let Some(i) = stack.pop() {
                if std::mem::replace(&mut seen[i], start + 1) == start + 1 {
                    continue;
                }
                let next: Vec<usize> = via[i].iter().copied().filter(|&j| j != i).collect();
                if next.is_empty() {
                    found.push(match &sources[i].meta.origin {
                        Some(name) if !name.trim().is_empty() => Origin::Outlet(name.trim().into()),
                        _ => Origin::Source(i),
                    });
                }
                stack.extend(next);
            }
            found.sort();
            found.dedup();
            found
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::source::key_index;

    /// Sources `a`, `b`, … with the given `via` keys and `origin`s.
    fn site(spec: &[(&[&str], Option<&str>)]) -> Vec<Vec<Origin>> {
        let sources: Vec<Source> = spec
            .iter()
            .enumerate()
            .map(|(i, (via, origin))| {
                let name = ((b'a' + i as u8) as char).to_string();
                let mut s = Source::from_bytes(&format!("{name}.txt"), b"x\n").unwrap();
                s.meta.via = via.iter().map(|k| (k.to_string(), 0..0)).collect();
                s.meta.origin = origin.map(str::to_string);
                s
            })
            .collect();
        origins(&sources, &key_index(&sources))
    }

    use Origin::Source as S;

    #[test]
    fn a_source_that_retells_nothing_is_its_own_origin() {
        assert_eq!(site(&[(&[], None), (&[], None)]), [vec![S(0)], vec![S(1)]]);
    }

    #[test]
    fn chains_end_at_the_first_report() {
        let o = site(&[(&["b"], None), (&["c"], None), (&[], None)]);
        assert_eq!(o, [vec![S(2)], vec![S(2)], vec![S(2)]]);
    }

    #[test]
    fn diamonds_count_the_shared_report_once() {
        let o = site(&[
            (&["b", "c"], None),
            (&["d"], None),
            (&["d"], None),
            (&[], None),
        ]);
        assert_eq!(o[0], [S(3)]);
        let o = site(&[(&["b", "c"], None), (&[], None), (&[], None)]);
        assert_eq!(o[0], [S(1), S(2)]);
    }

    #[test]
    fn sources_naming_one_outside_origin_are_one_origin() {
        let o = site(&[
            (&[], Some("EFE")),
            (&[], Some("EFE")),
            (&["a"], None),
            (&[], None),
        ]);
        let efe = Origin::Outlet("EFE".into());
        assert_eq!(
            o,
            [vec![efe.clone()], vec![efe.clone()], vec![efe], vec![S(3)]]
        );
    }

    #[test]
    fn circles_and_self_reference_end_without_looping() {
        // E017 was reported by the loader; here they only must not hang.
        let o = site(&[(&["b"], None), (&["a"], None), (&["c"], None)]);
        assert!(o[0].is_empty() && o[1].is_empty(), "{o:?}");
        // A source retelling itself retells nothing else: it is its own origin.
        assert_eq!(o[2], [S(2)]);
        let o = site(&[(&["a", "b"], None), (&[], None)]);
        assert_eq!(o[0], [S(1)]);
    }
}

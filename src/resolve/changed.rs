//! What changed in a cited line since `citations.lock` recorded it (E014,
//! `explainer pin`): the old and the new text side by side, the words that
//! differ marked `[-old-]` and `{+new+}` (a longest common subsequence over
//! words), long unchanged stretches shortened to their ends.

/// Unchanged runs longer than this many words are shortened.
const KEEP: usize = 12;
/// Above this many cells the middle is marked changed as a whole.
const MAX_CELLS: usize = 1_000_000;

/// `(old, new)` with the differing words marked.
pub fn word_diff(old: &str, new: &str) -> (String, String) {
    let a: Vec<&str> = old.split_whitespace().collect();
    let b: Vec<&str> = new.split_whitespace().collect();
    let pre = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suf = a[pre..]
        .iter()
        .rev()
        .zip(b[pre..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (am, bm) = (&a[pre..a.len() - suf], &b[pre..b.len() - suf]);
    // Per word of each side: kept (true) or changed.
    let (mut ka, mut kb) = (vec![false; am.len()], vec![false; bm.len()]);
    if am.len().saturating_mul(bm.len()) <= MAX_CELLS {
        let w = bm.len() + 1;
        let mut t = vec![0u32; (am.len() + 1) * w];
        for i in (0..am.len()).rev() {
            for j in (0..bm.len()).rev() {
                t[i * w + j] = if am[i] == bm[j] {
                    t[(i + 1) * w + j + 1] + 1
                } else {
                    t[(i + 1) * w + j].max(t[i * w + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < am.len() && j < bm.len() {
            if am[i] == bm[j] {
                (ka[i], kb[j]) = (true, true);
                (i, j) = (i + 1, j + 1);
            } else if t[(i + 1) * w + j] >= t[i * w + j + 1] {
                i += 1;
            } else {
                j += 1;
            }
        }
    }
    let side = |words: &[&str], mid: &[bool], open: &str, close: &str| {
        let mut kept = vec![true; pre];
        kept.extend_from_slice(mid);
        kept.extend(std::iter::repeat_n(true, suf));
        mark(words, &kept, open, close)
    };
    (side(&a, &ka, "[-", "-]"), side(&b, &kb, "{+", "+}"))
}

/// The words joined by spaces, each run of changed words inside
/// `open`…`close`, unchanged runs longer than [`KEEP`] shortened with `…`.
fn mark(words: &[&str], kept: &[bool], open: &str, close: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let run = kept[i..].iter().take_while(|&&k| k == kept[i]).count();
        let chunk = &words[i..i + run];
        if !kept[i] {
            out.push(format!("{open}{}{close}", chunk.join(" ")));
        } else if run > KEEP {
            let (start, end) = (i == 0, i + run == words.len());
            let head = if start { 0 } else { KEEP / 2 };
            let tail = if end { 0 } else { KEEP / 2 };
            out.extend(chunk[..head].iter().map(|w| w.to_string()));
            out.push("…".into());
            out.extend(chunk[run - tail..].iter().map(|w| w.to_string()));
        } else {
            out.extend(chunk.iter().map(|w| w.to_string()));
        }
        i += run;
    }
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_the_changed_words_only() {
        let (old, new) = word_diff(
            "the united states will supervise the mechanism",
            "the united states will oversee the new mechanism",
        );
        assert_eq!(old, "the united states will [-supervise-] the mechanism");
        assert_eq!(
            new,
            "the united states will {+oversee+} the {+new+} mechanism"
        );
    }

    #[test]
    fn shortens_long_unchanged_runs() {
        let words: Vec<String> = (0..40).map(|n| format!("w{n}")).collect();
        let old = words.join(" ");
        let new = old.replace("w30", "x30");
        let (o, n) = word_diff(&old, &new);
        assert!(o.starts_with("… w24"), "{o}");
        assert!(o.contains("[-w30-]") && n.contains("{+x30+}"), "{o} / {n}");
        assert!(o.ends_with("w39"), "{o}");
    }

    #[test]
    fn empty_and_identical_lines() {
        assert_eq!(word_diff("", "a b"), (String::new(), "{+a b+}".into()));
        assert_eq!(word_diff("a b", "a b"), ("a b".into(), "a b".into()));
    }
}

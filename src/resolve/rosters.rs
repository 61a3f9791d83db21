//! Verifying the delegation rosters: every member's cite names the member
//! (E008), and the spelling each source prints is recorded.

use crate::diagnostic::{Diagnostic, Fix};
use crate::load::roster::{self, Roster};
use crate::text;

use super::find::find_in_lines;
use super::model::*;
use super::verify::*;

/// Verifies roster cites (E001, E002, E008) and records spellings.
pub(super) fn roster(r: Roster, v: &Verifier, errors: &mut Vec<Diagnostic>) -> ResolvedRoster {
    let text = DiagText::kept(&r.text);
    let mut cites = Vec::new();
    for d in &r.delegations {
        let mut per_member = Vec::new();
        for m in &d.members {
            let mut found = Vec::new();
            for rc in &m.cites {
                let c = Cited {
                    key: &rc.key,
                    first: rc.first,
                    last: rc.last,
                    quote: None,
                    key_span: rc.span.clone(),
                    lines_span: rc.span.clone(),
                    quote_span: None,
                };
                let i = match v.lines(&c, roster::FILE, &text) {
                    Ok(i) => i,
                    Err(e) => {
                        errors.push(e);
                        continue;
                    }
                };
                let s = &v.sources[i];
                let (first, last) = (rc.first as usize, rc.last as usize);
                let spelled_in = |first: usize, last: usize| {
                    std::iter::once(&m.name)
                        .chain(&m.variants)
                        .find_map(|name| {
                            let normalized = text::normalize_str(name);
                            // The spelling as the source prints it (curly
                            // apostrophes and all), not as the roster types it.
                            find_in_lines(s, first, last, &[&normalized]).map(|range| {
                                let text = s.char_slice(range.start, range.end).to_string();
                                (text, Matched::new(s, range))
                            })
                        })
                };
                match spelled_in(first, last) {
                    Some((spelling, range)) => found.push(MemberCite {
                        reference: Ref {
                            source: i,
                            first,
                            last,
                            quote: Some(spelling.as_str().into()),
                            matched: range,
                        },
                        spelling,
                    }),
                    None => {
                        let shown: Vec<&str> = (first..=last).map(|l| s.line(l)).collect();
                        let what = lines_phrase(first, last);
                        let width = last - first;
                        let elsewhere: Vec<usize> = (1..=s.lines.len().saturating_sub(width))
                            .filter(|&l| spelled_in(l, l + width).is_some())
                            .collect();
                        let mut d = text.at(
                            "E008",
                            roster::FILE,
                            rc.span.clone(),
                            format!("{} is not named in {} {what}", m.name, s.id),
                        );
                        d = match elsewhere.as_slice() {
                            [] => d.with_help(format!(
                                "{} {what} reads: \"{}\"; add the spelling it uses to `variants`",
                                s.id,
                                text::ellipsize(&text::normalize_str(&shown.join(" ")), 160)
                            )),
                            found => {
                                let at: Vec<String> =
                                    found.iter().map(|&l| lines_text(l, l + width)).collect();
                                let d = d.with_help(format!(
                                    "{} names {} on line {}",
                                    s.id,
                                    m.name,
                                    at.join(", ")
                                ));
                                if found.len() == 1 {
                                    let colon = r.text[rc.span.clone()]
                                        .rfind(':')
                                        .map_or(rc.span.start, |c| rc.span.start + c + 1);
                                    let span = colon..rc.span.end;
                                    d.with_fix(Fix {
                                        file: roster::FILE.to_string(),
                                        key: rc.key.clone(),
                                        old: r.text[span.clone()].to_string(),
                                        span,
                                        new: at[0].clone(),
                                    })
                                } else {
                                    d
                                }
                            }
                        };
                        errors.push(d);
                    }
                }
            }
            per_member.push(found);
        }
        cites.push(per_member);
    }
    ResolvedRoster { roster: r, cites }
}

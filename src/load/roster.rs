//! Delegation rosters (SPEC 4): `content/delegations.toml`.
//!
//! Parsing is strict (E006) and checks ids (E007); each `cite` is parsed
//! with the citation grammar so positions point into the TOML file.
//! Verification against sources happens in `resolve`.

use std::collections::BTreeSet;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::Diagnostic;
use crate::load::cite;
use crate::load::config::toml_diagnostic;

pub const FILE: &str = "content/delegations.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RosterFile {
    #[serde(default)]
    delegation: Vec<DelegationEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DelegationEntry {
    id: Spanned<String>,
    name: String,
    #[serde(default)]
    member: Vec<MemberEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MemberEntry {
    id: Option<Spanned<String>>,
    name: Spanned<String>,
    #[serde(default)]
    role: String,
    #[serde(default)]
    cite: Vec<Spanned<String>>,
    #[serde(default)]
    variants: Vec<Spanned<String>>,
}

#[derive(Debug, Clone)]
pub struct RosterCite {
    pub key: String,
    pub first: u32,
    pub last: u32,
    /// Byte span of the cite string in the TOML file.
    pub span: Range<usize>,
}

#[derive(Debug, Clone)]
pub struct Member {
    pub id: String,
    pub name: String,
    pub role: String,
    pub variants: Vec<String>,
    pub cites: Vec<RosterCite>,
}

#[derive(Debug, Clone)]
pub struct Delegation {
    pub id: String,
    pub name: String,
    pub members: Vec<Member>,
}

#[derive(Debug)]
pub struct Roster {
    pub text: String,
    pub delegations: Vec<Delegation>,
}

/// A URL-fragment-safe id from a name: lower-case ASCII letters and digits, `-` between words.
pub fn slugify(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if c.is_alphanumeric() {
            // Keep non-ASCII letters readable rather than dropping them.
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// Parses a roster cite `KEY:LINES` with the citation grammar.
fn parse_cite(value: &Spanned<String>, text: &str) -> Result<RosterCite, Diagnostic> {
    let raw = value.get_ref();
    let span = value.span();
    // The string's content starts after its opening quote in the file.
    let content_at = span.start + 1;
    let wrapped = format!("[@{raw}]");
    let to_file = |r: Range<usize>| {
        (r.start + content_at).saturating_sub(2)..(r.end + content_at).saturating_sub(2)
    };
    let fail = |r: Range<usize>, m: String| {
        Diagnostic::at("E004", FILE, text, r, m)
            .with_help("a roster cite is KEY:LINES, e.g. \"newsmax:6\" or \"jpost:7-8\"")
    };
    if !cite::starts_group(&wrapped, 0) {
        return Err(fail(span, format!("malformed roster cite `{raw}`")));
    }
    let group = cite::parse_group(&wrapped, 0).map_err(|e| {
        fail(
            to_file(e.span),
            format!("malformed roster cite: {}", e.message),
        )
    })?;
    match group.citations.as_slice() {
        [c] if c.quote.is_none() => Ok(RosterCite {
            key: c.key.clone(),
            first: c.first,
            last: c.last,
            span: to_file(c.key_span.start..c.lines_span.end),
        }),
        _ => Err(fail(
            span,
            format!("malformed roster cite `{raw}`: one KEY:LINES, without a quote"),
        )),
    }
}

impl Roster {
    /// Parses the roster file; every problem found is reported.
    pub fn parse(text: String) -> Result<Roster, Vec<Diagnostic>> {
        let file: RosterFile =
            toml::from_str(&text).map_err(|e| vec![toml_diagnostic("E006", FILE, &text, &e)])?;
        // Every diagnostic in the file finds its line in one index.
        let (delegations, errors) =
            crate::diagnostic::with_line_index(&text, || check(file, &text));
        if errors.is_empty() {
            Ok(Roster { text, delegations })
        } else {
            Err(errors)
        }
    }
}

/// Checks ids and cites of the parsed roster file; `text` is its text.
fn check(file: RosterFile, text: &str) -> (Vec<Delegation>, Vec<Diagnostic>) {
    let mut errors = Vec::new();
    let mut delegation_ids = BTreeSet::new();
    let mut delegations = Vec::new();
    for d in file.delegation {
        let id = d.id.get_ref().clone();
        if slugify(&id) != id || id.is_empty() {
            errors.push(
                Diagnostic::at(
                    "E006",
                    FILE,
                    text,
                    d.id.span(),
                    format!("invalid delegation id `{id}`"),
                )
                .with_help("ids are lower-case letters, digits and `-`"),
            );
        }
        if !delegation_ids.insert(id.clone()) {
            errors.push(Diagnostic::at(
                "E007",
                FILE,
                text,
                d.id.span(),
                format!("duplicate delegation id `{id}`"),
            ));
        }
        let mut member_ids = BTreeSet::new();
        let mut members = Vec::new();
        for m in d.member {
            // A name is what each cited line must print: an empty one
            // would be found everywhere (or crash the search).
            for (name, what) in std::iter::once((&m.name, "member name"))
                .chain(m.variants.iter().map(|v| (v, "variant")))
            {
                if crate::text::normalize_str(name.get_ref()).is_empty() {
                    errors.push(
                        Diagnostic::at(
                            "E006",
                            FILE,
                            text,
                            name.span(),
                            format!("empty {what} in delegation `{id}`"),
                        )
                        .with_help("write the name as the sources print it"),
                    );
                }
            }
            if m.id.is_none()
                && slugify(m.name.get_ref()).is_empty()
                && !crate::text::normalize_str(m.name.get_ref()).is_empty()
            {
                errors.push(
                    Diagnostic::at(
                        "E006",
                        FILE,
                        text,
                        m.name.span(),
                        format!(
                            "member name `{}` gives no id (no letter or digit)",
                            m.name.get_ref()
                        ),
                    )
                    .with_help("give the member an `id`"),
                );
            }
            let (mid, mspan) = match &m.id {
                Some(s) => (s.get_ref().clone(), s.span()),
                None => (slugify(m.name.get_ref()), m.name.span()),
            };
            if m.id.is_some() && (mid.is_empty() || slugify(&mid) != mid) {
                errors.push(
                    Diagnostic::at(
                        "E006",
                        FILE,
                        text,
                        mspan.clone(),
                        format!("invalid member id `{mid}`"),
                    )
                    .with_help("ids are lower-case letters, digits and `-`"),
                );
            }
            if !member_ids.insert(mid.clone()) {
                errors.push(
                    Diagnostic::at(
                        "E007",
                        FILE,
                        text,
                        mspan,
                        format!("duplicate member `{mid}` in delegation `{id}`"),
                    )
                    .with_help("each member appears once; list other spellings in `variants`"),
                );
            }
            let mut cites = Vec::new();
            for c in &m.cite {
                match parse_cite(c, text) {
                    Ok(rc) => cites.push(rc),
                    Err(e) => errors.push(e),
                }
            }
            members.push(Member {
                id: mid,
                name: m.name.into_inner(),
                role: m.role,
                variants: m.variants.into_iter().map(Spanned::into_inner).collect(),
                cites,
            });
        }
        delegations.push(Delegation {
            id,
            name: d.name,
            members,
        });
    }
    (delegations, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = r#"
[[delegation]]
id = "israel"
name = "Israel"

[[delegation.member]]
name = "Yechiel Leiter"
role = "Ambassador"
cite = ["newsmax:6", "jpost:7-8"]
variants = ["Yechiel Leiter"]
"#;

    #[test]
    fn parses_members_and_cites() {
        let r = Roster::parse(OK.to_string()).unwrap();
        let m = &r.delegations[0].members[0];
        assert_eq!(m.id, "yechiel-leiter");
        assert_eq!(m.cites.len(), 2);
        assert_eq!(
            (m.cites[1].key.as_str(), m.cites[1].first, m.cites[1].last),
            ("jpost", 7, 8)
        );
        assert_eq!(&r.text[m.cites[0].span.clone()], "newsmax:6");
    }

    #[test]
    fn unknown_key_is_e006() {
        let e = Roster::parse(OK.replace("role =", "rol =")).unwrap_err();
        assert_eq!((e[0].code, e[0].line), ("E006", 8));
    }

    #[test]
    fn duplicates_are_e007() {
        let twice = format!("{OK}\n[[delegation.member]]\nname = \"Yechiel Leiter\"\n\n[[delegation]]\nid = \"israel\"\nname = \"Again\"\n");
        let e = Roster::parse(twice).unwrap_err();
        let codes: Vec<_> = e.iter().map(|d| (d.code, d.line)).collect();
        assert_eq!(codes, [("E007", 13), ("E007", 16)]);
    }

    #[test]
    fn malformed_cite_is_e004_at_the_cite() {
        let e = Roster::parse(OK.replace("\"newsmax:6\"", "\"newsmax\"")).unwrap_err();
        assert_eq!((e[0].code, e[0].line, e[0].column), ("E004", 9, 9));
        let e = Roster::parse(OK.replace("\"jpost:7-8\"", "\"jpost:7-x\"")).unwrap_err();
        assert_eq!((e[0].code, e[0].line, e[0].column), ("E004", 9, 31));
    }

    #[test]
    fn slugs() {
        assert_eq!(slugify("Yechiel Leiter"), "yechiel-leiter");
        assert_eq!(slugify("Asaad al-Shaibani!"), "asaad-al-shaibani");
        assert_eq!(slugify("Étienne  Ça"), "étienne-ça");
    }
}

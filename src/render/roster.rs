//! `/delegations/` and the `{{ delegations() }}` / `{{ delegation(id) }}`
//! shortcodes: per delegation, each member and how each source names them.

use serde::Serialize;

use super::chrome::{Base, Chrome};
use super::head;
use super::links::{line_href, member_anchor, root_of, short_name, source_url};
use super::theme::Theme;
use crate::diagnostic::Diagnostic;
use crate::resolve::Site;
use crate::text;
use crate::write::Output;

#[derive(Serialize)]
struct Spelling {
    spelling: String,
    href: String,
    /// Printed as the roster names the member: the cell shows a check
    /// mark, not the name again.
    same: bool,
}

#[derive(Serialize)]
struct Cell {
    /// The outlet's name, for the cell's label when the roster reflows
    /// into one card per member.
    source: String,
    named: bool,
    variant: bool,
    spellings: Vec<Spelling>,
}

#[derive(Serialize)]
struct MemberView {
    id: String,
    name: String,
    role: String,
    cells: Vec<Cell>,
}

#[derive(Serialize)]
struct DelegationView {
    id: String,
    name: String,
    members: Vec<MemberView>,
    /// Sources that name nobody from this delegation.
    silent: Vec<String>,
}

#[derive(Serialize)]
struct Column {
    label: String,
    href: String,
}

#[derive(Serialize)]
struct RosterView {
    delegations: Vec<DelegationView>,
    columns: Vec<Column>,
}

fn view(site: &Site, root: &str, only: Option<&str>) -> RosterView {
    let Some(r) = &site.roster else {
        return RosterView {
            delegations: Vec::new(),
            columns: Vec::new(),
        };
    };
    let columns = site
        .sources
        .iter()
        .map(|s| Column {
            label: short_name(s),
            href: format!("{root}{}index.html", source_url(&s.id)),
        })
        .collect();
    let delegations = r
        .roster
        .delegations
        .iter()
        .enumerate()
        .filter(|(_, d)| only.is_none_or(|id| id == d.id))
        .map(|(di, d)| {
            let members: Vec<MemberView> = d
                .members
                .iter()
                .enumerate()
                .map(|(mi, m)| {
                    let cites = &r.cites[di][mi];
                    let canonical = text::normalize_str(&m.name);
                    let cells = (0..site.sources.len())
                        .map(|s| {
                            let mut spellings: Vec<Spelling> = Vec::new();
                            for c in cites.iter().filter(|c| c.reference.source == s) {
                                // Printed exactly as the roster writes it; a spelling
                                // that differs only in typography (’ for ') is shown
                                // as printed, though it is no variant.
                                let same = c.spelling.trim() == m.name.trim();
                                // One check mark per cell, and each other spelling once.
                                if !spellings
                                    .iter()
                                    .any(|x| x.spelling == c.spelling || (same && x.same))
                                {
                                    spellings.push(Spelling {
                                        same,
                                        spelling: c.spelling.clone(),
                                        href: line_href(
                                            root,
                                            &site.sources[s].id,
                                            c.reference.first,
                                        ),
                                    });
                                }
                            }
                            let variant = spellings
                                .iter()
                                .any(|x| text::normalize_str(&x.spelling) != canonical);
                            Cell {
                                source: short_name(&site.sources[s]),
                                named: !spellings.is_empty(),
                                variant,
                                spellings,
                            }
                        })
                        .collect();
                    MemberView {
                        id: member_anchor(&d.id, &m.id),
                        name: m.name.clone(),
                        role: m.role.clone(),
                        cells,
                    }
                })
                .collect();
            let silent = (0..site.sources.len())
                .filter(|&s| members.iter().all(|m| !m.cells[s].named))
                .map(|s| short_name(&site.sources[s]))
                .collect();
            DelegationView {
                id: d.id.clone(),
                name: d.name.clone(),
                members,
                silent,
            }
        })
        .collect();
    RosterView {
        delegations,
        columns,
    }
}

#[derive(Serialize)]
struct PageView<'a> {
    base: Base<'a>,
    roster: RosterView,
}

pub(crate) fn page(
    site: &Site,
    theme: &Theme,
    chrome: &Chrome,
    script: bool,
) -> Result<Vec<Output>, Diagnostic> {
    let url = "delegations/";
    let roster = view(site, &root_of(url), None);
    let names: Vec<&str> = roster.delegations.iter().map(|d| d.name.as_str()).collect();
    let description = format!(
        "Who each outlet says was in each delegation ({}), and how it spelled the names.",
        names.join(", ")
    );
    let view = PageView {
        base: chrome.base(
            url,
            "Delegations",
            &description,
            "delegations",
            head::website(site),
            script,
        ),
        roster,
    };
    Ok(vec![(
        format!("{url}index.html"),
        theme.render("delegations.html", &view)?.into_bytes(),
    )])
}

#[derive(Serialize)]
struct ShortcodeView {
    roster: RosterView,
}

pub(crate) fn shortcode(
    site: &Site,
    theme: &Theme,
    root: &str,
    only: Option<&str>,
) -> Result<String, Diagnostic> {
    theme.render(
        "shortcode_delegations.html",
        &ShortcodeView {
            roster: view(site, root, only),
        },
    )
}

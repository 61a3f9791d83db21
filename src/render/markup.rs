//! Markup built in Rust for the lists that repeat hundreds of times a page,
//! and the small pieces of text every page kind formats alike: pagers,
//! listing titles, dates and counts.

use serde::Serialize;

use crate::escape::escape_into;

/// HTML built in Rust for the lists that repeat hundreds of times a page
/// (source lines, notes, claims): markup as written, text escaped.
pub(crate) struct Markup(pub String);

impl Markup {
    pub fn with_capacity(n: usize) -> Markup {
        Markup(String::with_capacity(n))
    }

    /// Appends markup as it is.
    pub fn raw(&mut self, s: &str) -> &mut Markup {
        self.0.push_str(s);
        self
    }

    /// Appends text, escaped.
    pub fn text(&mut self, s: &str) -> &mut Markup {
        escape_into(&mut self.0, s);
        self
    }

    /// Appends a number.
    pub fn num(&mut self, n: usize) -> &mut Markup {
        push_num(&mut self.0, n);
        self
    }
}

/// Appends `n` in decimal: a provenance page writes four numbers a line.
pub(crate) fn push_num(out: &mut String, n: usize) {
    out.push_str(itoa::Buffer::new().format(n));
}

/// A link of the pager of a paginated listing.
#[derive(Serialize)]
pub(crate) struct PagerLink {
    number: usize,
    href: String,
    current: bool,
    /// Pages are left out between the previous link and this one.
    gap_before: bool,
}

/// Pages listed on each side of the current one in a pager.
const PAGER_SPAN: usize = 4;

/// The pager of page `k` of a listing with `pages` pages (none for one page):
/// the first and last pages and those near `k`. Listing every page on every
/// page would make 2,000 pages of claims carry 4 million links.
pub(crate) fn pager(
    pages: usize,
    k: usize,
    root: &str,
    page_url: fn(usize) -> String,
) -> Vec<PagerLink> {
    if pages <= 1 {
        return Vec::new();
    }
    let near = k.saturating_sub(PAGER_SPAN).max(1)..=(k + PAGER_SPAN).min(pages);
    let mut numbers: Vec<usize> = std::iter::once(1)
        .chain(near)
        .chain(std::iter::once(pages))
        .collect();
    numbers.dedup();
    let mut previous = 0;
    numbers
        .into_iter()
        .map(|n| {
            let gap_before = previous != 0 && n > previous + 1;
            previous = n;
            PagerLink {
                number: n,
                href: format!("{root}{}index.html", page_url(n)),
                current: n == k,
                gap_before,
            }
        })
        .collect()
}

/// Title of page `k` of a paginated listing, and the sentence its
/// description gains (`"Claims, page 2 of 9"`, `" Page 2 of 9."`).
pub(crate) fn paged(name: &str, k: usize, pages: usize) -> (String, String) {
    if pages > 1 {
        (
            format!("{name}, page {k} of {pages}"),
            format!(" Page {k} of {pages}."),
        )
    } else {
        (name.to_string(), String::new())
    }
}

/// `2026-01-07` -> `7 January 2026`; other shapes are shown as written.
pub(crate) fn display_date(d: &str) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let mut parts = d.get(..10).unwrap_or(d).split('-');
    match (
        parts.next(),
        parts.next().and_then(|m| m.parse::<usize>().ok()),
        parts.next().and_then(|x| x.parse::<u32>().ok()),
    ) {
        (Some(y), Some(m @ 1..=12), Some(day)) if d.len() >= 10 => {
            format!("{day} {} {y}", MONTHS[m - 1])
        }
        _ => d.to_string(),
    }
}

/// `12345` -> `12,345`.
pub(crate) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagers_stay_short() {
        let numbers = |pages, k| {
            pager(pages, k, "", |n| format!("p/{n}/"))
                .iter()
                .map(|l| l.number)
                .collect::<Vec<_>>()
        };
        assert_eq!(numbers(1, 1), Vec::<usize>::new());
        assert_eq!(numbers(3, 2), [1, 2, 3]);
        assert_eq!(
            numbers(2000, 1000),
            [1, 996, 997, 998, 999, 1000, 1001, 1002, 1003, 1004, 2000]
        );
        assert_eq!(numbers(2000, 1), [1, 2, 3, 4, 5, 2000]);
    }

    #[test]
    fn dates_display_long_form() {
        assert_eq!(display_date("2026-01-07"), "7 January 2026");
        assert_eq!(display_date("2026"), "2026");
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(2584), "2,584");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}

//! The pages side of the loader's cache: every content file parsed (or taken
//! as the last load parsed it), and the last load's pages replaced in place
//! when the watcher's complete report names only a few of them.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Result;
use rayon::prelude::*;

use super::{read_stamped, Cache, Listing, PageLoad, Stamp};
use crate::diagnostic::Diagnostic;
use crate::load::page::{self, PageText, ParsedPage};

/// The pages a load returned, in order, and what they were loaded from:
/// when the watcher's report names a few of them, those are replaced and the
/// rest taken as they are (no lookup or copy of 10,000 paths on a large site).
pub(super) struct KeptPages {
    listing: Arc<Listing>,
    drafts: bool,
    pages: Pages,
}

/// The most paths a report may name for pages to be loaded in place: each
/// is looked for among all pages, so a report of thousands (a checkout of
/// another branch) loads as usual instead, in time that does not grow with
/// their product.
const IN_PLACE_MAX: usize = 64;

/// Loaded pages in order, with their texts.
type Pages = Vec<(Arc<ParsedPage>, PageText)>;

impl Cache {
    /// Every content file parsed (drafts left out unless `drafts`), in menu
    /// order; the parse errors of a file go to `diags`.
    pub(super) fn pages(
        &mut self,
        root: &Path,
        drafts: bool,
        html: bool,
        diags: &mut Vec<Diagnostic>,
    ) -> Result<Pages> {
        if html != self.html {
            self.pages.clear();
            self.kept_pages = None;
            self.html = html;
        }
        let files = self.listing(&root.join("content"), "md")?;
        if let Some(pages) = self.pages_in_place(&files, drafts, html)? {
            return Ok(pages);
        }
        let cached = &self.pages;
        let reported = self.reported.as_ref();
        let one_shot = self.one_shot;
        let parsed: Vec<(PathBuf, Stamp, Arc<PageLoad>)> = files
            .par_iter()
            .map(|(path, rel)| {
                let (stamp, load) = Self::get(cached, reported, path, |bytes| {
                    Ok(parse_page(path, rel, bytes, html, one_shot))
                })?;
                Ok((path.clone(), stamp, load))
            })
            .collect::<Result<_>>()?;
        let mut out = Vec::new();
        let mut failed = false;
        for (_, _, load) in &parsed {
            match &**load {
                Ok((p, text)) if drafts || !p.front.draft => {
                    out.push((Arc::clone(p), text.clone()))
                }
                Ok(_) => {}
                Err(ds) => {
                    failed = true;
                    diags.extend(ds.iter().cloned());
                }
            }
        }
        out.sort_by(|(a, _), (b, _)| a.order_key().cmp(&b.order_key()));
        if !self.one_shot {
            self.pages = parsed
                .into_iter()
                .map(|(path, stamp, load)| (path, (stamp, load)))
                .collect();
            self.kept_pages = (!failed).then(|| KeptPages {
                listing: files,
                drafts,
                pages: out.clone(),
            });
        }
        Ok(out)
    }

    /// The last load's pages with the files the watcher named read again,
    /// when its report is complete and names at most [`IN_PLACE_MAX`] paths,
    /// the folder's listing is the same and each named page parses, keeps
    /// its place in the order (its weight) and its draft flag. `None`: load
    /// as usual.
    fn pages_in_place(
        &mut self,
        files: &Arc<Listing>,
        drafts: bool,
        html: bool,
    ) -> Result<Option<Pages>> {
        let (Some(reported), Some(kept)) = (&self.reported, &mut self.kept_pages) else {
            return Ok(None);
        };
        if !Arc::ptr_eq(&kept.listing, files)
            || kept.drafts != drafts
            || reported.len() > IN_PLACE_MAX
        {
            return Ok(None);
        }
        for changed in reported {
            let Some((path, rel)) = files.iter().find(|(p, _)| p == changed) else {
                continue; // not a page
            };
            let (bytes, stamp) = read_stamped(path)?;
            let load = Arc::new(parse_page(path, rel, bytes, html, false));
            let Ok((page, text)) = &*load else {
                return Ok(None);
            };
            // Its place: the page of the same file in the last load's order.
            let Some(at) = kept.pages.iter().position(|(p, _)| p.file == page.file) else {
                return Ok(None); // a draft left out, or one no longer
            };
            let old = &kept.pages[at].0;
            if old.order_key() != page.order_key() || old.front.draft != page.front.draft {
                return Ok(None);
            }
            kept.pages[at] = (Arc::clone(page), text.clone());
            self.pages.insert(path.clone(), (stamp, load));
        }
        Ok(Some(kept.pages.clone()))
    }
}

/// Parses the bytes of content file `path` (`rel` below `content/`).
fn parse_page(path: &Path, rel: &str, bytes: Vec<u8>, html: bool, one_shot: bool) -> PageLoad {
    let file = format!("content/{rel}");
    let text = match crate::diagnostic::decode(&file, bytes) {
        Ok(text) => text,
        Err(d) => return Err(vec![d]),
    };
    // Every diagnostic of the page finds its line in one index of the text,
    // however many there are.
    let parsed = crate::diagnostic::with_line_index(&text, || page::parse(&file, rel, &text, html));
    // Only diagnostics quote the text: a one-shot build frees it and reads
    // the file again if one needs it.
    let text = if one_shot {
        PageText::OnDisk(path.to_path_buf())
    } else {
        PageText::Kept(Arc::new(text))
    };
    parsed.map(|p| (Arc::new(p), text))
}

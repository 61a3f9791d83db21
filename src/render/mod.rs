//! Rendering: resolved site -> files. Pure: every output is a (path, bytes)
//! pair handed to a [`Sink`]; writing them is `write`'s job.
//!
//! Templates get typed, borrowed views (`Serialize` structs), never
//! string-keyed maps, and Tera fails on an undefined variable, so a typo in
//! a template or a view is a failing test rather than an empty string.
//!
//! One file per page kind (`content`, `claims`, `sources`, `roster`,
//! `annotations`, `files`); they never name one another, only the shared
//! leaves below them (`links`, `markup`, `head`, `chrome`, `tally`). The
//! `plan` is the one place that knows every kind.

// Page kinds.
mod annotations;
mod claims;
mod content;
mod feed;
mod files;
mod roster;
mod search;
mod sources;

// Shared by the page kinds.
mod chrome;
mod claim_list;
mod dated;
mod head;
mod links;
mod markup;
pub mod minify;
mod tally;
mod verbatim;

// Theme loading and the plan of a render.
pub mod plan;
pub mod theme;

use rayon::prelude::*;

use crate::diagnostic::Diagnostic;
use crate::resolve::Site;
use crate::write::Sink;
pub use plan::{Job, Plan};
pub use theme::Theme;

/// The folder of the search index in the output (`pagefind/`): `serve`
/// builds the index when a file in it is first asked for.
pub const SEARCH_BUNDLE: &str = search::BUNDLE;

/// Why rendering stopped: template errors (E010) or a file that could not be written.
#[derive(Debug)]
pub enum RenderError {
    Content(Vec<Diagnostic>),
    Io(anyhow::Error),
}

/// Renders every file of the site into `sink`, each as soon as it is ready,
/// so memory holds one page per thread rather than the whole site. Returns
/// the number of files.
pub fn site(
    site: &Site,
    theme: &Theme,
    minify: bool,
    sink: &dyn Sink,
) -> Result<usize, RenderError> {
    let plan = Plan::new(site, theme, minify);
    let run = |job: Job| -> Result<usize, RenderError> {
        if job == Job::Annotations {
            // The largest file: streamed in parts rather than joined.
            sink.put_with("annotations.jsonld".into(), &mut |out| {
                annotations::annotations(site, out)
            })
            .map_err(RenderError::Io)?;
            return Ok(1);
        }
        let files = plan
            .render(site, theme, job)
            .map_err(|d| RenderError::Content(vec![d]))?;
        let count = files.len();
        for (path, bytes) in files {
            sink.put(path, bytes).map_err(RenderError::Io)?;
        }
        Ok(count)
    };
    // One job per split: rayon's default splits the list into a few long
    // runs, and the last run (the claims and sources listings) then went on
    // alone on one thread while the other had nothing left to take.
    let results: Vec<Result<usize, RenderError>> = plan
        .jobs(site)
        .into_par_iter()
        .with_max_len(1)
        .map(run)
        .collect();
    let mut errors = Vec::new();
    let mut files = 0;
    for r in results {
        match r {
            Ok(n) => files += n,
            Err(RenderError::Content(ds)) => errors.extend(ds),
            Err(e @ RenderError::Io(_)) => return Err(e),
        }
    }
    if !errors.is_empty() {
        errors.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        errors.dedup();
        return Err(RenderError::Content(errors));
    }
    Ok(files)
}

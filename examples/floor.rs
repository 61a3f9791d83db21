//! What a build cannot go below on this machine, measured apart from the
//! rest of explainer (benches/README.md, "Issue 18, ninth round"): the
//! kernel's cost of writing a built site's files, and the Markdown parser's
//! cost on its pages, beside explainer's own page parsing.
//!
//! ```sh
//! cargo run --release --example floor -- --built /dev/shm/out \
//!     --content /dev/shm/explainer-bench/site-10000/content --scratch /dev/shm/floor
//! ```
//!
//! - `write`: every file of `--built` (an output folder of `explainer build`)
//!   is read into memory first, untimed; then the same tree is written under
//!   `--scratch` (which must not exist; it is removed afterwards) as the build
//!   writes its output: the folders, then each file with one `write`, from
//!   rayon's threads. It holds the whole output in memory meanwhile, so it
//!   needs twice the output's size free: at 100,000 pages (4.6 GB) its writes
//!   cost more than a build's, and it is a floor only for smaller sites.
//! - `markdown`: every `.md` file under `--content`, read first (untimed), is
//!   turned into HTML by pulldown-cmark alone, with the build's options, from
//!   rayon's threads: no citations, notes or highlighting.
//! - `pages`: the same files through `load::page::parse`, as a build loads
//!   them: front matter, citation groups, notes, highlighting, the body's HTML.
//!
//! Each step prints its wall time, its CPU time (user and system, all
//! threads) and the peak RSS so far, as `EXPLAINER_TIMINGS` does.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use explainer::load::{self, markdown, page};
use explainer::timing::{line, Mark};
use rayon::prelude::*;

const USAGE: &str = "usage: floor --built DIR --content DIR --scratch DIR";

fn main() -> ExitCode {
    let (mut built, mut content, mut scratch) = (None, None, None);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let slot = match arg.as_str() {
            "--built" => &mut built,
            "--content" => &mut content,
            "--scratch" => &mut scratch,
            _ => {
                eprintln!("{USAGE}");
                return ExitCode::from(2);
            }
        };
        *slot = args.next().map(PathBuf::from);
    }
    let (Some(built), Some(content), Some(scratch)) = (built, content, scratch) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    if scratch.exists() {
        eprintln!(
            "floor: {} exists; name a folder to create",
            scratch.display()
        );
        return ExitCode::from(2);
    }
    match run(&built, &content, &scratch) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("floor: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn run(built: &Path, content: &Path, scratch: &Path) -> anyhow::Result<()> {
    let (folders, files) = read_tree(built)?;
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    println!(
        "write: {} files, {} folders, {:.1} MB",
        files.len(),
        folders.len(),
        bytes as f64 / 1e6
    );
    let since = Mark::now();
    for folder in &folders {
        std::fs::create_dir_all(scratch.join(folder))?;
    }
    files
        .par_iter()
        .try_for_each(|(rel, data)| std::fs::write(scratch.join(rel), data))?;
    println!("{}", line("write", since, Mark::now()));
    drop(files);
    std::fs::remove_dir_all(scratch)?;

    let pages = read_pages(content)?;
    let bytes: usize = pages.iter().map(|(_, t)| t.len()).sum();
    println!(
        "markdown and pages: {} files, {:.1} MB",
        pages.len(),
        bytes as f64 / 1e6
    );
    let since = Mark::now();
    let html: usize = pages
        .par_iter()
        .map(|(_, text)| {
            let body_at = page::split_front_matter(text).map_or(0, |(_, _, at)| at);
            let parser = pulldown_cmark::Parser::new_ext(&text[body_at..], markdown::options());
            let mut out = String::with_capacity(text.len() * 2);
            pulldown_cmark::html::push_html(&mut out, parser);
            out.len()
        })
        .sum();
    println!(
        "{}  ({:.1} MB of HTML)",
        line("markdown", since, Mark::now()),
        html as f64 / 1e6
    );
    let since = Mark::now();
    let failed = pages
        .par_iter()
        .filter(|(rel, text)| page::parse(&format!("content/{rel}"), rel, text, true).is_err())
        .count();
    println!(
        "{}  ({failed} with errors)",
        line("pages", since, Mark::now())
    );
    Ok(())
}

/// The folders (relative, parents first) and the files (relative path,
/// bytes) under `root`.
#[allow(clippy::type_complexity)]
fn read_tree(root: &Path) -> std::io::Result<(Vec<PathBuf>, Vec<(PathBuf, Vec<u8>)>)> {
    let mut folders = Vec::new();
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
        let entry = entry?;
        let rel = entry
            .path()
            .strip_prefix(root)
            .expect("below the root")
            .to_path_buf();
        if entry.file_type().is_dir() {
            folders.push(rel);
        } else {
            files.push((rel, std::fs::read(entry.path())?));
        }
    }
    Ok((folders, files))
}

/// Every page under `content` as (path relative to it, with `/`; text),
/// listed as the build lists them.
fn read_pages(content: &Path) -> anyhow::Result<Vec<(String, String)>> {
    load::files_with_ext(content, "md")?
        .into_iter()
        .map(|(path, rel)| Ok((rel, std::fs::read_to_string(path)?)))
        .collect()
}

//! Writes a synthetic explainer site for benchmarks (see `benches/synth/mod.rs`).
//!
//! ```sh
//! cargo run --release --example gen_site -- --pages 10000 --out /dev/shm/explainer-bench/site-10000
//! ```
//!
//! The code blocks of every tenth page are in five real languages; `--code text`
//! (or `SYNTH_CODE=text` in the environment) writes the plain `text` blocks of
//! earlier corpora instead. The same `--pages` and `--code` always give
//! byte-identical files. The output folder
//! must be missing, empty or an earlier synthetic site (it holds `.synth-site`).

#[path = "../benches/synth/mod.rs"]
mod synth;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "usage: gen_site --pages N --out DIR [--code languages|text]";

fn main() -> ExitCode {
    let mut pages: Option<usize> = None;
    let mut out: Option<PathBuf> = None;
    let mut code = std::env::var("SYNTH_CODE").ok();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--pages" => pages = args.next().and_then(|v| v.replace('_', "").parse().ok()),
            "--out" => out = args.next().map(PathBuf::from),
            "--code" => code = args.next(),
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("unknown argument `{other}`\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let (Some(pages), Some(out)) = (pages, out) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let code = match code.as_deref().filter(|c| !c.is_empty()) {
        None => synth::Code::default(),
        Some(c) => match synth::Code::parse(c) {
            Some(code) => code,
            None => {
                eprintln!("--code (SYNTH_CODE) is `languages` or `text`, not `{c}`\n{USAGE}");
                return ExitCode::from(2);
            }
        },
    };
    let started = Instant::now();
    match synth::generate_with(&out, pages, code) {
        Ok(s) => {
            println!(
                "{}: {} pages (home included), {} sources, {} citations \
                 ({} two-line ranges, {} elided, {} retyped in ASCII), {} code blocks ({}), \
                 {} prose words, {} files, {:.1} MiB in {:.2} s",
                out.display(),
                s.pages,
                s.sources,
                s.citations,
                s.ranges,
                s.elided,
                s.retyped,
                s.code_blocks,
                code.name(),
                s.words,
                s.files,
                s.bytes as f64 / (1024.0 * 1024.0),
                started.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gen_site: {}: {e}", out.display());
            ExitCode::FAILURE
        }
    }
}

//! CPU time per highlighted code block, per language of the benchmark corpus,
//! on one thread: the whole step (syntect's parser and its class-per-scope
//! HTML writer, as `load::highlight` runs it) and the parser alone.
//!
//! ```sh
//! cargo run --release --example highlight_cost [-- BLOCKS]
//! ```
//!
//! The blocks are those `benches/synth` writes into every tenth page (12
//! lines each, names and numbers drawn per block), the grammars syntect's
//! default set (TOML is highlighted with a grammar of our own, not timed
//! here).

#[path = "../benches/synth/mod.rs"]
mod synth;

use std::hint::black_box;
use std::time::Instant;

use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::{ParseState, ScopeStack, SyntaxSet};
use syntect::util::LinesWithEndings;

const STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "syn-" };

fn main() {
    let count: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(300);
    let set = SyntaxSet::load_defaults_newlines();
    let mut rng = synth::Rng::new(7);
    println!("{count} blocks per language, ms of CPU per block (one thread)");
    println!(
        "{:<8} {:>10} {:>12}",
        "language", "with HTML", "parser only"
    );
    for (n, lang) in ["python", "rust", "js", "toml", "sh"].iter().enumerate() {
        let blocks: Vec<String> = (0..count)
            .map(|_| {
                let mut page = String::new();
                synth::code_block(&mut rng, n, "s000001", &mut page);
                // The block's lines, without the fences.
                page.lines()
                    .skip_while(|l| !l.starts_with("```"))
                    .skip(1)
                    .take_while(|l| !l.starts_with("```"))
                    .map(|l| format!("{l}\n"))
                    .collect()
            })
            .collect();
        let Some(syntax) = set.find_syntax_by_token(lang) else {
            println!("{lang:<8} (not in syntect's default set)");
            continue;
        };
        let html = |code: &str| {
            let mut gen = ClassedHTMLGenerator::new_with_class_style(syntax, &set, STYLE);
            for line in LinesWithEndings::from(code) {
                gen.parse_html_for_line_which_includes_newline(line)
                    .expect("the grammar parses the block");
            }
            gen.finalize()
        };
        let parse = |code: &str| {
            let mut state = ParseState::new(syntax);
            let mut stack = ScopeStack::new();
            for line in LinesWithEndings::from(code) {
                for (_, op) in state.parse_line(line, &set).expect("the grammar parses") {
                    stack.apply(&op).expect("the scopes nest");
                }
            }
            stack
        };
        // Compiles the grammar's regexes, once per process as in a build.
        for b in &blocks[..blocks.len().min(5)] {
            black_box(html(b));
        }
        let per_block = |f: &dyn Fn(&str)| {
            let t = Instant::now();
            for b in &blocks {
                f(b);
            }
            t.elapsed().as_secs_f64() * 1000.0 / blocks.len() as f64
        };
        let with_html = per_block(&|b| {
            black_box(html(b));
        });
        let parser = per_block(&|b| {
            black_box(parse(b));
        });
        println!("{lang:<8} {with_html:>10.3} {parser:>12.3}");
    }
}

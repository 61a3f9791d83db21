//! The `explainer` command line: parse arguments, call the library, print
//! diagnostics, map the result to an exit code (0 ok, 1 content errors, 2
//! usage or I/O).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use explainer::{Failure, Options, Report};

#[derive(Parser)]
#[command(
    name = "explainer",
    version,
    about = "Build annotated explainers whose every claim is verified against its source line"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Verify every citation and render the site into the output directory.
    Build {
        /// The site's root folder (holding site.toml).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Output folder (default: output_dir from site.toml, below the root).
        #[arg(long)]
        output: Option<PathBuf>,
        /// Build pages marked draft too.
        #[arg(long)]
        drafts: bool,
    },
    /// Verify every citation; write nothing.
    Check {
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

fn summary(verb: &str, r: &Report) -> String {
    let s = &r.stats;
    let mut line = format!(
        "{verb}: {} page{}, {} source{}, {} citation{} verified ({} claims, {} roster cites), {} warning{}, {:.2} s",
        s.pages,
        if s.pages == 1 { "" } else { "s" },
        s.sources,
        if s.sources == 1 { "" } else { "s" },
        s.citations,
        if s.citations == 1 { "" } else { "s" },
        s.claims,
        s.roster_cites,
        r.warnings.len(),
        if r.warnings.len() == 1 { "" } else { "s" },
        s.elapsed.as_secs_f64()
    );
    if let Some(out) = &r.output {
        line.push_str(&format!(" -> {} ({} files)", out.display(), s.files));
    }
    line
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = std::io::stderr().is_terminal();
    let (verb, result) = match cli.command {
        Command::Build {
            root,
            output,
            drafts,
        } => (
            "built",
            explainer::build(&Options {
                root,
                output,
                drafts,
            }),
        ),
        Command::Check { root } => ("checked", explainer::check(&Options::new(root))),
    };
    match result {
        Ok(report) => {
            for w in &report.warnings {
                eprintln!("{}\n", w.render(color));
            }
            eprintln!("{}", summary(verb, &report));
            ExitCode::SUCCESS
        }
        Err(Failure::Content(diags)) => {
            for d in &diags {
                eprintln!("{}\n", d.render(color));
            }
            let errors = diags.iter().filter(|d| d.is_error()).count();
            eprintln!(
                "error: {errors} error{} found; nothing was written",
                if errors == 1 { "" } else { "s" }
            );
            ExitCode::from(1)
        }
        Err(Failure::Io(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

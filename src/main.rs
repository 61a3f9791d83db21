//! The `explainer` command line: parse arguments, call the library, print
//! diagnostics, map the result to an exit code (0 ok, 1 content errors, 2
//! usage or I/O).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use explainer::{Diagnostic, Failure, Options, Report};

// A build allocates millions of small strings from two threads. With glibc's
// allocator the cost per page doubled between 10,000 and 100,000 pages (its
// malloc grew slow as the heap grew); with mimalloc the 100k build takes
// 32 s instead of 50 s and the 10k build 2.35 s instead of 2.9 s, for about
// 90 MiB more peak memory at 10k.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Keeps the memory the process frees for reuse, for `delay_ms` (-1: for
/// good), instead of returning it to the system after mimalloc's default
/// delay. Memory given back and touched again costs a page fault and a
/// zeroing each time: with the default, a 10,000-page build spent 0.65 s in
/// the kernel instead of 0.52 s and took 1.65 s instead of 1.32 s (medians of
/// 5 interleaved runs). A one-shot command exits soon anyway. `serve` keeps
/// what a rebuild frees for a minute, for the next rebuild: on the
/// 10,000-page site, with edits 2 s apart (past the default's 1 s), a
/// rebuild after a one-page edit took 52–60 ms with the default and 38–52 ms
/// with a minute (medians of 11), for 60–80 MiB more held between edits.
fn keep_freed_memory(delay_ms: i64) {
    // `mi_option_purge_delay` in mimalloc.h (v2 and v3); -1: never purge.
    const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: sets one integer option, which mimalloc reads when it purges.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, delay_ms as std::ffi::c_long) }
}

/// Asks Linux for no transparent huge pages in this process. mimalloc asks
/// for them on its arenas, and the first touch of any byte of one then zeroes
/// and holds 2 MiB: a 10,000-page build peaked at 360 MiB with them and 333
/// MiB without, for the same CPU time (4.74 and 4.77 s, medians of 9
/// interleaved runs). The kernel checks the flag at each fault, so it holds
/// for memory mapped before too.
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: sets one flag of this process; the call reads no memory.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

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
        /// Fail (exit 1) when citations.lock would change, instead of writing it (for CI).
        #[arg(long)]
        locked: bool,
    },
    /// Verify every citation; write nothing (unless --fix).
    Check {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Rewrite the line numbers of citations whose quote or locked line now stands on exactly one other line.
        #[arg(long)]
        fix: bool,
        /// With --fix: show the changes without writing them.
        #[arg(long, requires = "fix")]
        dry_run: bool,
        /// Fail (exit 1) when citations.lock would change (for CI).
        #[arg(long, conflicts_with = "fix")]
        locked: bool,
    },
    /// After a reviewed change of sources, rewrite their sha256 pins in sources/sources.toml
    /// and list the cited lines whose text changed.
    Pin {
        /// Source ids (default: every source whose pin no longer matches).
        keys: Vec<String>,
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Record what every cited line says in citations.lock, after reviewing a change.
    Lock {
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Live preview: build into memory, serve on 127.0.0.1, rebuild and reload on every save.
    Serve {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// First port to try (the next free one is taken if it is busy; 0: any free port).
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Address to listen on; anything but loopback exposes the preview to the network.
        #[arg(long, default_value = "127.0.0.1")]
        interface: std::net::IpAddr,
        /// Open the site in the default browser.
        #[arg(long)]
        open: bool,
        /// Show pages marked draft too.
        #[arg(long)]
        drafts: bool,
    },
    /// Find the source lines holding some words, each with a ready-to-paste citation.
    ///
    /// Keeps a copy of the sources between runs (its line index) in $EXPLAINER_CACHE_DIR, else
    /// $XDG_CACHE_HOME/explainer, else ~/.cache/explainer, never in the site; a source changed
    /// since is read again, and deleting the folder is always safe.
    Find {
        /// The words (normalized as quotes are; `...` elides).
        words: String,
        /// Search only the source with this key.
        #[arg(long = "in")]
        key: Option<String>,
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Scaffold a source entry or a page.
    New {
        #[command(subcommand)]
        what: New,
    },
}

#[derive(Subcommand)]
enum New {
    /// Add sources/FILE to sources/sources.toml with a suggested id, title and sha256 pin.
    Source {
        /// The source file, below sources/ (or elsewhere: it is then copied into sources/).
        file: PathBuf,
        #[arg(long)]
        id: Option<String>,
        /// The outlet that published it.
        #[arg(long)]
        publisher: Option<String>,
        /// Publication date (2026-01-07).
        #[arg(long)]
        published: Option<String>,
        /// Where it was published (http or https).
        #[arg(long)]
        url: Option<String>,
        /// When it was retrieved (2026-01-08).
        #[arg(long)]
        retrieved: Option<String>,
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Write a new page with front matter under content/.
    Page {
        /// The page's path below content/ (".md" is added if missing).
        path: PathBuf,
        #[arg(long)]
        title: String,
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

fn summary(verb: &str, r: &Report) -> String {
    let s = &r.stats;
    let mut line = format!(
        "{verb}: {}, {}, {} verified ({} claims, {} roster cites), {}, {:.2} s",
        plural(s.pages, "page"),
        plural(s.sources, "source"),
        plural(s.citations, "citation"),
        s.claims,
        s.roster_cites,
        plural(r.warnings.len(), "warning"),
        s.elapsed.as_secs_f64()
    );
    if let Some(out) = &r.output {
        line.push_str(&format!(" -> {}", out.display()));
        if s.files > 1 {
            line.push_str(&format!(" ({} files)", s.files));
        }
    }
    line
}

fn print(diags: &[Diagnostic]) {
    let color = std::io::stderr().is_terminal();
    for d in explainer::diagnostic::render_all(diags, color) {
        eprintln!("{d}\n");
    }
}

/// Runs `work`; on a terminal, a spinner appears if it takes over a second.
/// Nothing extra is printed when stderr is not a terminal.
fn with_progress<T>(label: &str, work: impl FnOnce() -> T) -> T {
    if !std::io::stderr().is_terminal() {
        return work();
    }
    let bar = indicatif::ProgressBar::hidden();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (shown, flag) = (bar.clone(), std::sync::Arc::clone(&done));
    let label = label.to_string();
    let timer = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(1));
        if !flag.load(std::sync::atomic::Ordering::SeqCst) {
            shown.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            shown.set_style(
                indicatif::ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                    .expect("the template is valid"),
            );
            shown.set_message(label);
            shown.enable_steady_tick(std::time::Duration::from_millis(100));
        }
    });
    let out = work();
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    bar.finish_and_clear();
    drop(timer);
    out
}

fn finish(verb: &str, result: Result<Report, Failure>) -> ExitCode {
    match result {
        Ok(report) => {
            print(&report.warnings);
            for notice in &report.notices {
                eprintln!("warning: {notice}\n");
            }
            eprintln!("{}", summary(verb, &report));
            ExitCode::SUCCESS
        }
        Err(failure) => {
            match &failure {
                Failure::Content(diags) => {
                    print(diags);
                    let errors = diags.iter().filter(|d| d.is_error()).count();
                    eprintln!(
                        "error: {} found; nothing was written",
                        plural(errors, "error")
                    );
                }
                Failure::Io(e) => eprintln!("error: {e:#}"),
            }
            ExitCode::from(failure.exit_code())
        }
    }
}

fn fix(root: PathBuf, dry_run: bool) -> ExitCode {
    match explainer::editor::fix::run(&Options::new(root), dry_run) {
        Ok(report) => {
            for a in &report.applied {
                println!("{a}");
            }
            print(&report.remaining);
            let verb = if dry_run { "would fix" } else { "fixed" };
            let mut line = format!("{verb} {}", plural(report.applied.len(), "citation"));
            if report.lock_written {
                line.push_str("; citations.lock refreshed");
            }
            if report.lock_stale {
                line.push_str("; citations.lock not refreshed until the errors are fixed (then run `explainer lock`)");
            }
            let errors = report.remaining.iter().filter(|d| d.is_error()).count();
            if errors > 0 {
                line.push_str(&format!(
                    "; {} left to fix by hand",
                    plural(errors, "error")
                ));
            }
            eprintln!("{line}");
            ExitCode::from(if errors > 0 { 1 } else { 0 })
        }
        Err(e) => finish("checked", Err(e)),
    }
}

fn pin(root: PathBuf, keys: &[String]) -> ExitCode {
    match explainer::editor::pin::run(&root, keys) {
        Ok(report) => {
            for p in &report.pinned {
                println!("pinned {} ({}): sha256 {}", p.id, p.file, p.sha256);
            }
            for c in &report.changed {
                println!("{c}");
            }
            if report.pinned.is_empty() {
                eprintln!("every pin already matches its file; nothing was written");
            }
            ExitCode::SUCCESS
        }
        Err(e) => finish("", Err(Failure::Io(e))),
    }
}

fn find(root: &std::path::Path, words: &str, key: Option<&str>) -> ExitCode {
    use explainer::editor::find::Found;
    match explainer::editor::find::run(root, words, key) {
        Ok(Found::Hits(hits)) => {
            for h in hits {
                println!("{}  {}", h.location, h.citation);
            }
            ExitCode::SUCCESS
        }
        Ok(Found::Near(near)) if near.is_empty() => {
            eprintln!("no source line holds these words, nor any passage sharing a word with them");
            ExitCode::from(1)
        }
        Ok(Found::Near(near)) => {
            eprintln!("no source line holds these words; the closest passages ([-your words-] {{+the source's+}}):");
            for n in near {
                println!(
                    "{}  {}
    {}",
                    n.hit.location, n.hit.citation, n.diff
                );
            }
            ExitCode::from(1)
        }
        Err(e) => finish("", Err(Failure::Io(e))),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // `find` reads its line index (24 MB at 5,000 sources) into one buffer,
    // which huge pages fill with a few faults instead of thousands.
    if !matches!(cli.command, Command::Find { .. }) {
        no_huge_pages();
    }
    keep_freed_memory(match cli.command {
        Command::Serve { .. } => 60_000,
        _ => -1,
    });
    match cli.command {
        Command::Build {
            root,
            output,
            drafts,
            locked,
        } => finish(
            "built",
            with_progress("verifying and rendering", || {
                explainer::build_locked(
                    &Options {
                        root,
                        output,
                        drafts,
                    },
                    locked,
                )
            }),
        ),
        Command::Check {
            root,
            fix: false,
            locked,
            ..
        } => finish(
            "checked",
            with_progress("verifying", || {
                explainer::check_locked(&Options::new(root), locked)
            }),
        ),
        Command::Check {
            root,
            fix: true,
            dry_run,
            ..
        } => fix(root, dry_run),
        Command::Pin { keys, root } => pin(root, &keys),
        Command::Serve {
            root,
            port,
            interface,
            open,
            drafts,
        } => {
            match explainer::editor::serve::run(explainer::editor::serve::ServeOptions {
                drafts,
                port,
                interface,
                open,
                ..explainer::editor::serve::ServeOptions::new(root)
            }) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => finish("", Err(Failure::Io(e))),
            }
        }
        Command::Find { words, key, root } => find(&root, &words, key.as_deref()),
        Command::Lock { root } => finish("locked", explainer::lock(&Options::new(root))),
        Command::New {
            what:
                New::Source {
                    file,
                    id,
                    publisher,
                    published,
                    url,
                    retrieved,
                    root,
                },
        } => match explainer::editor::scaffold::new_source_with(
            &root,
            &file,
            &explainer::editor::scaffold::SourceMeta {
                id,
                publisher,
                published,
                url,
                retrieved,
            },
        ) {
            Ok(s) => {
                eprintln!(
                    "added sources/{} to sources/sources.toml as `{}` (sha256 {})\n  title: {}",
                    s.file, s.id, s.sha256, s.title
                );
                ExitCode::SUCCESS
            }
            Err(e) => finish("", Err(Failure::Io(e))),
        },
        Command::New {
            what: New::Page { path, title, root },
        } => match explainer::editor::scaffold::new_page(&root, &path, &title) {
            Ok(p) => {
                eprintln!("wrote {}", p.display());
                ExitCode::SUCCESS
            }
            Err(e) => finish("", Err(Failure::Io(e))),
        },
    }
}

//! The fuzz harness's command line (see `fuzz/README.md`):
//!
//! ```sh
//! cargo run --release --example fuzz -- --target cite --runs 10000000 --seed 1
//! ```
//!
//! The command supervises a worker process (itself with `--worker`): a panic is caught in the
//! worker and its input saved, but an abort (a stack overflow) kills the worker; the
//! supervisor then replays the inputs since the worker's last checkpoint one at a time, saves
//! the one that kills it, and goes on after it. Exit 0 when no input panicked or aborted,
//! 1 otherwise, 2 on usage errors.

#[path = "../fuzz/harness.rs"]
mod harness;

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use harness::{Config, Seeds, Target};

/// Inputs replayed one at a time after a worker died (its checkpoints are 0.2 s apart).
const CAREFUL_WINDOW: u64 = 1_000_000;

const USAGE: &str = "usage: fuzz --target cite|page|site [--runs N] [--seed S] [--start I] \
[--crash-dir DIR] [--work-dir DIR] [--slow-ms MS] [--keep K]";

struct Args {
    cfg: Config,
    worker: bool,
    careful: bool,
}

fn parse_args() -> Result<Args, String> {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut target = None;
    let mut cfg = Config {
        target: Target::Cite,
        seed: 1,
        start: 0,
        runs: 100_000,
        crash_dir: repo.join("fuzz").join("crashes"),
        work_dir: harness::default_work_dir(),
        slow: Duration::from_secs(1),
        keep_per_location: 3,
        abort_at: None,
    };
    let (mut worker, mut careful) = (false, false);
    let mut args = std::env::args().skip(1);
    let num = |v: Option<String>, name: &str| -> Result<u64, String> {
        v.and_then(|v| v.replace('_', "").parse().ok())
            .ok_or_else(|| format!("{name} needs a number"))
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--target" => {
                let v = args.next().unwrap_or_default();
                target = Some(Target::parse(&v).ok_or_else(|| format!("unknown target `{v}`"))?);
            }
            "--runs" => cfg.runs = num(args.next(), "--runs")?,
            "--seed" => cfg.seed = num(args.next(), "--seed")?,
            "--start" => cfg.start = num(args.next(), "--start")?,
            "--slow-ms" => cfg.slow = Duration::from_millis(num(args.next(), "--slow-ms")?),
            "--keep" => cfg.keep_per_location = num(args.next(), "--keep")? as usize,
            "--crash-dir" => {
                cfg.crash_dir = args
                    .next()
                    .map(PathBuf::from)
                    .ok_or("--crash-dir needs a folder")?
            }
            "--work-dir" => {
                cfg.work_dir = args
                    .next()
                    .map(PathBuf::from)
                    .ok_or("--work-dir needs a folder")?
            }
            "--abort-at" => cfg.abort_at = Some(num(args.next(), "--abort-at")?),
            "--worker" => worker = true,
            "--careful" => careful = true,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    cfg.target = target.ok_or("--target is required")?;
    Ok(Args {
        cfg,
        worker,
        careful,
    })
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("fuzz: {e}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(if e.is_empty() { 0 } else { 2 });
        }
    };
    if args.worker {
        worker(&args.cfg, args.careful)
    } else {
        supervise(&args.cfg)
    }
}

/// The worker: runs inputs, prints `at N` checkpoints (before every input when careful),
/// and one `done` line per finding and at the end.
fn worker(cfg: &Config, careful: bool) -> ExitCode {
    let seeds = Seeds::load(&PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    let stdout = std::io::stdout();
    let mut checkpoint = |index: u64, _careful: bool| {
        let mut out = stdout.lock();
        let _ = writeln!(out, "at {index}");
        let _ = out.flush();
    };
    let outcome = harness::run(cfg, &seeds, careful, &mut checkpoint);
    let mut out = stdout.lock();
    for c in &outcome.crashes {
        let saved = c
            .saved
            .as_ref()
            .map_or("(not saved)".into(), |p| p.display().to_string());
        let _ = writeln!(
            out,
            "panic {} {} {} | {}",
            c.index,
            saved,
            c.location,
            c.message.replace('\n', " ")
        );
    }
    for (index, took, saved) in &outcome.slow {
        let saved = saved
            .as_ref()
            .map_or("(not saved)".into(), |p| p.display().to_string());
        let _ = writeln!(out, "slow {index} {saved} {} ms", took.as_millis());
    }
    let _ = writeln!(
        out,
        "done {} {} {}",
        outcome.runs,
        outcome.repeats,
        outcome.elapsed.as_secs_f64()
    );
    let _ = out.flush();
    ExitCode::SUCCESS
}

/// What a worker reported.
#[derive(Default)]
struct Report {
    last_at: Option<u64>,
    done: Option<(u64, u64, f64)>,
    panics: Vec<String>,
    slow: Vec<String>,
}

fn spawn(cfg: &Config, start: u64, runs: u64, careful: bool) -> Report {
    let exe = std::env::current_exe().expect("the fuzz binary's path");
    let mut cmd = Command::new(exe);
    cmd.args(["--worker", "--target", cfg.target.name()])
        .args(["--seed", &cfg.seed.to_string()])
        .args(["--start", &start.to_string()])
        .args(["--runs", &runs.to_string()])
        .args(["--slow-ms", &cfg.slow.as_millis().to_string()])
        .args(["--keep", &cfg.keep_per_location.to_string()])
        .arg("--crash-dir")
        .arg(&cfg.crash_dir)
        .arg("--work-dir")
        .arg(&cfg.work_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if careful {
        cmd.arg("--careful");
    }
    if let Some(i) = cfg.abort_at {
        cmd.args(["--abort-at", &i.to_string()]);
    }
    let mut child = cmd.spawn().expect("start a fuzz worker");
    // The worker's scratch folder, left behind when it is killed.
    let scratch = cfg.work_dir.join(format!(
        "explainer-fuzz-{}-{}",
        cfg.target.name(),
        child.id()
    ));
    let mut report = Report::default();
    let started = Instant::now();
    let mut shown = Instant::now();
    for line in BufReader::new(child.stdout.take().expect("piped stdout")).lines() {
        let Ok(line) = line else { break };
        if let Some(n) = line.strip_prefix("at ") {
            report.last_at = n.parse().ok();
            if !careful && shown.elapsed() > Duration::from_secs(10) {
                let done = report.last_at.unwrap_or(start) - start;
                eprintln!(
                    "fuzz {}: {done} inputs, {:.0}/s",
                    cfg.target.name(),
                    done as f64 / started.elapsed().as_secs_f64()
                );
                shown = Instant::now();
            }
        } else if let Some(rest) = line.strip_prefix("panic ") {
            report.panics.push(rest.to_string());
        } else if let Some(rest) = line.strip_prefix("slow ") {
            report.slow.push(rest.to_string());
        } else if let Some(rest) = line.strip_prefix("done ") {
            let v: Vec<&str> = rest.split(' ').collect();
            if let [runs, repeats, secs] = v[..] {
                report.done = Some((
                    runs.parse().unwrap_or(0),
                    repeats.parse().unwrap_or(0),
                    secs.parse().unwrap_or(0.0),
                ));
            }
        }
    }
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(scratch);
    report
}

fn supervise(cfg: &Config) -> ExitCode {
    let _ = std::fs::create_dir_all(&cfg.crash_dir);
    let seeds = Seeds::load(&PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    let end = cfg.start.saturating_add(cfg.runs);
    let mut next = cfg.start;
    let (mut runs, mut repeats, mut busy) = (0u64, 0u64, 0f64);
    let (mut panics, mut slow, mut aborts) = (Vec::new(), Vec::new(), Vec::new());
    let started = Instant::now();
    while next < end {
        let r = spawn(cfg, next, end - next, false);
        panics.extend(r.panics);
        slow.extend(r.slow);
        if let Some((n, rep, secs)) = r.done {
            runs += n;
            repeats += rep;
            busy += secs;
            break;
        }
        // The worker died: replay from its last checkpoint, one input at a time, to find
        // the input that kills it.
        let from = r.last_at.unwrap_or(next);
        runs += from - next;
        let window = (end - from).min(CAREFUL_WINDOW);
        let careful = spawn(cfg, from, window, true);
        panics.extend(careful.panics);
        slow.extend(careful.slow);
        if let Some((n, rep, secs)) = careful.done {
            // It did not die again (an abort that depends on more than the input).
            eprintln!(
                "fuzz {}: the worker died after input {from} but a replay did not",
                cfg.target.name()
            );
            runs += n;
            repeats += rep;
            busy += secs;
            next = from + window;
            continue;
        }
        let killer = careful.last_at.unwrap_or(from);
        runs += killer - from + 1;
        let inp = harness::input(cfg.target, cfg.seed, killer, &seeds);
        let path = cfg
            .crash_dir
            .join(harness::crash_name("abort", cfg.target, cfg.seed, killer));
        let saved = inp.save(&path).map_or_else(
            |e| format!("(not saved: {e})"),
            |()| path.display().to_string(),
        );
        eprintln!(
            "fuzz {}: input {killer} aborts the process: {saved}",
            cfg.target.name()
        );
        aborts.push(format!("{killer} {saved}"));
        next = killer + 1;
    }
    let wall = started.elapsed().as_secs_f64();
    println!(
        "fuzz {}: seed {}, inputs {}..{}: {runs} inputs in {wall:.1} s ({:.0} inputs/s; {:.0}/s in the worker)",
        cfg.target.name(),
        cfg.seed,
        cfg.start,
        end,
        runs as f64 / wall.max(1e-9),
        runs as f64 / busy.max(1e-9),
    );
    for p in &panics {
        println!("  panic (input, file, location | message): {p}");
    }
    if repeats > 0 {
        println!("  {repeats} more panics at locations already saved");
    }
    for a in &aborts {
        println!("  abort (input, file): {a}");
    }
    for s in &slow {
        println!("  slow (input, file, time): {s}");
    }
    if panics.is_empty() && aborts.is_empty() {
        println!("  no panic, no abort");
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

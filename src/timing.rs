//! Per-phase timings for profiling (`EXPLAINER_TIMINGS`): wall clock, CPU
//! time and peak memory at the end of each phase of a build.
//!
//! A leaf: every phase may mark its steps, and nothing here knows a phase.

use std::time::{Duration, Instant};

/// A point in the build for [`timing`]: wall clock, and the process's CPU
/// time and peak memory so far.
#[derive(Clone, Copy)]
pub struct Mark {
    wall: Instant,
    usage: Option<Usage>,
}

#[derive(Clone, Copy)]
struct Usage {
    user: Duration,
    sys: Duration,
    /// Peak resident set size in KiB.
    peak_rss: u64,
}

impl Mark {
    pub fn now() -> Mark {
        Mark {
            wall: Instant::now(),
            usage: usage(),
        }
    }
}

/// CPU time and peak RSS of the whole process so far.
#[cfg(unix)]
fn usage() -> Option<Usage> {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::uninit();
    // SAFETY: getrusage fills the struct it is given, and reports failure.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) } != 0 {
        return None;
    }
    // SAFETY: initialised by the successful call above.
    let usage = unsafe { usage.assume_init() };
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    Some(Usage {
        user: time(usage.ru_utime),
        sys: time(usage.ru_stime),
        // Linux reports KiB.
        peak_rss: usage.ru_maxrss.max(0) as u64,
    })
}

#[cfg(not(unix))]
fn usage() -> Option<Usage> {
    None
}

/// With `EXPLAINER_TIMINGS` set, each phase's wall time, the CPU time the
/// process spent in it (user and kernel, over all threads) and the peak RSS
/// at its end go to stderr, for profiling the build (see benches/).
pub fn timing(phase: &str, since: Mark) -> Mark {
    let now = Mark::now();
    if std::env::var_os("EXPLAINER_TIMINGS").is_some() {
        eprintln!("timing: {}", line(phase, since, now));
    }
    now
}

/// One line of [`timing`]: the step's name, its wall time, its CPU time and
/// the peak RSS at its end.
pub fn line(phase: &str, since: Mark, now: Mark) -> String {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let wall = ms(now.wall - since.wall);
    let cpu = match (since.usage, now.usage) {
        (Some(a), Some(b)) => format!(
            "  cpu {:>8.1} ms (user {:>8.1}, sys {:>8.1})  peak RSS {:>5} MiB",
            ms(b.user - a.user + b.sys - a.sys),
            ms(b.user - a.user),
            ms(b.sys - a.sys),
            b.peak_rss / 1024
        ),
        _ => String::new(),
    };
    format!("{phase:<8} {wall:>8.1} ms{cpu}")
}

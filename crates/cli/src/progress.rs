//! Progress of long steps on stderr: a line updated in place on a terminal, at most ten
//! times a second, a line per tenth of the work otherwise (logs of scripted runs stay
//! short). Steps too small to need it print nothing.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How often the line on a terminal is redrawn: redrawing per item wrote megabytes to the
/// terminal and slowed a fast import to the terminal's pace.
const REDRAW_EVERY: Duration = Duration::from_millis(100);

pub struct Progress {
    what: &'static str,
    total: usize,
    started: Instant,
    tty: bool,
    quiet: bool,
    state: Mutex<State>,
}

struct State {
    done: usize,
    shown_tenth: usize,
    drawn_at: Option<Instant>,
}

impl Progress {
    /// Progress over `total` items of `what`; silent when `total` is under `min_total`.
    pub fn new(what: &'static str, total: usize, min_total: usize) -> Progress {
        Progress {
            what,
            total,
            started: Instant::now(),
            tty: std::io::stderr().is_terminal(),
            quiet: total < min_total,
            state: Mutex::new(State {
                done: 0,
                shown_tenth: 0,
                drawn_at: None,
            }),
        }
    }

    /// `done` items of the total are finished.
    pub fn set(&self, done: usize) {
        if let Ok(mut s) = self.state.lock() {
            s.done = done;
            self.show(&mut s);
        }
    }

    /// `n` more items are finished (from any thread).
    pub fn add(&self, n: usize) {
        if let Ok(mut s) = self.state.lock() {
            s.done += n;
            self.show(&mut s);
        }
    }

    fn show(&self, s: &mut State) {
        if let Some(line) = self.line_due(s, Instant::now()) {
            if self.tty {
                eprint!("\r{line}   ");
                if s.done >= self.total {
                    eprintln!();
                }
            } else {
                eprintln!("{line}");
            }
        }
    }

    /// The line to show now, if one is due: on a terminal when the last was drawn long
    /// enough ago, or the work is finished; otherwise once per tenth of the work.
    fn line_due(&self, s: &mut State, now: Instant) -> Option<String> {
        if self.quiet {
            return None;
        }
        let tenth = s.done * 10 / self.total.max(1);
        if self.tty {
            let finished = s.done >= self.total;
            let recent = s
                .drawn_at
                .is_some_and(|t| now.saturating_duration_since(t) < REDRAW_EVERY);
            if recent && !finished {
                return None;
            }
            s.drawn_at = Some(now);
        } else if tenth <= s.shown_tenth {
            return None;
        }
        s.shown_tenth = tenth;
        let secs = now.saturating_duration_since(self.started).as_secs_f64();
        let rate = s.done as f64 / secs.max(1e-9);
        let left = self.total.saturating_sub(s.done) as f64 / rate.max(1e-9);
        Some(format!(
            "{}: {}/{} ({:.0}/s, còn / left {})",
            self.what,
            s.done,
            self.total,
            rate,
            duration(left)
        ))
    }
}

fn duration(secs: f64) -> String {
    let s = secs.round() as u64;
    if s >= 3600 {
        format!("{}h{:02}m", s / 3600, s % 3600 / 60)
    } else if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn progress(total: usize, tty: bool) -> Progress {
        Progress {
            tty,
            ..Progress::new("test", total, 0)
        }
    }

    /// The lines shown for items finished one at a time, `step` apart.
    fn shown(p: &Progress, step: Duration) -> Vec<usize> {
        let mut s = State {
            done: 0,
            shown_tenth: 0,
            drawn_at: None,
        };
        let mut now = p.started;
        let mut lines = Vec::new();
        for _ in 0..p.total {
            s.done += 1;
            now += step;
            if p.line_due(&mut s, now).is_some() {
                lines.push(s.done);
            }
        }
        lines
    }

    #[test]
    fn a_terminal_is_redrawn_ten_times_a_second_and_at_the_end() {
        // 20 000 items in 2 seconds: about 20 redraws, not 20 000.
        let p = progress(20_000, true);
        let lines = shown(&p, Duration::from_micros(100));
        assert!((19..=22).contains(&lines.len()), "{}", lines.len());
        assert_eq!(lines.first(), Some(&1), "the first item shows at once");
        assert_eq!(lines.last(), Some(&20_000), "the final state always shows");
        // Slow items each show.
        let p = progress(5, true);
        assert_eq!(shown(&p, Duration::from_secs(1)), [1, 2, 3, 4, 5]);
    }

    #[test]
    fn a_log_gets_a_line_per_tenth() {
        let p = progress(1000, false);
        let lines = shown(&p, Duration::from_micros(1));
        assert_eq!(lines, (1..=10).map(|t| t * 100).collect::<Vec<_>>());
        let quiet = Progress::new("test", 10, 200);
        assert!(shown(&quiet, Duration::from_secs(1)).is_empty());
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(0.4), "0s");
        assert_eq!(duration(59.0), "59s");
        assert_eq!(duration(61.0), "1m01s");
        assert_eq!(duration(3725.0), "1h02m");
    }
}

//! Progress of long steps on stderr: a line updated in place on a terminal, a line per
//! tenth of the work otherwise (logs of scripted runs stay short). Steps too small to need
//! it print nothing.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Instant;

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
        if self.quiet {
            return;
        }
        let tenth = s.done * 10 / self.total.max(1);
        if !self.tty && tenth <= s.shown_tenth {
            return;
        }
        s.shown_tenth = tenth;
        let secs = self.started.elapsed().as_secs_f64();
        let rate = s.done as f64 / secs.max(1e-9);
        let left = self.total.saturating_sub(s.done) as f64 / rate.max(1e-9);
        let line = format!(
            "{}: {}/{} ({:.0}/s, còn / left {})",
            self.what,
            s.done,
            self.total,
            rate,
            duration(left)
        );
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

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(0.4), "0s");
        assert_eq!(duration(59.0), "59s");
        assert_eq!(duration(61.0), "1m01s");
        assert_eq!(duration(3725.0), "1h02m");
    }
}

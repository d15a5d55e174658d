//! Timers as data (RFC 4271 §10): a deadline per timer, the earliest one
//! reported by [`Timers::next`], and deterministic jitter.

use std::time::{Duration, Instant};

/// The timers of a session (RFC 4271 §8 and RFC 9687).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Timer {
    /// ConnectRetryTimer (§8.1.3, event 9).
    ConnectRetry,
    /// HoldTimer (event 10).
    Hold,
    /// KeepaliveTimer (event 11).
    Keepalive,
    /// DelayOpenTimer (event 12).
    DelayOpen,
    /// IdleHoldTimer (event 13).
    IdleHold,
    /// SendHoldTimer (RFC 9687).
    SendHold,
}

const ALL: [Timer; 6] = [
    Timer::ConnectRetry,
    Timer::Hold,
    Timer::Keepalive,
    Timer::DelayOpen,
    Timer::IdleHold,
    Timer::SendHold,
];

/// Deadlines, one per timer.
#[derive(Debug, Clone, Default)]
pub struct Timers {
    deadlines: [Option<Instant>; 6],
}

fn index(t: Timer) -> usize {
    match t {
        Timer::ConnectRetry => 0,
        Timer::Hold => 1,
        Timer::Keepalive => 2,
        Timer::DelayOpen => 3,
        Timer::IdleHold => 4,
        Timer::SendHold => 5,
    }
}

impl Timers {
    /// Starts (or restarts) a timer.
    pub fn start(&mut self, t: Timer, now: Instant, after: Duration) {
        self.deadlines[index(t)] = Some(now + after);
    }

    /// Stops a timer.
    pub fn stop(&mut self, t: Timer) {
        self.deadlines[index(t)] = None;
    }

    /// Whether a timer is running.
    pub fn is_running(&self, t: Timer) -> bool {
        self.deadlines[index(t)].is_some()
    }

    /// Stops every timer.
    pub fn stop_all(&mut self) {
        self.deadlines = [None; 6];
    }

    /// The earliest deadline and its timer.
    pub fn next(&self) -> Option<(Instant, Timer)> {
        ALL.iter()
            .filter_map(|&t| self.deadlines[index(t)].map(|d| (d, t)))
            .min()
    }

    /// Takes the first timer that has expired at `now`, stopping it.
    pub fn take_expired(&mut self, now: Instant) -> Option<Timer> {
        let (d, t) = self.next()?;
        if d <= now {
            self.stop(t);
            Some(t)
        } else {
            None
        }
    }
}

/// A small deterministic generator for jitter (xorshift64*).
#[derive(Debug, Clone)]
pub struct Jitter(u64);

impl Jitter {
    /// Seeds the generator (a zero seed is replaced).
    pub fn new(seed: u64) -> Self {
        Jitter(seed | 1)
    }

    /// `d` scaled by a random factor in [0.75, 1.0], as RFC 4271 §10 asks for
    /// ConnectRetry and Keepalive (and peerd for IdleHold).
    pub fn apply(&mut self, d: Duration) -> Duration {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        let r = x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 40; // 24 bits
        let factor = 0.75 + 0.25 * (r as f64 / f64::from(1u32 << 24));
        d.mul_f64(factor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earliest_deadline_first() {
        let now = Instant::now();
        let mut t = Timers::default();
        t.start(Timer::Hold, now, Duration::from_secs(90));
        t.start(Timer::Keepalive, now, Duration::from_secs(30));
        assert_eq!(t.next().map(|x| x.1), Some(Timer::Keepalive));
        assert_eq!(t.take_expired(now + Duration::from_secs(29)), None);
        assert_eq!(
            t.take_expired(now + Duration::from_secs(30)),
            Some(Timer::Keepalive)
        );
        assert!(!t.is_running(Timer::Keepalive));
    }

    #[test]
    fn jitter_stays_in_range_and_is_reproducible() {
        let mut a = Jitter::new(7);
        let mut b = Jitter::new(7);
        for _ in 0..1000 {
            let x = a.apply(Duration::from_secs(100));
            assert!(x >= Duration::from_secs(75) && x <= Duration::from_secs(100));
            assert_eq!(x, b.apply(Duration::from_secs(100)));
        }
    }
}

//! Refused attempts on recordings, counted per token, so that nobody can flood the access log
//! (which shares its disk with the media) by asking again and again: past the limit in a
//! minute, the caller is answered 429 and the log gets one summary row for the rest of that
//! minute instead of a row per attempt.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Refused attempts a token may make in a minute before it is held back.
pub const REFUSALS_PER_MINUTE: u32 = 30;
const WINDOW: Duration = Duration::from_secs(60);

#[derive(Default)]
pub struct RefusalLimit {
    windows: Mutex<HashMap<String, Window>>,
}

struct Window {
    started: Instant,
    refused: u32,
    summarised: bool,
}

/// What to do with the next attempt of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// Decide and log it as usual.
    Open,
    /// Answer 429; `write_summary` is true for the first such attempt in the minute, whose
    /// summary row stands for all of them.
    HeldBack { write_summary: bool },
}

impl RefusalLimit {
    fn windows(&self) -> std::sync::MutexGuard<'_, HashMap<String, Window>> {
        // Plain counters: a panic elsewhere leaves them usable.
        self.windows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether the attempt of `token` may go on to be decided and logged.
    pub fn check(&self, token: &str) -> Gate {
        self.check_at(token, Instant::now())
    }

    /// Notes a refused attempt of `token`.
    pub fn refused(&self, token: &str) {
        self.refused_at(token, Instant::now());
    }

    fn check_at(&self, token: &str, now: Instant) -> Gate {
        let mut windows = self.windows();
        let Some(window) = windows.get_mut(token) else {
            return Gate::Open;
        };
        if now.duration_since(window.started) >= WINDOW {
            windows.remove(token);
            return Gate::Open;
        }
        if window.refused < REFUSALS_PER_MINUTE {
            return Gate::Open;
        }
        let write_summary = !window.summarised;
        window.summarised = true;
        Gate::HeldBack { write_summary }
    }

    fn refused_at(&self, token: &str, now: Instant) {
        let mut windows = self.windows();
        // Forget windows long gone, so that the map stays as small as the callers of a minute.
        windows.retain(|_, w| now.duration_since(w.started) < WINDOW);
        windows
            .entry(token.to_string())
            .or_insert(Window {
                started: now,
                refused: 0,
                summarised: false,
            })
            .refused += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_the_limit_a_token_is_held_back_with_one_summary_a_minute() {
        let limit = RefusalLimit::default();
        let start = Instant::now();
        for _ in 0..REFUSALS_PER_MINUTE {
            assert_eq!(limit.check_at("kiosk", start), Gate::Open);
            limit.refused_at("kiosk", start);
        }
        assert_eq!(
            limit.check_at("kiosk", start),
            Gate::HeldBack {
                write_summary: true
            }
        );
        assert_eq!(
            limit.check_at("kiosk", start + Duration::from_secs(30)),
            Gate::HeldBack {
                write_summary: false
            },
            "one summary row a minute"
        );
        assert_eq!(limit.check_at("clerk", start), Gate::Open, "per token");
        assert_eq!(
            limit.check_at("kiosk", start + WINDOW),
            Gate::Open,
            "a new minute"
        );
    }
}

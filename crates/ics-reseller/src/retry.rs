//! Retry policy for reads: exponential backoff with equal jitter, honouring `Retry-After`
//! up to [`MAX_RETRY_AFTER_MS`].
//!
//! Retry number `n` (0-based) after an error without `Retry-After` waits a uniformly random
//! time in `[c/2, c]`, where `c = min(base_delay_ms · 2^n, max_delay_ms)` ("equal jitter":
//! clients spread out, and none retries at once). After an error with `Retry-After` it waits
//! what the server asked, capped at [`MAX_RETRY_AFTER_MS`]: the server knows best, but a
//! read is not held for hours by one header.
//!
//! Writes are never retried here: an order whose outcome is unknown goes through
//! [`crate::reconcile`] instead. The caller supplies the randomness, so the core stays pure.

use crate::error::Error;

/// When and how long to wait before sending a read again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 = never retry).
    pub max_retries: u32,
    /// Backoff before the first retry, in milliseconds; doubles each time.
    pub base_delay_ms: u64,
    /// Upper bound of one computed backoff, in milliseconds (a `Retry-After` is capped by
    /// [`MAX_RETRY_AFTER_MS`] instead).
    pub max_delay_ms: u64,
}

/// 2^53: `random` is read as a fraction of it.
const TWO_53: f64 = 9_007_199_254_740_992.0;

/// The longest a `Retry-After` makes a read wait: one minute (stripe-node's bound too).
pub const MAX_RETRY_AFTER_MS: u64 = 60_000;

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            base_delay_ms: 200,
            max_delay_ms: 5_000,
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub const NEVER: RetryPolicy = RetryPolicy {
        max_retries: 0,
        base_delay_ms: 0,
        max_delay_ms: 0,
    };

    /// How long to wait before retry number `attempt` (0-based: 0 is the first retry) after
    /// `error`, or `None` to stop. `write` calls never retry. `random` is uniform in `[0, 1)`
    /// (a value outside is clamped, a NaN or infinity taken as 0.5). The delay is the
    /// error's `Retry-After` capped at [`MAX_RETRY_AFTER_MS`] when it has one, else in
    /// `[c/2, c]` with `c = min(base_delay_ms · 2^attempt, max_delay_ms)`.
    pub fn delay_ms(&self, attempt: u32, error: &Error, write: bool, random: f64) -> Option<u64> {
        if write || attempt >= self.max_retries || !error.retryable() {
            return None;
        }
        let cap = self
            .base_delay_ms
            .saturating_mul(1u64 << attempt.min(30))
            .min(self.max_delay_ms);
        let random = if random.is_finite() {
            random.clamp(0.0, 1.0)
        } else {
            0.5
        };
        // Equal jitter, in [cap/2, cap]: spreads clients out without retrying at once.
        // `random` as a 53-bit fraction times the span, in integers: exact for any span
        // (a float product rounds past 2^53), never above it, and `cap` itself at 1.0.
        let span = cap - cap / 2;
        let fraction = (random * TWO_53) as u64; // in 0..=2^53
        let jitter = (u128::from(span) * u128::from(fraction)) >> 53;
        let jittered = cap / 2 + u64::try_from(jitter).unwrap_or(span).min(span);
        Some(match error.retry_after_ms() {
            // The server knows best: wait what it asks, up to the bound.
            Some(ra) => ra.min(MAX_RETRY_AFTER_MS),
            None => jittered,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(status: u16, ra: Option<u64>) -> Error {
        Error::HttpStatus {
            status,
            retry_after_ms: ra,
            snippet: String::new(),
        }
    }

    #[test]
    fn backoff_table() {
        let p = RetryPolicy {
            max_retries: 3,
            base_delay_ms: 100,
            max_delay_ms: 1000,
        };
        let net = Error::Network {
            message: "reset".into(),
        };
        assert_eq!(p.delay_ms(0, &net, false, 0.0), Some(50));
        assert_eq!(p.delay_ms(0, &net, false, 0.999_999), Some(99));
        assert_eq!(p.delay_ms(1, &net, false, 0.0), Some(100));
        assert_eq!(p.delay_ms(2, &net, false, 1.0), Some(400));
        assert_eq!(p.delay_ms(3, &net, false, 0.5), None, "max retries");
        assert_eq!(p.delay_ms(0, &net, true, 0.5), None, "writes never retry");
        assert_eq!(p.delay_ms(0, &http(400, None), false, 0.5), None);
        assert_eq!(
            p.delay_ms(0, &http(503, Some(2000)), false, 0.5),
            Some(2000),
            "Retry-After wins"
        );
        assert_eq!(p.delay_ms(0, &http(429, Some(10)), false, 0.5), Some(10));
        assert_eq!(
            p.delay_ms(0, &http(429, Some(3_600_000)), false, 0.5),
            Some(60_000),
            "capped"
        );
        assert_eq!(p.delay_ms(0, &net, false, f64::NAN), Some(75));
        let big = RetryPolicy {
            max_retries: 100,
            base_delay_ms: u64::MAX,
            max_delay_ms: u64::MAX,
        };
        assert!(big.delay_ms(99, &net, false, 1.0).is_some(), "no overflow");
    }
}

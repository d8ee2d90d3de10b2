//! The order book behind the order path: the "admit" step (one order per refid, orders
//! per destination number per hour, the daily spend cap) and the "record answer" step.
//!
//! [`OrderBook`] is the seam issue 10's durable journal (`ics-journal`) plugs into; the
//! [`MemoryBook`] here keeps everything in memory (exact for one instance, forgotten on
//! restart).

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;

/// What the gateway is about to forward.
#[derive(Clone, Debug)]
pub struct Admission {
    /// The order's refid.
    pub refid: String,
    /// The product.
    pub kode_produk: String,
    /// The destination number, normalised (`08…`).
    pub number: String,
    /// The most this order may cost: the token's `max_price`, or the live price in
    /// open-orders mode. Counted against the daily cap.
    pub price_bound: i64,
    /// The order token's id (`token_id`), when there was one.
    pub token_id: Option<String>,
    /// The client's IP.
    pub client_ip: IpAddr,
    /// Unix time in seconds.
    pub now_s: i64,
}

/// How an order was admitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admit {
    /// A refid never seen: forward it.
    Fresh,
    /// A refid forwarded before whose outcome stayed unknown: the gateway must see
    /// checkTransaction answer 404 before forwarding it again (the reconciliation's re-send).
    Resend,
}

/// Why an order was not admitted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The refid already placed an order.
    AlreadyPlaced,
    /// The same refid is being forwarded right now.
    InFlight,
    /// Too many orders for this number in the last hour; seconds until one more fits.
    NumberLimit(u64),
    /// The daily spend cap would be exceeded; seconds until the next UTC day.
    SpendCap(u64),
}

/// The upstream's answer to a forwarded order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Accepted (or found by checkTransaction).
    Placed,
    /// Definitely not placed (a refusal): the bound is released, the refid may be re-sent.
    Refused,
    /// No readable answer: the order may exist. The bound stays counted.
    Unknown,
}

/// Admits orders and records their answers. Implementations must make `admit` atomic:
/// two concurrent admissions of one refid never both succeed, and the cap holds exactly.
pub trait OrderBook: Send + Sync + 'static {
    /// Checks and reserves: one order per refid, the per-number limit, the spend cap.
    fn admit(&self, a: &Admission) -> Result<Admit, Refusal>;
    /// Records the upstream's answer to an admitted order.
    fn record(&self, refid: &str, outcome: Outcome, now_s: i64);
    /// Whether an order of `price` for `number` (normalised) would be admitted now by the
    /// per-number limit and the spend cap (nothing reserved): the demo payment's check.
    fn room_for(&self, number: &str, price: i64, now_s: i64) -> Result<(), Refusal>;
    /// Sum of the bounds counted today.
    fn spent_today(&self, now_s: i64) -> i64;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    InFlight,
    Placed,
    Refused,
    Unknown,
}

#[derive(Debug)]
struct Entry {
    state: State,
    bound: i64,
    day: i64,
}

#[derive(Debug, Default)]
struct Inner {
    orders: HashMap<String, Entry>,
    numbers: HashMap<String, VecDeque<i64>>,
    day: i64,
    spent: i64,
}

/// The in-memory [`OrderBook`].
#[derive(Debug)]
pub struct MemoryBook {
    per_number_per_hour: u32,
    daily_cap: i64,
    inner: Mutex<Inner>,
}

const DAY: i64 = 86_400;

impl MemoryBook {
    /// A book with these limits.
    pub fn new(per_number_per_hour: u32, daily_cap: i64) -> MemoryBook {
        MemoryBook {
            per_number_per_hour,
            daily_cap,
            inner: Mutex::new(Inner::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Inner {
    fn roll(&mut self, now_s: i64) {
        let day = now_s.div_euclid(DAY);
        // Only forward: a clock stepping back never reopens the cap.
        if day > self.day {
            self.day = day;
            self.spent = 0;
            self.numbers
                .retain(|_, q| q.back().is_some_and(|t| now_s - t < 3600));
            // Settled orders of earlier days are forgotten (the upstream itself refuses a
            // refid used before); open ones stay until they settle.
            self.orders
                .retain(|_, e| e.day >= day - 1 || matches!(e.state, State::InFlight | State::Unknown));
        }
    }
}

fn until_tomorrow(now_s: i64) -> u64 {
    (DAY - now_s.rem_euclid(DAY)).max(1) as u64
}

impl OrderBook for MemoryBook {
    fn admit(&self, a: &Admission) -> Result<Admit, Refusal> {
        let mut g = self.lock();
        g.roll(a.now_s);
        if let Some(e) = g.orders.get_mut(&a.refid) {
            match e.state {
                State::InFlight => return Err(Refusal::InFlight),
                State::Placed => return Err(Refusal::AlreadyPlaced),
                State::Unknown => {
                    e.state = State::InFlight;
                    return Ok(Admit::Resend);
                }
                State::Refused => {}
            }
        }
        let q = g.numbers.entry(a.number.clone()).or_default();
        while q.front().is_some_and(|t| a.now_s - t >= 3600) {
            q.pop_front();
        }
        if q.len() >= self.per_number_per_hour as usize {
            let wait = q.front().map(|t| 3600 - (a.now_s - t)).unwrap_or(3600);
            return Err(Refusal::NumberLimit(wait.max(1) as u64));
        }
        if g.spent.saturating_add(a.price_bound) > self.daily_cap {
            return Err(Refusal::SpendCap(until_tomorrow(a.now_s)));
        }
        g.spent += a.price_bound;
        g.numbers.entry(a.number.clone()).or_default().push_back(a.now_s);
        let day = g.day;
        g.orders.insert(
            a.refid.clone(),
            Entry {
                state: State::InFlight,
                bound: a.price_bound,
                day,
            },
        );
        Ok(Admit::Fresh)
    }

    fn record(&self, refid: &str, outcome: Outcome, now_s: i64) {
        let mut g = self.lock();
        g.roll(now_s);
        let today = g.day;
        let Some(e) = g.orders.get_mut(refid) else {
            return;
        };
        let release = match outcome {
            Outcome::Placed => {
                e.state = State::Placed;
                0
            }
            Outcome::Unknown => {
                e.state = State::Unknown;
                0
            }
            Outcome::Refused => {
                let was = e.state;
                e.state = State::Refused;
                if was != State::Refused && e.day == today {
                    std::mem::take(&mut e.bound)
                } else {
                    0
                }
            }
        };
        g.spent -= release;
    }

    fn room_for(&self, number: &str, price: i64, now_s: i64) -> Result<(), Refusal> {
        let mut g = self.lock();
        g.roll(now_s);
        if let Some(q) = g.numbers.get(number) {
            let recent: Vec<i64> = q.iter().copied().filter(|t| now_s - t < 3600).collect();
            if recent.len() >= self.per_number_per_hour as usize {
                let wait = recent.first().map(|t| 3600 - (now_s - t)).unwrap_or(3600);
                return Err(Refusal::NumberLimit(wait.max(1) as u64));
            }
        }
        if g.spent.saturating_add(price) > self.daily_cap {
            return Err(Refusal::SpendCap(until_tomorrow(now_s)));
        }
        Ok(())
    }

    fn spent_today(&self, now_s: i64) -> i64 {
        let mut g = self.lock();
        g.roll(now_s);
        g.spent
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn adm(refid: &str, number: &str, bound: i64, now_s: i64) -> Admission {
        Admission {
            refid: refid.into(),
            kode_produk: "XLA10".into(),
            number: number.into(),
            price_bound: bound,
            token_id: None,
            client_ip: IpAddr::from([127, 0, 0, 1]),
            now_s,
        }
    }

    #[test]
    fn one_order_per_refid_limits_and_cap() {
        let b = MemoryBook::new(2, 100);
        let t = 1_000 * DAY + 10;
        assert_eq!(b.admit(&adm("A", "081", 40, t)), Ok(Admit::Fresh));
        assert_eq!(b.admit(&adm("A", "081", 40, t)), Err(Refusal::InFlight));
        b.record("A", Outcome::Unknown, t);
        assert_eq!(b.admit(&adm("A", "081", 40, t)), Ok(Admit::Resend));
        b.record("A", Outcome::Placed, t);
        assert_eq!(b.admit(&adm("A", "081", 40, t)), Err(Refusal::AlreadyPlaced));
        assert_eq!(b.admit(&adm("B", "081", 40, t)), Ok(Admit::Fresh));
        assert_eq!(b.admit(&adm("C", "081", 1, t)), Err(Refusal::NumberLimit(3600)));
        assert_eq!(
            b.admit(&adm("C", "082", 21, t)),
            Err(Refusal::SpendCap((DAY - 10) as u64))
        );
        b.record("B", Outcome::Refused, t);
        assert_eq!(b.spent_today(t), 40, "a refusal releases its bound");
        assert_eq!(b.admit(&adm("C", "082", 60, t)), Ok(Admit::Fresh));
        assert_eq!(b.spent_today(t + DAY), 0, "a new day");
        assert_eq!(
            b.admit(&adm("A", "081", 1, t + DAY)),
            Err(Refusal::AlreadyPlaced),
            "kept a day"
        );
        b.record("C", Outcome::Placed, t);
        b.spent_today(t + 3 * DAY);
        assert_eq!(
            b.lock().orders.len(),
            0,
            "settled orders of earlier days are forgotten"
        );
    }
}

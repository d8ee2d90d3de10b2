//! The journal itself: opening (SQLite or PostgreSQL through sqlx's `Any` driver, one
//! portable schema), write-ahead admission under exact limits, and recording answers.

use ics_reseller::validate::{validate_kode_produk, validate_refid};
use ics_reseller::{normalize_phone, CheckTransactionResponse, CreateTransactionResponse, Error, TxStatus};
use serde_json::json;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::migrate::Migrator;
use sqlx::{Any, AnyPool, Row, Transaction};
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The schema, the same text on both backends.
static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// The PostgreSQL advisory lock every admission takes, so the limits are read and the row
/// written by one transaction at a time across every instance.
const ADMIT_LOCK: i64 = 0x1C5_0A0D_0000;

/// Milliseconds since the Unix epoch, the journal's clock.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The journal's `client_ip_hash` for an IP: hex HMAC-SHA256 under a secret of the
/// gateway's, so the journal never holds an address and the hash is useless elsewhere.
pub fn client_ip_hash(secret: &[u8], ip: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(ip.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Which database holds the journal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// One SQLite file in WAL mode: one gateway instance.
    Sqlite,
    /// PostgreSQL: any number of gateway instances.
    Postgres,
}

/// A storage failure (never an admission refusal: see [`Refusal`]).
#[derive(Debug)]
pub enum JournalError {
    /// The database URL is not `sqlite://PATH` or `postgres://…`.
    Url(String),
    /// The database failed.
    Db(sqlx::Error),
    /// A migration failed.
    Migrate(sqlx::migrate::MigrateError),
    /// No order has this refid.
    NoSuchOrder(String),
    /// An answer does not belong to the order it was recorded for.
    Mismatch(String),
    /// Writing an export failed.
    Export(String),
}

impl fmt::Display for JournalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JournalError::Url(m) => write!(f, "journal URL: {m}"),
            JournalError::Db(e) => write!(f, "journal database: {e}"),
            JournalError::Migrate(e) => write!(f, "journal migration: {e}"),
            JournalError::NoSuchOrder(r) => write!(f, "no journalled order has refid {r:?}"),
            JournalError::Mismatch(m) => write!(f, "answer does not match the order: {m}"),
            JournalError::Export(m) => write!(f, "export: {m}"),
        }
    }
}

impl std::error::Error for JournalError {}

impl From<sqlx::Error> for JournalError {
    fn from(e: sqlx::Error) -> Self {
        JournalError::Db(e)
    }
}

/// Where an order stands in the journal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrderState {
    /// Written ahead; no answer recorded yet (never acknowledged).
    Admitted,
    /// Acknowledged, waiting for the supplier.
    Pending,
    /// Acknowledged, not paid upstream yet.
    Unpaid,
    /// Acknowledged with a status this SDK does not know.
    Unknown,
    /// createTransaction's outcome is unknown (timeout, dropped, 5xx, unreadable).
    MaybeCommitted,
    /// A re-send (same refid, after a 404) is written ahead and under way.
    Resending,
    /// A re-send was refused; a check decides whether the first send landed after all.
    ResendRefused,
    /// Delivered. Final.
    Success,
    /// Failed upstream (refunded upstream). Final; refund the customer.
    Failed,
    /// Refused by the upstream with a definite answer: not placed. Final; refund.
    Rejected,
    /// checkTransaction says 404 and no re-send is left, or none may be made (the live
    /// price is above the order's bound, `last_error` `price_above_bound`, or the product
    /// is no longer orderable, `product_unavailable`): not placed. Final; refund.
    NotPlaced,
}

impl OrderState {
    /// Every state.
    pub const ALL: [OrderState; 11] = [
        OrderState::Admitted,
        OrderState::Pending,
        OrderState::Unpaid,
        OrderState::Unknown,
        OrderState::MaybeCommitted,
        OrderState::Resending,
        OrderState::ResendRefused,
        OrderState::Success,
        OrderState::Failed,
        OrderState::Rejected,
        OrderState::NotPlaced,
    ];

    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderState::Admitted => "admitted",
            OrderState::Pending => "pending",
            OrderState::Unpaid => "unpaid",
            OrderState::Unknown => "unknown",
            OrderState::MaybeCommitted => "maybe_committed",
            OrderState::Resending => "resending",
            OrderState::ResendRefused => "resend_refused",
            OrderState::Success => "success",
            OrderState::Failed => "failed",
            OrderState::Rejected => "rejected",
            OrderState::NotPlaced => "not_placed",
        }
    }

    /// Reads a stored spelling.
    pub fn parse(s: &str) -> Option<OrderState> {
        OrderState::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// No further change will happen.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            OrderState::Success | OrderState::Failed | OrderState::Rejected | OrderState::NotPlaced
        )
    }

    /// Final without delivery: the customer paid and must be refunded.
    pub fn to_refund(self) -> bool {
        matches!(
            self,
            OrderState::Failed | OrderState::Rejected | OrderState::NotPlaced
        )
    }

    /// Counts against the daily spend cap (everything but orders certainly not charged).
    pub fn counts_against_cap(self) -> bool {
        !self.to_refund()
    }

    /// The state an upstream status means.
    pub fn from_status(status: &TxStatus) -> OrderState {
        match status {
            TxStatus::Success => OrderState::Success,
            TxStatus::Failed => OrderState::Failed,
            TxStatus::Pending => OrderState::Pending,
            TxStatus::Unpaid => OrderState::Unpaid,
            TxStatus::Unknown(_) => OrderState::Unknown,
        }
    }
}

impl fmt::Display for OrderState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An order the gateway was asked to place, after its token was verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewOrder {
    /// The refid the token authorises (the idempotency key upstream).
    pub refid: String,
    /// Product code.
    pub product: String,
    /// Destination number as given; stored normalised (`08…`).
    pub number: String,
    /// The highest price the token accepts, in rupiah.
    pub price_bound: i64,
    /// The order token's id: a token authorises exactly one refid.
    pub token_id: String,
    /// A keyed hash of the client's IP (never the IP itself).
    pub client_ip_hash: String,
}

/// The limits admission enforces, exact across instances.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Most rupiah of price bounds per day, over orders not known to be uncharged.
    pub daily_cap: i64,
    /// Most orders to one destination number in any hour.
    pub per_number_per_hour: u32,
    /// Offset of the shop's day from UTC, in seconds (WIB is `7 * 3600`).
    pub utc_offset_secs: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            daily_cap: 1_000_000,
            per_number_per_hour: 3,
            utc_offset_secs: 7 * 3600,
        }
    }
}

/// An order admitted and written ahead: it may now be forwarded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Admitted {
    /// Its refid.
    pub refid: String,
    /// The normalised number, to forward.
    pub number: String,
    /// The shop day it counts against.
    pub day: i64,
    /// Price bounds counted against today's cap, this order included.
    pub spent_today: i64,
}

/// Why an order was not admitted. Nothing was written and nothing may be forwarded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The order is malformed (refid, product, number, price bound or token id).
    Invalid {
        /// Why.
        reason: String,
    },
    /// This refid is already journalled (once per refid, ever).
    DuplicateRefid,
    /// This token already authorised another refid.
    TokenSpent,
    /// The daily spend cap would be exceeded.
    DailyCap {
        /// The cap.
        cap: i64,
        /// Counted so far today.
        spent: i64,
        /// Seconds until the shop's next day.
        retry_after_secs: u64,
    },
    /// Too many orders to this number in the last hour.
    NumberRate {
        /// The limit.
        limit: u32,
        /// Seconds until the oldest of them leaves the hour.
        retry_after_secs: u64,
    },
    /// The journal is unavailable: refuse rather than forward unjournalled.
    Storage(String),
}

impl Refusal {
    /// A stable name for logs and answers.
    pub fn limit(&self) -> &'static str {
        match self {
            Refusal::Invalid { .. } => "invalid_order",
            Refusal::DuplicateRefid => "duplicate_refid",
            Refusal::TokenSpent => "token_spent",
            Refusal::DailyCap { .. } => "daily_cap",
            Refusal::NumberRate { .. } => "number_rate",
            Refusal::Storage(_) => "journal_unavailable",
        }
    }

    /// `Retry-After`, in seconds, for the limits that lift with time.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            Refusal::DailyCap { retry_after_secs, .. } | Refusal::NumberRate { retry_after_secs, .. } => {
                Some(*retry_after_secs)
            }
            _ => None,
        }
    }

    /// The HTTP status a gateway answers with.
    pub fn status(&self) -> u16 {
        match self {
            Refusal::Invalid { .. } => 400,
            Refusal::DuplicateRefid | Refusal::TokenSpent => 409,
            Refusal::DailyCap { .. } | Refusal::NumberRate { .. } => 429,
            Refusal::Storage(_) => 503,
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Invalid { reason } => write!(f, "invalid order: {reason}"),
            Refusal::DuplicateRefid => f.write_str("this refid was already ordered"),
            Refusal::TokenSpent => f.write_str("this order token was already used for another refid"),
            Refusal::DailyCap { cap, spent, .. } => write!(f, "daily spend cap reached ({spent} of {cap})"),
            Refusal::NumberRate { limit, .. } => write!(f, "at most {limit} orders per number per hour"),
            Refusal::Storage(m) => write!(f, "the order journal is unavailable: {m}"),
        }
    }
}

impl From<sqlx::Error> for Refusal {
    fn from(e: sqlx::Error) -> Self {
        Refusal::Storage(e.to_string())
    }
}

/// One journalled order, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderRecord {
    /// Refid.
    pub refid: String,
    /// Product code.
    pub product: String,
    /// Normalised destination number.
    pub number: String,
    /// The authorised price bound.
    pub price_bound: i64,
    /// The order token's id.
    pub token_id: String,
    /// Keyed hash of the client's IP.
    pub client_ip_hash: String,
    /// Shop day.
    pub day: i64,
    /// Where it stands.
    pub state: OrderState,
    /// The upstream has acknowledged it (accepted or found by a check).
    pub acked: bool,
    /// Price the upstream charged, when known.
    pub price: Option<i64>,
    /// Supplier's transaction id, when known.
    pub supplier_trxid: Option<String>,
    /// Last upstream message.
    pub message: Option<String>,
    /// Last error code seen (e.g. `timeout`).
    pub last_error: Option<String>,
    /// checkTransaction calls made by reconcilers.
    pub checks: i64,
    /// Re-sends made (same refid, after a 404).
    pub resends: i64,
    /// When a reconciler looks at it next (ms).
    pub next_check_at: i64,
    /// When it was last (possibly) sent upstream: admission, or the last re-send (ms).
    pub sent_at: i64,
    /// The reconciler that made it final, if one did.
    pub settled_by: Option<String>,
    /// Admitted at (ms).
    pub created_at: i64,
    /// Last change (ms).
    pub updated_at: i64,
}

pub(crate) const COLS: &str = "refid, product, number, price_bound, token_id, client_ip_hash, day, state, \
     acked, price, supplier_trxid, message, last_error, checks, resends, next_check_at, sent_at, settled_by, \
     created_at, updated_at";

impl OrderRecord {
    pub(crate) fn from_row(r: &AnyRow) -> Result<OrderRecord, sqlx::Error> {
        let state: String = r.try_get("state")?;
        Ok(OrderRecord {
            refid: r.try_get("refid")?,
            product: r.try_get("product")?,
            number: r.try_get("number")?,
            price_bound: r.try_get("price_bound")?,
            token_id: r.try_get("token_id")?,
            client_ip_hash: r.try_get("client_ip_hash")?,
            day: r.try_get("day")?,
            state: OrderState::parse(&state).unwrap_or(OrderState::Unknown),
            acked: r.try_get::<i64, _>("acked")? != 0,
            price: r.try_get("price")?,
            supplier_trxid: r.try_get("supplier_trxid")?,
            message: r.try_get("message")?,
            last_error: r.try_get("last_error")?,
            checks: r.try_get("checks")?,
            resends: r.try_get("resends")?,
            next_check_at: r.try_get("next_check_at")?,
            sent_at: r.try_get("sent_at")?,
            settled_by: r.try_get("settled_by")?,
            created_at: r.try_get("created_at")?,
            updated_at: r.try_get("updated_at")?,
        })
    }
}

/// Timings of the journal's own schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JournalOptions {
    /// How long after admission an order never answered is left to the forwarding request
    /// before a reconciler looks at it (ms). Longer than the upstream timeout.
    pub forward_grace_ms: i64,
    /// First wait before checking an open order (ms); doubles per check.
    pub first_check_ms: i64,
    /// Longest wait between two checks of one order (ms).
    pub max_check_ms: i64,
    /// Connections in the PostgreSQL pool (SQLite always uses one writer).
    pub max_connections: u32,
}

impl Default for JournalOptions {
    fn default() -> Self {
        JournalOptions {
            forward_grace_ms: 30_000,
            first_check_ms: 1_000,
            max_check_ms: 60_000,
            max_connections: 10,
        }
    }
}

/// The order journal over one database. Cheap to clone (a pool handle).
#[derive(Clone, Debug)]
pub struct Journal {
    pool: AnyPool,
    backend: Backend,
    options: JournalOptions,
}

/// Fields of a state change.
#[derive(Default)]
pub(crate) struct Change<'a> {
    pub state: Option<OrderState>,
    pub acked: bool,
    pub price: Option<i64>,
    pub supplier_trxid: Option<&'a str>,
    pub message: Option<&'a str>,
    pub last_error: Option<&'a str>,
    pub count_check: bool,
    pub next_check_at: i64,
    pub settled_by: Option<&'a str>,
}

/// Creates a new SQLite journal file readable by its owner only (`0600` on Unix): it holds
/// customers' phone numbers and the shop's orders. SQLite gives its `-wal` and `-shm` files
/// the database file's permissions. An existing file is left as it is; on failure (a folder
/// that does not exist, …) SQLite's own open reports the error.
fn create_private(path: &str) {
    let file = path.split('?').next().unwrap_or(path);
    if file.is_empty() || file.starts_with(':') {
        return; // `:memory:` and the like
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let _ = options.open(file);
}

impl Journal {
    /// Opens `sqlite://PATH` (file created on first start, owner-only, WAL) or `postgres://…`, and runs
    /// the migrations.
    pub async fn open(url: &str) -> Result<Journal, JournalError> {
        Journal::open_with(url, JournalOptions::default()).await
    }

    /// [`Journal::open`] with other timings.
    pub async fn open_with(url: &str, options: JournalOptions) -> Result<Journal, JournalError> {
        sqlx::any::install_default_drivers();
        let (backend, connect) = if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(JournalError::Url("sqlite:// needs a file path".into()));
            }
            create_private(path);
            let sep = if path.contains('?') { '&' } else { '?' };
            (Backend::Sqlite, format!("sqlite://{path}{sep}mode=rwc"))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (Backend::Postgres, url.to_owned())
        } else {
            return Err(JournalError::Url(
                "expected sqlite://PATH or postgres://USER@HOST:PORT/DB".into(),
            ));
        };
        let pool_options = match backend {
            // One connection: SQLite has one writer anyway, and a single connection makes
            // every transaction run alone (no SQLITE_BUSY on lock upgrades).
            Backend::Sqlite => AnyPoolOptions::new().max_connections(1).after_connect(|conn, _| {
                Box::pin(async move {
                    for pragma in [
                        "PRAGMA journal_mode = WAL",
                        "PRAGMA synchronous = FULL",
                        "PRAGMA busy_timeout = 10000",
                    ] {
                        sqlx::query(pragma).execute(&mut *conn).await?;
                    }
                    Ok(())
                })
            }),
            Backend::Postgres => AnyPoolOptions::new().max_connections(options.max_connections.max(1)),
        };
        let pool = pool_options
            .acquire_timeout(Duration::from_secs(30))
            .connect(&connect)
            .await?;
        MIGRATOR.run(&pool).await.map_err(JournalError::Migrate)?;
        Ok(Journal {
            pool,
            backend,
            options,
        })
    }

    /// Which database it runs on.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Its timings.
    pub fn options(&self) -> JournalOptions {
        self.options
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Closes the pool (waits for connections in use to be returned).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Wait before the next check of an order already checked `checks` times (ms).
    pub(crate) fn backoff_ms(&self, checks: i64) -> i64 {
        let shift = checks.clamp(0, 20) as u32;
        self.options
            .first_check_ms
            .saturating_mul(1i64 << shift)
            .min(self.options.max_check_ms)
            .max(1)
    }

    /// `FOR UPDATE` on PostgreSQL (row locks), nothing on SQLite (one connection).
    pub(crate) fn for_update(&self) -> &'static str {
        match self.backend {
            Backend::Postgres => " FOR UPDATE",
            Backend::Sqlite => "",
        }
    }

    /// Admits an order: checks it, then in ONE transaction checks the refid and token are
    /// new, the daily cap and the per-number hourly limit, and writes the order. Only after
    /// `Ok` may the caller forward createTransaction (then [`Journal::record_answer`]).
    pub async fn admit(&self, order: NewOrder, limits: &Limits, now: i64) -> Result<Admitted, Refusal> {
        let invalid = |reason: String| Refusal::Invalid { reason };
        validate_refid(&order.refid).map_err(|e| invalid(e.to_string()))?;
        validate_kode_produk(&order.product).map_err(|e| invalid(e.to_string()))?;
        let number = normalize_phone(&order.number)
            .map_err(|e| invalid(e.to_string()))?
            .number;
        if order.price_bound <= 0 {
            return Err(invalid("the price bound must be positive".into()));
        }
        if order.token_id.is_empty() || order.token_id.len() > 200 {
            return Err(invalid("the token id must hold 1 to 200 characters".into()));
        }
        let day_len = 86_400i64;
        let local_secs = now.div_euclid(1000) + limits.utc_offset_secs;
        let day = local_secs.div_euclid(day_len);

        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(ADMIT_LOCK)
                .execute(&mut *tx)
                .await?;
        }
        let seen = sqlx::query("SELECT refid FROM journal_orders WHERE refid = $1 OR token_id = $2")
            .bind(&order.refid)
            .bind(&order.token_id)
            .fetch_all(&mut *tx)
            .await?;
        if !seen.is_empty() {
            let same = seen
                .iter()
                .any(|r| r.try_get::<String, _>("refid").ok().as_deref() == Some(order.refid.as_str()));
            return Err(if same {
                Refusal::DuplicateRefid
            } else {
                Refusal::TokenSpent
            });
        }
        let spent: i64 = sqlx::query(
            "SELECT CAST(COALESCE(SUM(price_bound), 0) AS BIGINT) AS spent FROM journal_orders \
             WHERE day = $1 AND state NOT IN ('failed', 'rejected', 'not_placed')",
        )
        .bind(day)
        .fetch_one(&mut *tx)
        .await?
        .try_get("spent")?;
        if spent.saturating_add(order.price_bound) > limits.daily_cap {
            let next_day_ms = (day + 1) * day_len * 1000 - limits.utc_offset_secs * 1000;
            return Err(Refusal::DailyCap {
                cap: limits.daily_cap,
                spent,
                retry_after_secs: secs_until(next_day_ms, now),
            });
        }
        let hour_ago = now - 3_600_000;
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM journal_orders \
             WHERE number = $1 AND created_at > $2",
        )
        .bind(&number)
        .bind(hour_ago)
        .fetch_one(&mut *tx)
        .await?;
        let count: i64 = row.try_get("n")?;
        if count >= i64::from(limits.per_number_per_hour) {
            let oldest: Option<i64> = row.try_get("oldest")?;
            return Err(Refusal::NumberRate {
                limit: limits.per_number_per_hour,
                retry_after_secs: secs_until(oldest.unwrap_or(now) + 3_600_000, now),
            });
        }
        let inserted = sqlx::query(
            "INSERT INTO journal_orders (refid, product, number, price_bound, token_id, client_ip_hash, \
             day, state, next_check_at, sent_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&order.refid)
        .bind(&order.product)
        .bind(&number)
        .bind(order.price_bound)
        .bind(&order.token_id)
        .bind(&order.client_ip_hash)
        .bind(day)
        .bind(OrderState::Admitted.as_str())
        .bind(now + self.options.forward_grace_ms)
        .bind(now)
        .bind(now)
        .bind(now)
        .execute(&mut *tx)
        .await;
        if let Err(e) = inserted {
            return Err(match e.as_database_error() {
                Some(d) if d.is_unique_violation() => Refusal::DuplicateRefid,
                _ => e.into(),
            });
        }
        tx.commit().await?;
        Ok(Admitted {
            refid: order.refid,
            number,
            day,
            spent_today: spent + order.price_bound,
        })
    }

    /// Whether an order of `price` for `number` would pass the daily cap and the
    /// per-number limit now (nothing written): a payment page's early check. Admission
    /// checks again, exactly, in its own transaction.
    pub async fn room_for(&self, number: &str, price: i64, limits: &Limits, now: i64) -> Result<(), Refusal> {
        let number = normalize_phone(number)
            .map_err(|e| Refusal::Invalid {
                reason: e.to_string(),
            })?
            .number;
        let day_len = 86_400i64;
        let day = (now.div_euclid(1000) + limits.utc_offset_secs).div_euclid(day_len);
        let spent: i64 = sqlx::query(
            "SELECT CAST(COALESCE(SUM(price_bound), 0) AS BIGINT) AS spent FROM journal_orders \
             WHERE day = $1 AND state NOT IN ('failed', 'rejected', 'not_placed')",
        )
        .bind(day)
        .fetch_one(&self.pool)
        .await?
        .try_get("spent")?;
        if spent.saturating_add(price) > limits.daily_cap {
            let next_day_ms = (day + 1) * day_len * 1000 - limits.utc_offset_secs * 1000;
            return Err(Refusal::DailyCap {
                cap: limits.daily_cap,
                spent,
                retry_after_secs: secs_until(next_day_ms, now),
            });
        }
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM journal_orders \
             WHERE number = $1 AND created_at > $2",
        )
        .bind(&number)
        .bind(now - 3_600_000)
        .fetch_one(&self.pool)
        .await?;
        let count: i64 = row.try_get("n")?;
        if count >= i64::from(limits.per_number_per_hour) {
            let oldest: Option<i64> = row.try_get("oldest")?;
            return Err(Refusal::NumberRate {
                limit: limits.per_number_per_hour,
                retry_after_secs: secs_until(oldest.unwrap_or(now) + 3_600_000, now),
            });
        }
        Ok(())
    }

    /// Price bounds counted against the shop day of `now` (orders not known uncharged).
    pub async fn spent_today(&self, limits: &Limits, now: i64) -> Result<i64, JournalError> {
        let day = (now.div_euclid(1000) + limits.utc_offset_secs).div_euclid(86_400);
        let spent: i64 = sqlx::query(
            "SELECT CAST(COALESCE(SUM(price_bound), 0) AS BIGINT) AS spent FROM journal_orders \
             WHERE day = $1 AND state NOT IN ('failed', 'rejected', 'not_placed')",
        )
        .bind(day)
        .fetch_one(&self.pool)
        .await?
        .try_get("spent")?;
        Ok(spent)
    }

    /// A client's re-send of `refid` (its own reconciliation, after checkTransaction said
    /// 404): written ahead like the reconciler's — only for an order never acknowledged
    /// whose outcome stayed unknown, not leased by a reconciler, with fewer than
    /// `max_resends` re-sends, and whose last send is at least `forward_grace_ms` old (a
    /// 404 sooner proves nothing: that send may still be landing). `true`: forward it now
    /// under the same refid, then [`Journal::record_answer`]. Call only after the upstream
    /// itself answered 404.
    pub async fn begin_resend(&self, refid: &str, max_resends: i64, now: i64) -> Result<bool, JournalError> {
        let done = sqlx::query(
            "UPDATE journal_orders SET state = $1, resends = resends + 1, next_check_at = $2, \
             updated_at = $3, sent_at = $3 \
             WHERE refid = $4 AND is_final = 0 AND acked = 0 AND state = $5 AND resends < $6 \
             AND (lease_until IS NULL OR lease_until <= $3) AND sent_at <= $7",
        )
        .bind(OrderState::Resending.as_str())
        .bind(now + self.options.forward_grace_ms)
        .bind(now)
        .bind(refid)
        .bind(OrderState::MaybeCommitted.as_str())
        .bind(max_resends)
        .bind(now - self.options.forward_grace_ms)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// One order.
    pub async fn order(&self, refid: &str) -> Result<Option<OrderRecord>, JournalError> {
        let row = sqlx::query(&format!("SELECT {COLS} FROM journal_orders WHERE refid = $1"))
            .bind(refid)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(OrderRecord::from_row).transpose()?)
    }

    /// Orders not final yet.
    pub async fn open_count(&self) -> Result<i64, JournalError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM journal_orders WHERE is_final = 0")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get("n")?)
    }

    /// Records the answer of a createTransaction (the first send or a re-send) for `refid`:
    /// accepted (pending or success), a definite refusal (final `rejected`, or after a
    /// re-send `resend_refused` until a check confirms), or an unknown outcome
    /// (`maybe_committed`, for the reconciler). Returns the state after it.
    pub async fn record_answer(
        &self,
        refid: &str,
        answer: &Result<CreateTransactionResponse, Error>,
        now: i64,
    ) -> Result<OrderState, JournalError> {
        self.record_answer_by(refid, answer, now, None).await
    }

    pub(crate) async fn record_answer_by(
        &self,
        refid: &str,
        answer: &Result<CreateTransactionResponse, Error>,
        now: i64,
        settled_by: Option<&str>,
    ) -> Result<OrderState, JournalError> {
        let mut tx = self.pool.begin().await?;
        let cur = self.lock_order(&mut tx, refid).await?;
        if cur.state.is_final() {
            tx.commit().await?;
            return Ok(cur.state);
        }
        let code;
        let change = match answer {
            Ok(resp) => Change {
                state: Some(if resp.pending {
                    OrderState::Pending
                } else {
                    OrderState::Success
                }),
                acked: true,
                price: Some(resp.saldo_awal - resp.saldo_akhir).filter(|p| *p > 0),
                supplier_trxid: resp.supplier_trxid.as_deref(),
                message: Some(&resp.message),
                next_check_at: now + self.backoff_ms(cur.checks),
                settled_by,
                ..Change::default()
            },
            Err(e) => {
                code = e.code().as_str();
                let state = if e.outcome_unknown() {
                    (!cur.acked).then_some(OrderState::MaybeCommitted)
                } else if cur.resends > 0 {
                    Some(OrderState::ResendRefused)
                } else {
                    Some(OrderState::Rejected)
                };
                Change {
                    state,
                    acked: cur.acked,
                    last_error: Some(code),
                    next_check_at: now + self.backoff_ms(cur.checks),
                    settled_by,
                    ..Change::default()
                }
            }
        };
        let state = self.apply(&mut tx, &cur, &change, now).await?;
        tx.commit().await?;
        Ok(state)
    }

    /// Records a checkTransaction answer for `refid` (from a reconciler, or a webhook
    /// confirmed by one). Final states never change again. Returns the state after it.
    pub async fn record_check(
        &self,
        refid: &str,
        found: &CheckTransactionResponse,
        now: i64,
    ) -> Result<OrderState, JournalError> {
        self.record_check_by(refid, found, now, None).await
    }

    pub(crate) async fn record_check_by(
        &self,
        refid: &str,
        found: &CheckTransactionResponse,
        now: i64,
        settled_by: Option<&str>,
    ) -> Result<OrderState, JournalError> {
        if found.refid != refid {
            return Err(JournalError::Mismatch(format!(
                "checkTransaction answered for refid {:?}",
                found.refid
            )));
        }
        let mut tx = self.pool.begin().await?;
        let cur = self.lock_order(&mut tx, refid).await?;
        if cur.state.is_final() {
            tx.commit().await?;
            return Ok(cur.state);
        }
        let change = Change {
            state: Some(OrderState::from_status(&found.status)),
            acked: true,
            price: Some(found.harga),
            supplier_trxid: found.supplier_trxid.as_deref(),
            message: found.message.as_deref(),
            count_check: settled_by.is_some(),
            next_check_at: now + self.backoff_ms(cur.checks + 1),
            settled_by,
            ..Change::default()
        };
        let state = self.apply(&mut tx, &cur, &change, now).await?;
        tx.commit().await?;
        Ok(state)
    }

    pub(crate) async fn lock_order(
        &self,
        tx: &mut Transaction<'static, Any>,
        refid: &str,
    ) -> Result<OrderRecord, JournalError> {
        let row = sqlx::query(&format!(
            "SELECT {COLS} FROM journal_orders WHERE refid = $1{}",
            self.for_update()
        ))
        .bind(refid)
        .fetch_optional(&mut **tx)
        .await?;
        match row {
            Some(r) => Ok(OrderRecord::from_row(&r)?),
            None => Err(JournalError::NoSuchOrder(refid.to_owned())),
        }
    }

    /// Writes a change to an open order (and, when it turns final, its shop event, in the
    /// same transaction). The reconciler's lease is released.
    pub(crate) async fn apply(
        &self,
        tx: &mut Transaction<'static, Any>,
        cur: &OrderRecord,
        c: &Change<'_>,
        now: i64,
    ) -> Result<OrderState, JournalError> {
        let state = c.state.unwrap_or(cur.state);
        let is_final = state.is_final();
        let done = sqlx::query(
            "UPDATE journal_orders SET state = $1, is_final = $2, acked = $3, \
             price = COALESCE($4, price), supplier_trxid = COALESCE($5, supplier_trxid), \
             message = COALESCE($6, message), last_error = $7, checks = checks + $8, \
             next_check_at = $9, settled_by = $10, lease_owner = NULL, lease_until = NULL, \
             updated_at = $11 WHERE refid = $12 AND is_final = 0",
        )
        .bind(state.as_str())
        .bind(i64::from(is_final))
        .bind(i64::from(c.acked || cur.acked))
        .bind(c.price)
        .bind(c.supplier_trxid)
        .bind(c.message)
        .bind(c.last_error)
        .bind(i64::from(c.count_check))
        .bind(c.next_check_at)
        .bind(if is_final { c.settled_by } else { None })
        .bind(now)
        .bind(&cur.refid)
        .execute(&mut **tx)
        .await?;
        if done.rows_affected() == 1 && is_final {
            let price = c.price.or(cur.price);
            let id = format!("evt-{}", cur.refid);
            let body = json!({
                "type": "order.final",
                "id": id,
                "refid": cur.refid,
                "state": state.as_str(),
                "refund": state.to_refund(),
                "product": cur.product,
                "number": cur.number,
                "price_bound": cur.price_bound,
                "price": price,
                "supplier_trxid": c.supplier_trxid.or(cur.supplier_trxid.as_deref()),
                "message": c.message.or(cur.message.as_deref()),
                "error": c.last_error,
                "at": now,
            });
            sqlx::query(
                "INSERT INTO journal_events (id, refid, body, next_attempt_at, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&id)
            .bind(&cur.refid)
            .bind(body.to_string())
            .bind(now)
            .bind(now)
            .execute(&mut **tx)
            .await?;
        }
        Ok(state)
    }
}

fn secs_until(at_ms: i64, now: i64) -> u64 {
    let ms = (at_ms - now).max(0);
    ((ms + 999) / 1000).max(1) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip_and_classify() {
        for s in OrderState::ALL {
            assert_eq!(OrderState::parse(s.as_str()), Some(s));
            assert!(!s.to_refund() || s.is_final(), "{s}");
        }
        assert_eq!(OrderState::parse("nope"), None);
        let finals: Vec<_> = OrderState::ALL.into_iter().filter(|s| s.is_final()).collect();
        assert_eq!(finals.len(), 4);
        assert!(OrderState::Success.counts_against_cap() && !OrderState::Failed.counts_against_cap());
        assert_eq!(
            OrderState::from_status(&TxStatus::Unknown("x".into())),
            OrderState::Unknown
        );
    }

    #[test]
    fn ip_hashes_are_keyed() {
        let a = client_ip_hash(b"k1", "203.0.113.7");
        assert_eq!(a.len(), 64);
        assert!(!a.contains("203"));
        assert_eq!(a, client_ip_hash(b"k1", "203.0.113.7"));
        assert_ne!(a, client_ip_hash(b"k2", "203.0.113.7"));
    }

    #[test]
    fn retry_after_rounds_up_and_is_never_zero() {
        assert_eq!(secs_until(1_500, 0), 2);
        assert_eq!(secs_until(0, 10), 1);
    }

    #[tokio::test]
    async fn a_failed_connection_never_shows_the_password() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = format!("postgres://app:s3cret-pw@127.0.0.1:{port}/x?connect_timeout=2");
        let opts = JournalOptions::default();
        let err = tokio::time::timeout(Duration::from_secs(60), Journal::open_with(&url, opts))
            .await
            .expect("gives up")
            .expect_err("nothing listens");
        let text = format!("{err} {err:?}");
        assert!(!text.contains("s3cret"), "{text}");
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_new_sqlite_journal_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("ics-journal-mode-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("j.db");
        let journal = Journal::open(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        assert!(db.exists());
        // The WAL exists while the journal is open (journal_mode = WAL); SQLite copies the
        // database file's mode onto it.
        for f in [db.clone(), dir.join("j.db-wal")] {
            let meta = std::fs::metadata(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            assert_eq!(meta.permissions().mode() & 0o777, 0o600, "{}", f.display());
        }
        journal.pool().close().await;
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn other_urls_are_refused() {
        for url in ["mysql://x", "sqlite://", "", "postgres:/x"] {
            assert!(
                matches!(Journal::open(url).await, Err(JournalError::Url(_))),
                "{url}"
            );
        }
    }
}

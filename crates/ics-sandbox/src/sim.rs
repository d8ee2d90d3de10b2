//! The simulation's state: accounts, their books (balance, orders, ledger), test numbers and
//! settlement.
//!
//! Each account has one lock over its whole book, taken for every read and write, so
//! parallel orders never overdraw and one refid is never accepted twice; the ledger
//! (`initial − charged + refunded = balance`) is checked under the same lock after every
//! change. Webhooks are queued under the lock too, so one account's deliveries go out in
//! the order its changes happened.

use crate::catalog;
use crate::clock;
use crate::config::{AccountConfig, Config, Markup, WebhookTarget};
use crate::webhook::{Outgoing, SentLog};
use ics_reseller::types::*;
use ics_reseller::validate::{normalize_phone, validate_refid};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// Locks a mutex, going on when a panicking thread poisoned it (the data stays consistent:
/// every change is checked before the lock is released).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// What happens to an order, chosen by the last four digits of the destination number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scenario {
    /// `…1111`: success at once (createTransaction answers `pending: false`).
    SuccessNow,
    /// `…2222` and every other number: pending, then success after the settle delay.
    PendingThenSuccess,
    /// `…3333`: pending, then failed after the settle delay; the price is refunded.
    PendingThenFailed,
    /// `…4444`: the supplier rejects it: an `error` body, balance untouched, no order.
    SupplierRejects,
    /// `…5555`: stays pending for ever.
    StaysPending,
    /// `…6666`: stays unpaid for ever; nothing is charged.
    StaysUnpaid,
}

/// The published table of test numbers: suffix, scenario, what happens.
pub const TEST_NUMBERS: [(&str, Scenario, &str); 7] = [
    ("1111", Scenario::SuccessNow, "success at once (pending: false)"),
    (
        "2222",
        Scenario::PendingThenSuccess,
        "pending, then success after --settle-ms",
    ),
    (
        "3333",
        Scenario::PendingThenFailed,
        "pending, then failed after --settle-ms; price refunded",
    ),
    (
        "4444",
        Scenario::SupplierRejects,
        "rejected by the supplier: error body, balance untouched, no order",
    ),
    ("5555", Scenario::StaysPending, "stays pending"),
    ("6666", Scenario::StaysUnpaid, "stays unpaid (not charged)"),
    (
        "other",
        Scenario::PendingThenSuccess,
        "pending, then success after --settle-ms",
    ),
];

impl Scenario {
    /// The scenario of a normalised number.
    pub fn for_number(number: &str) -> Scenario {
        let tail = &number[number.len().saturating_sub(4)..];
        TEST_NUMBERS
            .iter()
            .find(|(suffix, _, _)| *suffix == tail)
            .map(|(_, s, _)| *s)
            .unwrap_or(Scenario::PendingThenSuccess)
    }
}

/// A refused call: HTTP status plus an `error` body.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// HTTP status of the answer.
    pub status: u16,
    /// The body.
    pub body: Box<ErrorBody>,
}

impl Failure {
    /// A failure with only an `error` text.
    pub fn new(status: u16, error: impl Into<String>) -> Failure {
        Failure {
            status,
            body: Box::new(ErrorBody::from_text(error.into())),
        }
    }

    /// Adds the order's refid.
    pub fn refid(mut self, refid: &str) -> Failure {
        self.body.refid = Some(refid.to_owned());
        self
    }

    /// Adds `saldo_awal` and `saldo_akhir`, both `saldo` (the balance is untouched).
    pub fn saldo(mut self, saldo: i64) -> Failure {
        self.body.saldo_awal = Some(saldo);
        self.body.saldo_akhir = Some(saldo);
        self
    }
}

/// One order.
#[derive(Clone, Debug, Serialize)]
pub struct Order {
    /// The reseller's refid.
    pub refid: String,
    /// The supplier's transaction id.
    pub supplier_trxid: String,
    /// Product code.
    pub kode_produk: String,
    /// Normalised destination number.
    pub nomor_tujuan: String,
    /// Price (markup included).
    pub harga: i64,
    /// Current status.
    pub status: TxStatus,
    /// Message of the last change.
    pub message: String,
    /// Supplier note of the last change.
    pub note: String,
    /// Creation time.
    pub created_at: String,
    /// Time of the last change.
    pub updated_at: String,
    /// The test-number scenario.
    pub scenario: Scenario,
    /// Whether the price was debited (not for unpaid orders).
    pub charged: bool,
}

impl Order {
    /// The checkTransaction body (also the webhook payload).
    pub fn check_body(&self, kodereseller: &str) -> CheckTransactionResponse {
        CheckTransactionResponse {
            success: true,
            status: self.status.clone(),
            refid: self.refid.clone(),
            supplier_trxid: Some(self.supplier_trxid.clone()),
            kode_produk: self.kode_produk.clone(),
            nomor_tujuan: self.nomor_tujuan.clone(),
            harga: self.harga,
            kodereseller: kodereseller.to_owned(),
            message: Some(self.message.clone()),
            note: Some(self.note.clone()),
            updated_at: self.updated_at.clone(),
            extra: Default::default(),
        }
    }

    fn history_entry(&self) -> HistoryEntry {
        HistoryEntry {
            status: self.status.clone(),
            kodeproduk: self.kode_produk.clone(),
            harga: self.harga,
            nomor: self.nomor_tujuan.clone(),
            refid: self.refid.clone(),
            supplier_trxid: Some(self.supplier_trxid.clone()),
            time: self.created_at.clone(),
            message: Some(self.message.clone()),
            extra: Default::default(),
        }
    }
}

/// The ledger of one account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Ledger {
    /// Balance at start (or the last reset).
    pub initial: i64,
    /// Sum of every price debited.
    pub charged: i64,
    /// Sum of every refund.
    pub refunded: i64,
    /// Current balance.
    pub balance: i64,
    /// `initial − charged + refunded == balance`.
    pub balanced: bool,
}

/// An account's mutable state, behind its one lock.
#[derive(Debug)]
struct Book {
    initial: i64,
    balance: i64,
    charged: i64,
    refunded: i64,
    orders: Vec<Order>,
    index: HashMap<String, usize>,
    /// Bumped by a reset, so timers armed before it do nothing.
    generation: u64,
}

impl Book {
    fn new(saldo: i64, generation: u64) -> Book {
        Book {
            initial: saldo,
            balance: saldo,
            charged: 0,
            refunded: 0,
            orders: Vec::new(),
            index: HashMap::new(),
            generation,
        }
    }

    fn ledger(&self) -> Ledger {
        Ledger {
            initial: self.initial,
            charged: self.charged,
            refunded: self.refunded,
            balance: self.balance,
            balanced: self.initial - self.charged + self.refunded == self.balance,
        }
    }

    fn check(&self) {
        assert!(
            self.ledger().balanced,
            "ledger out of balance: {:?}",
            self.ledger()
        );
        assert!(self.balance >= 0, "balance below zero: {:?}", self.ledger());
    }
}

/// One reseller account.
pub struct Account {
    /// Its configuration (the seed a reset returns to).
    pub config: AccountConfig,
    /// Where its webhooks go, resolved (the built-in receiver's full URL).
    pub webhook_url: Option<String>,
    /// Deliveries made to its webhook URL.
    pub sent: SentLog,
    book: Mutex<Book>,
    outbox: mpsc::UnboundedSender<Outgoing>,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("name", &self.config.name)
            .finish()
    }
}

impl Account {
    /// Queues a webhook delivery of the order's current state (call it under the book's
    /// lock, so deliveries keep the order of the changes).
    fn notify(&self, order: &Order, event: &'static str) {
        if let Some(url) = &self.webhook_url {
            let payload = order.check_body(&self.config.kodereseller);
            // A closed worker means the sandbox is shutting down: nothing to deliver to.
            let _ = self.outbox.send(Outgoing {
                url: url.clone(),
                refid: order.refid.clone(),
                status: order.status.as_str().to_owned(),
                event,
                payload: serde_json::to_value(payload).unwrap_or_default(),
            });
        }
    }
}

/// How a pending order ends.
#[derive(Clone, Copy, Debug)]
enum Settle {
    Success,
    Failed,
}

/// The whole simulation.
pub struct Sim {
    accounts: Vec<Arc<Account>>,
    by_key: HashMap<String, Arc<Account>>,
    /// The global markup.
    pub markup: Markup,
    /// Pending → final delay.
    pub settle: Duration,
    trx: AtomicU64,
    shutdown: watch::Receiver<bool>,
}

impl Sim {
    /// Builds the accounts and starts one webhook worker per account. `base_url` is the
    /// sandbox's own URL (for the built-in receiver).
    pub fn new(
        config: &Config,
        base_url: &str,
        http: reqwest::Client,
        shutdown: watch::Receiver<bool>,
    ) -> Sim {
        let mut accounts = Vec::new();
        let mut by_key = HashMap::new();
        for a in &config.accounts {
            let webhook_url = match &a.webhook {
                WebhookTarget::None => None,
                WebhookTarget::Builtin => Some(format!("{base_url}/__sandbox/webhook-receiver")),
                WebhookTarget::Url(u) => Some(u.clone()),
            };
            let sent = SentLog::default();
            let outbox = crate::webhook::spawn_worker(http.clone(), sent.clone());
            let acct = Arc::new(Account {
                config: a.clone(),
                webhook_url,
                sent,
                book: Mutex::new(Book::new(a.saldo, 0)),
                outbox,
            });
            by_key.insert(a.key.clone(), acct.clone());
            accounts.push(acct);
        }
        Sim {
            accounts,
            by_key,
            markup: config.markup,
            settle: Duration::from_millis(config.settle_ms),
            trx: AtomicU64::new(1_000_000),
            shutdown,
        }
    }

    /// The account with this API key.
    pub fn account(&self, key: &str) -> Option<&Arc<Account>> {
        self.by_key.get(key)
    }

    /// Every account, in configuration order.
    pub fn accounts(&self) -> &[Arc<Account>] {
        &self.accounts
    }

    /// Restores every account to its seed: balance, no orders, empty ledger and delivery
    /// log; timers armed before the reset do nothing.
    pub fn reset(&self) {
        for a in &self.accounts {
            let mut book = lock(&a.book);
            let generation = book.generation + 1;
            *book = Book::new(a.config.saldo, generation);
            lock(&a.sent).clear();
        }
    }

    fn next_trxid(&self) -> String {
        self.trx.fetch_add(1, Ordering::Relaxed).to_string()
    }

    /// createTransaction.
    pub fn create(
        &self,
        acct: &Arc<Account>,
        req: &CreateTransactionRequest,
    ) -> Result<CreateTransactionResponse, Failure> {
        let mut book = lock(&acct.book);
        let saldo = book.balance;
        let refuse = |msg: String| Failure::new(200, msg).refid(&req.refid).saldo(saldo);
        if let Err(e) = validate_refid(&req.refid) {
            // A malformed parameter, like a missing one, is a 400 (the OpenAPI document gives
            // refid its pattern); refusals of well-formed orders below stay 200.
            let mut f = refuse(format!("Transaksi gagal: refid tidak valid ({e})"));
            f.status = 400;
            return Err(f);
        }
        if book.index.contains_key(&req.refid) {
            return Err(refuse(format!(
                "Transaksi gagal: refid {} sudah digunakan",
                req.refid
            )));
        }
        let code = req.kode_produk.trim();
        let Some(item) = catalog::find(code) else {
            return Err(refuse(format!("Transaksi gagal: produk {code} tidak ditemukan")));
        };
        if item.stock <= 0 {
            return Err(refuse(format!("Transaksi gagal: stok produk {code} kosong")));
        }
        let phone = match normalize_phone(&req.nomor_tujuan) {
            Ok(p) => p,
            Err(_) => {
                return Err(refuse(format!(
                    "Transaksi gagal: nomor tujuan {:?} tidak valid",
                    req.nomor_tujuan
                )))
            }
        };
        let harga = self.markup.apply(item.base_price);
        if saldo < harga {
            return Err(refuse(format!(
                "Transaksi gagal: saldo tidak cukup (saldo {saldo}, harga {harga})"
            )));
        }
        let scenario = Scenario::for_number(&phone.number);
        if scenario == Scenario::SupplierRejects {
            return Err(refuse(
                "Transaksi gagal: ditolak supplier (nomor tujuan tidak dapat diisi)".into(),
            ));
        }
        let now = clock::now();
        let trxid = self.next_trxid();
        let (status, message, note, charged) = match scenario {
            Scenario::SuccessNow => (
                TxStatus::Success,
                "Transaksi sukses.".to_owned(),
                serial_note(&trxid),
                true,
            ),
            Scenario::StaysUnpaid => (
                TxStatus::Unpaid,
                "Pesanan diterima, menunggu pembayaran.".to_owned(),
                "Belum dibayar".to_owned(),
                false,
            ),
            _ => (
                TxStatus::Pending,
                "Pesanan diterima, sedang diproses.".to_owned(),
                "Menunggu respon supplier".to_owned(),
                true,
            ),
        };
        if charged {
            book.balance -= harga;
            book.charged += harga;
        }
        let order = Order {
            refid: req.refid.clone(),
            supplier_trxid: trxid.clone(),
            kode_produk: item.code.to_owned(),
            nomor_tujuan: phone.number,
            harga,
            status: status.clone(),
            message: message.clone(),
            note,
            created_at: now.clone(),
            updated_at: now,
            scenario,
            charged,
        };
        book.check();
        acct.notify(&order, "create");
        let pending = !status.is_final();
        let at = book.orders.len();
        book.index.insert(order.refid.clone(), at);
        book.orders.push(order);
        let settle = match scenario {
            Scenario::PendingThenSuccess => Some(Settle::Success),
            Scenario::PendingThenFailed => Some(Settle::Failed),
            _ => None,
        };
        if let Some(outcome) = settle {
            self.arm(acct.clone(), req.refid.clone(), book.generation, outcome);
        }
        Ok(CreateTransactionResponse {
            success: true,
            pending,
            message,
            refid: req.refid.clone(),
            supplier_trxid: Some(trxid),
            saldo_awal: saldo,
            saldo_akhir: book.balance,
            extra: Default::default(),
        })
    }

    fn arm(&self, acct: Arc<Account>, refid: String, generation: u64, outcome: Settle) {
        let delay = self.settle;
        let mut shutdown = self.shutdown.clone();
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            return;
        };
        handle.spawn(async move {
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = shutdown.changed() => return,
            }
            settle(&acct, &refid, generation, outcome);
        });
    }

    /// checkTransaction: the order's current state.
    pub fn check(&self, acct: &Account, refid: &str) -> Option<CheckTransactionResponse> {
        let book = lock(&acct.book);
        let i = *book.index.get(refid)?;
        Some(book.orders[i].check_body(&acct.config.kodereseller))
    }

    /// getHistory: newest first, paged, optionally one status.
    pub fn history(&self, acct: &Account, req: &GetHistoryRequest) -> GetHistoryResponse {
        let page = req.page.unwrap_or(1).max(1);
        let limit = req.limit.unwrap_or(10).clamp(1, 100);
        let book = lock(&acct.book);
        let data = book
            .orders
            .iter()
            .rev()
            .filter(|o| req.status.as_ref().is_none_or(|s| *s == o.status))
            .skip((page as usize - 1).saturating_mul(limit as usize))
            .take(limit as usize)
            .map(Order::history_entry)
            .collect();
        GetHistoryResponse {
            success: true,
            page,
            limit,
            data,
            extra: Default::default(),
        }
    }

    /// getStatistik: count and total per status, and the balance.
    pub fn statistik(&self, acct: &Account) -> GetStatistikResponse {
        let book = lock(&acct.book);
        let mut summary = Summary::default();
        for o in &book.orders {
            let s = match o.status {
                TxStatus::Success => &mut summary.success,
                TxStatus::Failed => &mut summary.failed,
                TxStatus::Pending => &mut summary.pending,
                TxStatus::Unpaid => &mut summary.unpaid,
                TxStatus::Unknown(_) => continue,
            };
            s.count += 1;
            s.total += o.harga;
        }
        GetStatistikResponse {
            success: true,
            saldo: book.balance,
            summary,
            extra: Default::default(),
        }
    }

    /// The current balance.
    pub fn balance(&self, acct: &Account) -> i64 {
        lock(&acct.book).balance
    }

    /// The order's webhook payload, if the order exists.
    pub fn webhook_payload(&self, acct: &Account, refid: &str) -> Option<serde_json::Value> {
        self.check(acct, refid).and_then(|b| serde_json::to_value(b).ok())
    }

    /// Everything about one account, for `GET /__sandbox/state`.
    pub fn state(&self, acct: &Account) -> serde_json::Value {
        let book = lock(&acct.book);
        let sent = lock(&acct.sent).clone();
        serde_json::json!({
            "name": acct.config.name,
            "kodereseller": acct.config.kodereseller,
            "active": acct.config.active,
            "verif": acct.config.verif,
            "balance": book.balance,
            "ledger": book.ledger(),
            "orders": book.orders,
            "webhook_url": acct.webhook_url,
            "webhooks_sent": sent,
        })
    }
}

fn serial_note(trxid: &str) -> String {
    format!("SN: 8{trxid:0>15}")
}

fn settle(acct: &Account, refid: &str, generation: u64, outcome: Settle) {
    let mut book = lock(&acct.book);
    if book.generation != generation {
        return;
    }
    let Some(&i) = book.index.get(refid) else { return };
    if book.orders[i].status != TxStatus::Pending {
        return;
    }
    let now = clock::now();
    let refund = {
        let o = &mut book.orders[i];
        o.updated_at = now;
        match outcome {
            Settle::Success => {
                o.status = TxStatus::Success;
                o.message = format!("SUKSES. {} berhasil diisi ke {}", o.kode_produk, o.nomor_tujuan);
                o.note = serial_note(&o.supplier_trxid);
                0
            }
            Settle::Failed => {
                o.status = TxStatus::Failed;
                o.message = "GAGAL. Saldo dikembalikan.".to_owned();
                o.note = "Gagal dari supplier: nomor tujuan tidak dapat diisi".to_owned();
                if o.charged {
                    o.harga
                } else {
                    0
                }
            }
        }
    };
    book.balance += refund;
    book.refunded += refund;
    book.check();
    let order = book.orders[i].clone();
    acct.notify(&order, "status");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenarios() {
        assert_eq!(Scenario::for_number("081234561111"), Scenario::SuccessNow);
        assert_eq!(Scenario::for_number("081234562222"), Scenario::PendingThenSuccess);
        assert_eq!(Scenario::for_number("081234563333"), Scenario::PendingThenFailed);
        assert_eq!(Scenario::for_number("081234564444"), Scenario::SupplierRejects);
        assert_eq!(Scenario::for_number("081234565555"), Scenario::StaysPending);
        assert_eq!(Scenario::for_number("081234566666"), Scenario::StaysUnpaid);
        assert_eq!(Scenario::for_number("081234567890"), Scenario::PendingThenSuccess);
    }
}

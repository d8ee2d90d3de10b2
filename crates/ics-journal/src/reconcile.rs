//! The background reconciler: every order not final (admitted and never answered,
//! `maybe_committed`, pending, unpaid, unknown, a re-send under way) is checked by refid,
//! with backoff per order, until it is final.
//!
//! Claims are leases in the database (`lease_owner`, `lease_until`), taken on PostgreSQL
//! with `FOR UPDATE SKIP LOCKED`, so one order is handled by one instance at a time; all
//! state lives in the database, so a restarted reconciler picks up where the last stopped.
//!
//! The rules are the core's [`ics_reseller::Reconciler`]'s: only an explicit 404 for an
//! order never acknowledged allows a re-send, under the SAME refid, at most `max_resends`
//! times (written ahead: the `resending` state and count are committed before the send); a
//! refusal of a re-send is confirmed by one more check (found: it landed after all; 404:
//! the refusal stands, `rejected`); a 404 with no re-send left is `not_placed`. A 404 means
//! anything only once the last send is `forward_grace_ms` old: before that it is
//! inconclusive (checked again with backoff), so a send still on its way (a slow upstream)
//! is neither sent a second time nor called not placed before it lands.
//!
//! A re-send must still fit the order's price bound (what the spend cap reserved and the
//! customer authorised): before writing it ahead, the reconciler reads the product's live
//! price ([`Upstream::price`]). Above the bound, or the product no longer orderable: no
//! re-send, the order is final `not_placed` with `last_error` `price_above_bound` or
//! `product_unavailable` (its bound leaves the cap, as for every refusal). A failed lookup
//! proves nothing: the order is checked again later.

use crate::journal::{now_ms, Change, Journal, JournalError, OrderRecord, OrderState, COLS};
use crate::upstream::Upstream;
use ics_reseller::{CreateTransactionRequest, Error};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

/// How a reconciler runs.
#[derive(Clone, Debug)]
pub struct ReconcilerConfig {
    /// This instance's name, stored as the lease owner and as `settled_by`.
    pub owner: String,
    /// How long a claim lasts (ms); longer than one check, one price lookup and one re-send.
    pub lease_ms: i64,
    /// Most orders claimed at once (handled concurrently).
    pub batch: i64,
    /// Sleep when nothing is due.
    pub poll: Duration,
    /// Re-sends allowed per order after a 404 (the core's default is 1; 0 never re-sends).
    pub max_resends: i64,
}

impl Default for ReconcilerConfig {
    fn default() -> Self {
        ReconcilerConfig {
            owner: format!("reconciler-{}", std::process::id()),
            lease_ms: 60_000,
            batch: 32,
            poll: Duration::from_millis(500),
            max_resends: ics_reseller::ReconcilePolicy::default().max_resends.into(),
        }
    }
}

/// Settles open orders through an [`Upstream`].
#[derive(Clone)]
pub struct Reconciler {
    journal: Journal,
    upstream: Arc<dyn Upstream>,
    config: Arc<ReconcilerConfig>,
}

/// Stops a spawned loop.
#[derive(Debug)]
pub struct StopHandle {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl StopHandle {
    /// Asks the loop to stop and waits for it (the batch under way finishes first).
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }

    /// Runs `pass` until stopped, sleeping `poll` after a pass that did nothing; a failed
    /// pass is logged as `what` and counts as nothing done.
    pub(crate) fn spawn<F, Fut>(what: &'static str, mut pass: F, poll: Duration) -> StopHandle
    where
        F: FnMut() -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Result<usize, JournalError>> + Send,
    {
        let (stop, mut stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            while !*stopped.borrow() {
                let done = pass().await.unwrap_or_else(|e| {
                    tracing::warn!(error = %e, "{what} failed");
                    0
                });
                if done == 0 {
                    tokio::select! {
                        _ = tokio::time::sleep(poll) => {}
                        _ = stopped.changed() => {}
                    }
                }
            }
        });
        StopHandle { stop, task }
    }
}

impl Reconciler {
    /// A reconciler over this journal and upstream.
    pub fn new(journal: Journal, upstream: Arc<dyn Upstream>, config: ReconcilerConfig) -> Reconciler {
        Reconciler {
            journal,
            upstream,
            config: Arc::new(config),
        }
    }

    /// Runs [`Reconciler::run_once`] in a loop on a tokio task until stopped.
    pub fn spawn(self) -> StopHandle {
        let poll = self.config.poll;
        StopHandle::spawn(
            "reconciler pass",
            move || {
                let me = self.clone();
                async move { me.run_once(now_ms()).await }
            },
            poll,
        )
    }

    /// Claims the orders due at `now` and settles each one step; returns how many.
    pub async fn run_once(&self, now: i64) -> Result<usize, JournalError> {
        let claimed = self.claim(now).await?;
        let n = claimed.len();
        let mut set = JoinSet::new();
        for order in claimed {
            let me = self.clone();
            set.spawn(async move {
                let refid = order.refid.clone();
                if let Err(e) = me.handle(order).await {
                    tracing::warn!(refid, error = %e, "reconciling an order failed");
                }
            });
        }
        while set.join_next().await.is_some() {}
        Ok(n)
    }

    async fn claim(&self, now: i64) -> Result<Vec<OrderRecord>, JournalError> {
        let lock = self
            .journal
            .for_update()
            .replace("FOR UPDATE", "FOR UPDATE SKIP LOCKED");
        let sql = format!(
            "UPDATE journal_orders SET lease_owner = $1, lease_until = $2 WHERE refid IN \
             (SELECT refid FROM journal_orders WHERE is_final = 0 AND next_check_at <= $3 \
              AND (lease_until IS NULL OR lease_until <= $3) ORDER BY next_check_at LIMIT $4{lock}) \
             RETURNING {COLS}"
        );
        let rows = sqlx::query(&sql)
            .bind(&self.config.owner)
            .bind(now + self.config.lease_ms)
            .bind(now)
            .bind(self.config.batch.max(1))
            .fetch_all(self.journal.pool())
            .await?;
        Ok(rows.iter().map(OrderRecord::from_row).collect::<Result<_, _>>()?)
    }

    async fn handle(&self, order: OrderRecord) -> Result<(), JournalError> {
        let owner = self.config.owner.as_str();
        match self.upstream.check(&order.refid).await {
            Ok(found) if found.refid == order.refid => {
                self.journal
                    .record_check_by(&order.refid, &found, now_ms(), Some(owner))
                    .await?;
            }
            Ok(_) => self.inconclusive(&order, "mismatch").await?,
            // A send may still be landing: a 404 so soon after it proves nothing, neither a
            // verdict nor leave to re-send (before the first re-send too: a webhook or a
            // fast backoff can bring the check inside the first send's grace).
            Err(Error::NotFound { .. })
                if !order.acked && now_ms() - order.sent_at < self.journal.options().forward_grace_ms =>
            {
                self.inconclusive(&order, "not_found_early").await?
            }
            Err(Error::NotFound { .. }) if !order.acked => {
                if order.state == OrderState::ResendRefused {
                    self.finish(&order, OrderState::Rejected, ("not_found", ""))
                        .await?;
                } else if order.resends < self.config.max_resends {
                    // The re-send must fit the bound reserved at admission.
                    match self.upstream.price(&order.product).await {
                        Ok(Some(p)) if p <= order.price_bound => {}
                        Ok(Some(p)) => {
                            let why = format!(
                                "not re-sent: the live price {p} is above the order's bound {}",
                                order.price_bound
                            );
                            let reason = ("price_above_bound", why.as_str());
                            return self.finish(&order, OrderState::NotPlaced, reason).await;
                        }
                        Ok(None) => {
                            let why = format!("not re-sent: {} is not available to order", order.product);
                            let reason = ("product_unavailable", why.as_str());
                            return self.finish(&order, OrderState::NotPlaced, reason).await;
                        }
                        Err(e) => {
                            let code = format!("price_{}", e.code().as_str());
                            return self.inconclusive(&order, &code).await;
                        }
                    }
                    if self.mark_resending(&order).await? {
                        let req = CreateTransactionRequest {
                            kode_produk: order.product.clone(),
                            nomor_tujuan: order.number.clone(),
                            refid: order.refid.clone(),
                        };
                        let answer = self.upstream.create(&req).await;
                        self.journal
                            .record_answer_by(&order.refid, &answer, now_ms(), Some(owner))
                            .await?;
                    }
                } else {
                    self.finish(&order, OrderState::NotPlaced, ("not_found", ""))
                        .await?;
                }
            }
            // An order once acknowledged that reads 404 is an upstream hiccup, not a fact.
            Err(e) => self.inconclusive(&order, e.code().as_str()).await?,
        }
        Ok(())
    }

    async fn inconclusive(&self, order: &OrderRecord, code: &str) -> Result<(), JournalError> {
        let now = now_ms();
        sqlx::query(
            "UPDATE journal_orders SET checks = checks + 1, last_error = $1, next_check_at = $2, \
             lease_owner = NULL, lease_until = NULL, updated_at = $3 \
             WHERE refid = $4 AND lease_owner = $5 AND is_final = 0",
        )
        .bind(code)
        .bind(now + self.journal.backoff_ms(order.checks + 1))
        .bind(now)
        .bind(&order.refid)
        .bind(&self.config.owner)
        .execute(self.journal.pool())
        .await?;
        Ok(())
    }

    /// Writes the re-send ahead: only the lease holder, only while re-sends are left.
    async fn mark_resending(&self, order: &OrderRecord) -> Result<bool, JournalError> {
        let now = now_ms();
        let done = sqlx::query(
            "UPDATE journal_orders SET state = $1, resends = resends + 1, checks = checks + 1, \
             next_check_at = $2, updated_at = $3, sent_at = $3 \
             WHERE refid = $4 AND lease_owner = $5 AND is_final = 0 AND resends < $6",
        )
        .bind(OrderState::Resending.as_str())
        .bind(now + self.journal.options().forward_grace_ms)
        .bind(now)
        .bind(&order.refid)
        .bind(&self.config.owner)
        .bind(self.config.max_resends)
        .execute(self.journal.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Makes a 404 order final as `state`, with `reason`: the code kept as `last_error` and,
    /// when not empty, a message saying why.
    async fn finish(
        &self,
        order: &OrderRecord,
        state: OrderState,
        reason: (&str, &str),
    ) -> Result<(), JournalError> {
        let now = now_ms();
        let mut tx = self.journal.pool().begin().await?;
        let cur = self.journal.lock_order(&mut tx, &order.refid).await?;
        // Changed since the claim (a webhook confirmed it meanwhile): the 404 is stale.
        if cur.state.is_final() || cur.acked || cur.state != order.state {
            tx.commit().await?;
            return Ok(());
        }
        let change = Change {
            state: Some(state),
            last_error: Some(reason.0),
            message: Some(reason.1).filter(|m| !m.is_empty()),
            count_check: true,
            next_check_at: now,
            settled_by: Some(&self.config.owner),
            ..Change::default()
        };
        self.journal.apply(&mut tx, &cur, &change, now).await?;
        tx.commit().await?;
        Ok(())
    }
}

//! Webhook intake. The upstream's webhooks are unsigned, so a body is only a hint that an
//! order changed: its refid is looked up in the journal, the order is confirmed with
//! checkTransaction, and only the upstream's answer is recorded. Duplicates and reordered
//! deliveries change nothing (final states never change; a check reads the current state),
//! and a forged body (say, success for a failed order) is never believed.

use crate::journal::{now_ms, Journal, JournalError, OrderState};
use crate::upstream::Upstream;
use ics_reseller::{parse_webhook, validate::validate_refid, Error};

/// What the intake did with one webhook.
#[derive(Clone, Debug, PartialEq)]
pub enum WebhookOutcome {
    /// Confirmed by checkTransaction and recorded; `claimed` is what the body said.
    Recorded {
        /// The order.
        refid: String,
        /// The status the body claimed.
        claimed: String,
        /// The state recorded from the upstream's own answer.
        state: OrderState,
    },
    /// The order is already final: nothing to check, nothing changes.
    AlreadyFinal {
        /// The order.
        refid: String,
        /// Its final state.
        state: OrderState,
    },
    /// No journalled order has this refid: ignored (no upstream call on a stranger's word).
    UnknownOrder {
        /// The refid the body named.
        refid: String,
    },
    /// The check failed; the order was made due (not before the last send's grace is over)
    /// so the reconciler settles it.
    Deferred {
        /// The order.
        refid: String,
        /// Why the check failed.
        error: Error,
    },
}

/// Takes a webhook body: parse (the core's parser), look up, confirm, record.
/// Answer the upstream 2xx for every outcome but a parse error.
pub async fn intake(
    journal: &Journal,
    upstream: &dyn Upstream,
    body: &[u8],
) -> Result<WebhookOutcome, WebhookError> {
    let hint = parse_webhook(body).map_err(WebhookError::Invalid)?;
    let refid = hint.refid.clone();
    validate_refid(&refid).map_err(WebhookError::Invalid)?;
    let Some(order) = journal.order(&refid).await.map_err(WebhookError::Journal)? else {
        return Ok(WebhookOutcome::UnknownOrder { refid });
    };
    if order.state.is_final() {
        return Ok(WebhookOutcome::AlreadyFinal {
            refid,
            state: order.state,
        });
    }
    match upstream.check(&refid).await {
        Ok(found) if found.refid == refid => {
            let state = journal
                .record_check(&refid, &found, now_ms())
                .await
                .map_err(WebhookError::Journal)?;
            Ok(WebhookOutcome::Recorded {
                refid,
                claimed: hint.status.as_str().to_owned(),
                state,
            })
        }
        Ok(other) => Ok(WebhookOutcome::Deferred {
            refid,
            error: Error::decode(
                200,
                format!("checkTransaction answered for refid {:?}", other.refid),
                String::new(),
            ),
        }),
        Err(error) => {
            // Make it due soon: the reconciler (with its backoff) takes over. Never before the
            // last send's grace is over (a stranger's body must not hurry a re-send of an
            // order still in flight), and never later than it was due already.
            let due = now_ms().max(order.sent_at + journal.options().forward_grace_ms);
            sqlx::query(
                "UPDATE journal_orders SET next_check_at = $1 \
                 WHERE refid = $2 AND is_final = 0 AND sent_at = $3 AND next_check_at > $1",
            )
            .bind(due)
            .bind(&refid)
            .bind(order.sent_at)
            .execute(journal.pool())
            .await
            .map_err(|e| WebhookError::Journal(e.into()))?;
            Ok(WebhookOutcome::Deferred { refid, error })
        }
    }
}

/// A webhook that could not be taken.
#[derive(Debug)]
pub enum WebhookError {
    /// The body is not an order status (answer 400).
    Invalid(Error),
    /// The journal failed (answer 503; the upstream will retry).
    Journal(JournalError),
}

impl std::fmt::Display for WebhookError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WebhookError::Invalid(e) => write!(f, "webhook body: {e}"),
            WebhookError::Journal(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for WebhookError {}

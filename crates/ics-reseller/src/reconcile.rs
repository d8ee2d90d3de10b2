//! Order reconciliation (API.md rule 7) as a pure state machine.
//!
//! An order's `refid` is its idempotency key. When `createTransaction` ends without a
//! readable answer (timeout, dropped connection, 5xx, unreadable body), the order may or may
//! not exist: the [`Reconciler`] then asks for `checkTransaction` with the same refid, and
//! only an explicit 404 lets it re-send the same order. When it cannot tell, it gives up
//! with [`Error::MaybeCommitted`].
//!
//! Behind ics-gateway, a send may be answered 409 `order_in_flight` ([`Error::in_flight`]):
//! the gateway's last send of the refid may still be landing upstream, so it forwarded
//! nothing. That is no refusal (the order may yet exist) and no leave to re-send (the
//! gateway settles the order itself): the reconciler only checks from then on, and gives
//! up with [`Error::MaybeCommitted`] (its cause the `order_in_flight` answer) when the
//! checks never find the order. The transport drives it:
//!
//! ```text
//! let mut r = Reconciler::new(refid, ReconcilePolicy::default());
//! let mut step = r.on_submit(send_create().await);
//! loop { step = match step {
//!     Step::Check { after_ms } => { sleep(after_ms).await; r.on_check(send_check().await) }
//!     Step::Resend => r.on_submit(send_create().await),
//!     Step::Done(result) => return result,
//! } }
//! ```

use crate::error::Error;
use crate::types::{CheckTransactionResponse, CreateTransactionResponse};

/// How long to keep asking before giving up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReconcilePolicy {
    /// checkTransaction calls made before giving up with `maybe_committed`.
    pub max_checks: u32,
    /// Times the same order may be re-sent after a 404.
    pub max_resends: u32,
    /// Wait before the first check, in milliseconds; doubles after each inconclusive check.
    pub first_check_delay_ms: u64,
    /// Upper bound of one wait, in milliseconds.
    pub max_check_delay_ms: u64,
}

impl Default for ReconcilePolicy {
    fn default() -> Self {
        ReconcilePolicy {
            max_checks: 5,
            max_resends: 1,
            first_check_delay_ms: 250,
            max_check_delay_ms: 4_000,
        }
    }
}

/// What an order call finally returned.
#[derive(Clone, Debug, PartialEq)]
pub enum Placed {
    /// createTransaction answered: the order was accepted.
    Accepted(Box<CreateTransactionResponse>),
    /// createTransaction's answer was lost, but checkTransaction found the order.
    Found(Box<CheckTransactionResponse>),
}

impl Placed {
    /// The order's refid.
    pub fn refid(&self) -> &str {
        match self {
            Placed::Accepted(r) => &r.refid,
            Placed::Found(r) => &r.refid,
        }
    }
}

/// The next thing the transport must do.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// Wait `after_ms`, then call checkTransaction with the same refid and pass the result
    /// to [`Reconciler::on_check`].
    Check {
        /// Milliseconds to wait first.
        after_ms: u64,
    },
    /// Send the same createTransaction again (same refid) and pass the result to
    /// [`Reconciler::on_submit`]. Only ever after an explicit 404.
    Resend,
    /// Finished: the order exists, or it certainly does not (with why), or `maybe_committed`.
    Done(Result<Placed, Error>),
}

/// The reconciliation state of one order.
#[derive(Clone, Debug)]
pub struct Reconciler {
    refid: String,
    policy: ReconcilePolicy,
    checks: u32,
    resends: u32,
    /// The error that made the outcome unknown, kept for `maybe_committed`.
    cause: Option<Error>,
    /// A refusal received after a re-send, waiting for a check to confirm.
    refused_after_resend: Option<Error>,
    /// The gateway answered `order_in_flight`: no re-send from now on, only checks.
    in_flight: bool,
}

impl Reconciler {
    /// Starts reconciling the order `refid`.
    pub fn new(refid: impl Into<String>, policy: ReconcilePolicy) -> Reconciler {
        Reconciler {
            refid: refid.into(),
            policy,
            checks: 0,
            resends: 0,
            cause: None,
            refused_after_resend: None,
            in_flight: false,
        }
    }

    /// The order's refid.
    pub fn refid(&self) -> &str {
        &self.refid
    }

    /// checkTransaction calls asked for so far.
    pub fn checks(&self) -> u32 {
        self.checks
    }

    /// Re-sends asked for so far.
    pub fn resends(&self) -> u32 {
        self.resends
    }

    fn give_up(&mut self, last: Error) -> Step {
        let cause = self.cause.take().unwrap_or(last);
        Step::Done(Err(Error::MaybeCommitted {
            refid: self.refid.clone(),
            cause: Box::new(cause),
        }))
    }

    fn check_next(&mut self) -> Step {
        if self.checks >= self.policy.max_checks {
            let last = self.cause.clone().unwrap_or(Error::Network {
                message: "no answer".into(),
            });
            return self.give_up(last);
        }
        let shift = self.checks.min(20);
        self.checks += 1;
        let after_ms = self
            .policy
            .first_check_delay_ms
            .saturating_mul(1 << shift)
            .min(self.policy.max_check_delay_ms);
        Step::Check { after_ms }
    }

    /// The caller gave up (aborted) while the order's outcome was still open: the order was
    /// sent, so it may exist. Always [`Error::MaybeCommitted`], keeping the first unknown
    /// outcome as the cause (or [`Error::Aborted`] when there was none).
    pub fn abort(&mut self) -> Error {
        let cause = self.cause.take().unwrap_or(Error::Aborted);
        Error::MaybeCommitted {
            refid: self.refid.clone(),
            cause: Box::new(cause),
        }
    }

    /// Feeds the result of a createTransaction call (the first one or a re-send).
    pub fn on_submit(&mut self, result: Result<CreateTransactionResponse, Error>) -> Step {
        match result {
            Ok(resp) => Step::Done(Ok(Placed::Accepted(Box::new(resp)))),
            Err(e) if e.outcome_unknown() => {
                self.in_flight |= e.in_flight();
                self.cause = Some(e);
                self.check_next()
            }
            Err(e) if self.resends > 0 => {
                // A refusal after a re-send may mean the first send landed after all (a
                // duplicate refid): confirm with one more check before reporting it.
                self.refused_after_resend = Some(e);
                self.check_next()
            }
            // A definite answer: the order was not placed (rejected, 401, 403, bad input).
            Err(e) => Step::Done(Err(e)),
        }
    }

    /// Feeds the result of a checkTransaction call.
    pub fn on_check(&mut self, result: Result<CheckTransactionResponse, Error>) -> Step {
        match result {
            Ok(found) => Step::Done(Ok(Placed::Found(Box::new(found)))),
            Err(Error::NotFound { .. }) => {
                if let Some(refusal) = self.refused_after_resend.take() {
                    return Step::Done(Err(refusal));
                }
                if self.in_flight {
                    // The gateway holds a send that may still land: a 404 now proves nothing.
                    return self.check_next();
                }
                if self.resends < self.policy.max_resends {
                    self.resends += 1;
                    self.cause = None;
                    Step::Resend
                } else {
                    let last = Error::NotFound { message: None };
                    self.give_up(last)
                }
            }
            Err(e) if e.retryable() || e.outcome_unknown() => {
                if self.cause.is_none() {
                    self.cause = Some(e);
                }
                self.check_next()
            }
            // 401, 403, a rejection: checking cannot tell us more.
            Err(e) => self.give_up(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{ErrorBody, TxStatus};

    fn accepted() -> CreateTransactionResponse {
        CreateTransactionResponse {
            success: true,
            pending: true,
            message: "ok".into(),
            refid: "R1".into(),
            supplier_trxid: None,
            saldo_awal: 10,
            saldo_akhir: 5,
            extra: Default::default(),
        }
    }

    fn found(status: TxStatus) -> CheckTransactionResponse {
        CheckTransactionResponse {
            success: true,
            status,
            refid: "R1".into(),
            supplier_trxid: None,
            kode_produk: "XLA10".into(),
            nomor_tujuan: "081234567890".into(),
            harga: 5,
            kodereseller: "RS1".into(),
            message: None,
            note: None,
            updated_at: "2025-12-05 12:00:00".into(),
            extra: Default::default(),
        }
    }

    fn timeout() -> Error {
        Error::Timeout { after_ms: 100 }
    }
    fn not_found() -> Error {
        Error::NotFound { message: None }
    }
    fn rejected() -> Error {
        Error::Rejected {
            status: 200,
            body: Box::new(ErrorBody {
                refid: Some("R1".into()),
                saldo_awal: Some(1),
                saldo_akhir: Some(1),
                ..ErrorBody::from_text("Saldo tidak cukup".into())
            }),
            retry_after_ms: None,
        }
    }

    fn policy() -> ReconcilePolicy {
        ReconcilePolicy {
            max_checks: 3,
            max_resends: 1,
            first_check_delay_ms: 10,
            max_check_delay_ms: 25,
        }
    }

    /// Feeds a script of transport results and returns the steps asked for.
    enum Feed {
        Submit(Result<CreateTransactionResponse, Error>),
        Check(Result<CheckTransactionResponse, Error>),
    }

    fn run(script: Vec<Feed>) -> Vec<Step> {
        let mut r = Reconciler::new("R1", policy());
        script
            .into_iter()
            .map(|f| match f {
                Feed::Submit(x) => r.on_submit(x),
                Feed::Check(x) => r.on_check(x),
            })
            .collect()
    }

    fn is_done_ok(s: &Step) -> bool {
        matches!(s, Step::Done(Ok(_)))
    }
    fn is_maybe(s: &Step) -> bool {
        matches!(s, Step::Done(Err(Error::MaybeCommitted { refid, .. })) if refid == "R1")
    }
    use Feed::*;

    #[test]
    fn accepted_at_once() {
        let s = run(vec![Submit(Ok(accepted()))]);
        assert!(matches!(&s[0], Step::Done(Ok(Placed::Accepted(_)))));
    }

    #[test]
    fn rejected_is_final_and_not_resent() {
        let s = run(vec![Submit(Err(rejected()))]);
        assert!(matches!(&s[0], Step::Done(Err(Error::Rejected { .. }))));
        let s = run(vec![Submit(Err(Error::Unauthorized { message: None }))]);
        assert!(matches!(&s[0], Step::Done(Err(Error::Unauthorized { .. }))));
    }

    #[test]
    fn timeout_then_found_in_every_status() {
        for st in [
            TxStatus::Success,
            TxStatus::Pending,
            TxStatus::Failed,
            TxStatus::Unpaid,
            TxStatus::Unknown("x".into()),
        ] {
            let s = run(vec![Submit(Err(timeout())), Check(Ok(found(st.clone())))]);
            assert_eq!(s[0], Step::Check { after_ms: 10 });
            assert!(matches!(&s[1], Step::Done(Ok(Placed::Found(f))) if f.status == st));
        }
    }

    #[test]
    fn every_unknown_outcome_leads_to_a_check() {
        let unknowns = [
            timeout(),
            Error::Network {
                message: "reset".into(),
            },
            Error::HttpStatus {
                status: 502,
                retry_after_ms: None,
                snippet: "<html>".into(),
            },
            Error::decode(200, "not JSON", "{"),
            Error::Aborted,
        ];
        for e in unknowns {
            let s = run(vec![Submit(Err(e.clone()))]);
            assert!(matches!(s[0], Step::Check { .. }), "{e:?}");
        }
    }

    #[test]
    fn not_found_allows_one_resend_of_the_same_order() {
        let s = run(vec![
            Submit(Err(timeout())),
            Check(Err(not_found())),
            Submit(Ok(accepted())),
        ]);
        assert_eq!(s[1], Step::Resend);
        assert!(is_done_ok(&s[2]));
    }

    #[test]
    fn second_not_found_after_resend_gives_up() {
        let s = run(vec![
            Submit(Err(timeout())),
            Check(Err(not_found())),
            Submit(Err(timeout())),
            Check(Err(not_found())),
        ]);
        assert_eq!(s[1], Step::Resend);
        assert!(matches!(s[2], Step::Check { .. }));
        assert!(is_maybe(&s[3]));
    }

    #[test]
    fn refusal_after_resend_is_confirmed_by_a_check() {
        // duplicate refid: the first send landed after all
        let s = run(vec![
            Submit(Err(timeout())),
            Check(Err(not_found())),
            Submit(Err(rejected())),
            Check(Ok(found(TxStatus::Pending))),
        ]);
        assert!(matches!(s[2], Step::Check { .. }));
        assert!(matches!(&s[3], Step::Done(Ok(Placed::Found(_)))));
        // a real refusal (e.g. balance): the check says 404, the refusal stands
        let s = run(vec![
            Submit(Err(timeout())),
            Check(Err(not_found())),
            Submit(Err(rejected())),
            Check(Err(not_found())),
        ]);
        assert!(matches!(&s[3], Step::Done(Err(Error::Rejected { .. }))));
    }

    /// The gateway's 409 `order_in_flight`, as the core decodes it.
    #[cfg(feature = "json")]
    fn in_flight() -> Error {
        crate::http::decode::<crate::actions::CreateTransaction>(
            409,
            Some("7"),
            br#"{"error":"this refid's last send may still be landing upstream","code":"order_in_flight"}"#,
        )
        .unwrap_err()
    }

    #[cfg(feature = "json")]
    #[test]
    fn in_flight_after_a_resend_is_no_refusal_and_no_leave_to_resend() {
        let e = in_flight();
        assert!(e.in_flight() && e.outcome_unknown(), "{e:?}");
        // Any other 409 (order_exists) is a refusal, as before.
        let exists = crate::http::decode::<crate::actions::CreateTransaction>(
            409,
            None,
            br#"{"error":"an order with this refid was already placed","code":"order_exists"}"#,
        )
        .unwrap_err();
        assert!(!exists.in_flight() && !exists.outcome_unknown(), "{exists:?}");
        // The first send lands while the client checks: found.
        let s = run(vec![
            Submit(Err(timeout())),
            Check(Err(not_found())),
            Submit(Err(in_flight())),
            Check(Err(not_found())),
            Check(Ok(found(TxStatus::Success))),
        ]);
        assert_eq!(s[1], Step::Resend);
        assert!(matches!(s[2], Step::Check { .. }), "{:?}", s[2]);
        assert!(
            matches!(s[3], Step::Check { .. }),
            "a 404 now is no verdict: {:?}",
            s[3]
        );
        assert!(matches!(&s[4], Step::Done(Ok(Placed::Found(_)))), "{:?}", s[4]);
        // It never lands within the checks: maybe committed, never a refusal, never a
        // second re-send (even with re-sends left).
        let mut r = Reconciler::new(
            "R1",
            ReconcilePolicy {
                max_resends: 3,
                ..policy()
            },
        );
        assert!(matches!(r.on_submit(Err(timeout())), Step::Check { .. }));
        assert_eq!(r.on_check(Err(not_found())), Step::Resend);
        let mut step = r.on_submit(Err(in_flight()));
        while let Step::Check { .. } = step {
            step = r.on_check(Err(not_found()));
        }
        assert_eq!(r.resends(), 1);
        match step {
            Step::Done(Err(Error::MaybeCommitted { refid, cause })) => {
                assert_eq!(refid, "R1");
                assert!(cause.in_flight(), "{cause:?}");
            }
            other => panic!("{other:?}"),
        }
        // A first send answered in flight (a twin request): checked, never re-sent.
        let s = run(vec![Submit(Err(in_flight())), Check(Err(not_found()))]);
        assert!(
            matches!(s[0], Step::Check { .. }) && matches!(s[1], Step::Check { .. }),
            "{s:?}"
        );
    }

    #[test]
    fn inconclusive_checks_back_off_then_give_up() {
        let s = run(vec![
            Submit(Err(timeout())),
            Check(Err(timeout())),
            Check(Err(Error::HttpStatus {
                status: 500,
                retry_after_ms: None,
                snippet: String::new(),
            })),
            Check(Err(Error::Network { message: "x".into() })),
        ]);
        assert_eq!(s[0], Step::Check { after_ms: 10 });
        assert_eq!(s[1], Step::Check { after_ms: 20 });
        assert_eq!(s[2], Step::Check { after_ms: 25 });
        assert!(is_maybe(&s[3]));
        if let Step::Done(Err(Error::MaybeCommitted { cause, .. })) = &s[3] {
            assert_eq!(**cause, timeout(), "keeps the first cause");
        }
    }

    #[test]
    fn abort_while_open_is_maybe_committed() {
        let mut r = Reconciler::new("R1", policy());
        assert!(matches!(r.on_submit(Err(timeout())), Step::Check { .. }));
        match r.abort() {
            Error::MaybeCommitted { refid, cause } => {
                assert_eq!(refid, "R1");
                assert_eq!(*cause, timeout());
            }
            other => panic!("{other:?}"),
        }
        let mut r = Reconciler::new("R1", policy());
        assert!(matches!(r.abort(), Error::MaybeCommitted { cause, .. } if *cause == Error::Aborted));
    }

    #[test]
    fn check_refused_for_auth_gives_up_as_maybe_committed() {
        let s = run(vec![
            Submit(Err(timeout())),
            Check(Err(Error::Forbidden { message: None })),
        ]);
        assert!(is_maybe(&s[1]));
    }

    #[test]
    fn never_resends_without_a_404() {
        // Exhaustive over short scripts: a Resend step only ever follows a NotFound check.
        let submits = [Ok(accepted()), Err(timeout()), Err(rejected())];
        let checks = [
            Ok(found(TxStatus::Pending)),
            Err(not_found()),
            Err(timeout()),
            Err(Error::Forbidden { message: None }),
        ];
        for a in &submits {
            for b in &checks {
                for c in &submits {
                    for d in &checks {
                        let mut r = Reconciler::new("R1", policy());
                        let mut last_check_404 = false;
                        let mut step = r.on_submit(a.clone());
                        let mut feeds = vec![b.clone(), d.clone()].into_iter();
                        let mut subs = vec![c.clone()].into_iter();
                        loop {
                            step = match step {
                                Step::Check { .. } => match feeds.next() {
                                    Some(x) => {
                                        last_check_404 = matches!(x, Err(Error::NotFound { .. }));
                                        r.on_check(x)
                                    }
                                    None => break,
                                },
                                Step::Resend => {
                                    assert!(last_check_404);
                                    match subs.next() {
                                        Some(x) => r.on_submit(x),
                                        None => break,
                                    }
                                }
                                Step::Done(_) => break,
                            };
                        }
                        assert!(r.resends() <= 1);
                    }
                }
            }
        }
    }
}

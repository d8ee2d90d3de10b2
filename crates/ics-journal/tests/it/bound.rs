//! A reconciler's re-send must fit the order's price bound (what the spend cap reserved and
//! the customer authorised). The sandbox's prices are fixed for its life (its markup is set
//! at start), so "the price rose since admission" is an order journalled with a bound under
//! XDA1's live price (3,000): the reconciler reads that live price from the real sandbox
//! over HTTP (`HttpUpstream::price`, listProducts), exactly as it would after a rise.

use crate::util::*;
use ics_journal::{now_ms, OrderState, Reconciler, ReconcilerConfig, Upstream};
use serde_json::json;
use std::time::Duration;

/// XDA1's `harga_final` in the sandbox (no markup).
const XDA1: i64 = 3_000;

/// Orders admitted and never forwarded (the process died before the send): after the
/// grace their check reads 404. Above the bound (or the product gone) no re-send is made
/// and the order is final `not_placed` with the reason, its bound released from the cap;
/// at the bound the re-send happens as before.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_resend_above_the_bound_is_refused_and_one_within_it_is_made() {
    for db in both() {
        let sb = sandbox().await;
        let up = upstream(&sb);
        assert_eq!(
            up.price("XDA1").await.unwrap(),
            Some(XDA1),
            "the sandbox's catalogue"
        );
        let j = open(&db).await;
        j.admit(new_order("P-above", "081200001111", XDA1 - 1), &roomy(), now_ms())
            .await
            .unwrap();
        j.admit(new_order("P-at", "081200011111", XDA1), &roomy(), now_ms())
            .await
            .unwrap();
        let mut gone = new_order("P-gone", "081200021111", 50_000);
        gone.product = "XDA999".into();
        j.admit(gone, &roomy(), now_ms()).await.unwrap();
        let limits = roomy();
        assert_eq!(
            j.spent_today(&limits, now_ms()).await.unwrap(),
            XDA1 - 1 + XDA1 + 50_000
        );

        let r = Reconciler::new(j.clone(), up.clone(), ReconcilerConfig::default());
        settle(&j, &r).await;

        let above = j.order("P-above").await.unwrap().unwrap();
        assert_eq!(
            (above.state, above.resends, above.acked),
            (OrderState::NotPlaced, 0, false),
            "{}: {above:?}",
            db.name
        );
        assert_eq!(
            above.last_error.as_deref(),
            Some("price_above_bound"),
            "{above:?}"
        );
        assert!(
            above
                .message
                .as_deref()
                .is_some_and(|m| m.contains("3000") && m.contains("2999")),
            "{above:?}"
        );
        let gone = j.order("P-gone").await.unwrap().unwrap();
        assert_eq!(
            (gone.state, gone.resends, gone.last_error.as_deref()),
            (OrderState::NotPlaced, 0, Some("product_unavailable")),
            "{}: {gone:?}",
            db.name
        );
        let at = j.order("P-at").await.unwrap().unwrap();
        assert_eq!(
            (at.state, at.resends, at.price),
            (OrderState::Success, 1, Some(XDA1)),
            "{}: {at:?}",
            db.name
        );

        // Upstream: only the order within its bound, charged once; journal = sandbox.
        let (orders, _, _) = sandbox_orders(&sb).await;
        assert!(!orders.contains_key("P-above") && !orders.contains_key("P-gone"));
        assert_matches_sandbox(&j, &sb, 3).await;
        // The refused orders' bounds left the cap; the delivered one's stays.
        assert_eq!(j.spent_today(&limits, now_ms()).await.unwrap(), XDA1);
        // The shop is told to refund them, once each.
        let events = j.events().await.unwrap();
        assert_eq!(events.len(), 3, "{events:?}");
        j.close().await;
        sb.shutdown().await;
    }
}

/// A price lookup that fails proves nothing: no re-send and no verdict, the order stays
/// open and is looked at again; once the lookup answers, the re-send goes out (once).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failed_price_lookup_leaves_the_order_open_until_it_answers() {
    for db in both() {
        let sb = sandbox().await;
        let up = upstream(&sb);
        let j = open(&db).await;
        let a = j
            .admit(new_order("P-lookup", "081200031111", XDA1), &roomy(), now_ms())
            .await
            .unwrap();
        let sent_at = j.order(&a.refid).await.unwrap().unwrap().sent_at;
        // Past the grace, so the check's 404 counts.
        while now_ms() <= sent_at + options().forward_grace_ms {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        arm(
            &sb,
            json!({"mode": "http502", "count": 1, "action": "listProducts"}),
        )
        .await;
        let r = Reconciler::new(j.clone(), up.clone(), ReconcilerConfig::default());
        assert_eq!(r.run_once(now_ms()).await.unwrap(), 1);
        let o = j.order("P-lookup").await.unwrap().unwrap();
        assert_eq!(
            (o.state, o.resends),
            (OrderState::Admitted, 0),
            "{}: {o:?}",
            db.name
        );
        assert!(
            o.last_error.as_deref().is_some_and(|e| e.starts_with("price_")),
            "{o:?}"
        );
        let (orders, _, _) = sandbox_orders(&sb).await;
        assert!(!orders.contains_key("P-lookup"), "{}: re-sent blind", db.name);

        settle(&j, &r).await;
        let o = j.order("P-lookup").await.unwrap().unwrap();
        assert_eq!(
            (o.state, o.resends),
            (OrderState::Success, 1),
            "{}: {o:?}",
            db.name
        );
        assert_matches_sandbox(&j, &sb, 1).await;
        j.close().await;
        sb.shutdown().await;
    }
}

//! Webhooks as hints: duplicated, reordered and forged bodies never make the journal say
//! what the upstream does not.

use crate::util::*;
use ics_journal::webhook::{intake, WebhookError, WebhookOutcome};
use ics_journal::OrderState;
use serde_json::json;
use std::time::Duration;

fn body(refid: &str, status: &str) -> Vec<u8> {
    json!({
        "refid": refid, "status": status, "kode_produk": "XDA1", "nomor_tujuan": "081200002222",
        "harga": 1, "kodereseller": "RS00001", "updated_at": "2026-01-01 00:00:00"
    })
    .to_string()
    .into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn webhooks_duplicated_reordered_forged_are_not_believed() {
    for db in both() {
        let sb = sandbox().await;
        let up = upstream(&sb);
        let j = open(&db).await;
        place(&j, &*up, new_order("W-ok", "081200002222", 5_000)).await;
        place(&j, &*up, new_order("W-fail", "081200003333", 5_000)).await;
        place(&j, &*up, new_order("W-open", "081200005555", 5_000)).await;
        for r in ["W-ok", "W-fail", "W-open"] {
            assert_eq!(j.order(r).await.unwrap().unwrap().state, OrderState::Pending);
        }
        // Let the sandbox settle (40 ms) and send its own webhooks: the three creates and
        // the two final statuses.
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let v = sandbox_json(&sb, "/__sandbox/webhooks").await;
            let n = v["deliveries"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["body"]["refid"].as_str().is_some_and(|r| r.starts_with("W-")))
                .count();
            if n >= 5 {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "webhooks never arrived: {v}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }

        // Forged: success claimed for the order that failed. The check says failed.
        let out = intake(&j, &*up, &body("W-fail", "success")).await.unwrap();
        assert_eq!(
            out,
            WebhookOutcome::Recorded {
                refid: "W-fail".into(),
                claimed: "success".into(),
                state: OrderState::Failed
            }
        );
        // Forged: success for an order that stays pending: still pending.
        let out = intake(&j, &*up, &body("W-open", "success")).await.unwrap();
        assert!(
            matches!(
                out,
                WebhookOutcome::Recorded {
                    state: OrderState::Pending,
                    ..
                }
            ),
            "{out:?}"
        );

        // The sandbox's real deliveries, newest first (reordered) and each twice.
        let v = sandbox_json(&sb, "/__sandbox/webhooks").await;
        let mut real: Vec<Vec<u8>> = v["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["body"]["refid"].as_str().is_some_and(|r| r.starts_with("W-")))
            .map(|d| d["body"].to_string().into_bytes())
            .collect();
        assert!(real.len() >= 5, "create + status webhooks arrived: {v}");
        real.reverse();
        for b in real.iter().chain(real.iter()) {
            intake(&j, &*up, b).await.unwrap();
        }
        assert_eq!(j.order("W-ok").await.unwrap().unwrap().state, OrderState::Success);
        assert_eq!(
            j.order("W-fail").await.unwrap().unwrap().state,
            OrderState::Failed
        );
        assert_eq!(
            j.order("W-open").await.unwrap().unwrap().state,
            OrderState::Pending
        );
        // A final order is never checked again, whatever the body says.
        let out = intake(&j, &*up, &body("W-fail", "success")).await.unwrap();
        assert_eq!(
            out,
            WebhookOutcome::AlreadyFinal {
                refid: "W-fail".into(),
                state: OrderState::Failed
            }
        );
        // A refid never journalled: ignored without asking upstream.
        let out = intake(&j, &*up, &body("W-stranger", "success")).await.unwrap();
        assert_eq!(
            out,
            WebhookOutcome::UnknownOrder {
                refid: "W-stranger".into()
            }
        );
        // Not an order status.
        for bad in [
            &b"{"[..],
            b"[]",
            b"{\"refid\":\"x\"}",
            b"{\"refid\":\"../x\",\"status\":\"success\"}",
        ] {
            assert!(matches!(
                intake(&j, &*up, bad).await,
                Err(WebhookError::Invalid(_))
            ));
        }
        // One event per final order, despite the duplicates.
        let events = j.events().await.unwrap();
        let ids: Vec<&str> = events.iter().map(|e| e.refid.as_str()).collect();
        assert_eq!(ids.len(), 2, "{ids:?}");
        j.close().await;
        sb.shutdown().await;
    }
}

/// An order admitted and on its way upstream (nothing answered yet): a webhook whose check
/// reads 404 does not make it due before the send's grace is over, and a reconciler that
/// looks at it anyway (due or not) reads the 404 as inconclusive — no re-send.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_webhook_for_an_order_in_flight_hurries_no_resend() {
    for db in both() {
        let sb = sandbox().await;
        let up = upstream(&sb);
        // A grace no loaded machine outlasts between the admission and the checks below.
        let grace = 120_000;
        let j = ics_journal::Journal::open_with(
            &db.url,
            ics_journal::JournalOptions {
                forward_grace_ms: grace,
                ..options()
            },
        )
        .await
        .unwrap();
        let a = j
            .admit(
                new_order("W-flight", "081200006666", 5_000),
                &roomy(),
                ics_journal::now_ms(),
            )
            .await
            .expect("admitted");
        let admitted = j.order(&a.refid).await.unwrap().unwrap();
        let out = intake(&j, &*up, &body("W-flight", "success")).await.unwrap();
        assert!(matches!(out, WebhookOutcome::Deferred { .. }), "{out:?}");
        let o = j.order("W-flight").await.unwrap().unwrap();
        assert!(
            o.next_check_at >= o.sent_at + grace,
            "{}: made due inside the grace: {o:?}",
            db.name
        );
        assert_eq!(o.next_check_at, admitted.next_check_at, "never made later");
        // A reconciler pass as if the order were due: its check reads 404 inside the grace.
        let r = ics_journal::Reconciler::new(j.clone(), up.clone(), ics_journal::ReconcilerConfig::default());
        let claimed = r.run_once(o.sent_at + grace).await.unwrap();
        assert_eq!(claimed, 1);
        let o = j.order("W-flight").await.unwrap().unwrap();
        assert_eq!(
            (o.state, o.resends),
            (OrderState::Admitted, 0),
            "{}: {o:?}",
            db.name
        );
        let (orders, _, _) = sandbox_orders(&sb).await;
        assert!(
            !orders.contains_key("W-flight"),
            "{}: sent by the reconciler",
            db.name
        );
        j.close().await;
        sb.shutdown().await;
    }
}

//! A "crash" at each point of an order (admitted but never forwarded; forwarded but the
//! answer never recorded; forwarded with the connection dropped after the commit and
//! nothing recorded), then a new Journal and reconciler over the same database: every
//! order ends final, none is placed twice, the sandbox's ledger matches the journal.

use crate::util::*;
use ics_journal::{now_ms, OrderState, Reconciler, ReconcilerConfig, Upstream};
use ics_reseller::CreateTransactionRequest;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn crashes_at_each_point_settle_after_restart() {
    for db in both() {
        let sb = sandbox().await;
        let up = upstream(&sb);
        let j = open(&db).await;
        let forward = |refid: String, number: String| CreateTransactionRequest {
            kode_produk: "XDA1".into(),
            nomor_tujuan: number,
            refid,
        };
        // A: written ahead, then the process died before forwarding.
        for i in 0..15 {
            j.admit(new_order(&format!("A{i}"), &number(i), 5_000), &roomy(), now_ms())
                .await
                .unwrap();
        }
        // B: forwarded and answered, but the process died before recording the answer.
        for i in 0..15 {
            let a = j
                .admit(new_order(&format!("B{i}"), &number(i), 5_000), &roomy(), now_ms())
                .await
                .unwrap();
            let _lost = up.create(&forward(a.refid, a.number)).await;
        }
        // C: the connection dropped after the upstream committed; nothing recorded.
        arm(
            &sb,
            json!({"mode": "drop_after_commit", "count": 5, "action": "createTransaction"}),
        )
        .await;
        for i in 0..5 {
            let a = j
                .admit(new_order(&format!("C{i}"), &number(i), 5_000), &roomy(), now_ms())
                .await
                .unwrap();
            assert!(up.create(&forward(a.refid, a.number)).await.is_err());
        }
        j.close().await;
        drop(j);

        let j = open(&db).await;
        assert_eq!(
            j.open_count().await.unwrap(),
            35,
            "{}: state survives the restart",
            db.name
        );
        let r = Reconciler::new(j.clone(), up.clone(), ReconcilerConfig::default());
        settle(&j, &r).await;
        assert_matches_sandbox(&j, &sb, 35).await;
        for o in j.list(None, 100, 0).await.unwrap() {
            match &o.refid[..1] {
                // Never sent: the 404 allowed exactly one re-send under the same refid.
                "A" => assert_eq!(o.resends, 1, "{o:?}"),
                // Sent: found by checkTransaction, never re-sent.
                // The supplier refused it (no order upstream): one re-send, refused, confirmed.
                _ if o.number.ends_with("4444") => assert_eq!(o.state, OrderState::Rejected, "{o:?}"),
                _ => {
                    assert_eq!(o.resends, 0, "{o:?}");
                    assert!(o.acked, "{o:?}");
                }
            }
        }
        j.close().await;
        sb.shutdown().await;
    }
}

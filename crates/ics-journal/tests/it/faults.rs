//! 200 orders through admit → create → record with the sandbox's faults armed, then the
//! reconciler: the journal equals the sandbox's orders exactly, on both backends.

use crate::util::*;
use ics_journal::{Reconciler, ReconcilerConfig};
use serde_json::json;
use tokio::task::JoinSet;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_orders_through_faults_match_the_sandbox() {
    for db in both() {
        let sb = sandbox().await;
        // 800 ms: under the 1,500 ms latency faults below, so those calls time out.
        let up = upstream_timing_out(&sb, 800);
        let j = open(&db).await;
        let create = "createTransaction";
        arm(
            &sb,
            json!({"mode": "drop_after_commit", "count": 12, "action": create}),
        )
        .await;
        arm(&sb, json!({"mode": "http500", "count": 12, "action": create})).await;
        arm(
            &sb,
            json!({"mode": "malformed_json", "count": 12, "action": create}),
        )
        .await;
        arm(
            &sb,
            json!({"mode": "latency", "count": 6, "latency_ms": 1500, "action": create}),
        )
        .await;
        arm(
            &sb,
            json!({"mode": "http500", "count": 10, "action": "checkTransaction"}),
        )
        .await;
        arm(
            &sb,
            json!({"mode": "malformed_json", "count": 5, "action": "checkTransaction"}),
        )
        .await;

        let mut set = JoinSet::new();
        for t in 0..20 {
            let (j, up) = (j.clone(), up.clone());
            set.spawn(async move {
                for k in 0..10 {
                    let i = t * 10 + k;
                    place(&j, &*up, new_order(&format!("F{i}"), &number(i), 5_000)).await;
                }
            });
        }
        while let Some(r) = set.join_next().await {
            r.unwrap();
        }
        let faults = sandbox_json(&sb, "/__sandbox/faults").await;
        assert!(
            faults["faults"]
                .as_array()
                .unwrap()
                .iter()
                .all(|f| f["action"] != create),
            "every createTransaction fault fired: {faults}"
        );
        let before = j.list(None, 1000, 0).await.unwrap();
        assert!(
            before.iter().any(|o| o.state.as_str() == "maybe_committed"),
            "{}: faults left some outcomes unknown",
            db.name
        );

        let r = Reconciler::new(j.clone(), up.clone(), ReconcilerConfig::default());
        settle(&j, &r).await;
        assert_matches_sandbox(&j, &sb, 200).await;
        let all = j.list(None, 1000, 0).await.unwrap();
        assert!(
            all.iter().any(|o| o.resends == 1),
            "an http500 order was re-sent after its 404"
        );
        assert!(all.iter().all(|o| o.resends <= 1));
        // One event per final order, no more.
        assert_eq!(j.events().await.unwrap().len(), 200);
        eprintln!("{}: {:?}", db.name, j.counts().await.unwrap());
        j.close().await;
        sb.shutdown().await;
    }
}

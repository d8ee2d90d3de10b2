//! Hundreds of concurrent orders: no overdraft, no refid accepted twice, and the ledger
//! always balances (initial − charged + refunded = balance).

use crate::util::*;
use ics_reseller::actions::*;
use ics_reseller::*;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_orders_never_overdraw() {
    let sb = Arc::new(start().await);
    // 1_000_000 buys exactly 50 XLA10 (20_000); 300 try at once.
    let mut tasks = Vec::new();
    for i in 0..300 {
        let sb = sb.clone();
        tasks.push(tokio::spawn(async move {
            let number = if i % 3 == 0 {
                "081234563333"
            } else {
                "081234561111"
            };
            let a = sb.order(VERIFIED, "XLA10", number, &format!("P-{i}")).await;
            (a.status, a.result)
        }));
    }
    let mut accepted = 0;
    let mut refused = 0;
    for t in tasks {
        let (status, result) = t.await.unwrap();
        assert_eq!(status, 200);
        match result {
            Ok(r) => {
                accepted += 1;
                assert_eq!(r.saldo_awal - r.saldo_akhir, 20000);
                assert!(r.saldo_akhir >= 0);
            }
            Err(Error::Rejected { body, .. }) => {
                refused += 1;
                assert!(body.error.contains("saldo tidak cukup"), "{}", body.error);
                assert_eq!(body.saldo_awal, body.saldo_akhir);
            }
            Err(e) => panic!("{e:?}"),
        }
    }
    // Refunds of …3333 orders may land during the run and let a few more through.
    assert!(accepted >= 50, "accepted {accepted}");
    assert_eq!(accepted + refused, 300);
    let st = sb.state(VERIFIED).await;
    assert_eq!(st["ledger"]["balanced"], true, "{}", st["ledger"]);
    assert!(st["balance"].as_i64().unwrap() >= 0);
    assert_eq!(st["orders"].as_array().unwrap().len(), accepted);
    let charged = st["ledger"]["charged"].as_i64().unwrap();
    assert_eq!(charged, 20000 * accepted as i64);
    // After every …3333 order settled, the refunds are in the ledger.
    let failing: Vec<String> = st["orders"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["nomor_tujuan"] == "081234563333")
        .map(|o| o["refid"].as_str().unwrap().to_owned())
        .collect();
    for r in &failing {
        sb.wait_status(VERIFIED, r, TxStatus::Failed).await;
    }
    let st = sb.state(VERIFIED).await;
    let l = &st["ledger"];
    assert_eq!(l["balanced"], true);
    assert_eq!(l["refunded"].as_i64().unwrap(), 20000 * failing.len() as i64);
    assert_eq!(
        l["balance"].as_i64().unwrap(),
        1_000_000 - charged + 20000 * failing.len() as i64
    );
    Arc::into_inner(sb).unwrap().stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_refid_is_accepted_once() {
    let sb = Arc::new(start().await);
    // 20 refids, each sent 10 times at once, interleaved.
    let mut tasks = Vec::new();
    for n in 0..10 {
        for r in 0..20 {
            let sb = sb.clone();
            tasks.push(tokio::spawn(async move {
                let refid = format!("SAME-{r}");
                let a = sb.order(VERIFIED, "XDA1", "081234565555", &refid).await;
                (refid, n, a.result)
            }));
        }
    }
    let mut wins = std::collections::HashMap::<String, usize>::new();
    for t in tasks {
        let (refid, _, result) = t.await.unwrap();
        match result {
            Ok(r) => {
                assert_eq!(r.refid, refid);
                *wins.entry(refid).or_default() += 1;
            }
            Err(Error::Rejected { body, .. }) => {
                assert!(body.error.contains("sudah digunakan"), "{}", body.error);
                assert_eq!(body.refid.as_deref(), Some(refid.as_str()));
            }
            Err(e) => panic!("{e:?}"),
        }
    }
    assert_eq!(wins.len(), 20);
    assert!(wins.values().all(|&n| n == 1), "{wins:?}");
    let st = sb.state(VERIFIED).await;
    assert_eq!(st["orders"].as_array().unwrap().len(), 20);
    assert_eq!(st["ledger"]["charged"], 20 * 3000);
    assert_eq!(st["ledger"]["balanced"], true);
    Arc::into_inner(sb).unwrap().stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn low_balance_buys_exactly_what_it_can() {
    let sb = Arc::new(start().await);
    // 5_000 buys one XDA1 (3_000); 100 try at once on …5555 (no refunds).
    let tasks: Vec<_> = (0..100)
        .map(|i| {
            let sb = sb.clone();
            tokio::spawn(async move {
                sb.order(LOWBALANCE, "XDA1", "081234565555", &format!("L-{i}"))
                    .await
                    .result
                    .is_ok()
            })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        ok += usize::from(t.await.unwrap());
    }
    assert_eq!(ok, 1);
    let bal = sb
        .call::<GetBalance>(LOWBALANCE, NoParams {})
        .await
        .ok()
        .data
        .saldo;
    assert_eq!(bal, 2_000);
    Arc::into_inner(sb).unwrap().stop().await;
}

//! A client's re-send ([`ics_journal::Journal::begin_resend`]) is held to the forward grace,
//! as the reconciler's is.

use crate::util::*;
use ics_journal::OrderState;
use ics_reseller::Error;

/// An order whose send ended without an answer (`maybe_committed`): `begin_resend` refuses
/// while the send is younger than `forward_grace_ms` (the send may still be landing), and
/// writes the re-send ahead once it is that old, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_client_resend_is_refused_inside_the_forward_grace() {
    for db in both() {
        let j = open(&db).await;
        let grace = options().forward_grace_ms;
        let a = j
            .admit(
                new_order("RS-grace", "081200007777", 5_000),
                &roomy(),
                ics_journal::now_ms(),
            )
            .await
            .expect("admitted");
        let unknown: Result<ics_reseller::CreateTransactionResponse, Error> =
            Err(Error::Timeout { after_ms: 1_000 });
        j.record_answer(&a.refid, &unknown, ics_journal::now_ms())
            .await
            .unwrap();
        let o = j.order(&a.refid).await.unwrap().unwrap();
        assert_eq!(o.state, OrderState::MaybeCommitted, "{}: {o:?}", db.name);
        for at in [o.sent_at, o.sent_at + grace - 1] {
            assert!(
                !j.begin_resend(&a.refid, 1, at).await.unwrap(),
                "{}: re-sent {} ms after the send",
                db.name,
                at - o.sent_at
            );
        }
        let o2 = j.order(&a.refid).await.unwrap().unwrap();
        assert_eq!(
            (o2.state, o2.resends),
            (OrderState::MaybeCommitted, 0),
            "{}",
            db.name
        );
        assert!(
            j.begin_resend(&a.refid, 1, o.sent_at + grace).await.unwrap(),
            "{}",
            db.name
        );
        let o3 = j.order(&a.refid).await.unwrap().unwrap();
        assert_eq!((o3.state, o3.resends), (OrderState::Resending, 1), "{}", db.name);
        assert!(
            !j.begin_resend(&a.refid, 1, o.sent_at + 10 * grace).await.unwrap(),
            "{}: one re-send only",
            db.name
        );
        j.close().await;
    }
}

//! Encode tables: URL, headers, body and validation for every action.

use ics_reseller::actions::*;
use ics_reseller::*;

fn client(auth: AuthMode, key: Option<&str>) -> Client {
    let mut c = Config::new("http://127.0.0.1:9/gw/", key.map(|k| ApiKey::new(k).unwrap())).unwrap();
    c.auth = auth;
    Client::new(c)
}

fn check<A: Action>(req: A::Request, url: &str, body: Option<&str>) {
    let r = client(AuthMode::Header, Some("s3cret")).encode::<A>(req).unwrap();
    assert_eq!(r.url, url);
    assert_eq!(r.body.as_deref(), body);
    assert_eq!(r.method, A::METHOD);
    assert!(r.headers.contains(&("X-API-Key", "s3cret".to_owned())));
}

#[test]
fn urls_and_bodies() {
    check::<Ping>(NoParams {}, "http://127.0.0.1:9/gw/?action=ping", None);
    check::<GetStatistik>(NoParams {}, "http://127.0.0.1:9/gw/?action=getStatistik", None);
    check::<ListProducts>(
        ListProductsRequest {
            product_type: ProductType::Xla,
            providers: Some(vec!["KUBER".into(), " BEKASANL ".into()]),
        },
        "http://127.0.0.1:9/gw/?action=listProducts&type=xla&providers=KUBER,BEKASANL",
        None,
    );
    check::<ListProducts>(
        ListProductsRequest {
            product_type: ProductType::All,
            providers: Some(vec![]),
        },
        "http://127.0.0.1:9/gw/?action=listProducts&type=all",
        None,
    );
    check::<CheckTransaction>(
        RefIdRequest {
            refid: "R-1_a".into(),
        },
        "http://127.0.0.1:9/gw/?action=checkTransaction&refid=R-1_a",
        None,
    );
    check::<GetHistory>(
        GetHistoryRequest {
            page: Some(2),
            limit: Some(50),
            status: Some(TxStatus::Pending),
        },
        "http://127.0.0.1:9/gw/?action=getHistory&page=2&limit=50&status=pending",
        None,
    );
    check::<CreateTransaction>(
        CreateTransactionRequest {
            kode_produk: "XLA10".into(),
            nomor_tujuan: "+62 812-3456-7890".into(),
            refid: "R1".into(),
        },
        "http://127.0.0.1:9/gw/?action=createTransaction",
        Some(r#"{"kode_produk":"XLA10","nomor_tujuan":"081234567890","refid":"R1"}"#),
    );
    check::<ResubmitWebhook>(
        RefIdRequest { refid: "R1".into() },
        "http://127.0.0.1:9/gw/?action=resubmitWebhook",
        Some(r#"{"refid":"R1"}"#),
    );
}

#[test]
fn key_only_in_url_when_asked_and_never_in_debug() {
    let q = client(AuthMode::Query, Some("s3cret"))
        .encode::<Ping>(NoParams {})
        .unwrap();
    assert_eq!(q.url, "http://127.0.0.1:9/gw/?action=ping&apikey=s3cret");
    assert!(!q.headers.iter().any(|(k, _)| *k == "X-API-Key"));
    let h = client(AuthMode::Header, Some("s3cret"))
        .encode::<Ping>(NoParams {})
        .unwrap();
    assert!(!h.url.contains("s3cret"));
    for dbg in [
        format!("{q:?}"),
        format!("{h:?}"),
        format!("{:?}", client(AuthMode::Query, Some("s3cret"))),
    ] {
        assert!(!dbg.contains("s3cret"), "{dbg}");
    }
    let none = client(AuthMode::Header, None)
        .encode::<Ping>(NoParams {})
        .unwrap();
    assert!(!none.headers.iter().any(|(k, _)| *k == "X-API-Key"));
}

#[test]
fn invalid_input_names_the_field() {
    let c = client(AuthMode::Header, None);
    let field = |e: Error| match e {
        Error::InvalidInput(i) => i.field,
        other => panic!("{other:?}"),
    };
    let order = |k: &str, n: &str, r: &str| CreateTransactionRequest {
        kode_produk: k.into(),
        nomor_tujuan: n.into(),
        refid: r.into(),
    };
    assert_eq!(
        field(
            c.encode::<CreateTransaction>(order("", "081234567890", "R1"))
                .unwrap_err()
        ),
        "kode_produk"
    );
    assert_eq!(
        field(
            c.encode::<CreateTransaction>(order("XLA10", "0212345678", "R1"))
                .unwrap_err()
        ),
        "nomor_tujuan"
    );
    assert_eq!(
        field(
            c.encode::<CreateTransaction>(order("XLA10", "081234567890", "R 1"))
                .unwrap_err()
        ),
        "refid"
    );
    assert_eq!(
        field(
            c.encode::<CheckTransaction>(RefIdRequest { refid: "".into() })
                .unwrap_err()
        ),
        "refid"
    );
    let h = |page, limit| GetHistoryRequest {
        page,
        limit,
        status: None,
    };
    assert_eq!(
        field(c.encode::<GetHistory>(h(Some(0), None)).unwrap_err()),
        "page"
    );
    assert_eq!(
        field(c.encode::<GetHistory>(h(None, Some(101))).unwrap_err()),
        "limit"
    );
    let lp = ListProductsRequest {
        product_type: ProductType::Xla,
        providers: Some(vec!["A,B".into()]),
    };
    assert_eq!(field(c.encode::<ListProducts>(lp).unwrap_err()), "providers");
}

#[test]
fn config_checks() {
    assert!(Config::new("ftp://x", None).is_err());
    assert!(Config::new("http://", None).is_err());
    assert!(Config::new("http://x/?a=1", None).is_err());
    assert!(ApiKey::new("").is_err());
    assert!(ApiKey::new("a b").is_err());
    assert_eq!(format!("{:?}", ApiKey::new("k").unwrap()), "ApiKey(***)");
    let e = ApiKey::new("ké").unwrap_err();
    assert!(!e.to_string().contains("ké"));
}

#[test]
fn special_characters_are_percent_encoded() {
    let c = client(AuthMode::Header, None);
    let r = c
        .encode::<GetHistory>(GetHistoryRequest {
            page: None,
            limit: None,
            status: Some(TxStatus::Unknown("a b&c=d".into())),
        })
        .unwrap();
    assert_eq!(
        r.url,
        "http://127.0.0.1:9/gw/?action=getHistory&status=a%20b%26c%3Dd"
    );
}

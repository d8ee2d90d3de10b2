//! The README's Rust quick start, runnable: `ICS_BASE_URL=http://127.0.0.1:8080
//! ICS_API_KEY=sk_test_verified cargo run -p ics-reseller-client --example quickstart`
//! against `cargo run -p ics-sandbox`. The crate's tests run [`quickstart`] against an
//! in-process sandbox.

use ics_reseller::{CreateTransactionRequest, Error, ListProductsRequest, ProductType};
use ics_reseller_client::{new_refid, Client};

/// Lists the XL products, orders the first one ready for `number`, and returns its
/// refid and status.
pub async fn quickstart(base_url: &str, api_key: &str, number: &str) -> Result<(String, String), Error> {
    // README:start
    let client = Client::new(base_url, Some(api_key))?;

    // GET /?action=listProducts&type=xla   (the key in the X-API-Key header, never the URL)
    let products = client
        .list_products(ListProductsRequest {
            product_type: ProductType::Xla,
            providers: None,
        })
        .await?;
    let product = &products.data.ready[0];

    // Place an order: the number is normalised (`+62 812-…` → `0812…`) and checked before
    // anything is sent; the refid is the idempotency key. A lost answer is reconciled
    // (checkTransaction by refid; re-sent only after an explicit 404).
    let placed = client
        .create_transaction(CreateTransactionRequest {
            kode_produk: product.kode_produk.clone(),
            nomor_tujuan: number.into(),
            refid: new_refid(),
        })
        .await?;

    let status = client.check_transaction(placed.refid()).await?;
    println!("order {}: {}", placed.refid(), status.status);
    // README:end
    Ok((placed.refid().to_owned(), status.status.to_string()))
}

#[allow(dead_code)]
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let url = std::env::var("ICS_BASE_URL").unwrap_or_else(|_| "http://127.0.0.1:8080".into());
    let key = std::env::var("ICS_API_KEY").unwrap_or_else(|_| "sk_test_verified".into());
    quickstart(&url, &key, "+62 812-3456-1111").await?;
    Ok(())
}

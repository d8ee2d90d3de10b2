//! The upstream as the journal needs it: checkTransaction by refid, createTransaction, and
//! a product's live price (listProducts), with the core's typed results and errors. [`HttpUpstream`] is the real one (reqwest with
//! rustls, the core's `Client::encode`/`decode`, no redirects followed).

use async_trait::async_trait;
use ics_reseller::{CheckTransactionResponse, CreateTransactionRequest, CreateTransactionResponse, Error};

/// What reconciliation and webhook intake call upstream. Object-safe (`Arc<dyn Upstream>`).
#[async_trait]
pub trait Upstream: Send + Sync {
    /// checkTransaction for `refid`: the order, or [`Error::NotFound`] when there is none.
    async fn check(&self, refid: &str) -> Result<CheckTransactionResponse, Error>;
    /// createTransaction (a re-send under the same refid).
    async fn create(&self, req: &CreateTransactionRequest) -> Result<CreateTransactionResponse, Error>;
    /// The live price (`harga_final`, rupiah) of `product` if it can be ordered now (in
    /// listProducts' `ready` list); `Ok(None)` when it cannot (gone or out of stock). The
    /// reconciler asks before a re-send: a re-send must still fit the order's price bound.
    async fn price(&self, product: &str) -> Result<Option<i64>, Error>;
}

/// The request [`Upstream::price`] sends: every product type, every provider.
pub fn price_request() -> ics_reseller::ListProductsRequest {
    ics_reseller::ListProductsRequest {
        product_type: ics_reseller::ProductType::All,
        providers: None,
    }
}

/// [`Upstream::price`]'s answer from a listProducts answer: `product`'s `harga_final` if it
/// is in the `ready` list.
pub fn ready_price(list: &ics_reseller::ListProductsResponse, product: &str) -> Option<i64> {
    list.data
        .ready
        .iter()
        .find(|p| p.kode_produk == product)
        .map(|p| p.harga_final)
}

#[async_trait]
impl<U: Upstream + ?Sized> Upstream for std::sync::Arc<U> {
    async fn check(&self, refid: &str) -> Result<CheckTransactionResponse, Error> {
        (**self).check(refid).await
    }
    async fn create(&self, req: &CreateTransactionRequest) -> Result<CreateTransactionResponse, Error> {
        (**self).create(req).await
    }
    async fn price(&self, product: &str) -> Result<Option<i64>, Error> {
        (**self).price(product).await
    }
}

#[cfg(feature = "reqwest")]
pub use http::HttpUpstream;

#[cfg(feature = "reqwest")]
mod http {
    use super::*;
    use ics_reseller::actions::{Action, CheckTransaction, CreateTransaction, ListProducts};
    use ics_reseller::{Client, Method, RefIdRequest};
    use std::time::Duration;

    /// An [`Upstream`] over HTTP: the core encodes and decodes, reqwest sends.
    #[derive(Clone, Debug)]
    pub struct HttpUpstream {
        client: Client,
        http: reqwest::Client,
        timeout: Duration,
    }

    impl HttpUpstream {
        /// An upstream for this core client, each call limited to `timeout`.
        pub fn new(client: Client, timeout: Duration) -> Result<HttpUpstream, Error> {
            let http = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .timeout(timeout)
                .build()
                .map_err(|e| Error::Network {
                    message: format!("HTTP client: {e}"),
                })?;
            Ok(HttpUpstream {
                client,
                http,
                timeout,
            })
        }

        async fn call<A: Action>(&self, request: A::Request) -> Result<A::Response, Error> {
            let req = self.client.encode::<A>(request)?;
            let mut b = match req.method {
                Method::Get => self.http.get(&req.url),
                Method::Post => self.http.post(&req.url),
            };
            for (k, v) in &req.headers {
                b = b.header(*k, v);
            }
            if let Some(body) = req.body {
                b = b.body(body);
            }
            let map = |e: reqwest::Error| {
                if e.is_timeout() {
                    Error::Timeout {
                        after_ms: self.timeout.as_millis() as u64,
                    }
                } else {
                    // Without the URL: it may carry the key in query mode.
                    Error::Network {
                        message: e.without_url().to_string(),
                    }
                }
            };
            let resp = b.send().await.map_err(map)?;
            let status = resp.status().as_u16();
            let retry_after = resp
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let body = resp.bytes().await.map_err(map)?;
            self.client.decode::<A>(status, retry_after.as_deref(), &body)
        }
    }

    #[async_trait]
    impl Upstream for HttpUpstream {
        async fn check(&self, refid: &str) -> Result<CheckTransactionResponse, Error> {
            self.call::<CheckTransaction>(RefIdRequest {
                refid: refid.to_owned(),
            })
            .await
        }
        async fn create(&self, req: &CreateTransactionRequest) -> Result<CreateTransactionResponse, Error> {
            self.call::<CreateTransaction>(req.clone()).await
        }
        async fn price(&self, product: &str) -> Result<Option<i64>, Error> {
            let list = self.call::<ListProducts>(super::price_request()).await?;
            Ok(super::ready_price(&list, product))
        }
    }
}

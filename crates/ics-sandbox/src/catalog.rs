//! The simulated catalog: products of all four types from several providers, some empty.
//!
//! Prices here are base prices; [`Markup`] turns them into `harga_final`, which is also what
//! an order charges. Stock is fixed (an order does not consume it): `stok` 0 marks an
//! empty product, which createTransaction refuses.

use crate::config::Markup;
use ics_reseller::{ListProductsRequest, ListProductsResponse, Product, ProductLists, ProductType};

/// One product as the simulation knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatalogItem {
    /// Product code, e.g. `XLA10`.
    pub code: &'static str,
    /// Display name.
    pub name: &'static str,
    /// Description of the quota.
    pub description: &'static str,
    /// Base price in rupiah, before the markup.
    pub base_price: i64,
    /// Units in stock; 0 is an empty product.
    pub stock: i64,
    /// `xla`, `bpa`, `fmax` or `xda`.
    pub product_type: ProductType,
    /// Provider code.
    pub provider: &'static str,
}

macro_rules! items {
    ($($code:literal, $name:literal, $desc:literal, $price:literal, $stock:literal, $t:ident, $prov:literal;)*) => {
        &[$(CatalogItem {
            code: $code,
            name: $name,
            description: $desc,
            base_price: $price,
            stock: $stock,
            product_type: ProductType::$t,
            provider: $prov,
        }),*]
    };
}

/// Every product, in listing order.
pub const CATALOG: &[CatalogItem] = items! {
    "XLA5", "XL AXIS 5GB", "Details Kuota 5GB utama, masa aktif 30 hari", 12000, 80, Xla, "KUBER";
    "XLA10", "XL AXIS 10GB", "Details Kuota 10GB utama, masa aktif 30 hari", 20000, 50, Xla, "KUBER";
    "XLA15", "XL AXIS 15GB", "Details Kuota 15GB utama, masa aktif 30 hari", 25000, 0, Xla, "KUBER";
    "XLA25", "XL AXIS 25GB", "Details Kuota 25GB utama + 5GB malam, masa aktif 30 hari", 35000, 12, Xla, "BEKASANL";
    "XLA50", "XL AXIS 50GB", "Details Kuota 50GB utama, masa aktif 30 hari", 60000, 0, Xla, "BEKASANL";
    "BPA3", "BPA 3GB 30 Hari", "Details Kuota 3GB semua jaringan, masa aktif 30 hari", 15000, 40, Bpa, "BEKASANL";
    "BPA6", "BPA 6GB 30 Hari", "Details Kuota 6GB semua jaringan, masa aktif 30 hari", 24000, 25, Bpa, "DIGIPOS";
    "BPA12", "BPA 12GB 30 Hari", "Details Kuota 12GB semua jaringan, masa aktif 30 hari", 39000, 0, Bpa, "DIGIPOS";
    "FMAX20", "FMAX 20GB", "Details Kuota 20GB fleksibel, masa aktif 30 hari", 30000, 15, Fmax, "KUBER";
    "FMAX40", "FMAX 40GB", "Details Kuota 40GB fleksibel, masa aktif 30 hari", 45000, 9, Fmax, "DIGIPOS";
    "FMAX80", "FMAX 80GB", "Details Kuota 80GB fleksibel, masa aktif 30 hari", 70000, 0, Fmax, "DIGIPOS";
    "XDA1", "XL Harian 1GB", "Details Kuota 1GB, masa aktif 1 hari", 3000, 200, Xda, "KUBER";
    "XDA2", "XL Harian 2GB", "Details Kuota 2GB, masa aktif 3 hari", 5000, 0, Xda, "BEKASANL";
    "XDA3", "XL Harian 3GB", "Details Kuota 3GB, masa aktif 7 hari", 7000, 60, Xda, "ORDERKUOTA";
};

/// Title of a listing, per type.
pub fn title(t: ProductType) -> &'static str {
    match t {
        ProductType::Xla => "Daftar Produk Bulanan",
        ProductType::Bpa => "Daftar Produk BPA",
        ProductType::Fmax => "Daftar Produk FMAX",
        ProductType::Xda => "Daftar Produk Harian",
        ProductType::All => "Daftar Semua Produk",
    }
}

/// The product with this code (exact match, as upstream codes are upper case).
pub fn find(code: &str) -> Option<&'static CatalogItem> {
    CATALOG.iter().find(|p| p.code == code)
}

impl CatalogItem {
    /// The wire form, with the markup applied.
    pub fn to_product(&self, markup: &Markup) -> Product {
        Product {
            kode_produk: self.code.into(),
            nama_produk: self.name.into(),
            deskripsi: self.description.into(),
            harga_final: markup.apply(self.base_price),
            stok: self.stock,
            product_type: self.product_type.as_str().into(),
            provider: self.provider.into(),
            extra: Default::default(),
        }
    }
}

/// The answer of listProducts.
pub fn list(req: &ListProductsRequest, markup: &Markup) -> ListProductsResponse {
    let wanted: Option<Vec<String>> = req.providers.as_ref().map(|ps| {
        let mut out: Vec<String> = Vec::new();
        for p in ps {
            let p = p.trim().to_ascii_uppercase();
            if !p.is_empty() && !out.contains(&p) {
                out.push(p);
            }
        }
        out
    });
    let wanted = wanted.filter(|w| !w.is_empty());
    let mut data = ProductLists::default();
    let mut providers_used: Vec<String> = Vec::new();
    for item in CATALOG {
        if req.product_type != ProductType::All && item.product_type != req.product_type {
            continue;
        }
        if let Some(w) = &wanted {
            if !w.iter().any(|p| p == item.provider) {
                continue;
            }
        }
        if wanted.is_none() && !providers_used.iter().any(|p| p == item.provider) {
            providers_used.push(item.provider.into());
        }
        let product = item.to_product(markup);
        if item.stock > 0 {
            data.ready.push(product);
        } else {
            data.empty.push(product);
        }
    }
    ListProductsResponse {
        success: true,
        product_type: req.product_type.as_str().into(),
        title: title(req.product_type).into(),
        providers_used: wanted.unwrap_or(providers_used),
        data,
        extra: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_has_ready_and_empty_from_several_providers() {
        for t in [
            ProductType::Xla,
            ProductType::Bpa,
            ProductType::Fmax,
            ProductType::Xda,
        ] {
            let r = list(
                &ListProductsRequest {
                    product_type: t,
                    providers: None,
                },
                &Markup::default(),
            );
            assert!(!r.data.ready.is_empty() && !r.data.empty.is_empty(), "{t:?}");
            assert!(r.providers_used.len() >= 2, "{t:?}");
        }
        let codes: std::collections::HashSet<_> = CATALOG.iter().map(|p| p.code).collect();
        assert_eq!(codes.len(), CATALOG.len());
    }

    #[test]
    fn filter_and_markup() {
        let m = Markup {
            flat: 50,
            percent: 10.0,
        };
        let r = list(
            &ListProductsRequest {
                product_type: ProductType::All,
                providers: Some(vec!["digipos".into(), "KUBER".into()]),
            },
            &m,
        );
        assert_eq!(r.providers_used, ["DIGIPOS", "KUBER"]);
        assert!(r
            .data
            .ready
            .iter()
            .chain(&r.data.empty)
            .all(|p| p.provider == "DIGIPOS" || p.provider == "KUBER"));
        let xla10 = r.data.ready.iter().find(|p| p.kode_produk == "XLA10").unwrap();
        assert_eq!(xla10.harga_final, 20000 + 2000 + 50);
    }
}

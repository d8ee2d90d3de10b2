//! Prometheus metrics (`GET /metrics`, text format). Labels come from fixed sets (route,
//! action names of the table, outcome codes): never a key, token, refid or number.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

/// Labels of a request.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// `public`, `backoffice`, `auth`, `demo`.
    pub route: &'static str,
    /// An action name from the table, or `-`.
    pub action: &'static str,
    /// `ok` or an error code.
    pub outcome: &'static str,
}

/// Labels of an upstream call.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ActionLabels {
    /// An action name from the table.
    pub action: &'static str,
}

/// Labels of a limit refusal.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct LimitLabels {
    /// `per_ip`, `per_number`, `spend_cap`, `login`.
    pub limit: &'static str,
}

/// Labels of an order.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OrderLabels {
    /// `placed`, `refused`, `unknown`, `not_admitted`.
    pub result: &'static str,
}

/// Every metric of the gateway.
pub struct Metrics {
    registry: Registry,
    /// Requests per route, action and outcome.
    pub requests: Family<RequestLabels, Counter>,
    /// Upstream latency per action, seconds.
    pub upstream: Family<ActionLabels, Histogram>,
    /// Limit refusals per limit.
    pub limits: Family<LimitLabels, Counter>,
    /// Orders per result.
    pub orders: Family<OrderLabels, Counter>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// A registry with every metric.
    pub fn new() -> Metrics {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        let upstream = Family::<ActionLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.001, 2.0, 16))
        });
        let limits = Family::<LimitLabels, Counter>::default();
        let orders = Family::<OrderLabels, Counter>::default();
        registry.register(
            "ics_gateway_requests",
            "Requests per route, action and outcome",
            requests.clone(),
        );
        registry.register(
            "ics_gateway_upstream_seconds",
            "Upstream call latency per action",
            upstream.clone(),
        );
        registry.register(
            "ics_gateway_limit_refusals",
            "Requests refused by an abuse limit",
            limits.clone(),
        );
        registry.register("ics_gateway_orders", "Orders by result", orders.clone());
        Metrics {
            registry,
            requests,
            upstream,
            limits,
            orders,
        }
    }

    /// Counts a request.
    pub fn request(&self, route: &'static str, action: &'static str, outcome: &'static str) {
        self.requests
            .get_or_create(&RequestLabels {
                route,
                action,
                outcome,
            })
            .inc();
    }

    /// Counts a limit refusal.
    pub fn limit(&self, limit: &'static str) {
        self.limits.get_or_create(&LimitLabels { limit }).inc();
    }

    /// Counts an order.
    pub fn order(&self, result: &'static str) {
        self.orders.get_or_create(&OrderLabels { result }).inc();
    }

    /// The text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

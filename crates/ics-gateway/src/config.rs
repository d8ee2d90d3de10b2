//! Configuration: a TOML file with serde defaults, overridden by flags and environment
//! variables (see `main.rs`). Secrets come from the environment or the file, never from
//! a flag value, and their `Debug` never shows them.

use ics_reseller::ActionKind;
use serde::Deserialize;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Environment variable holding the upstream API key.
pub const KEY_ENV: &str = "ICS_GATEWAY_KEY";
/// Environment variable holding the order-token secret (at least 32 bytes).
pub const ORDER_SECRET_ENV: &str = "ICS_GATEWAY_ORDER_SECRET";
/// Environment variable holding the shop-events signing secret (HMAC-SHA256).
pub const EVENTS_SECRET_ENV: &str = "ICS_GATEWAY_EVENTS_SECRET";
/// Environment variable holding the journal's database URL (it may carry a password).
pub const DATABASE_ENV: &str = "ICS_GATEWAY_DATABASE";

/// A secret string: `Debug` shows `***`.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(pub String);

impl Secret {
    /// The secret itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// A back-office operator: a username and an argon2id PHC hash (`ics-gateway hash-password`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Operator {
    /// Sign-in name.
    pub username: String,
    /// `$argon2id$…` hash of the password.
    pub password_hash: String,
}

/// Abuse limits of the public routes and the sign-in.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Requests per second per client IP on the public routes (sustained).
    pub per_ip_per_second: u32,
    /// Burst above that rate per client IP.
    pub per_ip_burst: u32,
    /// Orders admitted per destination number per rolling hour.
    pub orders_per_number_per_hour: u32,
    /// Sum of the price bounds of the orders admitted per UTC day, in rupiah.
    pub daily_spend_cap: i64,
    /// Sign-in attempts per client IP per minute.
    pub login_per_ip_per_minute: u32,
    /// Sign-in attempts per username per minute.
    pub login_per_user_per_minute: u32,
    /// Offset of the shop's day (for the daily cap) from UTC, in seconds; WIB by default.
    pub day_utc_offset_s: i64,
    /// Password verifications (argon2id, 19 MiB each) running at once; a sign-in beyond
    /// them is answered 503 + `Retry-After: 1` at once. 0: twice the available cores, at
    /// least 2.
    pub login_concurrency: usize,
    /// Connections open at once; past that, new ones wait in the listen backlog (keep it
    /// below the process's open-file limit).
    pub max_connections: usize,
    /// How long a client may take to send a request's headers (also how long an idle
    /// keep-alive connection stays open), in milliseconds; then the connection is closed.
    pub header_read_timeout_ms: u64,
    /// How long a client may take to send a request's body, in milliseconds; then 408.
    pub body_read_timeout_ms: u64,
}

impl Limits {
    /// [`Limits::login_concurrency`] with 0 resolved.
    pub fn login_slots(&self) -> usize {
        match self.login_concurrency {
            0 => std::thread::available_parallelism()
                .map_or(1, usize::from)
                .saturating_mul(2)
                .max(2),
            n => n,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            per_ip_per_second: 10,
            per_ip_burst: 40,
            orders_per_number_per_hour: 5,
            daily_spend_cap: 1_000_000,
            login_per_ip_per_minute: 20,
            login_per_user_per_minute: 5,
            day_utc_offset_s: 7 * 3600,
            login_concurrency: 0,
            max_connections: 1_000,
            header_read_timeout_ms: 10_000,
            body_read_timeout_ms: 10_000,
        }
    }
}

/// Everything the gateway runs with.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on (port 0 picks a free one).
    pub listen: SocketAddr,
    /// Address of a second listener serving `GET /metrics` (Prometheus) and nothing else,
    /// e.g. `127.0.0.1:9464` (port 0 picks a free one). None by default: no metrics are
    /// served. The public listener never serves `/metrics`.
    pub metrics_listen: Option<SocketAddr>,
    /// Base URL of the upstream API.
    pub upstream: String,
    /// A PEM CA certificate to trust for an HTTPS upstream (besides the built-in roots).
    pub upstream_ca: Option<PathBuf>,
    /// Timeout of one upstream call, in milliseconds.
    pub upstream_timeout_ms: u64,
    /// The upstream API key (prefer the `ICS_GATEWAY_KEY` environment variable).
    pub api_key: Option<Secret>,
    /// The order-token secret (prefer `ICS_GATEWAY_ORDER_SECRET`).
    pub order_secret: Option<Secret>,
    /// Demo only: createTransaction without an order token (the limits still apply).
    pub open_orders: bool,
    /// Mounts `POST /gateway/demo/pay`, a simulated payment that returns an order token.
    pub demo_payments: bool,
    /// Exact origins allowed cross-origin (CORS and state-changing requests). None by default.
    pub allow_origins: Vec<String>,
    /// A static site served at `/`.
    #[serde(rename = "static")]
    pub static_dir: Option<PathBuf>,
    /// A folder served at `/pkg/`.
    pub pkg: Option<PathBuf>,
    /// Read the client IP from `X-Forwarded-For` (only behind a reverse proxy you run).
    pub trust_proxy: bool,
    /// Always mark the session cookie `Secure` (it is whenever the request came over HTTPS).
    pub secure_cookies: bool,
    /// Actions of `/gateway/`.
    pub public_actions: Vec<String>,
    /// Actions of `/gateway/backoffice/` (session required).
    pub backoffice_actions: Vec<String>,
    /// Back-office operators.
    pub operators: Vec<Operator>,
    /// Abuse limits.
    pub limits: Limits,
    /// How long a live price read for an order check is reused, in milliseconds.
    pub price_cache_ms: u64,
    /// Session lifetime, in seconds.
    pub session_ttl_s: u64,
    /// Largest request body, in bytes.
    pub body_limit: usize,
    /// The order journal: `sqlite://PATH` (one instance) or `postgres://…` (several;
    /// prefer the `ICS_GATEWAY_DATABASE` environment variable, the URL holds a password).
    pub database: Secret,
    /// This instance's name in the journal (reconciler leases, `settled_by`).
    pub instance: Option<String>,
    /// Path of the upstream's webhook intake (the body is a hint, confirmed upstream).
    pub webhook_path: String,
    /// The shop's URL receiving `order.final` events (POST, signed). None: not sent.
    pub events_url: Option<String>,
    /// The events' HMAC-SHA256 secret (prefer `ICS_GATEWAY_EVENTS_SECRET`).
    pub events_secret: Option<Secret>,
    /// Reconciliation timings.
    pub reconcile: Reconcile,
}

/// Timings of the background reconciler.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Reconcile {
    /// How long an order just forwarded is left to its request before the reconciler
    /// looks (ms); must exceed `upstream_timeout_ms`.
    pub grace_ms: i64,
    /// First wait between checks of an open order (ms), doubling per check.
    pub first_check_ms: i64,
    /// Longest wait between checks (ms).
    pub max_check_ms: i64,
    /// How often the reconciler and the events deliverer look for work (ms).
    pub poll_ms: u64,
    /// Re-sends allowed after an explicit 404 for an order never acknowledged (same refid).
    pub max_resends: i64,
    /// First wait before re-delivering a shop event (ms), doubling per attempt.
    pub events_first_retry_ms: i64,
}

impl Default for Reconcile {
    fn default() -> Self {
        Reconcile {
            grace_ms: 45_000,
            first_check_ms: 1_000,
            max_check_ms: 60_000,
            poll_ms: 500,
            max_resends: 1,
            events_first_retry_ms: 1_000,
        }
    }
}

/// Wire names of `kinds` (the core's default allow-lists, as the config file spells them).
fn names(kinds: &[ActionKind]) -> Vec<String> {
    kinds.iter().map(|k| k.name().to_owned()).collect()
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8090".parse().expect("static address"),
            metrics_listen: None,
            upstream: "https://reseller.ics-store.my.id".into(),
            upstream_ca: None,
            upstream_timeout_ms: 30_000,
            api_key: None,
            order_secret: None,
            open_orders: false,
            demo_payments: false,
            allow_origins: Vec::new(),
            static_dir: None,
            pkg: None,
            trust_proxy: false,
            secure_cookies: false,
            public_actions: names(ActionKind::DEFAULT_PUBLIC),
            backoffice_actions: names(ActionKind::DEFAULT_BACKOFFICE),
            operators: Vec::new(),
            limits: Limits::default(),
            price_cache_ms: 5_000,
            session_ttl_s: 8 * 3600,
            body_limit: 16 * 1024,
            database: Secret("sqlite://ics-gateway.db".into()),
            instance: None,
            webhook_path: "/gateway/webhook".into(),
            events_url: None,
            events_secret: None,
            reconcile: Reconcile::default(),
        }
    }
}

/// Whether a database URL carries a password: `scheme://user:PASSWORD@host…`, or a
/// `password=` query parameter (libpq's form). `main` refuses such a URL as a flag, where
/// every user of the machine sees it in `ps`; it belongs in [`DATABASE_ENV`] or the file.
pub fn url_has_password(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let in_userinfo = authority
        .rsplit_once('@')
        .is_some_and(|(user, _)| user.contains(':'));
    let in_query = rest.split_once('?').is_some_and(|(_, q)| {
        q.split('&').any(|kv| {
            kv.split('=')
                .next()
                .is_some_and(|k| k.eq_ignore_ascii_case("password"))
        })
    });
    in_userinfo || in_query
}

/// A TOML error as `line L, column C: MESSAGE`, never with the source line (it may be
/// `api_key = sk_live_…`) and with any quoted value in the message hidden (serde's
/// `invalid type: string "…"`).
pub fn toml_error(text: &str, e: &toml::de::Error) -> String {
    let msg = hide_quoted(e.message().trim());
    match e.span() {
        Some(span) => {
            let before = text.get(..span.start).unwrap_or("");
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
            format!("line {line}, column {column}: {msg}")
        }
        None => msg,
    }
}

/// `text` with the contents of every `"…"` replaced by `…`.
fn hide_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut inside = false;
    for c in text.chars() {
        if c == '"' {
            if !inside {
                out.push_str("\"…");
            } else {
                out.push('"');
            }
            inside = !inside;
        } else if !inside {
            out.push(c);
        }
    }
    if inside {
        out.push('"');
    }
    out.replace('\n', " ")
}

/// Resolved allow-lists.
#[derive(Clone, Debug)]
pub struct AllowLists {
    /// `/gateway/`.
    pub public: Vec<ActionKind>,
    /// `/gateway/backoffice/`.
    pub backoffice: Vec<ActionKind>,
}

impl Config {
    /// Reads a TOML config file (every field optional).
    pub fn from_file(path: &Path) -> Result<Config, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        toml::from_str(&text).map_err(|e| format!("{}: {}", path.display(), toml_error(&text, &e)))
    }

    /// Fills the secrets from the environment when set there.
    pub fn secrets_from_env(&mut self) {
        if let Ok(k) = std::env::var(KEY_ENV) {
            if !k.is_empty() {
                self.api_key = Some(Secret(k));
            }
        }
        if let Ok(s) = std::env::var(ORDER_SECRET_ENV) {
            if !s.is_empty() {
                self.order_secret = Some(Secret(s));
            }
        }
        if let Ok(s) = std::env::var(EVENTS_SECRET_ENV) {
            if !s.is_empty() {
                self.events_secret = Some(Secret(s));
            }
        }
        if let Ok(s) = std::env::var(DATABASE_ENV) {
            if !s.is_empty() {
                self.database = Secret(s);
            }
        }
    }

    /// Checks the configuration; the allow-lists as action kinds.
    pub fn validate(&self) -> Result<AllowLists, String> {
        let key = self
            .api_key
            .as_ref()
            .ok_or_else(|| format!("no upstream API key: set {KEY_ENV}"))?;
        ics_reseller::ApiKey::new(key.expose()).map_err(|e| format!("{KEY_ENV}: {e}"))?;
        if key.expose().len() < 8 {
            return Err(format!("{KEY_ENV}: the key is shorter than 8 characters"));
        }
        match &self.order_secret {
            Some(s) if s.expose().len() >= ics_reseller::token::MIN_SECRET_LEN => {}
            Some(_) => {
                return Err(format!(
                    "{ORDER_SECRET_ENV} must be at least {} bytes",
                    ics_reseller::token::MIN_SECRET_LEN
                ))
            }
            None if self.open_orders && !self.demo_payments => {}
            None => return Err(format!("no order-token secret: set {ORDER_SECRET_ENV}")),
        }
        ics_reseller::Config::new(&self.upstream, None).map_err(|e| format!("upstream: {e}"))?;
        for o in &self.allow_origins {
            if !(o.starts_with("http://") || o.starts_with("https://")) || o.ends_with('/') {
                return Err(format!(
                    "allow-origin {o:?}: give an exact origin like https://shop.example"
                ));
            }
        }
        let kinds = |names: &[String], what: &str| -> Result<Vec<ActionKind>, String> {
            names
                .iter()
                .map(|n| ActionKind::from_name(n).ok_or_else(|| format!("{what}: unknown action {n:?}")))
                .collect()
        };
        let public = kinds(&self.public_actions, "public_actions")?;
        let backoffice = kinds(&self.backoffice_actions, "backoffice_actions")?;
        for o in &self.operators {
            if !o.password_hash.starts_with("$argon2id$") {
                return Err(format!(
                    "operator {}: password_hash must be an argon2id hash (ics-gateway hash-password)",
                    o.username
                ));
            }
        }
        let taken = [
            "/gateway",
            "/gateway/",
            "/healthz",
            "/metrics",
            "/gateway/demo/pay",
        ];
        if taken.contains(&self.webhook_path.as_str())
            || self.webhook_path.starts_with("/gateway/backoffice")
            || self.webhook_path.starts_with("/gateway/auth/")
            || self.webhook_path.starts_with("/pkg")
        {
            return Err(format!("webhook_path {:?} is another route's", self.webhook_path));
        }
        if !self.webhook_path.starts_with('/')
            || self.webhook_path.len() < 2
            || self.webhook_path.contains(['?', '#', ' ', '{', '}', '*', ':'])
        {
            return Err(format!(
                "webhook_path {:?}: give a path like /gateway/webhook",
                self.webhook_path
            ));
        }
        if let Some(u) = &self.events_url {
            if !(u.starts_with("http://") || u.starts_with("https://")) {
                return Err("events_url: give an http(s) URL".into());
            }
            match &self.events_secret {
                Some(s) if s.expose().len() >= 32 => {}
                _ => {
                    return Err(format!(
                        "events_url needs {EVENTS_SECRET_ENV} (at least 32 bytes)"
                    ))
                }
            }
        }
        if let Some(m) = self.metrics_listen {
            if m.port() != 0 && m.port() == self.listen.port() {
                return Err("metrics_listen: give a port other than listen's".into());
            }
        }
        let r = &self.reconcile;
        if r.grace_ms <= self.upstream_timeout_ms as i64 {
            return Err("reconcile.grace_ms must exceed upstream_timeout_ms".into());
        }
        if r.first_check_ms <= 0 || r.max_check_ms < r.first_check_ms || r.poll_ms == 0 || r.max_resends < 0 {
            return Err("reconcile: timings must be positive (max_check_ms >= first_check_ms)".into());
        }
        let l = &self.limits;
        if l.per_ip_per_second == 0
            || l.per_ip_burst == 0
            || l.login_per_ip_per_minute == 0
            || l.login_per_user_per_minute == 0
        {
            return Err("limits: rates must be at least 1".into());
        }
        Ok(AllowLists { public, backoffice })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_with_a_password_are_recognised() {
        for url in [
            "postgres://ics:pw@db/ics",
            "postgresql://ics:@db:5432/ics",
            "postgres://db/ics?user=ics&password=pw",
            "postgres://db/ics?PASSWORD=pw",
        ] {
            assert!(url_has_password(url), "{url}");
        }
        for url in [
            "sqlite://ics-gateway.db",
            "sqlite:///var/lib/x:y.db",
            "postgres://ics@db/ics",
            "postgres://db:5432/ics?sslmode=require",
            "postgres://ics@db/ics?passfile=/run/pgpass",
        ] {
            assert!(!url_has_password(url), "{url}");
        }
    }

    /// The README's config example parses, and states the defaults.
    #[test]
    fn the_readme_config_example_is_valid_and_shows_the_defaults() {
        let readme = include_str!("../README.md");
        let start = readme.find("```toml\n").expect("a toml block") + 8;
        let block = &readme[start..];
        let block = &block[..block.find("```").unwrap()];
        let c: Config = toml::from_str(block).unwrap_or_else(|e| panic!("{e}\n{block}"));
        let d = Config::default();
        assert_eq!(c.listen, d.listen);
        assert_eq!(c.upstream, d.upstream);
        assert_eq!(c.public_actions, d.public_actions);
        assert_eq!(c.backoffice_actions, d.backoffice_actions);
        assert_eq!(
            (
                c.price_cache_ms,
                c.session_ttl_s,
                c.body_limit,
                c.upstream_timeout_ms
            ),
            (
                d.price_cache_ms,
                d.session_ttl_s,
                d.body_limit,
                d.upstream_timeout_ms
            )
        );
        let (l, dl) = (&c.limits, &d.limits);
        assert_eq!(
            (
                l.per_ip_per_second,
                l.per_ip_burst,
                l.orders_per_number_per_hour,
                l.daily_spend_cap
            ),
            (
                dl.per_ip_per_second,
                dl.per_ip_burst,
                dl.orders_per_number_per_hour,
                dl.daily_spend_cap
            )
        );
        assert_eq!(
            (l.login_per_ip_per_minute, l.login_per_user_per_minute),
            (dl.login_per_ip_per_minute, dl.login_per_user_per_minute)
        );
        assert_eq!(c.operators.len(), 1);
        assert!(
            toml::from_str::<Config>("no_such_field = 1").is_err(),
            "unknown fields refused"
        );
    }

    #[test]
    fn secrets_never_show_in_debug() {
        let c = Config {
            api_key: Some(Secret("sk_live_0123456789".into())),
            order_secret: Some(Secret("s".repeat(40))),
            events_secret: Some(Secret("e".repeat(40))),
            database: Secret("postgres://ics:db-pa55word@db/ics".into()),
            ..Config::default()
        };
        let d = format!("{c:?}");
        assert!(
            !d.contains("sk_live_0123456789")
                && !d.contains(&"s".repeat(40))
                && !d.contains(&"e".repeat(40))
                && !d.contains("db-pa55word"),
            "{d}"
        );
    }

    #[test]
    fn journal_settings_are_checked() {
        let ok = || Config {
            api_key: Some(Secret("sk_live_0123456789".into())),
            order_secret: Some(Secret("s".repeat(40))),
            ..Config::default()
        };
        assert!(ok().validate().is_ok());
        for path in [
            "/gateway",
            "/gateway/",
            "/healthz",
            "/metrics",
            "/gateway/backoffice/orders",
            "/gateway/auth/login",
            "/pkg/x",
            "hooks",
            "/",
            "/a?b",
            "/a/{id}",
            "/a/*rest",
        ] {
            let c = Config {
                webhook_path: path.into(),
                ..ok()
            };
            assert!(c.validate().is_err(), "{path}");
        }
        let c = Config {
            events_url: Some("https://shop.example/ics".into()),
            ..ok()
        };
        assert!(c.validate().unwrap_err().contains(EVENTS_SECRET_ENV));
        let c = Config {
            events_url: Some("https://shop.example/ics".into()),
            events_secret: Some(Secret("x".repeat(32))),
            ..ok()
        };
        assert!(c.validate().is_ok());
        let c = Config {
            events_url: Some("ftp://shop.example/ics".into()),
            events_secret: Some(Secret("x".repeat(32))),
            ..ok()
        };
        assert!(c.validate().is_err());
        let c = Config {
            metrics_listen: Some("127.0.0.1:8090".parse().unwrap()),
            ..ok()
        };
        assert!(c.validate().is_err(), "metrics on the public port");
        let c = Config {
            metrics_listen: Some("127.0.0.1:9464".parse().unwrap()),
            ..ok()
        };
        assert!(c.validate().is_ok());
        let mut c = ok();
        c.reconcile.grace_ms = c.upstream_timeout_ms as i64;
        assert!(
            c.validate().is_err(),
            "the grace must outlast a forwarded request"
        );
    }
}

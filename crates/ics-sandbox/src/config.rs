//! The sandbox's configuration: seeded accounts, delays, markup, CORS, static files.
//!
//! Precedence: flags, then their environment variables (`ICS_SANDBOX_*`, clap's `env`),
//! then `--config FILE` (JSON, every field defaulted by serde), then the built-in defaults.
//! [`Flags`] is the command line (clap derive); [`Flags::into_config`] merges the four. A
//! library user builds a [`Config`] directly (`Config::default()` and edits).

use clap::Parser;
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;

/// Where an account's webhooks go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WebhookTarget {
    /// No webhook URL: nothing is sent and resubmitWebhook answers an error.
    None,
    /// The sandbox's own receiver, `POST /__sandbox/webhook-receiver`.
    Builtin,
    /// Any http(s) URL.
    Url(String),
}

impl WebhookTarget {
    /// Reads `none`, `builtin` or a URL.
    pub fn parse(s: &str) -> Result<WebhookTarget, String> {
        match s.trim() {
            "" | "none" | "null" => Ok(WebhookTarget::None),
            "builtin" => Ok(WebhookTarget::Builtin),
            url if url.starts_with("http://") || url.starts_with("https://") => {
                Ok(WebhookTarget::Url(url.to_owned()))
            }
            other => Err(format!(
                "webhook {other:?}: expected an http(s) URL, `builtin` or `none`"
            )),
        }
    }
}

impl FromStr for WebhookTarget {
    type Err = String;

    fn from_str(s: &str) -> Result<WebhookTarget, String> {
        WebhookTarget::parse(s)
    }
}

/// One reseller account of the simulation.
#[derive(Clone, Debug, PartialEq)]
pub struct AccountConfig {
    /// Short name used by `--key NAME=…` and the config file: `verified`, `unverified`,
    /// `inactive`, `lowbalance`, or any name a config file adds.
    pub name: String,
    /// The API key (`X-API-Key` header or `apikey` query).
    pub key: String,
    /// Reseller code, e.g. `RS00001`.
    pub kodereseller: String,
    /// Reseller name.
    pub nama: String,
    /// WhatsApp id, e.g. `6281200000001@s.whatsapp.net`.
    pub nomor: String,
    /// E-mail address.
    pub email: String,
    /// Balance at start and after a reset, in rupiah.
    pub saldo: i64,
    /// Whether the account is verified (`verif`).
    pub verif: bool,
    /// An inactive account gets 403 on every action.
    pub active: bool,
    /// Where its webhooks go.
    pub webhook: WebhookTarget,
}

/// The global API markup added to every catalog price and to what orders charge.
#[derive(Clone, Copy, Debug, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Markup {
    /// Rupiah added to every price.
    pub flat: i64,
    /// Percent of the base price added (rounded up to whole rupiah), applied before `flat`.
    pub percent: f64,
}

impl Markup {
    /// The final price of a product whose base price is `base`.
    pub fn apply(&self, base: i64) -> i64 {
        let pct = (base as f64 * self.percent / 100.0).ceil() as i64;
        base + pct.max(0) + self.flat
    }
}

/// Everything `serve` needs.
#[derive(Clone, Debug)]
pub struct Config {
    /// Address to listen on; port 0 picks a free one (tests use `127.0.0.1:0`).
    pub bind: SocketAddr,
    /// The accounts; `Config::default()` holds the four seeded ones.
    pub accounts: Vec<AccountConfig>,
    /// Delay from pending to the final status, in milliseconds.
    pub settle_ms: u64,
    /// The global markup.
    pub markup: Markup,
    /// Whether the `/__sandbox` controls (faults, state, reset, info) are served.
    pub faults: bool,
    /// Allowed CORS origins; `*` allows any.
    pub cors_origins: Vec<String>,
    /// Directory served at `/` for requests without `?action=`.
    pub www: Option<PathBuf>,
    /// Directory served at `/pkg/` (the built npm package).
    pub pkg: Option<PathBuf>,
}

/// Default address of the binary.
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
/// Default pending → final delay.
pub const DEFAULT_SETTLE_MS: u64 = 1500;

/// The four seeded accounts.
pub fn seed_accounts() -> Vec<AccountConfig> {
    let acct = |name: &str, key: &str, code: &str, nama: &str, n: u32, saldo, verif, active, webhook| {
        AccountConfig {
            name: name.into(),
            key: key.into(),
            kodereseller: code.into(),
            nama: nama.into(),
            nomor: format!("62812000000{n:02}@s.whatsapp.net"),
            email: format!("{name}@sandbox.ics-store.test"),
            saldo,
            verif,
            active,
            webhook,
        }
    };
    vec![
        acct(
            "verified",
            "sk_test_verified",
            "RS00001",
            "Toko Sandbox Terverifikasi",
            1,
            1_000_000,
            true,
            true,
            WebhookTarget::Builtin,
        ),
        acct(
            "unverified",
            "sk_test_unverified",
            "RS00002",
            "Toko Sandbox Belum Verifikasi",
            2,
            100_000,
            false,
            true,
            WebhookTarget::None,
        ),
        acct(
            "inactive",
            "sk_test_inactive",
            "RS00003",
            "Toko Sandbox Nonaktif",
            3,
            50_000,
            true,
            false,
            WebhookTarget::None,
        ),
        acct(
            "lowbalance",
            "sk_test_lowbalance",
            "RS00004",
            "Toko Sandbox Saldo Tipis",
            4,
            5_000,
            true,
            true,
            WebhookTarget::None,
        ),
    ]
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: DEFAULT_BIND.parse().expect("valid default address"),
            accounts: seed_accounts(),
            settle_ms: DEFAULT_SETTLE_MS,
            markup: Markup::default(),
            faults: true,
            cors_origins: vec!["*".into()],
            www: None,
            pkg: None,
        }
    }
}

/// One account in a config file: every field optional (it changes only what it names);
/// a new name needs at least `key`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct AccountFile {
    key: Option<String>,
    kodereseller: Option<String>,
    nama: Option<String>,
    nomor: Option<String>,
    email: Option<String>,
    saldo: Option<i64>,
    verif: Option<bool>,
    active: Option<bool>,
    /// A URL, `"builtin"`, or `null`/`"none"` (absent: unchanged).
    #[serde(deserialize_with = "present_webhook")]
    webhook_url: Option<WebhookTarget>,
}

/// `webhook_url` when present: `null` is [`WebhookTarget::None`], a string is parsed.
fn present_webhook<'de, D: Deserializer<'de>>(d: D) -> Result<Option<WebhookTarget>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(Some(WebhookTarget::None)),
        Some(s) => WebhookTarget::parse(&s)
            .map(Some)
            .map_err(serde::de::Error::custom),
    }
}

/// The `--config FILE` format (see the README): each field missing takes its default.
#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct ConfigFile {
    bind: SocketAddr,
    settle_ms: u64,
    markup: Markup,
    accounts: BTreeMap<String, AccountFile>,
    cors_origins: Vec<String>,
    www: Option<PathBuf>,
    pkg: Option<PathBuf>,
    faults: bool,
}

impl Default for ConfigFile {
    fn default() -> Self {
        let c = Config::default();
        ConfigFile {
            bind: c.bind,
            settle_ms: c.settle_ms,
            markup: c.markup,
            accounts: BTreeMap::new(),
            cors_origins: c.cors_origins,
            www: c.www,
            pkg: c.pkg,
            faults: c.faults,
        }
    }
}

impl ConfigFile {
    /// The defaults with the file's changes: its accounts change the seeded ones or add new.
    fn into_config(self) -> Result<Config, String> {
        let mut config = Config {
            bind: self.bind,
            accounts: seed_accounts(),
            settle_ms: self.settle_ms,
            markup: self.markup,
            faults: self.faults,
            cors_origins: self.cors_origins,
            www: self.www,
            pkg: self.pkg,
        };
        for (name, a) in self.accounts {
            if config.account(&name).is_none() {
                let key = a
                    .key
                    .clone()
                    .ok_or_else(|| format!("config: new account {name:?} needs a key"))?;
                let n = config.accounts.len() + 1;
                config.accounts.push(AccountConfig {
                    name: name.clone(),
                    key,
                    kodereseller: format!("RS{n:05}"),
                    nama: format!("Toko Sandbox {name}"),
                    nomor: format!("62812000000{n:02}@s.whatsapp.net"),
                    email: format!("{name}@sandbox.ics-store.test"),
                    saldo: 0,
                    verif: true,
                    active: true,
                    webhook: WebhookTarget::None,
                });
            }
            let acct = config.account_mut("config", &name)?;
            let AccountFile {
                key,
                kodereseller,
                nama,
                nomor,
                email,
                saldo,
                verif,
                active,
                webhook_url,
            } = a;
            set(&mut acct.key, key);
            set(&mut acct.kodereseller, kodereseller);
            set(&mut acct.nama, nama);
            set(&mut acct.nomor, nomor);
            set(&mut acct.email, email);
            set(&mut acct.saldo, saldo);
            set(&mut acct.verif, verif);
            set(&mut acct.active, active);
            set(&mut acct.webhook, webhook_url);
        }
        Ok(config)
    }
}

/// Replaces `slot` when `value` is given.
fn set<T>(slot: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *slot = v;
    }
}

/// The command line of `ics-sandbox` (`--help` prints it). Every flag can also come from
/// the environment variable named in its help; a flag given wins over its variable, both
/// win over `--config FILE`, which wins over the defaults. Repeatable flags take a
/// comma-separated list in their variable.
#[derive(Parser, Debug, Default)]
#[command(
    name = "ics-sandbox",
    version,
    about = "ics-sandbox: a local stand-in for the ICS-Store Reseller API"
)]
pub struct Flags {
    /// Listen address (default 127.0.0.1:8080; port 0 picks a free one).
    #[arg(long, env = "ICS_SANDBOX_BIND", value_name = "ADDR")]
    pub bind: Option<SocketAddr>,
    /// JSON config file (accounts, markup, …; see the README).
    #[arg(long, env = "ICS_SANDBOX_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Pending → final delay in ms (default 1500).
    #[arg(
        long,
        env = "ICS_SANDBOX_SETTLE_MS",
        value_name = "N",
        allow_negative_numbers = true
    )]
    pub settle_ms: Option<u64>,
    /// Rupiah added to every price (default 0).
    #[arg(
        long,
        env = "ICS_SANDBOX_MARKUP_FLAT",
        value_name = "N",
        allow_negative_numbers = true
    )]
    pub markup_flat: Option<i64>,
    /// Percent added to every price, rounded up (default 0).
    #[arg(long, env = "ICS_SANDBOX_MARKUP_PERCENT", value_name = "P", value_parser = percent,
          allow_negative_numbers = true)]
    pub markup_percent: Option<f64>,
    /// API key of account NAME (verified, unverified, inactive, lowbalance); repeatable.
    #[arg(long = "key", env = "ICS_SANDBOX_KEY", value_name = "NAME=KEY",
          value_delimiter = ',', value_parser = key)]
    pub keys: Vec<(String, String)>,
    /// Starting balance of account NAME; repeatable.
    #[arg(long = "balance", env = "ICS_SANDBOX_BALANCE", value_name = "NAME=N",
          value_delimiter = ',', value_parser = balance)]
    pub balances: Vec<(String, i64)>,
    /// Webhook of account NAME: a URL, `builtin` or `none`; repeatable. Several in one value
    /// are separated by spaces, not commas: a URL may hold commas, never a bare space.
    #[arg(long = "webhook", env = "ICS_SANDBOX_WEBHOOK", value_name = "NAME=URL",
          value_delimiter = ' ', value_parser = webhook)]
    pub webhooks: Vec<(String, WebhookTarget)>,
    /// Do not serve the /__sandbox controls (faults, state, reset, info).
    #[arg(long, env = "ICS_SANDBOX_NO_FAULTS",
          value_parser = clap::builder::BoolishValueParser::new())]
    pub no_faults: bool,
    /// Allowed CORS origin, repeatable; `*` for any (default *).
    #[arg(
        long = "cors-origin",
        env = "ICS_SANDBOX_CORS_ORIGIN",
        value_name = "ORIGIN",
        value_delimiter = ','
    )]
    pub cors_origins: Vec<String>,
    /// Serve DIR at / (requests without ?action=).
    #[arg(long, env = "ICS_SANDBOX_WWW", value_name = "DIR")]
    pub www: Option<PathBuf>,
    /// Serve DIR at /pkg/.
    #[arg(long, env = "ICS_SANDBOX_PKG", value_name = "DIR")]
    pub pkg: Option<PathBuf>,
}

/// `NAME=VALUE`, split.
fn name_value(v: &str) -> Result<(String, &str), String> {
    v.split_once('=')
        .filter(|(n, _)| !n.is_empty())
        .map(|(n, v)| (n.to_owned(), v))
        .ok_or_else(|| format!("expected NAME=VALUE, got {v:?}"))
}

fn key(v: &str) -> Result<(String, String), String> {
    let (name, key) = name_value(v)?;
    if key.trim().is_empty() {
        return Err(format!("the key of {name} is empty"));
    }
    Ok((name, key.to_owned()))
}

fn balance(v: &str) -> Result<(String, i64), String> {
    let (name, n) = name_value(v)?;
    let n = n.parse().map_err(|e| format!("balance of {name}: {e}"))?;
    Ok((name, n))
}

fn webhook(v: &str) -> Result<(String, WebhookTarget), String> {
    let (name, url) = name_value(v)?;
    Ok((name, WebhookTarget::parse(url)?))
}

fn percent(v: &str) -> Result<f64, String> {
    let p: f64 = v.parse().map_err(|e| format!("{e}"))?;
    if !p.is_finite() || p < 0.0 {
        return Err("must be 0 or more".into());
    }
    Ok(p)
}

impl Flags {
    /// The configuration these flags (and their variables) ask for: the defaults, the
    /// config file's changes, then theirs; validated.
    pub fn into_config(self) -> Result<Config, String> {
        let file = match &self.config {
            None => ConfigFile::default(),
            Some(path) => {
                let text =
                    std::fs::read_to_string(path).map_err(|e| format!("--config {}: {e}", path.display()))?;
                serde_json::from_str(&text).map_err(|e| format!("--config {}: {e}", path.display()))?
            }
        };
        let mut config = file.into_config()?;
        set(&mut config.bind, self.bind);
        set(&mut config.settle_ms, self.settle_ms);
        set(&mut config.markup.flat, self.markup_flat);
        set(&mut config.markup.percent, self.markup_percent);
        for (name, key) in self.keys {
            config.account_mut("--key", &name)?.key = key;
        }
        for (name, saldo) in self.balances {
            config.account_mut("--balance", &name)?.saldo = saldo;
        }
        for (name, target) in self.webhooks {
            config.account_mut("--webhook", &name)?.webhook = target;
        }
        if self.no_faults {
            config.faults = false;
        }
        if !self.cors_origins.is_empty() {
            config.cors_origins = self.cors_origins;
        }
        if self.www.is_some() {
            config.www = self.www;
        }
        if self.pkg.is_some() {
            config.pkg = self.pkg;
        }
        config.validate()?;
        Ok(config)
    }
}

impl Config {
    /// The account called `name`.
    pub fn account(&self, name: &str) -> Option<&AccountConfig> {
        self.accounts.iter().find(|a| a.name == name)
    }

    fn account_mut(&mut self, flag: &str, name: &str) -> Result<&mut AccountConfig, String> {
        let known: Vec<String> = self.accounts.iter().map(|a| a.name.clone()).collect();
        self.accounts
            .iter_mut()
            .find(|a| a.name == name)
            .ok_or_else(|| format!("{flag}: no account {name:?}; known: {}", known.join(", ")))
    }

    /// Checks that keys are unique and non-empty and URLs are well-formed.
    pub fn validate(&self) -> Result<(), String> {
        let mut seen = std::collections::HashSet::new();
        for a in &self.accounts {
            if a.key.trim().is_empty() {
                return Err(format!("account {:?} has an empty key", a.name));
            }
            if !seen.insert(a.key.as_str()) {
                return Err(format!("two accounts share the key of {:?}", a.name));
            }
        }
        for o in &self.cors_origins {
            if o != "*" && !(o.starts_with("http://") || o.starts_with("https://")) {
                return Err(format!(
                    "--cors-origin {o:?}: expected `*` or an origin like http://localhost:5173"
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses `args` as the command line (no variable of the test's environment is set:
    /// the binary's tests in tests/it/cli.rs cover the variables).
    fn run(args: &[&str]) -> Result<Config, String> {
        let flags = Flags::try_parse_from(std::iter::once("ics-sandbox").chain(args.iter().copied()))
            .map_err(|e| e.to_string())?;
        flags.into_config()
    }

    fn file(text: &str) -> Result<Config, String> {
        serde_json::from_str::<ConfigFile>(text)
            .map_err(|e| e.to_string())?
            .into_config()
    }

    #[test]
    fn defaults() {
        let c = run(&[]).unwrap();
        assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(c.settle_ms, 1500);
        assert_eq!(c.account("verified").unwrap().key, "sk_test_verified");
        assert_eq!(c.account("verified").unwrap().webhook, WebhookTarget::Builtin);
        assert_eq!(c.account("unverified").unwrap().webhook, WebhookTarget::None);
        assert_eq!(c.cors_origins, ["*"]);
        assert!(c.faults);
        // An empty file is the defaults too.
        let f = file("{}").unwrap();
        assert_eq!(
            (f.bind, f.settle_ms, f.accounts),
            (c.bind, c.settle_ms, c.accounts)
        );
    }

    #[test]
    fn flags() {
        let c = run(&[
            "--bind=127.0.0.1:0",
            "--settle-ms",
            "20",
            "--key",
            "verified=abc",
            "--balance",
            "lowbalance=7",
            "--webhook",
            "unverified=http://127.0.0.1:9/x",
            "--cors-origin",
            "http://a.test",
            "--cors-origin",
            "http://b.test",
            "--markup-percent",
            "2.5",
            "--no-faults",
        ])
        .unwrap();
        assert_eq!(c.bind.port(), 0);
        assert_eq!(c.settle_ms, 20);
        assert_eq!(c.account("verified").unwrap().key, "abc");
        assert_eq!(c.account("lowbalance").unwrap().saldo, 7);
        assert_eq!(
            c.account("unverified").unwrap().webhook,
            WebhookTarget::Url("http://127.0.0.1:9/x".into())
        );
        assert_eq!(c.cors_origins, ["http://a.test", "http://b.test"]);
        assert!(!c.faults);
        assert_eq!(c.markup.apply(20000), 20500);
        assert_eq!(run(&["--markup-flat", "-500"]).unwrap().markup.flat, -500);
        // A URL with commas stays whole; several webhooks in one value are space-separated.
        let c = run(&["--webhook", "verified=http://h.test/x?a=1,2 unverified=none"]).unwrap();
        assert_eq!(
            c.account("verified").unwrap().webhook,
            WebhookTarget::Url("http://h.test/x?a=1,2".into())
        );
        assert_eq!(c.account("unverified").unwrap().webhook, WebhookTarget::None);
        assert!(run(&["--help"]).is_err());
        assert!(run(&["--key", "nobody=x"]).is_err());
        // The gateway moved to crates/ics-gateway: its old flags are unknown here.
        assert!(run(&["--gateway-allow", "ping"]).is_err());
        assert!(run(&["--upstream", "http://127.0.0.1:9"]).is_err());
        assert!(run(&["--gateway-key", "x"]).is_err());
        assert!(run(&["--frobnicate"]).is_err());
        assert!(run(&["--key", "verified=sk_test_unverified"]).is_err());
    }

    #[test]
    fn bad_values_are_errors_that_name_the_flag() {
        for (args, needle) in [
            (&["--bind", "nowhere"][..], "--bind"),
            (&["--settle-ms", "-1"], "--settle-ms"),
            (&["--markup-percent", "-2"], "0 or more"),
            (&["--markup-percent", "NaN"], "0 or more"),
            (&["--key", "verified="], "empty"),
            (&["--key", "=abc"], "NAME=VALUE"),
            (&["--balance", "verified=lots"], "balance of verified"),
            (&["--webhook", "verified=ftp://x"], "expected an http(s) URL"),
            (&["--cors-origin", "localhost"], "--cors-origin"),
            (&["--config", "/nonexistent/sandbox.json"], "--config"),
            (&["--settle-ms"], "--settle-ms"),
        ] {
            let e = run(args).unwrap_err();
            assert!(e.contains(needle), "{args:?}: {e}");
        }
    }

    #[test]
    fn file_then_flags() {
        let c = file(
            r#"{"settle_ms": 5, "markup": {"flat": 100},
                "accounts": {"verified": {"saldo": 42, "webhook_url": null},
                             "extra": {"key": "sk_extra", "saldo": 9}}}"#,
        )
        .unwrap();
        assert_eq!(c.settle_ms, 5);
        assert_eq!(c.markup.apply(1000), 1100);
        assert_eq!(c.account("verified").unwrap().saldo, 42);
        assert_eq!(c.account("verified").unwrap().key, "sk_test_verified");
        assert_eq!(c.account("verified").unwrap().webhook, WebhookTarget::None);
        assert_eq!(c.account("extra").unwrap().kodereseller, "RS00005");
        assert_eq!(c.account("extra").unwrap().saldo, 9);
        assert_eq!(
            file(r#"{"accounts": {"unverified": {"webhook_url": "builtin"}}}"#)
                .unwrap()
                .account("unverified")
                .unwrap()
                .webhook,
            WebhookTarget::Builtin
        );
        for bad in [
            r#"{"acounts": {}}"#,
            r#"{"accounts": {"new": {"saldo": 1}}}"#,
            r#"{"accounts": {"verified": {"webhook_url": 7}}}"#,
            r#"{"accounts": {"verified": {"webhook_url": "ftp://x"}}}"#,
            r#"{"markup": {"flat": 1, "pct": 2}}"#,
            r#"{"bind": "nowhere"}"#,
            r#"{"settle_ms": "soon"}"#,
            r#"{"upstream": "http://127.0.0.1:9"}"#,
            "[",
        ] {
            assert!(file(bad).is_err(), "{bad}");
        }

        // The file under the flags: a flag wins, what it does not name stays the file's.
        let dir = std::env::temp_dir().join(format!("ics-sandbox-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("sandbox.json");
        std::fs::write(
            &path,
            r#"{"settle_ms": 5, "faults": false, "cors_origins": ["http://file.test"],
                "accounts": {"verified": {"saldo": 42, "key": "sk_file"}}}"#,
        )
        .unwrap();
        let path = path.to_str().unwrap();
        let c = run(&["--config", path, "--balance", "verified=7"]).unwrap();
        assert_eq!(c.account("verified").unwrap().saldo, 7);
        assert_eq!(c.account("verified").unwrap().key, "sk_file");
        assert_eq!(c.settle_ms, 5);
        assert!(!c.faults);
        assert_eq!(c.cors_origins, ["http://file.test"]);
        let c = run(&[
            "--cors-origin",
            "http://flag.test",
            "--config",
            path,
            "--settle-ms",
            "9",
        ])
        .unwrap();
        assert_eq!(c.cors_origins, ["http://flag.test"]);
        assert_eq!(c.settle_ms, 9);
        std::fs::remove_dir_all(dir).unwrap();
    }
}

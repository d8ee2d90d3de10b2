//! The sandbox's configuration: seeded accounts, delays, markup, CORS, static files.
//!
//! Precedence: built-in defaults, then `--config FILE` (JSON), then flags. [`Config::from_args`]
//! does all three; a library user builds a [`Config`] directly (`Config::default()` and edits).

use serde::Deserialize;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;

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
#[derive(Clone, Copy, Debug, Default, PartialEq)]
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

/// One account in a config file: every field optional; a new name needs at least `key`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountFile {
    key: Option<String>,
    kodereseller: Option<String>,
    nama: Option<String>,
    nomor: Option<String>,
    email: Option<String>,
    saldo: Option<i64>,
    verif: Option<bool>,
    active: Option<bool>,
    /// A URL, `"builtin"`, or `null`/`"none"`.
    #[serde(default, deserialize_with = "some_value")]
    webhook_url: Option<serde_json::Value>,
}

fn some_value<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<serde_json::Value>, D::Error> {
    serde_json::Value::deserialize(d).map(Some)
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct MarkupFile {
    flat: Option<i64>,
    percent: Option<f64>,
}

/// The `--config FILE` format; see the README.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    bind: Option<String>,
    settle_ms: Option<u64>,
    markup: Option<MarkupFile>,
    accounts: Option<BTreeMap<String, AccountFile>>,
    cors_origins: Option<Vec<String>>,
    www: Option<PathBuf>,
    pkg: Option<PathBuf>,
    faults: Option<bool>,
}

/// Usage text of the binary.
pub const USAGE: &str = "\
ics-sandbox: a local stand-in for the ICS-Store Reseller API

USAGE: ics-sandbox [FLAGS]

  --bind ADDR              listen address (default 127.0.0.1:8080; port 0 picks one)
  --config FILE            JSON config file (accounts, markup, …; see the README)
  --settle-ms N            pending → final delay in ms (default 1500)
  --markup-flat N          rupiah added to every price (default 0)
  --markup-percent P       percent added to every price, rounded up (default 0)
  --key NAME=KEY           API key of account NAME (verified, unverified, inactive, lowbalance)
  --balance NAME=N         starting balance of account NAME
  --webhook NAME=URL       webhook of account NAME: a URL, `builtin` or `none`
  --no-faults              do not serve the /__sandbox controls (faults, state, reset, info)
  --cors-origin ORIGIN     allowed CORS origin, repeatable; `*` for any (default *)
  --www DIR                serve DIR at / (requests without ?action=)
  --pkg DIR                serve DIR at /pkg/
  -h, --help               this text

";

/// What the command line asks for.
#[derive(Debug)]
pub enum Cli {
    /// Run with this configuration.
    Run(Box<Config>),
    /// Print [`USAGE`] and exit.
    Help,
}

fn name_value<'a>(flag: &str, v: &'a str) -> Result<(&'a str, &'a str), String> {
    v.split_once('=')
        .filter(|(n, _)| !n.is_empty())
        .ok_or_else(|| format!("{flag} expects NAME=VALUE, got {v:?}"))
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

    /// Applies a JSON config file's text.
    pub fn apply_file(&mut self, text: &str) -> Result<(), String> {
        let file: ConfigFile = serde_json::from_str(text).map_err(|e| format!("config file: {e}"))?;
        if let Some(b) = file.bind {
            self.bind = b.parse().map_err(|e| format!("config bind {b:?}: {e}"))?;
        }
        if let Some(s) = file.settle_ms {
            self.settle_ms = s;
        }
        if let Some(m) = file.markup {
            if let Some(f) = m.flat {
                self.markup.flat = f;
            }
            if let Some(p) = m.percent {
                self.markup.percent = p;
            }
        }
        for (name, a) in file.accounts.unwrap_or_default() {
            if self.account(&name).is_none() {
                let key = a
                    .key
                    .clone()
                    .ok_or_else(|| format!("config: new account {name:?} needs a key"))?;
                let n = self.accounts.len() + 1;
                self.accounts.push(AccountConfig {
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
            let acct = self.account_mut("config", &name)?;
            if let Some(v) = a.key {
                acct.key = v;
            }
            if let Some(v) = a.kodereseller {
                acct.kodereseller = v;
            }
            if let Some(v) = a.nama {
                acct.nama = v;
            }
            if let Some(v) = a.nomor {
                acct.nomor = v;
            }
            if let Some(v) = a.email {
                acct.email = v;
            }
            if let Some(v) = a.saldo {
                acct.saldo = v;
            }
            if let Some(v) = a.verif {
                acct.verif = v;
            }
            if let Some(v) = a.active {
                acct.active = v;
            }
            match a.webhook_url {
                None => {}
                Some(serde_json::Value::Null) => acct.webhook = WebhookTarget::None,
                Some(serde_json::Value::String(s)) => acct.webhook = WebhookTarget::parse(&s)?,
                Some(other) => return Err(format!("config: webhook_url of {name:?} is {other}")),
            }
        }
        if let Some(o) = file.cors_origins {
            self.cors_origins = o;
        }
        if let Some(d) = file.www {
            self.www = Some(d);
        }
        if let Some(d) = file.pkg {
            self.pkg = Some(d);
        }
        if let Some(f) = file.faults {
            self.faults = f;
        }
        Ok(())
    }

    /// Reads the command line (without the program name).
    pub fn from_args<I: IntoIterator<Item = String>>(args: I) -> Result<Cli, String> {
        let args: Vec<String> = args.into_iter().collect();
        let mut config = Config::default();
        // The config file first, wherever it appears, so flags override it.
        let mut i = 0;
        while i < args.len() {
            let (flag, inline) = split_flag(&args[i]);
            if flag == "--config" {
                let path = match inline {
                    Some(v) => v.to_owned(),
                    None => args.get(i + 1).cloned().ok_or("--config needs a value")?,
                };
                let text = std::fs::read_to_string(&path).map_err(|e| format!("--config {path}: {e}"))?;
                config.apply_file(&text)?;
            }
            i += 1;
        }
        let mut cors_from_flags: Vec<String> = Vec::new();
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let (flag, inline) = split_flag(arg);
            let value = |it: &mut std::slice::Iter<String>| -> Result<String, String> {
                match inline {
                    Some(v) => Ok(v.to_owned()),
                    None => it.next().cloned().ok_or_else(|| format!("{flag} needs a value")),
                }
            };
            match flag {
                "-h" | "--help" => return Ok(Cli::Help),
                "--config" => {
                    value(&mut it)?;
                }
                "--bind" => {
                    let v = value(&mut it)?;
                    config.bind = v.parse().map_err(|e| format!("--bind {v:?}: {e}"))?;
                }
                "--settle-ms" => {
                    let v = value(&mut it)?;
                    config.settle_ms = v.parse().map_err(|e| format!("--settle-ms {v:?}: {e}"))?;
                }
                "--markup-flat" => {
                    let v = value(&mut it)?;
                    config.markup.flat = v.parse().map_err(|e| format!("--markup-flat {v:?}: {e}"))?;
                }
                "--markup-percent" => {
                    let v = value(&mut it)?;
                    let p: f64 = v.parse().map_err(|e| format!("--markup-percent {v:?}: {e}"))?;
                    if !p.is_finite() || p < 0.0 {
                        return Err(format!("--markup-percent {v:?}: must be 0 or more"));
                    }
                    config.markup.percent = p;
                }
                "--key" => {
                    let v = value(&mut it)?;
                    let (name, key) = name_value(flag, &v)?;
                    if key.trim().is_empty() {
                        return Err(format!("--key {name}: the key is empty"));
                    }
                    config.account_mut(flag, name)?.key = key.to_owned();
                }
                "--balance" => {
                    let v = value(&mut it)?;
                    let (name, n) = name_value(flag, &v)?;
                    let n: i64 = n.parse().map_err(|e| format!("--balance {v:?}: {e}"))?;
                    config.account_mut(flag, name)?.saldo = n;
                }
                "--webhook" => {
                    let v = value(&mut it)?;
                    let (name, url) = name_value(flag, &v)?;
                    let target = WebhookTarget::parse(url)?;
                    config.account_mut(flag, name)?.webhook = target;
                }
                "--no-faults" => config.faults = false,
                "--cors-origin" => cors_from_flags.push(value(&mut it)?),
                "--www" => config.www = Some(PathBuf::from(value(&mut it)?)),
                "--pkg" => config.pkg = Some(PathBuf::from(value(&mut it)?)),
                other => return Err(format!("unknown flag {other:?} (try --help)")),
            }
        }
        if !cors_from_flags.is_empty() {
            config.cors_origins = cors_from_flags;
        }
        config.validate()?;
        Ok(Cli::Run(Box::new(config)))
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

fn split_flag(arg: &str) -> (&str, Option<&str>) {
    match arg.split_once('=') {
        Some((f, v)) if f.starts_with("--") => (f, Some(v)),
        _ => (arg, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<Config, String> {
        match Config::from_args(args.iter().map(|s| s.to_string()))? {
            Cli::Run(c) => Ok(*c),
            Cli::Help => Err("help".into()),
        }
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
        assert!(run(&["--help"]).is_err());
        assert!(run(&["--key", "nobody=x"]).is_err());
        // The gateway moved to crates/ics-gateway: its old flags are unknown here.
        assert!(run(&["--gateway-allow", "ping"]).is_err());
        assert!(run(&["--upstream", "http://127.0.0.1:9"]).is_err());
        assert!(run(&["--frobnicate"]).is_err());
        assert!(run(&["--key", "verified=sk_test_unverified"]).is_err());
    }

    #[test]
    fn file_then_flags() {
        let mut c = Config::default();
        c.apply_file(
            r#"{"settle_ms": 5, "markup": {"flat": 100},
                "accounts": {"verified": {"saldo": 42, "webhook_url": null},
                             "extra": {"key": "sk_extra", "saldo": 9}}}"#,
        )
        .unwrap();
        assert_eq!(c.settle_ms, 5);
        assert_eq!(c.markup.apply(1000), 1100);
        assert_eq!(c.account("verified").unwrap().saldo, 42);
        assert_eq!(c.account("verified").unwrap().webhook, WebhookTarget::None);
        assert_eq!(c.account("extra").unwrap().kodereseller, "RS00005");
        assert!(c.apply_file(r#"{"acounts": {}}"#).is_err());
        assert!(c.apply_file(r#"{"accounts": {"new": {"saldo": 1}}}"#).is_err());
    }
}

//! Back-office sign-in: operators with argon2id password hashes, server-side sessions in
//! an `HttpOnly; SameSite=Strict; Path=/gateway` cookie, login throttling per IP and per
//! username (governor).

use crate::config::Operator;
use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString};
use argon2::Argon2;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Name of the session cookie.
pub const COOKIE: &str = "ics_session";

/// Hashes a password with argon2id (default parameters, random salt) into a PHC string.
pub fn hash_password(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    getrandom::getrandom(&mut salt).map_err(|e| e.to_string())?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Whether `password` matches the PHC `hash` (false for a malformed hash).
pub fn verify_password(password: &str, hash: &str) -> bool {
    verify_password_in(password, hash, &mut Vec::new())
}

/// [`verify_password`] computing in `memory` (grown to the hash's memory cost, 19 MiB by
/// default, and kept for the next verification): reusing a few buffers keeps the
/// sign-in's memory at their size, where allocating 19 MiB per attempt left the freed
/// blocks spread over the allocator's per-thread arenas (RSS grew to 640 MB under
/// rounds of 30 parallel sign-ins even with 4 verifications at once).
pub fn verify_password_in(password: &str, hash: &str, memory: &mut Vec<argon2::Block>) -> bool {
    let Ok(h) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (h.salt, h.hash) else {
        return false;
    };
    let Ok(algorithm) = argon2::Algorithm::try_from(h.algorithm) else {
        return false;
    };
    let version = match h.version.map(argon2::Version::try_from) {
        None => argon2::Version::default(),
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let Ok(params) = argon2::Params::try_from(&h) else {
        return false;
    };
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else {
        return false;
    };
    let blocks = params.block_count();
    if memory.len() < blocks {
        memory.resize(blocks, argon2::Block::default());
    }
    let mut out = vec![0u8; expected.len()];
    let computed = Argon2::new(algorithm, version, params).hash_password_into_with_memory(
        password.as_bytes(),
        salt,
        &mut out,
        &mut memory[..blocks],
    );
    // `Output`'s equality is constant-time.
    computed.is_ok() && argon2::password_hash::Output::new(&out).is_ok_and(|o| o == expected)
}

/// A random 256-bit session id, hex.
pub fn new_session_id() -> String {
    let mut b = [0u8; 32];
    getrandom::getrandom(&mut b).expect("the OS provides randomness");
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[derive(Debug)]
struct Session {
    username: String,
    expires: Instant,
}

/// Operators, sessions and sign-in throttles.
pub struct Auth {
    operators: Vec<Operator>,
    /// Hash verified when the username is unknown, so both cases cost the same.
    dummy_hash: String,
    /// Verification memory, reused: one buffer per verification running at once.
    memory: Mutex<Vec<Vec<argon2::Block>>>,
    sessions: Mutex<HashMap<String, Session>>,
    ttl: Duration,
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    per_user: DefaultKeyedRateLimiter<String>,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth")
            .field("operators", &self.operators.len())
            .finish_non_exhaustive()
    }
}

/// Why a sign-in failed.
#[derive(Debug, PartialEq, Eq)]
pub enum LoginError {
    /// Too many attempts; seconds to wait.
    Throttled(u64),
    /// Wrong username or password.
    Invalid,
}

fn per_minute(n: u32) -> Quota {
    let n = NonZeroU32::new(n.max(1)).expect("at least one");
    Quota::per_minute(n).allow_burst(n)
}

impl Auth {
    /// Sign-in for `operators`.
    pub fn new(operators: Vec<Operator>, ttl: Duration, per_ip_per_min: u32, per_user_per_min: u32) -> Auth {
        Auth {
            operators,
            dummy_hash: hash_password("not a password").unwrap_or_default(),
            memory: Mutex::new(Vec::new()),
            sessions: Mutex::new(HashMap::new()),
            ttl,
            per_ip: RateLimiter::keyed(per_minute(per_ip_per_min)),
            per_user: RateLimiter::keyed(per_minute(per_user_per_min)),
        }
    }

    fn sessions(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.sessions.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Counts one attempt against the throttles (per [`rate_key`] of `ip`, per username).
    pub fn throttle(&self, ip: IpAddr, username: &str) -> Result<(), LoginError> {
        let ip = rate_key(ip);
        use governor::clock::{Clock, DefaultClock};
        let wait = |e: governor::NotUntil<governor::clock::QuantaInstant>| {
            e.wait_time_from(DefaultClock::default().now()).as_secs() + 1
        };
        self.per_ip
            .check_key(&ip)
            .map_err(|e| LoginError::Throttled(wait(e)))?;
        let user: String = username.chars().take(64).collect::<String>().to_lowercase();
        self.per_user
            .check_key(&user)
            .map_err(|e| LoginError::Throttled(wait(e)))?;
        Ok(())
    }

    /// How many verification buffers exist (at most the verifications that ever ran at
    /// once).
    pub fn memory_buffers(&self) -> usize {
        self.memory.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Checks the credentials (CPU-heavy: call from a blocking thread); a new session id.
    pub fn login(&self, username: &str, password: &str) -> Result<String, LoginError> {
        let op = self.operators.iter().find(|o| o.username == username);
        let hash = op.map(|o| o.password_hash.as_str()).unwrap_or(&self.dummy_hash);
        let lock = || self.memory.lock().unwrap_or_else(|p| p.into_inner());
        let mut memory = lock().pop().unwrap_or_default();
        let ok = verify_password_in(password, hash, &mut memory) && op.is_some();
        lock().push(memory);
        if !ok {
            return Err(LoginError::Invalid);
        }
        let id = new_session_id();
        self.sessions().insert(
            id.clone(),
            Session {
                username: username.to_owned(),
                expires: Instant::now() + self.ttl,
            },
        );
        Ok(id)
    }

    /// The username of a live session.
    pub fn session(&self, id: &str) -> Option<String> {
        let mut s = self.sessions();
        let now = Instant::now();
        match s.get(id) {
            Some(sess) if sess.expires > now => Some(sess.username.clone()),
            Some(_) => {
                s.remove(id);
                None
            }
            None => None,
        }
    }

    /// Ends a session.
    pub fn logout(&self, id: &str) {
        self.sessions().remove(id);
    }

    /// Drops expired sessions and idle throttle entries.
    pub fn sweep(&self) {
        let now = Instant::now();
        self.sessions().retain(|_, s| s.expires > now);
        self.per_ip.retain_recent();
        self.per_user.retain_recent();
    }

    /// Session lifetime.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }
}

/// The key an address is limited by: an IPv4 address as it is (an IPv4-mapped IPv6
/// address as its IPv4), an IPv6 address by its /64 (one subscriber or host usually holds
/// a whole /64, so rotating addresses inside it gains nothing).
pub fn rate_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let bits = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(std::net::Ipv6Addr::from(bits))
            }
        },
    }
}

/// The session id in a `Cookie` header.
pub fn cookie_session(cookie_header: Option<&str>) -> Option<&str> {
    cookie_header?
        .split(';')
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v)
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A `Set-Cookie` value for session `id` (`None`: clear it).
pub fn set_cookie(id: Option<&str>, ttl: Duration, secure: bool) -> String {
    let (v, age) = match id {
        Some(id) => (id, ttl.as_secs()),
        None => ("", 0),
    };
    let mut c = format!("{COOKIE}={v}; HttpOnly; SameSite=Strict; Path=/gateway; Max-Age={age}");
    if secure {
        c.push_str("; Secure");
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_is_limited_by_its_64() {
        let k = |s: &str| rate_key(s.parse().unwrap()).to_string();
        assert_eq!(k("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::");
        assert_eq!(k("2001:db8:1:2::ffff"), "2001:db8:1:2::");
        assert_ne!(k("2001:db8:1:3::1"), k("2001:db8:1:2::1"));
        assert_eq!(k("::ffff:10.1.2.3"), "10.1.2.3");
        assert_eq!(k("10.1.2.3"), "10.1.2.3");
    }

    #[test]
    fn hash_verify_and_cookies() {
        let h = hash_password("s3cret").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password("s3cret", &h));
        assert!(!verify_password("s3cret!", &h));
        assert!(!verify_password("s3cret", "garbage"));
        let id = new_session_id();
        let header = format!("a=b; {COOKIE}={id}; c=d");
        assert_eq!(cookie_session(Some(&header)), Some(id.as_str()));
        assert_eq!(cookie_session(Some("ics_session=short")), None);
        let c = set_cookie(Some(&id), Duration::from_secs(60), true);
        assert!(
            c.contains("HttpOnly")
                && c.contains("SameSite=Strict")
                && c.contains("Path=/gateway")
                && c.ends_with("Secure")
        );
    }
}

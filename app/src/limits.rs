//! Stricter limits on the doors an attacker knocks on: sign-in, sign-up and password reset,
//! each counted per client address and per account (e-mail), so neither spraying one
//! password over many accounts nor many passwords at one account from many addresses goes
//! far.

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Attempts allowed, from configuration.
#[derive(Clone, Copy, Debug)]
pub struct AuthLimitConfig {
    pub enabled: bool,
    /// Attempts per client address per minute (a burst of this many, then one per
    /// 60/n seconds).
    pub per_ip_per_minute: u32,
    /// Attempts per account per minute.
    pub per_account_per_minute: u32,
}

#[derive(Clone)]
pub struct AuthLimits(Option<Arc<Limiters>>);

struct Limiters {
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    per_account: DefaultKeyedRateLimiter<String>,
    /// Accounts whose failed sign-ins ran over the limit, until when.
    locked: Mutex<HashMap<String, Instant>>,
}

impl Limiters {
    /// Counts an attempt against the client's network (when known).
    fn address(&self, ip: Option<IpAddr>) -> Result<(), u64> {
        match ip {
            Some(ip) => self
                .per_ip
                .check_key(&network_key(ip))
                .map_err(wait_seconds),
            None => Ok(()),
        }
    }
}

pub use serialtrace::client::network_key;

fn wait_seconds(not_until: governor::NotUntil<governor::clock::QuantaInstant>) -> u64 {
    let clock = governor::clock::DefaultClock::default();
    not_until
        .wait_time_from(governor::clock::Clock::now(&clock))
        .as_secs()
        .max(1)
}

impl AuthLimits {
    pub fn new(config: AuthLimitConfig) -> Self {
        if !config.enabled {
            return Self(None);
        }
        let quota = |n: u32| {
            let n = NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN);
            Quota::per_minute(n).allow_burst(n)
        };
        let limiters = Arc::new(Limiters {
            per_ip: RateLimiter::keyed(quota(config.per_ip_per_minute)),
            per_account: RateLimiter::keyed(quota(config.per_account_per_minute)),
            locked: Mutex::new(HashMap::new()),
        });
        let weak = Arc::downgrade(&limiters);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(60)).await;
                let Some(limiters) = weak.upgrade() else {
                    break;
                };
                limiters.per_ip.retain_recent();
                limiters.per_account.retain_recent();
                if let Ok(mut locked) = limiters.locked.lock() {
                    let now = Instant::now();
                    locked.retain(|_, until| *until > now);
                }
            }
        });
        Self(Some(limiters))
    }

    pub fn off() -> Self {
        Self(None)
    }

    /// Counts one attempt of `action` (sign-up, reset) from `ip` on `account`: both the
    /// address and the account have their limit. Err(seconds to wait) when over either.
    pub fn attempt(
        &self,
        action: &str,
        ip: Option<IpAddr>,
        account: Option<&str>,
    ) -> Result<(), u64> {
        let Some(limiters) = &self.0 else {
            return Ok(());
        };
        limiters.address(ip)?;
        if let Some(account) = account {
            limiters
                .per_account
                .check_key(&account_key(action, account))
                .map_err(wait_seconds)?;
        }
        Ok(())
    }

    /// Before checking a password: counts the attempt against the address, and refuses
    /// while the account is locked by failed attempts.
    pub fn password_attempt(&self, ip: Option<IpAddr>, account: &str) -> Result<(), u64> {
        let Some(limiters) = &self.0 else {
            return Ok(());
        };
        limiters.address(ip)?;
        let key = account_key("password", account);
        let until = limiters
            .locked
            .lock()
            .ok()
            .and_then(|l| l.get(&key).copied());
        match until {
            Some(until) if until > Instant::now() => Err((until - Instant::now()).as_secs().max(1)),
            _ => Ok(()),
        }
    }

    /// After a wrong password: counts against the account (only failures do, so the owner
    /// signing in often is never held up); Err(seconds) when this one went over the limit.
    pub fn password_failed(&self, account: &str) -> Result<(), u64> {
        let Some(limiters) = &self.0 else {
            return Ok(());
        };
        let key = account_key("password", account);
        let wait = limiters.per_account.check_key(&key).map_err(wait_seconds);
        if let Err(seconds) = wait
            && let Ok(mut locked) = limiters.locked.lock()
        {
            locked.insert(key, Instant::now() + Duration::from_secs(seconds));
        }
        wait
    }
}

fn account_key(action: &str, account: &str) -> String {
    format!("{action}:{}", account.trim().to_lowercase())
}

//! Stricter limits on the doors an attacker knocks on: sign-in, sign-up and password reset,
//! each counted per client address and per account (e-mail), so neither spraying one
//! password over many accounts nor many passwords at one account from many addresses goes
//! far.

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

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
            }
        });
        Self(Some(limiters))
    }

    pub fn off() -> Self {
        Self(None)
    }

    /// Counts one attempt of `action` (sign-in, sign-up, reset) from `ip` on `account`;
    /// Err(seconds to wait) when over either limit.
    pub fn attempt(
        &self,
        action: &str,
        ip: Option<IpAddr>,
        account: Option<&str>,
    ) -> Result<(), u64> {
        let Some(limiters) = &self.0 else {
            return Ok(());
        };
        let clock = governor::clock::DefaultClock::default();
        let wait = |not_until: governor::NotUntil<governor::clock::QuantaInstant>| {
            not_until
                .wait_time_from(governor::clock::Clock::now(&clock))
                .as_secs()
                .max(1)
        };
        if let Some(ip) = ip {
            limiters.per_ip.check_key(&ip).map_err(wait)?;
        }
        if let Some(account) = account {
            let key = format!("{action}:{}", account.trim().to_lowercase());
            limiters.per_account.check_key(&key).map_err(wait)?;
        }
        Ok(())
    }
}

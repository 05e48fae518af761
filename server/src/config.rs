//! Configuration, from flags and the environment (flags win).

use crate::client_ip::TrustedProxies;
use crate::rate_limit::RateLimits;
use clap::Args;
use std::net::SocketAddr;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/serialtrace.db";

/// Where the data lives: shared by every subcommand.
#[derive(Args, Clone, Debug)]
pub struct DatabaseArgs {
    /// Database URL: sqlite://PATH (the default; the file and its directory are created) or
    /// postgres://USER@HOST/DB.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    pub database_url: String,

    /// Connections in the read pool.
    #[arg(
        long,
        env = "SERIALTRACE_READ_CONNECTIONS",
        default_value_t = 8,
        global = true
    )]
    pub read_connections: u32,
}

/// How the server runs.
#[derive(Args, Clone, Debug)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "SERIALTRACE_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    /// Folder holding the built front end (pkg/ with the wasm, JS and CSS).
    #[arg(long, env = "SERIALTRACE_SITE_ROOT", default_value = "target/site")]
    pub site_root: String,

    /// Load the demo data set when the database is empty (first start).
    #[arg(long, env = "SERIALTRACE_DEMO_ON_EMPTY", default_value_t = false)]
    pub demo_on_empty: bool,

    /// Units in the demo data set loaded by --demo-on-empty.
    #[arg(long, env = "SERIALTRACE_DEMO_UNITS", default_value_t = 100_000)]
    pub demo_units: u64,

    /// Rate limits (lookups, and sign-in, sign-up and reset attempts) per client address and
    /// account: on, or off (for load tests on loopback).
    #[arg(long, env = "SERIALTRACE_RATE_LIMITS", default_value = "on", value_parser = ["on", "off"])]
    pub rate_limits: String,

    /// Lookups a client may make per minute, sustained.
    #[arg(long, env = "SERIALTRACE_LOOKUPS_PER_MINUTE", default_value_t = 120, value_parser = clap::value_parser!(u32).range(1..))]
    pub lookups_per_minute: u32,

    /// A header a trusted proxy puts the client's address in (e.g. x-forwarded-for). Only
    /// believed on requests from --trusted-proxies; otherwise the socket's peer is the client.
    #[arg(long, env = "SERIALTRACE_TRUSTED_PROXY_HEADER")]
    pub trusted_proxy_header: Option<String>,

    /// Comma-separated addresses of the proxies whose forwarding header is believed.
    #[arg(long, env = "SERIALTRACE_TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: String,

    /// Lookups a client may make in a burst before the per-minute rate applies.
    #[arg(long, env = "SERIALTRACE_LOOKUP_BURST", default_value_t = 60, value_parser = clap::value_parser!(u32).range(1..))]
    pub lookup_burst: u32,

    /// Sign-in, sign-up and password-reset attempts per client address per minute.
    #[arg(long, env = "SERIALTRACE_AUTH_PER_MINUTE_IP", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..))]
    pub auth_per_minute_ip: u32,

    /// Sign-in, sign-up and password-reset attempts per account (e-mail) per minute.
    #[arg(long, env = "SERIALTRACE_AUTH_PER_MINUTE_ACCOUNT", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    pub auth_per_minute_account: u32,

    /// Passwords hashed at once (Argon2id, 19 MiB each); 0: one per core. Further sign-ins
    /// wait their turn.
    #[arg(long, env = "SERIALTRACE_PASSWORD_HASHING_SLOTS", default_value_t = 0)]
    pub password_hashing_slots: usize,

    /// Milliseconds a sign-in waits for a hashing slot before it is answered 503 with
    /// Retry-After (a flood queues briefly instead of exhausting memory).
    #[arg(long, env = "SERIALTRACE_PASSWORD_QUEUE_MS", default_value_t = 5_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub password_queue_ms: u64,

    /// The site's public origin, e.g. https://serialtrace.example: links in e-mails use it,
    /// state-changing requests must come from it, and https makes the session cookie
    /// `__Host-` and Secure. Default: http://ADDR.
    #[arg(long, env = "SERIALTRACE_PUBLIC_ORIGIN")]
    pub public_origin: Option<String>,

    /// Folder the outbox writes e-mails to (one .eml file each) when no SMTP server is set.
    #[arg(long, env = "SERIALTRACE_OUTBOX_DIR", default_value = "data/outbox")]
    pub outbox_dir: String,

    /// SMTP server for e-mail, e.g. smtps://user:password@mail.example (lettre's URL form).
    #[arg(long, env = "SERIALTRACE_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// Start even with a public https origin and switches meant for a demo or a load test on
    /// loopback (--demo-on-empty, whose demo accounts have published passwords, or
    /// --rate-limits off), which are refused there otherwise.
    #[arg(long, env = "SERIALTRACE_ALLOW_UNSAFE", default_value_t = false)]
    pub allow_unsafe: bool,

    /// The sender of e-mails.
    #[arg(
        long,
        env = "SERIALTRACE_MAIL_FROM",
        default_value = "serialtrace <no-reply@serialtrace.invalid>"
    )]
    pub mail_from: String,
}

/// Everything the application needs to start.
#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: String,
    pub read_connections: u32,
    pub addr: SocketAddr,
    pub site_root: String,
    pub rate_limits: RateLimits,
    pub auth_limits: serialtrace_app::limits::AuthLimitConfig,
    pub trusted_proxies: TrustedProxies,
    /// Scheme and authority, no trailing slash; None: derived from the bound address.
    pub public_origin: Option<String>,
    pub outbox_dir: String,
    pub smtp_url: Option<String>,
    pub mail_from: String,
    /// Concurrent password hashes (0: one per core) and how long one waits for its turn.
    pub password_hashing: (usize, std::time::Duration),
}

impl Config {
    /// The configuration, or what is wrong with the flags that make it.
    pub fn new(db: &DatabaseArgs, serve: &ServeArgs) -> Result<Self, String> {
        let trusted_proxies = TrustedProxies::parse(
            serve.trusted_proxy_header.as_deref(),
            &serve.trusted_proxies,
        )
        .map_err(|e| format!("--trusted-proxies: {e}"))?;
        let public_origin = serve
            .public_origin
            .as_deref()
            .map(parse_origin)
            .transpose()
            .map_err(|e| format!("--public-origin: {e}"))?;
        if let Some(origin) = public_origin
            .as_deref()
            .filter(|o| o.starts_with("https://"))
            && !serve.allow_unsafe
        {
            let unsafe_switches: Vec<&str> = [
                serve.demo_on_empty.then_some(
                    "--demo-on-empty (the demo accounts, an admin among them, have published passwords)",
                ),
                (serve.rate_limits != "on")
                    .then_some("--rate-limits off (anyone could enumerate serials and guess passwords)"),
            ]
            .into_iter()
            .flatten()
            .collect();
            if !unsafe_switches.is_empty() {
                return Err(format!(
                    "refusing to serve the public site {origin} with {}; these are for a demo or a load test on loopback. \
                     Leave them out, or add --allow-unsafe (SERIALTRACE_ALLOW_UNSAFE=true) if this really is what you want",
                    unsafe_switches.join(" and ")
                ));
            }
        }
        Ok(Self {
            database_url: db.database_url.clone(),
            read_connections: db.read_connections,
            addr: serve.addr,
            site_root: serve.site_root.clone(),
            rate_limits: RateLimits {
                enabled: serve.rate_limits == "on",
                lookups_per_minute: serve.lookups_per_minute,
                lookup_burst: serve.lookup_burst,
            },
            auth_limits: serialtrace_app::limits::AuthLimitConfig {
                enabled: serve.rate_limits == "on",
                per_ip_per_minute: serve.auth_per_minute_ip,
                per_account_per_minute: serve.auth_per_minute_account,
            },
            trusted_proxies,
            public_origin,
            outbox_dir: serve.outbox_dir.clone(),
            smtp_url: serve.smtp_url.clone(),
            mail_from: serve.mail_from.clone(),
            password_hashing: (
                serve.password_hashing_slots,
                std::time::Duration::from_millis(serve.password_queue_ms),
            ),
        })
    }
}

/// `scheme://host[:port]`, http or https, nothing after.
fn parse_origin(input: &str) -> Result<String, String> {
    let origin = input.trim().trim_end_matches('/');
    let (scheme, authority) = origin
        .split_once("://")
        .ok_or_else(|| format!("'{input}' is not an origin such as https://serialtrace.example"))?;
    if !matches!(scheme, "http" | "https") {
        return Err(format!("'{scheme}' is not http or https"));
    }
    if authority.is_empty() || authority.contains(['/', '?', '#', '@', ' ']) {
        return Err(format!(
            "'{input}' must be only a scheme and a host (and port)"
        ));
    }
    Ok(format!("{scheme}://{}", authority.to_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::parse_origin;

    #[test]
    fn origins() {
        assert_eq!(
            parse_origin("https://Serialtrace.Example/").as_deref(),
            Ok("https://serialtrace.example")
        );
        assert!(parse_origin("serialtrace.example").is_err());
        assert!(parse_origin("ftp://x").is_err());
        assert!(parse_origin("https://x/path").is_err());
    }
}

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

    /// Rate limits on public lookups per client address: on, or off (for load tests on loopback).
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
}

/// Everything the application needs to start.
#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: String,
    pub read_connections: u32,
    pub addr: SocketAddr,
    pub site_root: String,
    pub rate_limits: RateLimits,
    pub trusted_proxies: TrustedProxies,
}

impl Config {
    /// The configuration, or what is wrong with the flags that make it.
    pub fn new(db: &DatabaseArgs, serve: &ServeArgs) -> Result<Self, String> {
        let trusted_proxies = TrustedProxies::parse(
            serve.trusted_proxy_header.as_deref(),
            &serve.trusted_proxies,
        )
        .map_err(|e| format!("--trusted-proxies: {e}"))?;
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
            trusted_proxies,
        })
    }
}

//! The serialtrace binary's parts: configuration, the HTTP application and the CLI.

pub mod canonical;
pub mod cli;
pub mod client_ip;
pub mod config;
pub mod problem;
pub mod rate_limit;
pub mod routes;
pub mod security;
pub mod sessions;
pub mod startup;
pub mod unread_body;

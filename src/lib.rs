//! serialtrace: the domain of a public recall-and-warranty lookup portal.
//!
//! Everything outside `store`, `service`, `audit` and `demo` builds for the browser (wasm)
//! as well, so the same parsers give instant feedback there and the final word on the
//! server.

pub mod account;
pub mod admin;
pub mod catalogue;
pub mod claim;
pub mod client;
pub mod export;
pub mod format;
pub mod gs1;
pub mod import;
pub mod lookup;
pub mod overview;
pub mod owner;
pub mod police;
mod read_model;
pub mod recall;
pub mod serial;
pub mod signals;
pub mod stock;
pub mod theft;
pub mod unit;
pub mod warranty;

#[cfg(feature = "server")]
pub mod audit;
#[cfg(feature = "server")]
pub mod demo;
#[cfg(feature = "server")]
pub mod service;
#[cfg(feature = "server")]
pub mod store;
#[cfg(feature = "test-support")]
pub mod testing;

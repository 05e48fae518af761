//! serialtrace's web UI: pages, components and the server functions behind them.

// Leptos views are deeply nested types; the release wasm build (opt-level z, LTO) computes
// their layouts past the default query depth.
#![recursion_limit = "256"]

pub mod app;
pub mod auth;
pub mod components;
pub mod error;
#[cfg(feature = "ssr")]
pub mod limits;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod state;
pub mod web;

pub use app::{App, shell};

/// The browser entry point. Pages are rendered on the server and stay plain HTML; only the
/// interactive islands (the lookup form's instant feedback) hydrate, which keeps the wasm
/// small and every page readable with JavaScript off.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}

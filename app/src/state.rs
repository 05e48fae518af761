//! What server functions and pages reach through context on the server.

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use serialtrace::service::Services;

#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub services: Services,
    /// Limits on sign-in, sign-up and password reset attempts.
    pub auth_limits: crate::limits::AuthLimits,
    /// The site's public origin (`https://host`), used in links sent by e-mail; never taken
    /// from a request's Host header, which the sender controls.
    pub site_origin: std::sync::Arc<str>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The services, from the request's context.
pub fn services() -> Result<Services, crate::error::AppError> {
    leptos::prelude::use_context::<AppState>()
        .map(|s| s.services)
        .ok_or(crate::error::AppError::Unavailable)
}

/// The address a request is attributed to: set by the server for every request (the socket's
/// peer, or what a trusted proxy says).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub std::net::IpAddr);

/// The caller's coarse origin (network, not address) for the lookup log.
pub async fn client_origin() -> String {
    use axum::Extension;
    match leptos_axum::extract::<Extension<ClientIp>>().await {
        Ok(Extension(ClientIp(ip))) => serialtrace::service::lookup::coarse_origin(ip),
        Err(_) => "unknown".to_owned(),
    }
}

/// The address a request is attributed to, from its parts.
pub fn client_ip(parts: &axum::http::request::Parts) -> Option<std::net::IpAddr> {
    parts.extensions.get::<ClientIp>().map(|c| c.0)
}

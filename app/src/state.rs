//! What server functions and pages reach through context on the server.

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use serialtrace::service::Services;

#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub services: Services,
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

/// The caller's coarse origin (network, not address) for the lookup log.
pub async fn client_origin() -> String {
    use axum::extract::ConnectInfo;
    use std::net::SocketAddr;
    match leptos_axum::extract::<ConnectInfo<SocketAddr>>().await {
        Ok(ConnectInfo(addr)) => serialtrace::service::lookup::coarse_origin(addr.ip()),
        Err(_) => "unknown".to_owned(),
    }
}

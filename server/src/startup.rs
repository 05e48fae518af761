//! Building and running the HTTP application.

use crate::client_ip::{self, TrustedProxies};
use crate::config::Config;
use crate::rate_limit::{self, LookupLimiter};
use crate::routes::{api, digital_link, health};
use crate::security::{self, SiteOrigin};
use crate::sessions::{self, DbSessionStore};
use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use axum::routing::{get, post};
use leptos::config::LeptosOptions;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use serialtrace::service::Services;
use serialtrace::service::mail::{self, Mailer};
use serialtrace::store::Db;
use serialtrace_app::limits::AuthLimits;
use serialtrace_app::pages::{account, admin, desk, my, police, staff};
use serialtrace_app::state::AppState;
use serialtrace_app::{App, shell};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;

/// The largest request body accepted: forms and lookups are small. Uploads set their own,
/// larger limit on their route.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// The largest API request body (a stolen check of 1,000 serials, or remedy updates).
pub const MAX_API_BODY_BYTES: usize = 1024 * 1024;

/// A built application: bound to its port, ready to serve.
pub struct Application {
    listener: TcpListener,
    router: Router,
    addr: SocketAddr,
}

impl Application {
    /// Connects to the database, migrates it, and binds the listener (port 0 picks one).
    pub async fn build(config: &Config) -> anyhow::Result<Self> {
        let db = Db::connect(&config.database_url, config.read_connections).await?;
        db.migrate().await?;
        Self::build_with_db(config, db).await
    }

    pub async fn build_with_db(config: &Config, db: Db) -> anyhow::Result<Self> {
        let mailer = Mailer::new(
            config.outbox_dir.clone().into(),
            config.smtp_url.as_deref(),
            &config.mail_from,
        )?;
        let services = Services::start(db.clone()).await?;
        let listener = TcpListener::bind(config.addr).await?;
        let addr = listener.local_addr()?;
        let site_origin = match &config.public_origin {
            Some(origin) => origin.clone(),
            // Links in e-mails need an address people can reach; on loopback that is this one.
            None if addr.ip().is_loopback() => format!("http://{addr}"),
            None => anyhow::bail!(
                "serving on {addr}, which is not loopback: set --public-origin (SERIALTRACE_PUBLIC_ORIGIN) \
                 to the address people use, e.g. https://serialtrace.example"
            ),
        };
        let leptos_options = LeptosOptions::builder()
            .output_name("serialtrace")
            .site_root(config.site_root.as_str())
            .site_pkg_dir("pkg")
            .site_addr(addr)
            .build();
        let state = AppState {
            leptos_options,
            services,
            auth_limits: AuthLimits::new(config.auth_limits),
            site_origin: site_origin.as_str().into(),
        };
        let limiter = LookupLimiter::new(config.rate_limits);
        let store = DbSessionStore::new(db.clone());
        store.spawn_cleanup(std::time::Duration::from_secs(60));
        mail::spawn_worker(db, mailer, std::time::Duration::from_secs(1));
        let site = Site {
            origin: SiteOrigin(config.public_origin.as_deref().map(Into::into)),
            https: site_origin.starts_with("https://"),
            store,
        };
        Ok(Self {
            listener,
            router: router(
                state,
                limiter,
                Arc::new(config.trusted_proxies.clone()),
                site,
            ),
            addr,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Serves until Ctrl-C or SIGTERM.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown_signal())
        .await
    }
}

/// The app's routes, found once per process. Leptos finds them by rendering the app with a
/// process-wide "do not load resources" switch on; a page that another server in the same
/// process (the tests run many) renders at that moment would wait forever
/// (leptos-rs/leptos#4773).
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// What the router needs to know about the site beyond the app's state.
pub struct Site {
    /// The configured public origin, for the cross-site check.
    pub origin: SiteOrigin,
    /// Served over HTTPS: the session cookie is `__Host-` and Secure.
    pub https: bool,
    pub store: DbSessionStore,
}

pub fn router(
    state: AppState,
    limiter: LookupLimiter,
    trusted: Arc<TrustedProxies>,
    site: Site,
) -> Router {
    let routes = route_list();
    let api = Router::new()
        .route("/v1/lookup", get(api::lookup))
        .route("/v1/openapi.json", get(api::openapi))
        .route("/v1/stolen-checks", post(api::stolen_checks))
        .route("/v1/recalls", get(api::recalls))
        .route("/v1/recalls/{number}", get(api::recall))
        .route("/v1/recalls/{number}/remedies", post(api::remedies))
        .route("/v1/units.csv", get(api::units_export))
        .fallback(api::not_found)
        .layer(RequestBodyLimitLayer::new(MAX_API_BODY_BYTES))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_API_BODY_BYTES));
    // Imports through the API: the one API route with a large body.
    let api_import = Router::new()
        .route("/v1/units/import", post(api::units_import))
        .layer(RequestBodyLimitLayer::new(api::MAX_IMPORT_BYTES))
        .layer(axum::extract::DefaultBodyLimit::max(api::MAX_IMPORT_BYTES));
    // Uploads: the one place a large body is welcome.
    let uploads = Router::new()
        .route("/staff/import/upload", post(staff::import::upload))
        .layer(RequestBodyLimitLayer::new(staff::import::MAX_UPLOAD_BYTES))
        .layer(axum::extract::DefaultBodyLimit::max(
            staff::import::MAX_UPLOAD_BYTES,
        ));
    let registration = Router::new()
        .route("/my/register", post(my::register_unit))
        .layer(RequestBodyLimitLayer::new(my::MAX_REGISTER_BYTES))
        .layer(axum::extract::DefaultBodyLimit::max(my::MAX_REGISTER_BYTES));
    let scans = Router::new()
        .route(
            "/lookup/scan",
            post(serialtrace_app::pages::lookup::scan_photo),
        )
        .layer(RequestBodyLimitLayer::new(
            serialtrace_app::pages::lookup::MAX_PHOTO_BYTES + 64 * 1024,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(
            serialtrace_app::pages::lookup::MAX_PHOTO_BYTES + 64 * 1024,
        ));
    let claims = Router::new()
        .route("/my/products/{id}/claim", post(my::claims::file_claim))
        .layer(RequestBodyLimitLayer::new(my::MAX_CLAIM_BYTES))
        .layer(axum::extract::DefaultBodyLimit::max(my::MAX_CLAIM_BYTES));
    let bulk = Router::new()
        .route("/staff/journey/upload", post(staff::journey::upload_bulk))
        .route(
            "/staff/stock/upload",
            post(staff::stock::upload_stock_audit),
        )
        .layer(RequestBodyLimitLayer::new(staff::journey::MAX_BULK_BYTES))
        .layer(axum::extract::DefaultBodyLimit::max(
            staff::journey::MAX_BULK_BYTES,
        ));
    // Pages, their forms and server functions: these know who is signed in.
    let pages = Router::new()
        .route("/signin", post(account::signin::submit))
        .route("/signup", post(account::signup::submit))
        .route("/signout", post(account::settings::sign_out))
        .route(
            "/account/password",
            post(account::settings::change_password),
        )
        .route("/forgot-password", post(account::reset::request_reset))
        .route("/reset-password", post(account::reset::submit_reset))
        .route("/verify-email", post(account::verify::submit))
        .route("/admin/users", post(admin::users::change_role))
        .route("/admin/api-keys", post(admin::api_keys::change_api_keys))
        .route("/staff/export/units.csv", get(staff::export::units_csv))
        .route("/staff", post(staff::change_counterfeit))
        .route("/staff/products", post(staff::catalogue::create_product))
        .route(
            "/staff/products/{id}",
            post(staff::catalogue::change_product),
        )
        .route(
            "/staff/batches/{id}/serials.csv",
            get(staff::batches::batch_csv),
        )
        .route("/staff/units/{id}/qr.svg", get(staff::batches::unit_qr))
        .route("/staff/recalls", post(staff::recalls::create_recall))
        .route("/staff/recalls/{id}", post(staff::recalls::change_recall))
        .route("/staff/units/{id}", post(staff::units::change_unit))
        .route("/staff/thefts", post(staff::thefts::change_theft))
        .route("/staff/stock", post(staff::stock::create_stock_audit))
        .route("/staff/stock/{id}", post(staff::stock::apply_stock_audit))
        .route("/my/products/{id}", post(my::change_product))
        .route("/my/transfers", post(my::redeem_transfer))
        .route("/my/notices", post(my::read_notice))
        .route("/files/{id}", get(my::attachment))
        .route("/police", post(police::file_report))
        .route("/police/reports/{id}", post(police::change_report))
        .route("/police/hotlist.csv", get(police::hot_list))
        .route("/desk/units/{id}", post(desk::change_desk_unit))
        .route("/desk/claims/{id}", post(desk::change_desk_claim))
        .route("/desk/expiring.csv", get(desk::expiring_csv))
        .leptos_routes(&state, routes, {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .merge(uploads)
        .merge(bulk)
        .merge(registration)
        .merge(claims)
        .merge(scans)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            serialtrace_app::auth::load_viewer,
        ))
        .layer(sessions::layer(site.store, site.https));
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/01/{*rest}", get(digital_link::resolve))
        .nest("/api", api_import.merge(api))
        .route("/api/docs", get(crate::routes::api_docs::page))
        .merge(pages)
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn_with_state(
            limiter,
            rate_limit::limit_lookups,
        ))
        .layer(axum::middleware::from_fn_with_state(
            trusted,
            client_ip::attribute,
        ))
        .layer(axum::middleware::from_fn_with_state(
            site.origin,
            security::reject_cross_site,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(security::API_CSP),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("x-frame-options"),
            HeaderValue::from_static("DENY"),
        ))
        .with_state(state)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

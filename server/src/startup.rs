//! Building and running the HTTP application.

use crate::client_ip::{self, TrustedProxies};
use crate::config::Config;
use crate::rate_limit::{self, LookupLimiter};
use crate::routes::{api, digital_link, health};
use crate::security::{self, SiteOrigin};
use crate::sessions::{self, DbSessionStore};
use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use leptos::config::LeptosOptions;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use serialtrace::service::Services;
use serialtrace::service::accounts::PasswordHasher;
use serialtrace::service::mail::{self, Mailer};
use serialtrace::store::Db;
use serialtrace_app::limits::AuthLimits;
use serialtrace_app::pages::{account, admin, desk, lookup, my, police, staff};
use serialtrace_app::state::AppState;
use serialtrace_app::web::routes::Routes;
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
        let (slots, wait) = config.password_hashing;
        let services =
            Services::start(db.clone(), PasswordHasher::with_limits(slots, wait)).await?;
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
            origin: match &config.public_origin {
                Some(origin) => SiteOrigin::configured(origin),
                None => SiteOrigin::loopback(addr),
            },
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

/// The router, refusing bodies over `limit` bytes.
fn limited(routes: Routes, limit: usize) -> Router<AppState> {
    routes
        .into_router()
        .layer(RequestBodyLimitLayer::new(limit))
        .layer(axum::extract::DefaultBodyLimit::max(limit))
}

/// The JSON API, under `/api`.
fn api_routes() -> Routes {
    Routes::under("/api")
        .get("/v1/lookup", api::lookup)
        .get("/v1/openapi.json", api::openapi)
        .post("/v1/stolen-checks", api::stolen_checks)
        .get("/v1/recalls", api::recalls)
        .get("/v1/recalls/{number}", api::recall)
        .get(
            "/v1/manufacturers/{manufacturer}/recalls/{number}",
            api::manufacturer_recall,
        )
        .post("/v1/recalls/{number}/remedies", api::remedies)
        .get("/v1/units.csv", api::units_export)
}

/// Imports through the API: the one API route with a large body.
fn api_import_routes() -> Routes {
    Routes::under("/api").post("/v1/units/import", api::units_import)
}

/// Uploads, each group with the body limit it needs: the one place a large body is welcome.
/// Each page group lists its own.
fn upload_routes() -> Vec<(Routes, usize)> {
    [staff::uploads(), my::uploads(), lookup::uploads()]
        .into_iter()
        .flatten()
        .collect()
}

/// The pages' form posts, downloads and files (these know who is signed in), as each page
/// group lists them.
fn form_routes() -> Routes {
    account::routes()
        .merge(admin::routes())
        .merge(staff::routes())
        .merge(my::routes())
        .merge(police::routes())
        .merge(desk::routes())
}

/// Routes outside the session: probes, GS1 Digital Links and the API's documentation.
fn service_routes() -> Routes {
    Routes::new()
        .get("/healthz", health::healthz)
        .get("/readyz", health::readyz)
        .get("/01/{*rest}", digital_link::resolve)
        .get("/api/docs", crate::routes::api_docs::page)
}

/// Every route the server answers, as (method, path pattern): the pages, their forms and
/// files, the server functions and the API. The role matrix checks it covers each one.
pub fn endpoints() -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = [
        api_routes(),
        api_import_routes(),
        form_routes(),
        service_routes(),
    ]
    .into_iter()
    .chain(upload_routes().into_iter().map(|(routes, _)| routes))
    .flat_map(|routes| routes.listed().to_vec())
    .map(|(method, path)| (method.to_owned(), path))
    .collect();
    for page in route_list() {
        for method in page.methods() {
            all.push((format!("{method:?}").to_uppercase(), page.path().to_owned()));
        }
    }
    for (path, method) in leptos::server_fn::axum::server_fn_paths() {
        all.push((method.to_string(), path.to_owned()));
    }
    all.sort();
    all.dedup();
    all
}

pub fn router(
    state: AppState,
    limiter: LookupLimiter,
    trusted: Arc<TrustedProxies>,
    site: Site,
) -> Router {
    let routes = route_list();
    let api = limited(api_routes(), MAX_API_BODY_BYTES).fallback(api::not_found);
    let api_import = limited(api_import_routes(), api::MAX_IMPORT_BYTES);
    let uploads = upload_routes()
        .into_iter()
        .fold(Router::new(), |all, (routes, limit)| {
            all.merge(limited(routes, limit))
        });
    // Pages, their forms and server functions: these know who is signed in.
    let pages = form_routes()
        .into_router()
        .leptos_routes(&state, routes, {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .merge(uploads)
        // Files, and the "not found" page, which shows who is signed in like any other.
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            serialtrace_app::auth::load_viewer,
        ))
        .layer(sessions::layer(site.store, site.https));
    service_routes()
        .into_router()
        .nest(
            "/api",
            api_import
                .merge(api)
                .layer(axum::middleware::map_response(api::too_large_as_problem)),
        )
        .merge(pages)
        .layer(axum::middleware::from_fn_with_state(
            limiter,
            rate_limit::limit_lookups,
        ))
        // Before any rule that names a path: every other spelling is redirected to the one
        // those rules know.
        .layer(axum::middleware::from_fn(
            crate::canonical::redirect_to_canonical,
        ))
        // Inside the guards, around every handler: a panic answers its own request only.
        .layer(axum::middleware::from_fn(security::catch_panics))
        .layer(axum::middleware::from_fn_with_state(
            trusted,
            client_ip::attribute,
        ))
        .layer(axum::middleware::from_fn_with_state(
            site.origin,
            security::reject_cross_site,
        ))
        // Outside every rule that may answer before reading a body: the rest is read first,
        // so the client gets the answer rather than a reset connection.
        .layer(axum::middleware::from_fn(
            crate::unread_body::drain_after_answer,
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

//! Who is asking, and what they may reach. The server loads the signed-in user from the
//! session once per request ([`load_viewer`]); every page, server function, form handler and
//! API handler asks the same question through [`Access::check`]: as the axum extractor
//! [`RequireRole`], or [`require`] inside server functions and pages.

use crate::error::AppError;
use serialtrace::account::{Role, SignedInUser};

/// What a route needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in user (every user is an owner).
    SignedIn,
    /// A user holding this role.
    Role(Role),
    /// A user holding either role.
    Either(Role, Role),
}

impl Access {
    /// The user, if they may pass; otherwise why not.
    pub fn check(self, viewer: Option<&SignedInUser>) -> Result<Option<SignedInUser>, AppError> {
        match (self, viewer) {
            (Access::Public, v) => Ok(v.cloned()),
            (_, None) => Err(AppError::SignInRequired),
            (Access::SignedIn, Some(user)) => Ok(Some(user.clone())),
            (Access::Role(role), Some(user)) if user.has(role) => Ok(Some(user.clone())),
            (Access::Either(a, b), Some(user)) if user.has(a) || user.has(b) => {
                Ok(Some(user.clone()))
            }
            (Access::Role(_) | Access::Either(..), Some(_)) => Err(AppError::Forbidden),
        }
    }
}

/// The signed-in user of the current request (pages and server functions), if any.
pub fn viewer() -> Option<SignedInUser> {
    #[cfg(feature = "ssr")]
    {
        leptos::prelude::use_context::<axum::http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<Viewer>().cloned())
            .and_then(|v| v.0)
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}

/// The signed-in user, when `access` lets them through; for server functions and pages. A
/// refusal also sets the response status (401 or 403).
pub fn require(access: Access) -> Result<SignedInUser, AppError> {
    let outcome = access
        .check(viewer().as_ref())
        .and_then(|user| user.ok_or(AppError::SignInRequired));
    #[cfg(feature = "ssr")]
    if let Err(error) = &outcome {
        crate::error::set_status(error.status());
    }
    outcome
}

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server {
    use super::Access;
    use crate::error::AppError;
    use crate::state::AppState;
    use axum::extract::{FromRequestParts, Request, State};
    use axum::http::request::Parts;
    use axum::http::{HeaderValue, header};
    use axum::middleware::Next;
    use axum::response::{IntoResponse, Response};
    use serialtrace::account::{Role, SignedInUser};
    use serialtrace::service::accounts::user_record;
    use std::marker::PhantomData;
    use tower_sessions::Session;

    /// Session keys.
    pub const USER_ID: &str = "user_id";
    /// When the user signed in (Unix seconds): the absolute expiry counts from here.
    const SINCE: &str = "since";
    /// The user's role epoch the session last saw; a newer one cycles the session id.
    const EPOCH: &str = "epoch";
    /// When the session was last marked active (Unix seconds): refreshes the idle expiry.
    const SEEN: &str = "seen";

    /// A session ends this long after sign-in, however active.
    pub const ABSOLUTE_LIFETIME: i64 = 12 * 60 * 60;
    /// A session ends after this long without a request.
    pub const IDLE_LIFETIME: i64 = 30 * 60;
    /// Activity is written at most this often (each write pushes the idle expiry on).
    const SEEN_EVERY: i64 = 60;

    /// The request's signed-in user, put in the request's extensions by [`load_viewer`].
    #[derive(Clone, Debug, Default)]
    pub struct Viewer(pub Option<SignedInUser>);

    fn now() -> i64 {
        time::OffsetDateTime::now_utc().unix_timestamp()
    }

    /// Starts a signed-in session: a new id (so an id planted before sign-in is worthless),
    /// then the user.
    pub async fn start_session(
        session: &Session,
        user_id: i64,
        auth_epoch: i64,
    ) -> Result<(), tower_sessions::session::Error> {
        session.cycle_id().await?;
        session.clear().await;
        let now = now();
        session.insert(USER_ID, user_id).await?;
        session.insert(SINCE, now).await?;
        session.insert(EPOCH, auth_epoch).await?;
        session.insert(SEEN, now).await?;
        Ok(())
    }

    /// The session's user, if it is signed in and within its absolute lifetime.
    pub async fn session_user_id(session: &Session) -> Option<i64> {
        let user_id = session.get::<i64>(USER_ID).await.ok().flatten()?;
        let since = session.get::<i64>(SINCE).await.ok().flatten().unwrap_or(0);
        (now() - since <= ABSOLUTE_LIFETIME).then_some(user_id)
    }

    /// Middleware: loads the signed-in user (if any) into the request. Ends sessions past
    /// their absolute lifetime or of disabled users, cycles the id when the user's roles
    /// changed, and marks activity so the idle expiry moves on.
    pub async fn load_viewer(
        State(state): State<AppState>,
        session: Session,
        mut request: Request,
        next: Next,
    ) -> Response {
        let viewer = match session.get::<i64>(USER_ID).await {
            Ok(Some(user_id)) => viewer_for(&state, &session, user_id).await,
            _ => None,
        };
        let signed_in = viewer.is_some();
        request.extensions_mut().insert(Viewer(viewer));
        let mut response = next.run(request).await;
        if signed_in {
            // A page made for one user is not for shared caches, nor for the back button
            // after sign-out.
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        response
    }

    async fn viewer_for(state: &AppState, session: &Session, user_id: i64) -> Option<SignedInUser> {
        if session_user_id(session).await.is_none() {
            let _ = session.flush().await;
            return None;
        }
        let record = match user_record(&state.services.db, user_id).await {
            Ok(Some(record)) if !record.disabled => record,
            Ok(_) => {
                let _ = session.flush().await;
                return None;
            }
            Err(error) => {
                tracing::error!(%error, "loading the signed-in user");
                return None;
            }
        };
        let epoch = session.get::<i64>(EPOCH).await.ok().flatten();
        if epoch != Some(record.auth_epoch) {
            let _ = session.cycle_id().await;
            let _ = session.insert(EPOCH, record.auth_epoch).await;
        }
        let seen = session.get::<i64>(SEEN).await.ok().flatten().unwrap_or(0);
        if now() - seen >= SEEN_EVERY {
            let _ = session.insert(SEEN, now()).await;
        }
        Some(record.user)
    }

    /// Who makes a change, for its audit entry: the user, the role they act in, and the
    /// address the request came from.
    pub struct Caller {
        user_id: i64,
        role: &'static str,
        ip: Option<String>,
    }

    impl Caller {
        pub fn new(user: &SignedInUser, parts: &Parts, role: &'static str) -> Self {
            Self {
                user_id: user.id,
                role,
                ip: crate::state::client_ip(parts).map(|ip| ip.to_string()),
            }
        }

        pub fn staff(user: &SignedInUser, parts: &Parts) -> Self {
            Self::new(user, parts, "staff")
        }

        pub fn actor(&self) -> serialtrace::service::accounts::Actor<'_> {
            serialtrace::service::accounts::Actor {
                user_id: Some(self.user_id),
                role: self.role,
                client_ip: self.ip.as_deref(),
            }
        }
    }

    /// A role a handler requires, as a type: `RequireRole<Admin>`.
    pub trait Rule: Send + Sync + 'static {
        const ACCESS: Access;
    }

    macro_rules! rule {
        ($name:ident, $access:expr) => {
            #[derive(Clone, Copy, Debug)]
            pub struct $name;
            impl Rule for $name {
                const ACCESS: Access = $access;
            }
        };
    }
    rule!(SignedIn, Access::SignedIn);
    rule!(Agent, Access::Role(Role::Agent));
    rule!(Staff, Access::Role(Role::Staff));
    rule!(Police, Access::Role(Role::Police));
    rule!(Admin, Access::Role(Role::Admin));
    rule!(PoliceOrAdmin, Access::Either(Role::Police, Role::Admin));

    /// An axum extractor that lets a request through only with the rule's role: 401 for the
    /// anonymous, 403 for the wrong role.
    pub struct RequireRole<R: Rule>(pub SignedInUser, PhantomData<R>);

    impl<R: Rule> RequireRole<R> {
        pub fn user(&self) -> &SignedInUser {
            &self.0
        }
    }

    impl<S: Send + Sync, R: Rule> FromRequestParts<S> for RequireRole<R> {
        type Rejection = Response;

        async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
            let viewer = parts.extensions.get::<Viewer>().and_then(|v| v.0.as_ref());
            match R::ACCESS
                .check(viewer)
                .and_then(|user| user.ok_or(AppError::SignInRequired))
            {
                Ok(user) => Ok(Self(user, PhantomData)),
                Err(error) => Err(refusal(error, parts)),
            }
        }
    }

    /// A refusal as the caller expects it: a page sends the browser to sign in (and back),
    /// anything else gets the status and the message.
    fn refusal(error: AppError, parts: &Parts) -> Response {
        let wants_html = parts
            .headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
        if error == AppError::SignInRequired && wants_html {
            // Back to the page after signing in; a form's POST address is no page, so
            // those start again from the sign-in page.
            let target = if parts.method == axum::http::Method::GET {
                let next = parts.uri.path_and_query().map_or("/", |p| p.as_str());
                format!("/signin?next={}", crate::web::forms::encode(next))
            } else {
                "/signin".to_owned()
            };
            return axum::response::Redirect::to(&target).into_response();
        }
        (error.status(), error.to_string()).into_response()
    }
}

//! The routes a page group answers besides its pages (form posts, uploads, downloads), kept
//! as data as well as a router, so the server's role matrix can check that it has a row for
//! every one. Each page group lists its own (`pages::staff::routes()` and so on); the server
//! merges them.

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server {
    use crate::state::AppState;
    use axum::Router;
    use axum::handler::Handler;
    use axum::routing::{MethodRouter, get, post};

    pub struct Routes {
        router: Router<AppState>,
        /// Method and full path of each route.
        listed: Vec<(&'static str, String)>,
        /// Where the router is nested (for the listing only).
        prefix: &'static str,
    }

    impl Default for Routes {
        fn default() -> Self {
            Self::new()
        }
    }

    impl Routes {
        pub fn new() -> Self {
            Self::under("")
        }

        pub fn under(prefix: &'static str) -> Self {
            Self {
                router: Router::new(),
                listed: Vec::new(),
                prefix,
            }
        }

        pub fn get<H, T>(self, path: &'static str, handler: H) -> Self
        where
            H: Handler<T, AppState>,
            T: 'static,
        {
            self.add("GET", path, get(handler))
        }

        pub fn post<H, T>(self, path: &'static str, handler: H) -> Self
        where
            H: Handler<T, AppState>,
            T: 'static,
        {
            self.add("POST", path, post(handler))
        }

        fn add(
            mut self,
            method: &'static str,
            path: &'static str,
            to: MethodRouter<AppState>,
        ) -> Self {
            self.listed.push((method, format!("{}{path}", self.prefix)));
            self.router = self.router.route(path, to);
            self
        }

        /// These routes and `other`'s (both at the root, or under the same prefix).
        pub fn merge(mut self, other: Routes) -> Self {
            debug_assert_eq!(self.prefix, other.prefix, "merged routes share a prefix");
            self.listed.extend(other.listed);
            self.router = self.router.merge(other.router);
            self
        }

        /// Method and full path of each route.
        pub fn listed(&self) -> &[(&'static str, String)] {
            &self.listed
        }

        pub fn into_router(self) -> Router<AppState> {
            self.router
        }
    }
}

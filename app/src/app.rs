//! The page shell and the routes.

use crate::auth::{Access, viewer};
use crate::components::access::guarded;
use crate::pages::account::{reset, settings, signin, signup, verify};
use crate::pages::admin;
use crate::pages::staff;
use crate::pages::{desk, my, police};
use crate::pages::{home::HomePage, lookup::LookupPage, not_found::NotFound, recalls};
use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::SsrMode;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::path;
use serialtrace::account::Role;

/// The HTML document around every page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_content_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="description" content="Look up any serial number: genuine, under warranty, recalled or reported stolen." />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Who may open a page, as the route table below says for each (the server functions and
/// form posts behind a page check again for themselves).
const SIGNED_IN: Access = Access::SignedIn;
const AGENT: Access = Access::Role(Role::Agent);
const STAFF: Access = Access::Role(Role::Staff);
const ADMIN: Access = Access::Role(Role::Admin);

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="serialtrace" href="/pkg/serialtrace.css" />
        <Title formatter=|title: String| if title.is_empty() { "serialtrace".to_owned() } else { format!("{title} · serialtrace") } />
        <Router>
            <header class="site-header">
                <A href="/" attr:class="brand">"serialtrace"</A>
                <nav aria-label="Main">
                    <A href="/">"Look up"</A>
                    <A href="/recalls">"Recalls"</A>
                    <AccountLinks />
                </nav>
            </header>
            <main id="main">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=HomePage />
                    <Route path=path!("/lookup") view=LookupPage ssr=SsrMode::Async />
                    <Route path=path!("/recalls") view=recalls::RecallListPage ssr=SsrMode::Async />
                    <Route path=path!("/recalls/:number") view=recalls::RecallNumberPage ssr=SsrMode::Async />
                    <Route path=path!("/recalls/:manufacturer/:number") view=recalls::RecallPage ssr=SsrMode::Async />
                    <Route path=path!("/signin") view=signin::SignInPage />
                    <Route path=path!("/signup") view=signup::SignUpPage />
                    <Route path=path!("/account") view=settings::AccountPage />
                    <Route path=path!("/forgot-password") view=reset::ForgotPasswordPage />
                    <Route path=path!("/reset-password") view=reset::ResetPasswordPage ssr=SsrMode::Async />
                    <Route path=path!("/verify-email") view=verify::VerifyEmailPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/users") view=|| guarded(ADMIN, admin::users::AdminUsersPage) ssr=SsrMode::Async />
                    <Route path=path!("/admin/audit") view=|| guarded(ADMIN, admin::audit::AuditPage) ssr=SsrMode::Async />
                    <Route path=path!("/admin/api-keys") view=|| guarded(ADMIN, admin::api_keys::ApiKeysPage) ssr=SsrMode::Async />
                    <Route path=path!("/my/products") view=|| guarded(SIGNED_IN, my::MyProductsPage) ssr=SsrMode::Async />
                    <Route path=path!("/my/register") view=|| guarded(SIGNED_IN, my::RegisterPage) />
                    <Route path=path!("/my/products/:id") view=|| guarded(SIGNED_IN, my::MyProductPage) ssr=SsrMode::Async />
                    <Route path=path!("/my/products/:id/claim") view=|| guarded(SIGNED_IN, my::claims::FileClaimPage) ssr=SsrMode::Async />
                    <Route path=path!("/my/transfers") view=|| guarded(SIGNED_IN, my::TransfersPage) />
                    <Route path=path!("/my/notices") view=|| guarded(SIGNED_IN, my::NoticesPage) ssr=SsrMode::Async />
                    <Route path=path!("/my/claims") view=|| guarded(SIGNED_IN, my::claims::MyClaimsPage) ssr=SsrMode::Async />
                    <Route path=path!("/my/claims/:id") view=|| guarded(SIGNED_IN, my::claims::MyClaimPage) ssr=SsrMode::Async />
                    <Route path=path!("/my/disputes") view=|| guarded(SIGNED_IN, my::disputes::MyDisputesPage) ssr=SsrMode::Async />
                    <Route path=path!("/my/disputes/new") view=|| guarded(SIGNED_IN, my::disputes::NewDisputePage) />
                    <Route path=path!("/police") view=police::PoliceDeskPage ssr=SsrMode::Async />
                    <Route path=path!("/police/reports/:id") view=police::PoliceReportPage ssr=SsrMode::Async />
                    <Route path=path!("/desk") view=|| guarded(AGENT, desk::DeskPage) ssr=SsrMode::Async />
                    <Route path=path!("/desk/units/:id") view=|| guarded(AGENT, desk::DeskUnitPage) ssr=SsrMode::Async />
                    <Route path=path!("/desk/claims/:id") view=|| guarded(AGENT, desk::DeskClaimPage) ssr=SsrMode::Async />
                    <Route path=path!("/desk/disputes/:id") view=|| guarded(AGENT, desk::DeskDisputePage) ssr=SsrMode::Async />
                    <Route path=path!("/desk/expiring") view=desk::ExpiringPage ssr=SsrMode::Async />
                    <Route path=path!("/staff") view=|| guarded(STAFF, staff::StaffHomePage) ssr=SsrMode::Async />
                    <Route path=path!("/staff/import") view=|| guarded(STAFF, staff::import::ImportPage) ssr=SsrMode::Async />
                    <Route path=path!("/staff/import/:id") view=|| guarded(STAFF, staff::import::ImportJobPage) ssr=SsrMode::Async />
                    <Route path=path!("/staff/products") view=|| guarded(STAFF, staff::catalogue::ProductsPage) ssr=SsrMode::Async />
                    <Route path=path!("/staff/products/:id") view=|| guarded(STAFF, staff::catalogue::ProductPage) ssr=SsrMode::Async />
                    <Route path=path!("/staff/batches/:id") view=|| guarded(STAFF, staff::batches::BatchPage) ssr=SsrMode::Async />
                    <Route path=path!("/staff/recalls") view=|| guarded(STAFF, staff::recalls::StaffRecallsPage) ssr=SsrMode::Async />
                    <Route path=path!("/staff/units") view=|| guarded(STAFF, staff::units::FindUnitPage) ssr=SsrMode::Async />
                    <Route path=path!("/staff/thefts") view=|| guarded(STAFF, staff::thefts::TheftsPage) ssr=SsrMode::Async />
                    <Route path=path!("/staff/journey") view=|| guarded(STAFF, staff::journey::JourneyPage) ssr=SsrMode::Async />
                    <Route path=path!("/staff/stock") view=|| guarded(STAFF, staff::stock::StockPage) ssr=SsrMode::Async />
                    <Route path=path!("/staff/stock/:id") view=|| guarded(STAFF, staff::stock::StockAuditPage) ssr=SsrMode::Async />
                    <Route path=path!("/staff/units/:id") view=|| guarded(STAFF, staff::units::UnitPage) ssr=SsrMode::Async />
                    <Route path=path!("/staff/recalls/:id") view=|| guarded(STAFF, staff::recalls::StaffRecallPage) ssr=SsrMode::Async />
                </Routes>
            </main>
            <footer class="site-footer">
                <p>
                    "serialtrace answers from manufacturers' records. A public answer never shows who owns a unit."
                </p>
            </footer>
        </Router>
    }
}

/// Sign in, or the signed-in user's own links.
#[component]
fn AccountLinks() -> impl IntoView {
    match viewer() {
        None => view! { <A href="/signin">"Sign in"</A> }.into_any(),
        Some(user) => {
            let admin = user.has(Role::Admin);
            let staff = user.has(Role::Staff);
            let agent = user.has(Role::Agent);
            let police = user.has(Role::Police);
            view! {
                <A href="/my/products">"My products"</A>
                {agent.then(|| view! { <A href="/desk">"Support desk"</A> })}
                {police.then(|| view! { <A href="/police">"Stolen registry"</A> })}
                {staff.then(|| view! { <A href="/staff">"Back office"</A> })}
                {admin.then(|| view! {
                    <A href="/admin/users">"Users"</A>
                    <A href="/admin/audit">"Audit log"</A>
                    <A href="/admin/api-keys">"API keys"</A>
                })}
                <A href="/account">"Account"</A>
            }
            .into_any()
        }
    }
}

/// The page's Content-Security-Policy: scripts only from this site or carrying this
/// response's nonce (the islands loader), wasm allowed to compile, nothing inline otherwise,
/// no framing.
#[cfg(feature = "ssr")]
fn set_content_security_policy() {
    use axum::http::{HeaderValue, header};
    let (Some(response), Some(nonce)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        leptos::nonce::use_nonce(),
    ) else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

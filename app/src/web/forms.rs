//! Forms that work without JavaScript: a form posts to its page's own URL; the server either
//! redirects (303) on success or renders the same page again with each problem next to its
//! field, the values typed so far (never passwords) and a 4xx status. With JavaScript, the
//! fields check themselves as the person types, with the same parsers the server uses.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the server says about a submitted form: problems by field (`"form"` for the form as
/// a whole), values to show again, and a notice.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormFeedback {
    pub errors: Vec<(String, String)>,
    pub values: Vec<(String, String)>,
}

impl FormFeedback {
    pub fn error(&self, field: &str) -> Option<String> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
    }

    pub fn value(&self, field: &str) -> Option<String> {
        self.values
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, v)| v.clone())
    }

    pub fn add_error(&mut self, field: &str, message: impl Into<String>) {
        if self.error(field).is_none() {
            self.errors.push((field.to_owned(), message.into()));
        }
    }

    pub fn keep(mut self, field: &str, value: &str) -> Self {
        self.values.push((field.to_owned(), value.to_owned()));
        self
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }
}

/// The feedback for the page being rendered (present after a rejected submission).
pub fn feedback() -> FormFeedback {
    #[cfg(feature = "ssr")]
    {
        use_context::<axum::http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<FormFeedback>().cloned())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        FormFeedback::default()
    }
}

/// Percent-encodes a query parameter value.
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Whether submitted bytes carry a NUL character, raw or percent-encoded (`%00`): no field
/// can keep one (PostgreSQL text cannot), so forms and addresses holding one are refused
/// where they come in.
pub fn holds_nul(bytes: &[u8]) -> bool {
    bytes.contains(&0) || bytes.windows(3).any(|w| w == b"%00")
}

/// A local path to return to after signing in: only paths on this site (no `//host`, no
/// scheme), so the parameter cannot send anyone elsewhere.
pub fn safe_next(next: Option<&str>) -> Option<String> {
    let next = next?.trim();
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control);
    local.then(|| next.to_owned())
}

/// How a field checks itself in the browser.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Check {
    None,
    Email,
    /// A new password under the policy.
    NewPassword,
}

fn problem_with(kind: Check, value: &str) -> Option<String> {
    use serialtrace::account::{Email, Password};
    if value.is_empty() {
        return None;
    }
    match kind {
        Check::None => None,
        Check::Email => Email::parse(value).err().map(|e| e.to_string()),
        Check::NewPassword => Password::parse(value, None).err().map(|e| e.to_string()),
    }
}

/// A labelled input with its problem (from the server, or as typed) beneath it.
#[component]
pub fn Field(
    name: &'static str,
    label: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(default = Check::None)] check: Check,
    /// Show again what was submitted (never for passwords).
    #[prop(default = true)]
    keep: bool,
    #[prop(default = true)] required: bool,
    /// A value to start with when nothing was submitted.
    #[prop(optional)]
    initial: Option<String>,
) -> impl IntoView {
    let feedback = feedback();
    let value = if keep {
        feedback.value(name).or(initial).unwrap_or_default()
    } else {
        String::new()
    };
    let error = feedback.error(name);
    view! {
        <CheckedInput
            name=name.to_owned()
            label=label.to_owned()
            kind=kind.to_owned()
            autocomplete=autocomplete.to_owned()
            hint=hint
            check=check
            value=value
            error=error
            required=required
        />
    }
}

#[island]
fn CheckedInput(
    name: String,
    label: String,
    kind: String,
    autocomplete: String,
    hint: Option<String>,
    check: Check,
    value: String,
    /// The server's word on the submitted value, shown until the person edits the field.
    error: Option<String>,
    required: bool,
) -> impl IntoView {
    let problem = RwSignal::new(error);
    let id = format!("f-{name}");
    let message_id = format!("{id}-problem");
    let hint_id = format!("{id}-hint");
    let described = if hint.is_some() {
        format!("{hint_id} {message_id}")
    } else {
        message_id.clone()
    };
    view! {
        <div class="field" class:invalid=move || problem.get().is_some()>
            <label for=id.clone()>{label}</label>
            {hint.map(|h| view! { <p class="hint" id=hint_id.clone()>{h}</p> })}
            <input id=id name=name type=kind value=value autocomplete=autocomplete required=required
                aria-describedby=described
                aria-invalid=move || if problem.get().is_some() { "true" } else { "false" }
                on:input=move |ev| problem.set(problem_with(check, &event_target_value(&ev)))
                on:blur=move |ev| problem.set(problem_with(check, &event_target_value(&ev))) />
            <p class="field-problem" id=message_id role="status" aria-live="polite">
                {move || problem.get()}
            </p>
        </div>
    }
}

/// A field's label, hint and problem around its control.
#[component]
fn Labelled(
    id: String,
    label: &'static str,
    hint: Option<String>,
    error: Option<String>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="field" class:invalid=error.is_some()>
            <label for=id.clone()>{label}</label>
            {hint.map(|h| view! { <p class="hint">{h}</p> })}
            {children()}
            <p class="field-problem" id=format!("{id}-problem")>{error.clone()}</p>
        </div>
    }
    .into_any()
}

/// A labelled choice among fixed options, keeping what was submitted.
#[component]
pub fn Choice(
    name: &'static str,
    label: &'static str,
    options: Vec<(&'static str, &'static str)>,
    #[prop(optional)] initial: Option<String>,
    #[prop(optional, into)] hint: Option<String>,
) -> impl IntoView {
    let feedback = feedback();
    let value = feedback.value(name).or(initial).unwrap_or_default();
    let id = format!("f-{name}");
    view! {
        <Labelled id=id.clone() label hint error=feedback.error(name)>
            <select id=id.clone() name=name aria-describedby=format!("{id}-problem")>
                {options.iter().map(|(v, text)| view! {
                    <option value=*v selected=value == *v>{*text}</option>
                }).collect_view()}
            </select>
        </Labelled>
    }
}

/// A labelled multi-line text box, keeping what was submitted.
#[component]
pub fn TextArea(
    name: &'static str,
    label: &'static str,
    #[prop(optional)] initial: Option<String>,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(default = 4)] rows: u32,
    #[prop(default = false)] required: bool,
) -> impl IntoView {
    let feedback = feedback();
    let value = feedback.value(name).or(initial).unwrap_or_default();
    let id = format!("f-{name}");
    view! {
        <Labelled id=id.clone() label hint error=feedback.error(name)>
            <textarea id=id.clone() name=name rows=rows required=required aria-describedby=format!("{id}-problem")>{value.clone()}</textarea>
        </Labelled>
    }
}

/// A labelled checkbox (sent as "on"), keeping what was submitted.
#[component]
pub fn Tick(
    name: &'static str,
    label: &'static str,
    #[prop(default = false)] initial: bool,
    /// The `action` of the form it belongs to: after that form was sent back, the box shows
    /// what was sent; otherwise `initial`.
    from: &'static str,
) -> impl IntoView {
    let feedback = feedback();
    let checked = if feedback.value("action").as_deref() == Some(from) {
        feedback.value(name).as_deref() == Some("on")
    } else {
        initial
    };
    view! {
        <div class="field">
            <label><input type="checkbox" name=name value="on" checked=checked />" " {label}</label>
        </div>
    }
    .into_any()
}

/// The form's own problem (not tied to one field), if any.
#[component]
pub fn FormProblem() -> impl IntoView {
    feedback().error("form").map(|message| {
        view! { <p class="form-problem" role="alert">{message}</p> }
    })
}

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server {
    use super::FormFeedback;
    use crate::state::AppState;
    use axum::body::Body;
    use axum::extract::FromRequest;
    use axum::http::request::Parts;
    use axum::http::{HeaderValue, Request, StatusCode, header};
    use axum::response::{IntoResponse, Redirect, Response};
    use leptos::prelude::provide_context;
    use serde::de::DeserializeOwned;

    /// A submitted urlencoded form with the request it came in (to render its page again).
    /// An unreadable form is answered with the page and a message.
    pub struct PageForm<T> {
        pub parts: Parts,
        pub form: T,
    }

    impl<T: DeserializeOwned + Send> FromRequest<AppState> for PageForm<T> {
        type Rejection = Response;

        async fn from_request(
            request: axum::extract::Request,
            state: &AppState,
        ) -> Result<Self, Response> {
            let (mut parts, body) = request.into_parts();
            let request = axum::http::Request::from_parts(parts.clone(), body);
            // A form with a POST address of its own is shown again on its page.
            if parts.uri.path() == "/account/password" {
                parts.uri = axum::http::Uri::from_static("/account");
            }
            // No field can hold a NUL character (PostgreSQL text cannot): refused here, by
            // name, rather than failing deep in a query.
            let (head, body) = request.into_parts();
            let bytes = match axum::body::Bytes::from_request(
                axum::http::Request::from_parts(head.clone(), body),
                &(),
            )
            .await
            {
                Ok(bytes) => bytes,
                Err(rejection) => {
                    let mut feedback = FormFeedback::default();
                    feedback.add_error("form", rejection.body_text());
                    return Err(rerender(state, parts, feedback, rejection.status()).await);
                }
            };
            if super::holds_nul(&bytes) {
                let mut feedback = FormFeedback::default();
                feedback.add_error(
                    "form",
                    "The form holds a NUL character (U+0000), which no field can keep: remove it and send the form again.",
                );
                return Err(
                    rerender(state, parts, feedback, StatusCode::UNPROCESSABLE_ENTITY).await,
                );
            }
            let request = axum::http::Request::from_parts(head, axum::body::Body::from(bytes));
            match axum::Form::<T>::from_request(request, &()).await {
                Ok(axum::Form(form)) => Ok(Self { parts, form }),
                Err(rejection) => {
                    tracing::info!(%rejection, "unreadable form");
                    let mut feedback = FormFeedback::default();
                    feedback.add_error(
                        "form",
                        "The form could not be read. Please fill it in again and resend it.",
                    );
                    Err(rerender(state, parts, feedback, StatusCode::BAD_REQUEST).await)
                }
            }
        }
    }

    /// Renders the page at the request's path again, with the feedback, under `status`.
    pub async fn rerender(
        state: &AppState,
        mut parts: Parts,
        feedback: FormFeedback,
        status: StatusCode,
    ) -> Response {
        parts.extensions.insert(feedback);
        let request = Request::from_parts(parts, Body::empty());
        let context_state = state.clone();
        let options = state.leptos_options.clone();
        let render = leptos_axum::render_app_async_with_context(
            move || provide_context(context_state.clone()),
            move || crate::shell(options.clone()),
        );
        let mut response = render(request).await;
        *response.status_mut() = status;
        response
    }

    /// The same, telling the client when to try again (429, 503).
    pub async fn rerender_retry(
        state: &AppState,
        parts: Parts,
        feedback: FormFeedback,
        status: StatusCode,
        retry_after_seconds: u64,
    ) -> Response {
        let mut response = rerender(state, parts, feedback, status).await;
        if let Ok(value) = HeaderValue::from_str(&retry_after_seconds.max(1).to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }

    /// After a successful submission: see the result at `to` (303, so reloading does not
    /// submit again).
    pub fn done(to: &str) -> Response {
        Redirect::to(to).into_response()
    }

    /// Keeps every text field of a submitted form, to show it again.
    pub fn keep_all<T: serde::Serialize>(form: &T, into: &mut FormFeedback) {
        if let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(form) {
            for (name, value) in fields {
                if let serde_json::Value::String(v) = value {
                    into.values.push((name, v));
                }
            }
        }
    }

    /// Problems by field from a domain form parser.
    pub fn field_problems<F: AsRef<str>>(problems: &[(F, String)], into: &mut FormFeedback) {
        for (field, message) in problems {
            into.add_error(field.as_ref(), message.clone());
        }
    }

    /// Validation messages from a `validator` form struct, by field.
    pub fn validation_errors(errors: &validator::ValidationErrors, into: &mut FormFeedback) {
        let mut fields: Vec<_> = errors.field_errors().into_iter().collect();
        fields.sort_by(|a, b| a.0.cmp(&b.0));
        for (field, problems) in fields {
            if let Some(message) = problems.iter().find_map(|p| p.message.as_ref()) {
                into.add_error(&field, message.to_string());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_only_ever_local() {
        assert_eq!(safe_next(Some("/account")).as_deref(), Some("/account"));
        assert_eq!(
            safe_next(Some("/admin/users?q=a")).as_deref(),
            Some("/admin/users?q=a")
        );
        for bad in [
            "//evil.example",
            "https://evil.example",
            "evil",
            "/\\evil",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), None, "{bad}");
        }
        assert_eq!(encode("/admin/users?q=a b"), "/admin/users%3Fq%3Da%20b");
    }

    #[test]
    fn fields_check_as_typed() {
        assert!(problem_with(Check::Email, "ada@").is_some());
        assert_eq!(problem_with(Check::Email, "ada@example.org"), None);
        assert!(problem_with(Check::NewPassword, "short").is_some());
        assert!(problem_with(Check::NewPassword, "password1234").is_some());
        assert_eq!(
            problem_with(Check::NewPassword, "correct horse battery"),
            None
        );
        assert_eq!(problem_with(Check::None, "anything"), None);
    }
}

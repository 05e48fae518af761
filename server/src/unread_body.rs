//! Answers that come before the body is read: the answer goes at once, and the rest of the
//! body is read (and dropped) behind it, so the client sees the answer.
//!
//! A handler may answer a POST without reading its body: "sign in first", "not your product",
//! a form of the wrong kind, a body over its route's limit. Left at that, hyper closes the
//! connection with the client's bytes still arriving, the kernel answers those with a reset,
//! and the client (a browser, or a partner's HTTP library) may see "connection reset" instead
//! of the answer. So what a handler leaves unread is drained in a task of its own (hyper goes
//! on reading the connection while someone holds the body), the way nginx lingers on a close:
//! up to [`DRAIN_BYTES`], for at most [`DRAIN_TIME`], and while the client keeps sending
//! (a pause of [`DRAIN_IDLE`] ends it). A larger, slower or stalled rest is left for the
//! connection's close, as before, and so is a body that declares more than the bound. A client
//! that asked `Expect: 100-continue` and was never told to continue sends no body, and none is
//! waited for.

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use futures_util::StreamExt;
use http_body::{Frame, SizeHint};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

/// The most of an unread body read on to let its answer through: more than any page's upload
/// may carry (a claim's photos, 20 MB), so a browser whose session ran out mid-upload sees
/// the page that says so. Read and dropped as it comes, never kept.
pub const DRAIN_BYTES: usize = 32 * 1024 * 1024;
/// The longest the rest of an unread body is read for.
pub const DRAIN_TIME: Duration = Duration::from_secs(10);
/// The longest pause in the client's sending that the draining waits out.
pub const DRAIN_IDLE: Duration = Duration::from_secs(2);

pub async fn drain_after_answer(request: Request, next: Next) -> Response {
    let expects_continue = request
        .headers()
        .get(header::EXPECT)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    let (parts, body) = request.into_parts();
    let declared = http_body::Body::size_hint(&body).exact();
    if expects_continue
        || http_body::Body::is_end_stream(&body)
        || declared.is_some_and(|n| n > DRAIN_BYTES as u64)
    {
        return next.run(Request::from_parts(parts, body)).await;
    }
    let held = Held(Arc::new(Mutex::new(body)));
    let response = next
        .run(Request::from_parts(parts, Body::new(held.clone())))
        .await;
    let rest = std::mem::take(&mut *held.lock());
    if !http_body::Body::is_end_stream(&rest) {
        tokio::spawn(tokio::time::timeout(DRAIN_TIME, drain(rest)));
    }
    response
}

async fn drain(body: Body) {
    let mut read = 0usize;
    let mut stream = body.into_data_stream();
    while let Ok(Some(Ok(chunk))) = tokio::time::timeout(DRAIN_IDLE, stream.next()).await {
        read += chunk.len();
        if read > DRAIN_BYTES {
            return;
        }
    }
}

/// The request's body, handed to the handler while this layer keeps hold of it.
#[derive(Clone)]
struct Held(Arc<Mutex<Body>>);

impl Held {
    fn lock(&self) -> MutexGuard<'_, Body> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl http_body::Body for Held {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut *self.lock()).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.lock().is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.lock().size_hint()
    }
}

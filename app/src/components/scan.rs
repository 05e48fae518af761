//! Scan to look up: the camera reads a QR code, GS1 DataMatrix or 1-D barcode with the
//! browser's BarcodeDetector where it exists; everywhere (and without JavaScript) a photo of
//! the code can be uploaded instead and is read on the server. The decoded text goes to the
//! lookup as if it had been pasted, so the same parser reads it.

use leptos::prelude::*;

/// The scan section: the camera button (an island) and the photo upload (a plain form).
#[component]
pub fn ScanPanel() -> impl IntoView {
    let problem = crate::web::forms::feedback().error("photo");
    let open = problem.is_some();
    view! {
        <details class="panel scan" open=open>
            <summary>"Scan the barcode or QR code instead"</summary>
            <CameraScan />
            <form method="post" action="/lookup/scan" enctype="multipart/form-data" class="stack-form" aria-label="Read a photo of the code">
                <div class="field" class:invalid=problem.is_some()>
                    <label for="scan-photo">"Or take or upload a photo of the code"</label>
                    <p class="hint">"A sharp, well-lit photo of the QR code, up to 8 MB. Photos are read on our server for QR codes and not kept."</p>
                    <input id="scan-photo" name="photo" type="file" accept="image/jpeg,image/png" capture="environment" required />
                    <p class="field-problem" role="alert">{problem.clone()}</p>
                </div>
                <button type="submit">"Read the photo"</button>
            </form>
        </details>
    }
    .into_any()
}

#[island]
fn CameraScan() -> impl IntoView {
    let message = RwSignal::new(None::<String>);
    let scanning = RwSignal::new(false);
    let video = NodeRef::<leptos::html::Video>::new();
    let start = move |_| {
        #[cfg(feature = "hydrate")]
        camera::start(video, message, scanning);
    };
    view! {
        <div class="camera">
            <button type="button" class="scan-button" on:click=start>"Scan with the camera"</button>
            <p class="scan-message" role="status" aria-live="polite">{move || message.get()}</p>
            <video node_ref=video class="scan-video" class:hidden=move || !scanning.get() playsinline=true muted=true></video>
        </div>
    }
}

#[cfg(feature = "hydrate")]
mod camera {
    use js_sys::{Array, Function, Object, Promise, Reflect};
    use leptos::prelude::*;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    fn get(target: &JsValue, key: &str) -> Option<JsValue> {
        Reflect::get(target, &JsValue::from_str(key))
            .ok()
            .filter(|v| !v.is_undefined() && !v.is_null())
    }

    fn say(message: RwSignal<Option<String>>, text: &str) {
        message.set(Some(text.to_owned()));
    }

    /// Opens the camera and reads codes until one is found, then looks it up.
    pub fn start(
        video: NodeRef<leptos::html::Video>,
        message: RwSignal<Option<String>>,
        scanning: RwSignal<bool>,
    ) {
        let window: JsValue = web_sys::window()
            .map(JsValue::from)
            .unwrap_or(JsValue::UNDEFINED);
        if get(&window, "isSecureContext").and_then(|v| v.as_bool()) == Some(false) {
            return say(
                message,
                "The camera works only over HTTPS (or on this computer's own address). Upload a photo of the code below, or type what is printed.",
            );
        }
        let Some(detector_class) = get(&window, "BarcodeDetector") else {
            return say(
                message,
                "This browser cannot read barcodes from the camera. Upload a photo of the code below, or type the text printed under it.",
            );
        };
        let Some(media) = get(&window, "navigator").and_then(|n| get(&n, "mediaDevices")) else {
            return say(
                message,
                "This browser gives no access to a camera. Upload a photo of the code below, or type what is printed.",
            );
        };
        leptos::task::spawn_local(async move {
            let formats = Array::of4(
                &"qr_code".into(),
                &"data_matrix".into(),
                &"ean_13".into(),
                &"code_128".into(),
            );
            let options = Object::new();
            let _ = Reflect::set(&options, &"formats".into(), &formats);
            let detector = match Reflect::construct(
                detector_class.unchecked_ref::<Function>(),
                &Array::of1(&options),
            ) {
                Ok(d) => d,
                Err(_) => {
                    return say(
                        message,
                        "This browser cannot read these barcodes. Upload a photo of the code below.",
                    );
                }
            };
            let constraints = Object::new();
            let video_wanted = Object::new();
            let _ = Reflect::set(&video_wanted, &"facingMode".into(), &"environment".into());
            let _ = Reflect::set(&constraints, &"video".into(), &video_wanted);
            let get_media = get(&media, "getUserMedia").map(|f| f.unchecked_into::<Function>());
            let stream = match get_media.map(|f| f.call1(&media, &constraints)) {
                Some(Ok(promise)) => JsFuture::from(promise.unchecked_into::<Promise>()).await,
                _ => Err(JsValue::UNDEFINED),
            };
            let stream = match stream {
                Ok(stream) => stream,
                Err(error) => {
                    let name = get(&error, "name")
                        .and_then(|n| n.as_string())
                        .unwrap_or_default();
                    return say(
                        message,
                        if name == "NotAllowedError" {
                            "Camera permission was denied. Allow the camera for this site in the browser's settings and try again, or upload a photo of the code below."
                        } else {
                            "No camera could be opened. Upload a photo of the code below, or type what is printed."
                        },
                    );
                }
            };
            let Some(element) = video.get_untracked() else {
                return;
            };
            let element: web_sys::HtmlVideoElement = element.unchecked_into();
            element.set_src_object(stream.dyn_ref::<web_sys::MediaStream>());
            let _ = element.play();
            scanning.set(true);
            say(message, "Point the camera at the code…");
            let detect = get(&detector, "detect").map(|f| f.unchecked_into::<Function>());
            for _ in 0..600 {
                gloo_timeout(250).await;
                let Some(detect) = &detect else { break };
                let Ok(promise) = detect.call1(&detector, &element) else {
                    continue;
                };
                let Ok(found) = JsFuture::from(promise.unchecked_into::<Promise>()).await else {
                    continue;
                };
                let found: Array = found.unchecked_into();
                if let Some(text) = found
                    .iter()
                    .find_map(|code| get(&code, "rawValue").and_then(|v| v.as_string()))
                {
                    stop(&stream);
                    scanning.set(false);
                    say(message, "Read: looking it up…");
                    let target = format!("/lookup?serial={}", crate::web::forms::encode(&text));
                    if let Some(w) = web_sys::window() {
                        let _ = w.location().set_href(&target);
                    }
                    return;
                }
            }
            stop(&stream);
            scanning.set(false);
            say(
                message,
                "No code was read. Try again with more light, or upload a photo of the code below.",
            );
        });
    }

    fn stop(stream: &JsValue) {
        if let Some(stream) = stream.dyn_ref::<web_sys::MediaStream>() {
            for track in stream.get_tracks().iter() {
                if let Ok(track) = track.dyn_into::<web_sys::MediaStreamTrack>() {
                    track.stop();
                }
            }
        }
    }

    async fn gloo_timeout(ms: i32) {
        let promise = Promise::new(&mut |resolve, _| {
            if let Some(w) = web_sys::window() {
                let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
            }
        });
        let _ = JsFuture::from(promise).await;
    }
}

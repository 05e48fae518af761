//! The lookup form: a plain GET form that works without JavaScript, with instant feedback
//! from the same parser the server uses once the page has hydrated.

use leptos::prelude::*;
use serialtrace::lookup::{InputKind, LookupError, LookupQuery};

/// What the parser makes of the input so far: (is it fine, what to say).
fn feedback(serial: &str, gtin: &str) -> Option<(bool, String)> {
    if serial.trim().is_empty() {
        return None;
    }
    Some(match LookupQuery::parse(serial, Some(gtin)) {
        Ok(q) => {
            let what = match q.kind {
                InputKind::Typed => "Serial number",
                InputKind::Imei => "IMEI",
                InputKind::Gs1ElementString => "Barcode read: serial number",
                InputKind::DigitalLink => "Product link read: serial number",
            };
            let gtin = q
                .gtin
                .map(|g| format!(", product number (GTIN) {g}"))
                .unwrap_or_default();
            (true, format!("{what} {}{gtin}.", q.serial.normalised()))
        }
        Err(LookupError::Rejected(r)) => (false, r.to_string()),
        Err(LookupError::Invalid(message)) => (false, message),
    })
}

#[island]
pub fn LookupForm(
    /// The serial to show in the field (as the person typed it).
    serial: String,
    /// The product number (GTIN) to show in its field.
    gtin: String,
) -> impl IntoView {
    let serial_value = RwSignal::new(serial.clone());
    let gtin_value = RwSignal::new(gtin.clone());
    let status = move || feedback(&serial_value.get(), &gtin_value.get());
    let gtin_given = !gtin.is_empty();
    view! {
        <form class="lookup-form" method="get" action="/lookup" role="search"
            on:submit=move |ev| {
                if serial_value.get_untracked().trim().is_empty() {
                    ev.prevent_default();
                }
            }>
            <div class="field">
                <label for="serial">"Serial number, IMEI, barcode data or product link"</label>
                <input id="serial" name="serial" type="text" value=serial autocomplete="off"
                    autocapitalize="characters" spellcheck="false" required
                    aria-describedby="serial-feedback"
                    on:input=move |ev| serial_value.set(event_target_value(&ev)) />
            </div>
            <details class="field optional" open=gtin_given>
                <summary>"Add the product number (GTIN) — optional"</summary>
                <label for="gtin">"Product number (GTIN, the 8–14 digits under the barcode)"</label>
                <input id="gtin" name="gtin" type="text" inputmode="numeric" value=gtin autocomplete="off"
                    on:input=move |ev| gtin_value.set(event_target_value(&ev)) />
            </details>
            <p id="serial-feedback" class="feedback" role="status" aria-live="polite">
                {move || status().map(|(ok, message)| view! {
                    <span class={if ok { "ok" } else { "problem" }}>{message}</span>
                })}
            </p>
            <button type="submit">"Look up"</button>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::feedback;

    #[test]
    fn feedback_reads_barcodes_and_flags_typos() {
        assert_eq!(feedback("  ", ""), None);
        let (ok, msg) = feedback("(01)09506000134352(21)AB1", "").unwrap();
        assert!(ok);
        assert!(
            msg.contains("AB1") && msg.contains("09506000134352"),
            "{msg}"
        );
        let (ok, msg) = feedback("AB<1>", "").unwrap();
        assert!(!ok);
        assert!(msg.contains("position 3"), "{msg}");
    }
}

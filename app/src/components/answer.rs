//! The answer card: one unit's genuine / warranty / recall / stolen status.

use leptos::prelude::*;
use serialtrace::lookup::{
    LookupAnswer, LookupResult, RecallNotice, StolenState, UnitAnswer, WarrantyInfo, WarrantyState,
};

#[component]
pub fn Answer(answer: LookupAnswer) -> impl IntoView {
    let (class, heading) = match answer.result {
        LookupResult::Found => ("result found", "In the manufacturer's records"),
        LookupResult::NotFound => ("result not-found", "Not in our records"),
        LookupResult::Invalid => ("result invalid", "Not a valid serial number"),
    };
    let several = answer.matches.len() > 1;
    view! {
        <section class=class aria-labelledby="result-heading" data-result=answer.result.as_str()>
            <h2 id="result-heading">{heading}</h2>
            <p class="message">{answer.message.clone()}</p>
            {answer.counterfeit.clone().map(|warning| view! {
                <p class="status stolen counterfeit" role="alert"><strong>{warning}</strong></p>
            })}
            {several.then(|| view! { <h3 class="pick">"Which product is yours?"</h3> })}
            <div class="matches">
                {answer.matches.into_iter().map(|unit| view! { <UnitCard unit /> }).collect_view()}
            </div>
        </section>
    }
}

/// A warranty status in words, with its style class ("ok", "info" or "muted").
pub fn warranty_text(warranty: &WarrantyInfo) -> (&'static str, String) {
    let (class, text) = warranty_state_text(warranty);
    if warranty.unconfirmed_start {
        (
            class,
            format!(
                "{text} (counted from the purchase date the owner gave; the manufacturer's records do not confirm it)"
            ),
        )
    } else {
        (class, text)
    }
}

fn warranty_state_text(warranty: &WarrantyInfo) -> (&'static str, String) {
    match (warranty.status, warranty.ends_on.clone()) {
        (WarrantyState::Active, Some(end)) => ("ok", format!("Under warranty until {end}")),
        (WarrantyState::Active, None) => ("ok", "Under warranty".to_owned()),
        (WarrantyState::Expired, Some(end)) => ("muted", format!("Warranty expired on {end}")),
        (WarrantyState::Expired, None) => ("muted", "Warranty expired".to_owned()),
        (WarrantyState::NotStarted, _) => (
            "info",
            "Warranty not started — register the product to start it".to_owned(),
        ),
        (WarrantyState::None, _) => ("muted", "No manufacturer's warranty".to_owned()),
    }
}

/// A recall as it covers one unit: hazard, remedy, what to do and this unit's status.
#[component]
pub fn RecallBox(recall: RecallNotice) -> impl IntoView {
    let href = recall.path.clone();
    view! {
        <section class="recall" data-remedy-status=recall.remedy_status.as_str()>
            <h4><a href=href>{recall.number.clone()}</a> ": " {recall.title.clone()}</h4>
            <p><strong>"Hazard: "</strong>{recall.hazard.clone()}</p>
            <p><strong>"Remedy: "</strong>{recall.remedy.label()}</p>
            <p><strong>"What to do: "</strong>{recall.instructions.clone()}</p>
            <p class="remedy-status"><strong>"This unit: "</strong>{recall.remedy_status.label()}</p>
        </section>
    }
}

#[component]
fn UnitCard(unit: UnitAnswer) -> impl IntoView {
    let report = unit.stolen.status;
    let reported = report.is_reported();
    let warranty = warranty_text(&unit.warranty);
    let recall_count = unit.recalls.len();
    view! {
        <article class={if reported { "unit stolen" } else { "unit" }} data-serial=unit.serial.clone()>
            <header>
                <h3>{unit.product.name.clone()}</h3>
                <p class="meta">
                    {unit.product.manufacturer.clone()} " · Model " {unit.product.model.clone()}
                    {unit.product.gtin.clone().map(|g| view! { " · GTIN " {g} })}
                    " · Serial " <span class="serial">{unit.serial.clone()}</span>
                    {unit.lot.clone().map(|l| view! { " · Lot " {l} })}
                </p>
            </header>
            {match report {
                StolenState::ReportedStolen => Some(view! {
                    <p class="status stolen" role="alert">
                        <strong>"Reported stolen — do not buy; contact police."</strong>
                        " If you have this unit, contact your local police."
                    </p>
                }.into_any()),
                StolenState::ReportedLost => Some(view! {
                    <p class="status stolen" role="alert">
                        <strong>"Reported lost by its owner — do not buy."</strong>
                        " If you have found this unit or are offered it, hand it to your local police so it can go back to its owner."
                    </p>
                }.into_any()),
                StolenState::NotReported => None,
            }}
            <dl class="statuses">
                <div class="status ok"><dt>"Genuine"</dt><dd>"Yes — this serial is in the manufacturer's records"</dd></div>
                <div class=format!("status {}", warranty.0)><dt>"Warranty"</dt><dd class="warranty">{warranty.1}</dd></div>
                <div class={if recall_count > 0 { "status danger" } else { "status ok" }}>
                    <dt>"Recalls"</dt>
                    <dd>{if recall_count == 0 {
                        "No open recall covers this unit".to_owned()
                    } else {
                        format!("{recall_count} recall{} covers this unit", if recall_count == 1 { "" } else { "s" })
                    }}</dd>
                </div>
                {(!reported).then(|| view! {
                    <div class="status ok"><dt>"Theft"</dt><dd>"Not reported stolen or lost"</dd></div>
                })}
            </dl>
            {unit.recalls.into_iter().map(|recall| view! { <RecallBox recall /> }).collect_view()}
        </article>
    }
}

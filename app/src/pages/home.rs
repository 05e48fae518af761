use crate::components::lookup_form::LookupForm;
use crate::components::scan::ScanPanel;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text="" />
        <section class="hero">
            <h1>"Is this unit genuine, covered, recalled or stolen?"</h1>
            <p class="lede">
                "Type or paste the serial number from the label, the barcode data, or the product link from its QR code. You get one answer for that exact unit."
            </p>
            <LookupForm serial=String::new() gtin=String::new() />
            <ScanPanel />
        </section>
        <section class="help">
            <h2>"Where to find the serial number"</h2>
            <ul>
                <li>"Phones: dial *#06# for the IMEI, or look on the box."</li>
                <li>"Laptops and TVs: the label underneath or on the back, marked S/N."</li>
                <li>"Appliances and e-bikes: the rating plate, often inside the door or under the frame."</li>
                <li>"Medical devices: the UDI label — paste the whole barcode text, we read the GTIN and serial from it."</li>
            </ul>
        </section>
    }
}

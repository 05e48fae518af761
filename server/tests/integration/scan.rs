//! Scan to look up without a camera: a photo of a QR code is read on the server and the
//! decoded text (a GS1 Digital Link here) goes through the same parser as pasted input; a
//! photo without a code, or a file that is no photo, is answered with the reason; on both
//! engines.

use crate::both_engines;
use crate::common::{Engine, TestApp, location};

/// A grey PNG of `pixels` (one byte each, `width` a row).
fn png_of_grey(width: u32, pixels: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width, pixels.len() as u32 / width);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().expect("a PNG header");
    writer.write_image_data(pixels).expect("PNG data");
    writer.finish().expect("a PNG");
    bytes
}

/// A PNG of a QR code for `text`: 8 pixels a module, a quiet zone of 4 modules.
fn png_of_qr(text: &str) -> Vec<u8> {
    let code = qrcode::QrCode::new(text.as_bytes()).expect("a QR code");
    let (modules, scale, quiet) = (code.width(), 8, 4);
    let colours = code.to_colors();
    let side = (modules + 2 * quiet) * scale;
    let pixels: Vec<u8> = (0..side * side)
        .map(|i| {
            let (x, y) = ((i % side) / scale, (i / side) / scale);
            let inside =
                (quiet..quiet + modules).contains(&x) && (quiet..quiet + modules).contains(&y);
            let dark =
                inside && colours[(y - quiet) * modules + (x - quiet)] == qrcode::Color::Dark;
            if dark { 0 } else { 255 }
        })
        .collect();
    png_of_grey(side as u32, &pixels)
}

/// A PNG whose header claims `width` × `height` RGBA pixels, with the first rows of zeros:
/// a few kilobytes that would decode to gigabytes.
fn png_bomb(width: u32, height: u32) -> Vec<u8> {
    use std::io::Write;
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut header = encoder.write_header().expect("a PNG header");
    let mut writer = header.stream_writer().expect("a stream");
    let row = vec![0u8; width as usize * 4];
    for _ in 0..16 {
        writer.write_all(&row).expect("rows");
    }
    drop(writer);
    drop(header);
    bytes
}

async fn upload(app: &TestApp, name: &str, bytes: Vec<u8>) -> reqwest::Response {
    let form = reqwest::multipart::Form::new().part(
        "photo",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
    );
    send(app, form).await
}

/// Sends `form` to the scan, as a browser's page would.
async fn send(app: &TestApp, form: reqwest::multipart::Form) -> reqwest::Response {
    app.client
        .post(format!("{}/lookup/scan", app.base))
        .header("origin", &app.base)
        .header("accept", "text/html")
        .multipart(form)
        .send()
        .await
        .expect("the server answers")
}

async fn a_photo_of_a_qr_code_leads_to_the_units_answer(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let sample = app.sample("unregistered").clone();
    let gtin = sample.gtin.clone().expect("a GTIN");
    let link = format!("https://id.example.org/01/{gtin}/21/{}", sample.serial);
    let response = upload(&app, "label.png", png_of_qr(&link)).await;
    assert_eq!(response.status().as_u16(), 303);
    let to = location(&response);
    assert!(to.starts_with("/lookup?serial="), "{to}");
    let response = app.get(&to).await;
    assert_eq!(response.status().as_u16(), 200);
    let page = response.text().await.unwrap();
    assert!(
        page.contains(&sample.serial) && page.contains("In the manufacturer's records"),
        "{page}"
    );

    // A photo with no code, and a file that is no photo: the home page says why, 422.
    let blank = png_of_grey(200, &[255; 200 * 200]);
    let response = upload(&app, "blank.png", blank).await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("No QR code could be read")
    );
    let response = upload(&app, "notes.txt", b"not a photo".to_vec()).await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("not a photo we can read")
    );
    // A small file that claims a huge picture (a decompression bomb) is refused from its
    // header: 413 and the reason, and the server goes on answering.
    let response = upload(&app, "bomb.png", png_bomb(30_000, 30_000)).await;
    assert_eq!(response.status().as_u16(), 413);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("30000 × 30000 pixels, more than we read"),
        "{page}"
    );
    assert_eq!(app.get("/healthz").await.status().as_u16(), 200);

    // A form of more parts than any form has is refused when it passes the bound.
    let mut form = reqwest::multipart::Form::new();
    for i in 0..40 {
        form = form.text(format!("f{i}"), "x");
    }
    let response = send(&app, form).await;
    assert_eq!(response.status().as_u16(), 413);
    let page = response.text().await.unwrap();
    assert!(page.contains("The form has more than 32 parts."), "{page}");

    // The pages offer the scan: a camera button and the photo upload.
    let (_, home) = app.page_lookup(&sample.serial).await;
    assert!(
        home.contains("Scan with the camera") && home.contains("action=\"/lookup/scan\""),
        "{home}"
    );
}
both_engines!(a_photo_of_a_qr_code_leads_to_the_units_answer);

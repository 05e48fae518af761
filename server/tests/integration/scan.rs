//! Scan to look up without a camera: a photo of a QR code is read on the server and the
//! decoded text (a GS1 Digital Link here) goes through the same parser as pasted input; a
//! photo without a code, or a file that is no photo, is answered with the reason; on both
//! engines.

use crate::both_engines;
use crate::common::{Engine, TestApp, location};

fn png_of_qr(text: &str) -> Vec<u8> {
    let code = qrcode::QrCode::new(text.as_bytes()).expect("a QR code");
    let image = code
        .render::<image::Luma<u8>>()
        .min_dimensions(300, 300)
        .build();
    let mut bytes = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut bytes, image::ImageFormat::Png)
        .expect("a PNG");
    bytes.into_inner()
}

async fn upload(app: &TestApp, name: &str, bytes: Vec<u8>) -> reqwest::Response {
    let form = reqwest::multipart::Form::new().part(
        "photo",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
    );
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
    let blank = {
        let image = image::GrayImage::from_pixel(200, 200, image::Luma([255]));
        let mut bytes = std::io::Cursor::new(Vec::new());
        image.write_to(&mut bytes, image::ImageFormat::Png).unwrap();
        bytes.into_inner()
    };
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
    // The pages offer the scan: a camera button and the photo upload.
    let (_, home) = app.page_lookup(&sample.serial).await;
    assert!(
        home.contains("Scan with the camera") && home.contains("action=\"/lookup/scan\""),
        "{home}"
    );
}
both_engines!(a_photo_of_a_qr_code_leads_to_the_units_answer);

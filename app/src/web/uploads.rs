//! Multipart forms without JavaScript: every text field and file of an owner's or staff
//! member's upload, read to its end or refused with why (and the status that says so).

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server {
    use crate::state::AppState;
    use crate::web::forms::{FormFeedback, rerender};
    use axum::extract::{FromRequest, Multipart};
    use axum::http::StatusCode;
    use axum::http::request::Parts;
    use axum::response::Response;
    use serialtrace::service::owners::Upload;
    use std::collections::HashMap;

    /// Parts one owner form may have (its fields and up to three photos, with room to
    /// spare): a body of thousands of tiny parts is refused, not kept.
    pub const MAX_FORM_PARTS: usize = 32;

    /// A multipart form: its text fields and its files (a file input left empty sends none).
    pub struct MultipartForm {
        pub parts: Parts,
        pub fields: HashMap<String, String>,
        pub files: Vec<(String, Upload)>,
        /// Why the body could not be read to its end, if it could not, and the status that
        /// says so (400 unreadable, 413 too large, 415 not a multipart form).
        pub problem: Option<(StatusCode, String)>,
    }

    impl MultipartForm {
        pub fn text(&self, name: &str) -> String {
            self.fields.get(name).cloned().unwrap_or_default()
        }

        /// The file sent as `name`, as text (empty when none was chosen), or why it cannot be
        /// read as text: not UTF-8, or holding a NUL character.
        pub fn file_text(&self, name: &str) -> Result<String, String> {
            let Some((_, upload)) = self.files.iter().find(|(field, _)| field == name) else {
                // Sent without a file name, it is a text field.
                return Ok(self.text(name));
            };
            // Spreadsheets' "CSV UTF-8" starts with a byte-order mark, which is not text.
            let bytes = upload
                .bytes
                .strip_prefix(b"\xEF\xBB\xBF")
                .unwrap_or(&upload.bytes);
            match std::str::from_utf8(bytes) {
                Ok(text) if !text.contains('\0') => Ok(text.to_owned()),
                _ => Err(format!(
                    "{} is not UTF-8 text (or holds a NUL character): save it as plain text or CSV (UTF-8) and send it again.",
                    upload.filename
                )),
            }
        }
    }

    pub async fn read_multipart(
        state: &AppState,
        request: axum::extract::Request,
    ) -> MultipartForm {
        let (parts, body) = request.into_parts();
        let request = axum::extract::Request::from_parts(parts.clone(), body);
        let mut form = MultipartForm {
            parts,
            fields: HashMap::new(),
            files: Vec::new(),
            problem: None,
        };
        let mut multipart = match Multipart::from_request(request, state).await {
            Ok(m) => m,
            Err(rejection) => {
                form.problem = Some((
                    rejection.status(),
                    format!("The form could not be read: {}", rejection.body_text()),
                ));
                return form;
            }
        };
        // Parts read, kept or not (repeated names and empty files count too).
        let mut parts_read = 0;
        loop {
            match multipart.next_field().await {
                Ok(Some(_)) if parts_read >= MAX_FORM_PARTS => {
                    form.problem = Some((
                        StatusCode::PAYLOAD_TOO_LARGE,
                        format!("The form has more than {MAX_FORM_PARTS} parts."),
                    ));
                    break;
                }
                Ok(Some(field)) => {
                    parts_read += 1;
                    let name = field.name().unwrap_or_default().to_owned();
                    let filename = field.file_name().map(str::to_owned);
                    match field.bytes().await {
                        Ok(bytes) => match filename {
                            Some(filename) if !(filename.is_empty() && bytes.is_empty()) => {
                                form.files.push((
                                    name,
                                    Upload {
                                        filename,
                                        bytes: bytes.to_vec(),
                                    },
                                ));
                            }
                            Some(_) => {}
                            None if crate::web::forms::holds_nul(&bytes) => {
                                form.problem = Some((
                                    StatusCode::UNPROCESSABLE_ENTITY,
                                    format!(
                                        "The field {name} holds a NUL character (U+0000), which no field can keep."
                                    ),
                                ));
                                break;
                            }
                            None => {
                                form.fields
                                    .insert(name, String::from_utf8_lossy(&bytes).into_owned());
                            }
                        },
                        Err(error) => {
                            form.problem = Some((
                                error.status(),
                                format!("The upload stopped: {}", error.body_text()),
                            ));
                            break;
                        }
                    }
                }
                Ok(None) => break,
                Err(error) => {
                    form.problem = Some((
                        error.status(),
                        format!("The upload stopped: {}", error.body_text()),
                    ));
                    break;
                }
            }
        }
        form
    }

    /// The page again with the form's text fields and this problem.
    pub async fn upload_problem(
        state: &AppState,
        form: MultipartForm,
        field: &str,
        (status, problem): (StatusCode, String),
    ) -> Response {
        let mut feedback = FormFeedback::default();
        feedback.add_error(field, problem);
        for (name, value) in &form.fields {
            feedback.values.push((name.clone(), value.clone()));
        }
        rerender(state, form.parts, feedback, status).await
    }
}

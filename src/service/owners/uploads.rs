//! Files owners send: a proof of purchase or a claim's photo, its type read from its bytes.

use crate::store::StoreResult;
use crate::store::owners::{self as store, NewAttachment};

/// The largest proof of purchase or claim photo accepted.
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;

/// A file as uploaded.
#[derive(Clone, Debug, Default)]
pub struct Upload {
    pub filename: String,
    pub bytes: Vec<u8>,
}

impl Upload {
    /// The file's type, read from its first bytes (never from its name or the browser's
    /// claim): JPEG, PNG, WebP or PDF; otherwise why it is refused.
    pub fn content_type(&self) -> Result<&'static str, String> {
        let b = &self.bytes;
        if b.is_empty() {
            return Err("The file is empty.".into());
        }
        if b.len() > MAX_FILE_BYTES {
            return Err(format!(
                "The file is {:.1} MB; the most is {} MB.",
                b.len() as f64 / 1_048_576.0,
                MAX_FILE_BYTES / 1_048_576
            ));
        }
        if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Ok("image/jpeg")
        } else if b.starts_with(b"\x89PNG\r\n\x1a\n") {
            Ok("image/png")
        } else if b.len() > 12 && &b[..4] == b"RIFF" && &b[8..12] == b"WEBP" {
            Ok("image/webp")
        } else if b.starts_with(b"%PDF-") {
            Ok("application/pdf")
        } else {
            Err("Upload a photo (JPEG, PNG or WebP) or a PDF.".into())
        }
    }

    /// An optional upload with its checked type; what is wrong with it goes to `problems`
    /// under `field`.
    pub fn checked<'a>(
        upload: Option<&'a Upload>,
        field: &str,
        problems: &mut Vec<(String, String)>,
    ) -> Option<(&'a Upload, &'static str)> {
        let upload = upload?;
        match upload.content_type() {
            Ok(kind) => Some((upload, kind)),
            Err(why) => {
                problems.push((field.to_owned(), why));
                None
            }
        }
    }

    /// Keeps the file (its type checked as `kind`), uploaded by `user_id` about `unit_id`,
    /// with what it belongs to: its id.
    pub(crate) async fn keep(
        &self,
        conn: &mut sqlx::AnyConnection,
        (user_id, unit_id): (i64, i64),
        of: FileOf,
        kind: &str,
        now: &str,
    ) -> StoreResult<i64> {
        let (ownership_id, claim_id, dispute_id) = match of {
            FileOf::Ownership(id) => (Some(id), None, None),
            FileOf::Claim(id) => (None, Some(id), None),
            FileOf::Dispute(id) => (None, None, Some(id)),
        };
        store::insert_attachment(
            conn,
            &NewAttachment {
                user_id,
                unit_id,
                ownership_id,
                claim_id,
                dispute_id,
                content_type: kind,
                filename: &self.clean_name(),
                bytes: &self.bytes,
            },
            now,
        )
        .await
    }

    /// The name kept with the file: its last path part, printable characters only.
    pub fn clean_name(&self) -> String {
        let name = self.filename.rsplit(['/', '\\']).next().unwrap_or_default();
        let name: String = name
            .chars()
            .filter(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ' '))
            .take(100)
            .collect();
        if name.trim().is_empty() {
            "upload".into()
        } else {
            name
        }
    }
}

/// What a kept file belongs to: a proof of purchase of an ownership or of a dispute, or a
/// claim's photo.
#[derive(Clone, Copy, Debug)]
pub enum FileOf {
    Ownership(i64),
    Claim(i64),
    Dispute(i64),
}

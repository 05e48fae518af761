//! The web layer's shared pieces, for every page: forms that work without JavaScript (their
//! feedback, fields and the urlencoded extractor), uploads (multipart forms), and responses
//! (a service's outcome as the page again with its problems, or a redirect).

pub mod forms;
pub mod responses;
pub mod uploads;

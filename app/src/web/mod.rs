//! The web layer's shared pieces, for every page: forms that work without JavaScript (their
//! feedback, fields and the urlencoded extractor), uploads (multipart forms), and responses
//! (a service's outcome as the page again with its problems, or a redirect), and the routes
//! each page group lists for its form posts, uploads and downloads.

pub mod forms;
pub mod responses;
pub mod routes;
pub mod uploads;

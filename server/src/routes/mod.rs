pub mod api;
pub mod api_docs;
pub mod digital_link;
pub mod health;

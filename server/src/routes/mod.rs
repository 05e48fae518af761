pub mod api;
pub mod digital_link;
pub mod health;

pub mod account;
pub mod admin;
pub mod home;
pub mod lookup;
pub mod not_found;
pub mod recalls;
pub mod staff;

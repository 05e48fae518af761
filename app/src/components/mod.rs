pub mod access;
pub mod answer;
pub mod load;
pub mod lookup_form;
#[cfg(feature = "ssr")]
pub mod photo;
pub mod scan;

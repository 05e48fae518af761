pub mod access;
pub mod answer;
pub mod lookup_form;
pub mod scan;

//! The web layer's shared pieces (issue 14 moves the rest here): reading uploads.

pub mod uploads;

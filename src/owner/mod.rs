//! Owners and their units: what the owner's screens show ([`view`]). The rules they follow
//! (registration limits, transfers, reports) are in `service::owners`.

pub mod view;

pub use view::{Dispute, DisputeOnDesk, OpenDispute, OwnedProduct, UnitReport};

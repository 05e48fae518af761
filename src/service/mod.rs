//! Services: what the HTML pages, the JSON API and the CLI call. They take parsed input,
//! talk to the store and return the domain's answer types.

pub mod accounts;
pub mod audit;
pub mod catalogue;
pub mod change;
pub mod claims;
pub mod counterfeits;
pub mod disputes;
mod error;
pub mod export;
pub mod import;
pub mod journey;
pub mod lookup;
pub mod mail;
pub mod overview;
pub mod owners;
pub mod partners;
pub mod police;
pub mod recall_admin;
pub mod recalls;
pub mod sessions;
pub mod stock;
pub mod thefts;
pub mod units;

pub use error::{Error, Result};

use crate::store::{Db, StoreResult};
use std::sync::Arc;

/// Everything a request handler needs, cheap to clone.
#[derive(Clone)]
pub struct Services {
    pub db: Db,
    pub lookup: Arc<lookup::LookupService>,
    pub hasher: accounts::PasswordHasher,
}

impl Services {
    pub async fn start(db: Db, hasher: accounts::PasswordHasher) -> StoreResult<Self> {
        let lookup = Arc::new(lookup::LookupService::start(db.clone()).await?);
        Ok(Self { db, lookup, hasher })
    }
}

//! The demo data set: deterministic for a seed and a load date, big enough to measure.
//!
//! Several manufacturers, a dozen products (phones with IMEIs, laptops with battery packs
//! built from cell lots, washing machines, e-bikes, an infusion pump with a GS1 UDI, TVs),
//! lots, units with sold and registered warranties, four kinds of recall (serial range, lot,
//! production window, faulty component lot), partly remedied, and theft reports.
//!
//! Loaded in one transaction beneath the services, with the store's bulk writer (a hundred
//! thousand units in seconds; no workflow writes that fast): [`catalogue`] (the makers and
//! their products), [`fleet`] (units, lots, component links, warranties, sales, thefts) and
//! [`recalls`] (one of each scope kind, published). Then through the services, as a person
//! would: the demo accounts and the demo owner's products ([`owners`]), and one sample serial
//! per lookup outcome ([`samples`]).

mod catalogue;
mod fleet;
mod owners;
mod recalls;
mod samples;

pub use samples::{OUTCOMES, recorded_samples};

use crate::account::Role;
use crate::service::accounts::AccountError;
use crate::store::bulk::{Val, insert_rows};
use crate::store::{Db, StoreError, now_text, today};
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug)]
pub struct DemoOptions {
    pub units: u64,
    pub seed: u64,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            units: 100_000,
            seed: 1,
        }
    }
}

/// A serial to try, with the outcome a lookup of it gives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sample {
    pub outcome: &'static str,
    pub serial: String,
    pub gtin: Option<String>,
}

#[derive(Clone, Debug)]
pub struct DemoReport {
    pub units: u64,
    pub elapsed: Duration,
    pub samples: Vec<Sample>,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(
        "the database already holds data ({0} manufacturers); the demo loads only into an empty database"
    )]
    NotEmpty(i64),
    #[error("the demo needs at least {MIN_UNITS} units")]
    TooFew,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("the demo data set has no unit for the sample '{0}'")]
    NoSample(&'static str),
    #[error("creating the demo accounts failed: {0}")]
    Accounts(#[from] AccountError),
    #[error("registering the demo owner's products failed: {0}")]
    Owners(String),
}

pub const MIN_UNITS: u64 = 1_000;

/// One account per role, for trying the portal. Demo only: the password is public.
pub const DEMO_PASSWORD: &str = "demo-only-not-secret";
pub const DEMO_ACCOUNTS: [(&str, Role, Option<&str>, Option<&str>); 5] = [
    ("owner@demo.serialtrace.test", Role::Owner, None, None),
    ("agent@demo.serialtrace.test", Role::Agent, None, None),
    (
        "staff@demo.serialtrace.test",
        Role::Staff,
        Some("hallmark"),
        None,
    ),
    (
        "police@demo.serialtrace.test",
        Role::Police,
        None,
        Some("City Police"),
    ),
    ("admin@demo.serialtrace.test", Role::Admin, None, None),
];

/// splitmix64: a small deterministic generator, the same on every platform and release
/// (the demo data set and the tests' random fleets depend on that).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// Loads the demo data set into an empty, migrated database.
pub async fn load(db: &Db, options: DemoOptions) -> Result<DemoReport, DemoError> {
    let started = Instant::now();
    if options.units < MIN_UNITS {
        return Err(DemoError::TooFew);
    }
    let existing = crate::store::catalogue::manufacturer_count(db).await?;
    if existing > 0 {
        return Err(DemoError::NotEmpty(existing));
    }
    let mut rng = Rng::new(options.seed ^ 0x5EED_5EED);
    let today = today();
    let now = now_text();
    let specs = catalogue::products();
    let mut tx = db.writer().begin().await?;
    catalogue::write(&mut tx, &specs, &now).await?;
    let counts = fleet::counts(&specs, options.units);
    let fleet = fleet::plan(&specs, &counts, &mut rng, today, &now);
    fleet::write(&mut tx, &specs, &fleet, &mut rng, today, &now).await?;
    fleet::write_thefts(&mut tx, &fleet.units, &mut rng, &now).await?;
    let published = recalls::write(&mut tx, &fleet, &counts, today, &now).await?;
    tx.commit().await?;
    db.resync_ids(&[
        "manufacturers",
        "products",
        "lots",
        "units",
        "warranty_records",
        "events",
    ])
    .await?;

    owners::create_demo_accounts(db).await?;
    let mut samples = samples::pick(db, &specs, &counts, &published, today).await?;
    let unregistered = owners::seed(db, &samples, today).await?;
    samples.push(unregistered);
    let rows: Vec<Vec<Val>> = samples
        .iter()
        .map(|s| {
            vec![
                s.outcome.into(),
                s.serial.clone().into(),
                s.gtin.clone().into(),
            ]
        })
        .collect();
    let mut conn = db.writer().acquire().await?;
    insert_rows(
        &mut conn,
        "demo_samples",
        &["outcome", "serial", "gtin"],
        &rows,
    )
    .await?;
    Ok(DemoReport {
        units: fleet.units.len() as u64,
        elapsed: started.elapsed(),
        samples,
    })
}

//! The demo data: however small, whatever its seed and whatever today's date, it holds a
//! unit for every outcome the README lists (the demo is built relative to today, so a
//! recall's lot is one the units actually fill, not a month that may be empty).

use crate::both_engines;
use crate::common::{Engine, fresh_db};
use serialtrace::demo::{self, DemoOptions, MIN_UNITS};

async fn every_small_demo_has_a_unit_for_every_outcome(engine: Engine) {
    for seed in 1..=8 {
        let (db, _) = fresh_db(engine).await;
        let report = demo::load(
            &db,
            DemoOptions {
                units: MIN_UNITS,
                seed,
            },
        )
        .await
        .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        let outcomes: Vec<&str> = report.samples.iter().map(|s| s.outcome).collect();
        for outcome in demo::OUTCOMES {
            assert!(outcomes.contains(&outcome), "seed {seed}: {outcomes:?}");
        }
    }
}
both_engines!(every_small_demo_has_a_unit_for_every_outcome);

//! Recall scope evaluated in SQL, on both engines, against the reference evaluation in the
//! domain crate: every rule kind, component chains, and scope edits.

use crate::both_engines;
use crate::common::{Engine, fresh_db};
use serialtrace::demo::Rng;
use serialtrace::recall::scope::{
    ComponentLink, ScopeRule, SerialRange, UnitFacts, affected_units,
};
use serialtrace::recall::{Remedy, Severity};
use serialtrace::store::Db;
use serialtrace::testing::{
    NewRecall, insert_draft, insert_rule, members, publish, recompute_membership, replace_rules,
};
use serialtrace::testing::{Val, insert_rows};
use std::collections::BTreeSet;
use time::{Date, Duration, macros::date};

const PRODUCTS: i64 = 4;
const LOTS: i64 = 8;
const BASE: Date = date!(2024 - 01 - 01);

/// A random fleet: units of four products with lots and dates, and a forest of component
/// links (children always have smaller ids, so there are no cycles), some to whole lots.
async fn load_fleet(db: &Db, seed: u64, units: i64) -> (Vec<UnitFacts>, Vec<ComponentLink>) {
    let mut rng = Rng::new(seed);
    let mut conn = db.writer().acquire().await.expect("a connection");
    let now = "2026-01-01T00:00:00Z";
    let models: Vec<String> = (1..=PRODUCTS).map(|p| format!("P{p}")).collect();
    catalogue(&mut conn, &models).await;
    let lots: Vec<Vec<Val>> = (1..=LOTS)
        .map(|l| {
            vec![
                l.into(),
                ((l - 1) % PRODUCTS + 1).into(),
                format!("L{l}").into(),
            ]
        })
        .collect();
    insert_rows(&mut conn, "lots", &["id", "product_id", "code"], &lots)
        .await
        .expect("lots");

    let mut facts = Vec::new();
    let mut rows = Vec::new();
    for id in 1..=units {
        let product = rng.below(PRODUCTS as u64) as i64 + 1;
        let lot = (rng.below(3) > 0).then(|| rng.below(LOTS as u64) as i64 + 1);
        let made = BASE + Duration::days(rng.below(365) as i64);
        // Some serials repeat across products; bodies are 6 digits plus a check letter.
        let serial = format!(
            "AB{:06}{}",
            rng.below(400),
            char::from(b'A' + rng.below(26) as u8)
        );
        rows.push(vec![
            id.into(),
            1i64.into(),
            product.into(),
            lot.into(),
            serial.clone().into(),
            serial.clone().into(),
            made.to_string().into(),
            now.into(),
        ]);
        facts.push(UnitFacts {
            id,
            product_id: product,
            serial,
            lot_id: lot,
            manufactured_on: Some(made),
        });
    }
    // Duplicate (product, serial) pairs are not allowed: keep the first of each.
    let mut seen = BTreeSet::new();
    let keep: Vec<bool> = facts
        .iter()
        .map(|f| seen.insert((f.product_id, f.serial.clone())))
        .collect();
    let rows: Vec<Vec<Val>> = rows
        .into_iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|(r, _)| r)
        .collect();
    let facts: Vec<UnitFacts> = facts
        .into_iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|(f, _)| f)
        .collect();
    insert_rows(
        &mut conn,
        "units",
        &[
            "id",
            "manufacturer_id",
            "product_id",
            "lot_id",
            "serial_raw",
            "serial_norm",
            "manufactured_on",
            "created_at",
        ],
        &rows,
    )
    .await
    .expect("units");

    let ids: Vec<i64> = facts.iter().map(|f| f.id).collect();
    let mut links = Vec::new();
    let mut link_rows = Vec::new();
    for (i, parent) in ids.iter().enumerate().skip(1) {
        if rng.below(3) == 0 {
            let child = ids[rng.below(i as u64) as usize];
            links.push(ComponentLink::Unit {
                parent: *parent,
                child,
            });
            link_rows.push(vec![
                (*parent).into(),
                Some(child).into(),
                None::<i64>.into(),
                now.into(),
            ]);
        }
        if rng.below(10) == 0 {
            let lot = rng.below(LOTS as u64) as i64 + 1;
            links.push(ComponentLink::Lot {
                parent: *parent,
                lot_id: lot,
            });
            link_rows.push(vec![
                (*parent).into(),
                None::<i64>.into(),
                Some(lot).into(),
                now.into(),
            ]);
        }
    }
    insert_rows(
        &mut conn,
        "component_links",
        &[
            "parent_unit_id",
            "child_unit_id",
            "child_lot_id",
            "linked_at",
        ],
        &link_rows,
    )
    .await
    .expect("links");
    (facts, links)
}

/// One manufacturer (id 1) and a product per model, with ids 1, 2, … in order.
async fn catalogue(conn: &mut sqlx::AnyConnection, models: &[String]) {
    let now = "2026-01-01T00:00:00Z";
    insert_rows(
        conn,
        "manufacturers",
        &["id", "slug", "name", "created_at"],
        &[vec![1i64.into(), "m".into(), "M".into(), now.into()]],
    )
    .await
    .expect("manufacturer");
    let products: Vec<Vec<Val>> = models
        .iter()
        .enumerate()
        .map(|(i, m)| {
            vec![
                (i as i64 + 1).into(),
                1i64.into(),
                m.as_str().into(),
                m.as_str().into(),
                "c".into(),
                12i64.into(),
                "sale".into(),
                now.into(),
            ]
        })
        .collect();
    insert_rows(
        conn,
        "products",
        &[
            "id",
            "manufacturer_id",
            "model",
            "name",
            "category",
            "warranty_months",
            "warranty_starts",
            "created_at",
        ],
        &products,
    )
    .await
    .expect("products");
}

fn recall(number: &str) -> NewRecall {
    NewRecall {
        manufacturer_id: 1,
        number: number.into(),
        title: "t".into(),
        hazard: "h".into(),
        description: "d".into(),
        remedy: Remedy::Repair,
        remedy_available: true,
        instructions: "i".into(),
        severity: Severity::High,
        starts_on: "2026-01-01".into(),
    }
}

fn random_rule(rng: &mut Rng, facts: &[UnitFacts]) -> ScopeRule {
    match rng.below(6) {
        0 => {
            let f = &facts[rng.below(facts.len() as u64) as usize];
            let product_id = (rng.below(2) == 0).then_some(f.product_id);
            ScopeRule::Serial {
                product_id,
                serial: f.serial.clone(),
            }
        }
        1 => {
            let from = rng.below(300);
            let to = from + rng.below(100);
            let product_id = (rng.below(2) == 0).then(|| rng.below(PRODUCTS as u64) as i64 + 1);
            ScopeRule::SerialRange(SerialRange::new(product_id, "AB", 6, from, to).expect("range"))
        }
        2 => ScopeRule::Lot {
            lot_id: rng.below(LOTS as u64) as i64 + 1,
        },
        3 => {
            let from = BASE + Duration::days(rng.below(300) as i64);
            ScopeRule::ProductionWindow {
                product_id: rng.below(PRODUCTS as u64) as i64 + 1,
                from,
                to: from + Duration::days(rng.below(90) as i64),
            }
        }
        4 => ScopeRule::ComponentLot {
            lot_id: rng.below(LOTS as u64) as i64 + 1,
        },
        _ => ScopeRule::ComponentSerial {
            unit_id: facts[rng.below(facts.len() as u64) as usize].id,
        },
    }
}

async fn sql_membership_matches_the_reference(engine: Engine) {
    let (db, _) = fresh_db(engine).await;
    let (facts, links) = load_fleet(&db, 42, 600).await;
    let mut rng = Rng::new(99);
    let mut conn = db.writer().acquire().await.expect("a connection");
    let mut kinds_with_members = BTreeSet::new();
    for n in 0..36 {
        let rules: Vec<ScopeRule> = (0..1 + rng.below(3))
            .map(|_| random_rule(&mut rng, &facts))
            .collect();
        let id = insert_draft(
            &mut conn,
            &recall(&format!("R-{n}")),
            "2026-01-01T00:00:00Z",
        )
        .await
        .expect("draft");
        for rule in &rules {
            insert_rule(&mut conn, id, rule).await.expect("rule");
        }
        let change = publish(&mut conn, id, "2026-01-01T00:00:00Z")
            .await
            .expect("publish");
        let expected = affected_units(&rules, &facts, &links);
        let got: BTreeSet<i64> = members(&mut conn, id)
            .await
            .expect("members")
            .into_iter()
            .map(|(u, _)| u)
            .collect();
        assert_eq!(got, expected, "recall {n} with rules {rules:?}");
        assert_eq!(change.members as usize, expected.len());
        if !expected.is_empty() && rules.len() == 1 {
            kinds_with_members.insert(
                format!("{:?}", rules[0])
                    .split([' ', '(', '{'])
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
            );
        }
    }
    assert!(
        kinds_with_members.len() >= 4,
        "the random rules exercised several kinds: {kinds_with_members:?}"
    );
}
both_engines!(sql_membership_matches_the_reference);

async fn component_chains_and_scope_edits(engine: Engine) {
    let (db, _) = fresh_db(engine).await;
    let mut conn = db.writer().acquire().await.expect("a connection");
    let now = "2026-01-01T00:00:00Z";
    catalogue(
        &mut conn,
        &["laptop".to_owned(), "pack".to_owned(), "cell".to_owned()],
    )
    .await;
    insert_rows(
        &mut conn,
        "lots",
        &["id", "product_id", "code"],
        &[
            vec![1i64.into(), 3i64.into(), "BAD-CELLS".into()],
            vec![2i64.into(), 3i64.into(), "GOOD-CELLS".into()],
        ],
    )
    .await
    .expect("lots");
    // Laptops 1-3, packs 4-6; pack 4 is built from the bad cell lot and sits in laptop 1;
    // pack 5 from the good lot in laptop 2; pack 6 (bad lot) is a spare, in no laptop.
    let units: Vec<Vec<Val>> = [
        (1, 1, "LT1"),
        (2, 1, "LT2"),
        (3, 1, "LT3"),
        (4, 2, "PK4"),
        (5, 2, "PK5"),
        (6, 2, "PK6"),
    ]
    .iter()
    .map(|(id, p, s)| {
        vec![
            (*id as i64).into(),
            1i64.into(),
            (*p as i64).into(),
            (*s).into(),
            (*s).into(),
            now.into(),
        ]
    })
    .collect();
    insert_rows(
        &mut conn,
        "units",
        &[
            "id",
            "manufacturer_id",
            "product_id",
            "serial_raw",
            "serial_norm",
            "created_at",
        ],
        &units,
    )
    .await
    .expect("units");
    let link = |parent: i64, child: Option<i64>, lot: Option<i64>| {
        vec![parent.into(), child.into(), lot.into(), now.into()]
    };
    insert_rows(
        &mut conn,
        "component_links",
        &[
            "parent_unit_id",
            "child_unit_id",
            "child_lot_id",
            "linked_at",
        ],
        &[
            link(4, None, Some(1)),
            link(5, None, Some(2)),
            link(6, None, Some(1)),
            link(1, Some(4), None),
            link(2, Some(5), None),
        ],
    )
    .await
    .expect("links");

    let id = insert_draft(&mut conn, &recall("R-CELLS"), now)
        .await
        .expect("draft");
    insert_rule(&mut conn, id, &ScopeRule::ComponentLot { lot_id: 1 })
        .await
        .expect("rule");
    publish(&mut conn, id, now).await.expect("publish");
    let ids = |m: Vec<(i64, String)>| m.into_iter().map(|(u, _)| u).collect::<Vec<_>>();
    assert_eq!(
        ids(members(&mut conn, id).await.expect("m")),
        vec![1, 4, 6],
        "two levels: cells → pack → laptop"
    );

    // Laptop 1 gets its remedy; then the scope is edited to the single pack 5 plus laptop 1.
    sqlx::query(
        "UPDATE recall_units SET remedy_status = 'remedied' WHERE recall_id = $1 AND unit_id = 1",
    )
    .bind(id)
    .execute(&mut *conn)
    .await
    .expect("remedy");
    replace_rules(
        &mut conn,
        id,
        &[
            ScopeRule::ComponentSerial { unit_id: 5 },
            ScopeRule::Serial {
                product_id: Some(1),
                serial: "LT1".into(),
            },
        ],
    )
    .await
    .expect("rules");
    let change = recompute_membership(&mut conn, id)
        .await
        .expect("recompute");
    let after = members(&mut conn, id).await.expect("m");
    assert_eq!(
        after,
        vec![
            (1, "remedied".to_owned()),
            (2, "open".to_owned()),
            (5, "open".to_owned())
        ],
        "a unit that stays keeps its remedy"
    );
    assert_eq!(change.removed, 2, "packs 4 and 6 left the scope");
}
both_engines!(component_chains_and_scope_edits);

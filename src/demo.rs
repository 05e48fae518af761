//! The demo data set: deterministic for a seed and a load date, big enough to measure.
//!
//! Several manufacturers, a dozen products (phones with IMEIs, laptops with battery packs
//! built from cell lots, washing machines, e-bikes, an infusion pump with a GS1 UDI, TVs),
//! lots, units with sold and registered warranties, four kinds of recall (serial range, lot,
//! production window, faulty component lot), partly remedied, and theft reports.

use crate::account::{Email, Password, Role};
use crate::format::{Alphabet, CheckScheme, SerialFormat};
use crate::gs1::Gtin;
use crate::recall::scope::{ScopeRule, SerialRange};
use crate::recall::{Remedy, Severity};
use crate::service::accounts::{self, AccountError, Actor, NewUser, PasswordHasher};
use crate::store::bulk::{Val, insert_rows};
use crate::store::recalls::{
    NewRecall, insert_draft, insert_rule, mark_closed, mark_published, recompute_membership,
};
use crate::store::{Db, StoreError, catalogue, now_text, today};
use crate::warranty::{WarrantyStart, add_months};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};
use time::Date;

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

struct ProductSpec {
    manufacturer: i64,
    model: &'static str,
    name: &'static str,
    category: &'static str,
    months: i64,
    starts: WarrantyStart,
    format: SerialFormat,
    /// Share of the finished units, in percent; 0 for components made to match.
    weight: u64,
    serialised: bool,
}

const MANUFACTURERS: [(&str, &str); 6] = [
    ("nordvik", "Nordvik Mobile"),
    ("hallmark", "Hallmark Computing"),
    ("aquaclean", "Aquaclean Appliances"),
    ("voltride", "Voltride Bikes"),
    ("medilinea", "Medilinea Medical"),
    ("brightline", "Brightline Electronics"),
];

fn structured(prefix: &str, alphabet: Alphabet, check: CheckScheme) -> SerialFormat {
    SerialFormat::Structured {
        prefix: prefix.into(),
        body_len: 8,
        alphabet,
        check,
        random: false,
    }
}

fn products() -> Vec<ProductSpec> {
    use Alphabet::{Digits, Safe};
    use CheckScheme::{Iso7064Mod37_36 as Iso, Luhn};
    use WarrantyStart::{Manufacture, Registration, Sale};
    let p = |manufacturer, model, name, category, months, starts, format, weight| ProductSpec {
        manufacturer,
        model,
        name,
        category,
        months,
        starts,
        format,
        weight,
        serialised: true,
    };
    vec![
        p(
            1,
            "NV-P8",
            "Nordvik P8 smartphone",
            "phone",
            24,
            Sale,
            SerialFormat::Imei {
                tac: "35332011".into(),
            },
            15,
        ),
        p(
            1,
            "NV-P9",
            "Nordvik P9 Pro smartphone",
            "phone",
            24,
            Sale,
            SerialFormat::Imei {
                tac: "35332012".into(),
            },
            10,
        ),
        p(
            2,
            "HC-L14",
            "Hallmark Aero 14 laptop",
            "laptop",
            12,
            Sale,
            structured("HL", Digits, Iso),
            10,
        ),
        p(
            2,
            "HC-L16",
            "Hallmark Aero 16 laptop",
            "laptop",
            24,
            Sale,
            structured("HM", Digits, Iso),
            6,
        ),
        p(
            2,
            "HC-BP60",
            "Hallmark BP60 battery pack",
            "component",
            12,
            Manufacture,
            structured("BP", Digits, Iso),
            0,
        ),
        ProductSpec {
            serialised: false,
            ..p(
                2,
                "HC-CELL",
                "Hallmark 18650 cell",
                "component",
                0,
                Manufacture,
                SerialFormat::Free,
                0,
            )
        },
        p(
            3,
            "AQ-W7",
            "Aquaclean W7 washing machine, 7 kg",
            "appliance",
            24,
            Sale,
            structured("AQ", Digits, Luhn),
            14,
        ),
        p(
            3,
            "AQ-W9",
            "Aquaclean W9 washing machine, 9 kg",
            "appliance",
            36,
            Sale,
            structured("AR", Digits, Luhn),
            8,
        ),
        p(
            4,
            "VR-E1",
            "Voltride E1 city e-bike",
            "e-bike",
            24,
            Registration,
            structured("VR", Safe, Iso),
            10,
        ),
        p(
            4,
            "VR-C2",
            "Voltride C2 cargo e-bike",
            "e-bike",
            24,
            Registration,
            structured("VC", Safe, Iso),
            5,
        ),
        p(
            5,
            "ML-IP3",
            "Medilinea IP3 infusion pump",
            "medical device",
            36,
            Manufacture,
            structured("ML", Digits, Iso),
            4,
        ),
        p(
            6,
            "BL-T55",
            "Brightline 55-inch TV",
            "tv",
            24,
            Sale,
            structured("BL", Digits, Luhn),
            9,
        ),
        p(
            6,
            "BL-T65",
            "Brightline 65-inch TV",
            "tv",
            24,
            Sale,
            structured("BL", Digits, Luhn),
            9,
        ),
    ]
}

// Product ids (1-based positions in `products()`), named where the demo refers to them.
const NV_P8: i64 = 1;
const NV_P9: i64 = 2;
const HC_L14: i64 = 3;
const HC_L16: i64 = 4;
const HC_BP60: i64 = 5;
const HC_CELL: i64 = 6;
const AQ_W7: i64 = 7;
const AQ_W9: i64 = 8;
const VR_E1: i64 = 9;
const ML_IP3: i64 = 11;
const BL_T55: i64 = 12;
const BL_T65: i64 = 13;

/// How many serials BL-T55 and BL-T65 share (two factories, one numbering).
const SHARED_TV_SERIALS: u64 = 10;

fn gtin_for(product_id: i64) -> Gtin {
    Gtin::from_body(&format!("095060001{product_id:04}")).expect("13 digits")
}

/// The lot of `product` to recall: of its well-filled lots (at least half the size of its
/// fullest), the one made nearest `target`. A small demo spreads few units over five years of
/// months, so the month `target` falls in may hold none of them, or a single unit that is also
/// stolen; the recall must still reach units the samples can show.
fn busy_lot_near(
    lots: &BTreeMap<(i64, String), (i64, Date)>,
    sizes: &HashMap<i64, u64>,
    product: i64,
    target: Date,
) -> i64 {
    let of_product: Vec<(i64, Date, u64)> = lots
        .iter()
        .filter(|((p, _), _)| *p == product)
        .map(|(_, (id, first))| (*id, *first, sizes.get(id).copied().unwrap_or(0)))
        .collect();
    let fullest = of_product.iter().map(|l| l.2).max().unwrap_or(0);
    of_product
        .iter()
        .filter(|l| l.2 * 2 >= fullest && l.2 > 0)
        .min_by_key(|l| ((l.1 - target).whole_days().abs(), l.0))
        .map(|l| l.0)
        .unwrap_or(1)
}

/// What a demo recall's sample shows: a unit still to be remedied, or one remedied.
#[derive(Clone, Copy)]
enum Shows {
    Open,
    Remedied,
}

fn yymm(d: Date) -> String {
    format!("{:02}{:02}", d.year() % 100, d.month() as u8)
}

struct Unit {
    id: i64,
    product: i64,
    lot: i64,
    serial: String,
    made: Date,
    sold: Option<Date>,
}

/// Loads the demo data set into an empty, migrated database.
pub async fn load(db: &Db, options: DemoOptions) -> Result<DemoReport, DemoError> {
    let started = Instant::now();
    if options.units < MIN_UNITS {
        return Err(DemoError::TooFew);
    }
    let existing = catalogue::manufacturer_count(db).await?;
    if existing > 0 {
        return Err(DemoError::NotEmpty(existing));
    }
    let mut rng = Rng::new(options.seed ^ 0x5EED_5EED);
    let today = today();
    let now = now_text();
    let specs = products();
    let mut tx = db.writer().begin().await?;

    let rows: Vec<Vec<Val>> = MANUFACTURERS
        .iter()
        .enumerate()
        .map(|(i, (slug, name))| {
            vec![
                (i as i64 + 1).into(),
                (*slug).into(),
                (*name).into(),
                now.as_str().into(),
            ]
        })
        .collect();
    insert_rows(
        &mut tx,
        "manufacturers",
        &["id", "slug", "name", "created_at"],
        &rows,
    )
    .await?;

    let rows: Vec<Vec<Val>> = specs
        .iter()
        .enumerate()
        .map(|(i, s)| {
            vec![
                (i as i64 + 1).into(),
                s.manufacturer.into(),
                s.model.into(),
                s.name.into(),
                s.category.into(),
                s.months.into(),
                s.starts.as_str().into(),
                1i64.into(),
                serde_json::to_string(&s.format).unwrap_or_default().into(),
                i64::from(s.serialised).into(),
                now.as_str().into(),
            ]
        })
        .collect();
    insert_rows(
        &mut tx,
        "products",
        &[
            "id",
            "manufacturer_id",
            "model",
            "name",
            "category",
            "warranty_months",
            "warranty_starts",
            "warranty_transferable",
            "serial_format",
            "serialised",
            "created_at",
        ],
        &rows,
    )
    .await?;
    let rows: Vec<Vec<Val>> = (1..=specs.len() as i64)
        .map(|id| vec![gtin_for(id).as_str().into(), id.into()])
        .collect();
    insert_rows(&mut tx, "product_gtins", &["gtin", "product_id"], &rows).await?;

    // Unit counts: finished products by weight; one battery pack per laptop.
    let total_weight: u64 =
        specs.iter().map(|s| s.weight).sum::<u64>() + specs[2].weight + specs[3].weight;
    let mut counts: Vec<u64> = specs
        .iter()
        .map(|s| options.units * s.weight / total_weight)
        .collect();
    counts[(HC_BP60 - 1) as usize] = counts[(HC_L14 - 1) as usize] + counts[(HC_L16 - 1) as usize];
    let assigned: u64 = counts.iter().sum();
    counts[(NV_P8 - 1) as usize] += options.units - assigned;

    // Lots: one per product per month of manufacture.
    let mut lots: BTreeMap<(i64, String), (i64, Date)> = BTreeMap::new();
    let lot_id =
        |product: i64, made: Date, lots: &mut BTreeMap<(i64, String), (i64, Date)>| -> i64 {
            let next = lots.len() as i64 + 1;
            let first = made.replace_day(1).unwrap_or(made);
            lots.entry((product, yymm(made))).or_insert((next, first)).0
        };

    let mut units: Vec<Unit> = Vec::with_capacity(options.units as usize);
    let mut id = 0i64;
    for (index, spec) in specs.iter().enumerate() {
        let product = index as i64 + 1;
        if !spec.serialised || product == HC_BP60 {
            continue;
        }
        let first_seq = if product == BL_T65 {
            counts[(BL_T55 - 1) as usize]
                .saturating_sub(SHARED_TV_SERIALS - 1)
                .max(1)
        } else {
            1
        };
        for seq in first_seq..first_seq + counts[index] {
            id += 1;
            let made = today - time::Duration::days(30 + rng.below(1_800) as i64);
            let sold_on = made + time::Duration::days(5 + rng.below(120) as i64);
            let sold = (rng.chance(75) && sold_on < today).then_some(sold_on);
            let lot = lot_id(product, made, &mut lots);
            units.push(Unit {
                id,
                product,
                lot,
                serial: spec.format.serial_for(seq),
                made,
                sold,
            });
        }
    }
    // Battery packs: made a week before their laptop, each from the cell lot of its month.
    let bp_format = &specs[(HC_BP60 - 1) as usize].format;
    let laptops: Vec<(i64, Date)> = units
        .iter()
        .filter(|u| u.product == HC_L14 || u.product == HC_L16)
        .map(|u| (u.id, u.made))
        .collect();
    let mut links: Vec<Vec<Val>> = Vec::with_capacity(laptops.len() * 2);
    let mut cell_links: Vec<i64> = Vec::with_capacity(laptops.len());
    for (seq, (laptop, made)) in laptops.iter().enumerate() {
        id += 1;
        let pack_made = *made - time::Duration::days(7);
        let lot = lot_id(HC_BP60, pack_made, &mut lots);
        let cell_lot = lot_id(HC_CELL, pack_made, &mut lots);
        cell_links.push(cell_lot);
        units.push(Unit {
            id,
            product: HC_BP60,
            lot,
            serial: bp_format.serial_for(seq as u64 + 1),
            made: pack_made,
            sold: None,
        });
        links.push(vec![
            (*laptop).into(),
            Some(id).into(),
            None::<i64>.into(),
            now.as_str().into(),
        ]);
        links.push(vec![
            id.into(),
            None::<i64>.into(),
            Some(cell_lot).into(),
            now.as_str().into(),
        ]);
    }

    let rows: Vec<Vec<Val>> = lots
        .iter()
        .map(|((product, code), (id, first))| {
            let model = specs[(*product - 1) as usize].model;
            let code = if *product == HC_CELL {
                format!("CELL-{code}")
            } else {
                format!("{model}-{code}")
            };
            vec![
                (*id).into(),
                (*product).into(),
                code.into(),
                first.to_string().into(),
            ]
        })
        .collect();
    insert_rows(
        &mut tx,
        "lots",
        &["id", "product_id", "code", "produced_on"],
        &rows,
    )
    .await?;

    const UNIT_BATCH: usize = 20_000;
    let mut warranty_id = 0i64;
    let mut event_id = 0i64;
    for chunk in units.chunks(UNIT_BATCH) {
        let mut unit_rows = Vec::with_capacity(chunk.len());
        let mut warranty_rows = Vec::new();
        let mut event_rows = Vec::with_capacity(chunk.len());
        for u in chunk {
            let spec = &specs[(u.product - 1) as usize];
            let registered = match (u.sold, spec.starts) {
                (Some(sold), WarrantyStart::Registration) if rng.chance(60) => {
                    Some(sold + time::Duration::days(rng.below(30) as i64)).filter(|d| *d < today)
                }
                _ => None,
            };
            let status = match (u.sold, registered) {
                (_, Some(_)) => "registered",
                (Some(_), None) => "sold",
                (None, None) => "in_stock",
            };
            let manufacturer = spec.manufacturer;
            unit_rows.push(vec![
                u.id.into(),
                manufacturer.into(),
                u.product.into(),
                Some(u.lot).into(),
                u.serial.clone().into(),
                u.serial.clone().into(),
                u.made.to_string().into(),
                status.into(),
                now.as_str().into(),
            ]);
            let start = match spec.starts {
                WarrantyStart::Sale => u.sold,
                WarrantyStart::Registration => registered,
                WarrantyStart::Manufacture => None,
            };
            if let Some(start) = start {
                warranty_id += 1;
                let end = add_months(start, spec.months as u32);
                warranty_rows.push(vec![
                    warranty_id.into(),
                    u.id.into(),
                    "initial".into(),
                    start.to_string().into(),
                    end.to_string().into(),
                    spec.starts.as_str().into(),
                    now.as_str().into(),
                ]);
            }
            // Manufacture is the unit's own date; the journey shows it without a second copy.
            if let Some(sold) = u.sold {
                event_id += 1;
                event_rows.push(vec![
                    event_id.into(),
                    u.id.into(),
                    "sold".into(),
                    format!("{sold}T12:00:00Z").into(),
                    Some("retail".to_owned()).into(),
                ]);
            }
        }
        insert_rows(
            &mut tx,
            "units",
            &[
                "id",
                "manufacturer_id",
                "product_id",
                "lot_id",
                "serial_raw",
                "serial_norm",
                "manufactured_on",
                "status",
                "created_at",
            ],
            &unit_rows,
        )
        .await?;
        insert_rows(
            &mut tx,
            "warranty_records",
            &[
                "id",
                "unit_id",
                "kind",
                "starts_on",
                "ends_on",
                "source",
                "created_at",
            ],
            &warranty_rows,
        )
        .await?;
        insert_rows(
            &mut tx,
            "events",
            &["id", "unit_id", "kind", "at", "place"],
            &event_rows,
        )
        .await?;
    }
    insert_rows(
        &mut tx,
        "component_links",
        &[
            "parent_unit_id",
            "child_unit_id",
            "child_lot_id",
            "linked_at",
        ],
        &links,
    )
    .await?;

    // Theft reports: a few sold units, some since recovered. Case details stay private.
    let mut thefts = Vec::new();
    let mut sure_thefts = 0;
    for u in units.iter().filter(|u| u.sold.is_some()) {
        // A few NV-P9 phones are always reported, so even a small data set has a sample.
        let sure = u.product == NV_P9 && sure_thefts < 3;
        if sure || rng.below(1000) < 3 {
            sure_thefts += usize::from(sure);
            let recovered = !sure && rng.chance(20);
            let police = rng.chance(50);
            thefts.push(vec![
                u.id.into(),
                (if police { "police" } else { "owner" }).into(),
                Some(if police {
                    "Metropolitan Police".to_owned()
                } else {
                    "City Police".to_owned()
                })
                .into(),
                Some(format!("CASE-{:06}", rng.below(1_000_000))).into(),
                (if recovered { "recovered" } else { "active" }).into(),
                now.as_str().into(),
            ]);
        }
    }
    insert_rows(
        &mut tx,
        "theft_reports",
        &[
            "unit_id",
            "reporter_kind",
            "agency",
            "case_number",
            "status",
            "reported_at",
        ],
        &thefts,
    )
    .await?;

    // Recalls, one of each scope kind, published (membership computed from the rules).
    let year = today.year();
    let w7_count = counts[(AQ_W7 - 1) as usize];
    let mut lot_sizes: HashMap<i64, u64> = HashMap::new();
    for unit in &units {
        *lot_sizes.entry(unit.lot).or_default() += 1;
    }
    for link in &cell_links {
        *lot_sizes.entry(*link).or_default() += 1;
    }
    let vr_lot = busy_lot_near(&lots, &lot_sizes, VR_E1, today - time::Duration::days(300));
    let cell_lot = busy_lot_near(
        &lots,
        &lot_sizes,
        HC_CELL,
        today - time::Duration::days(400),
    );
    // The pumps' firmware window: four months around the pump made nearest 640 days ago.
    let pump_target = today - time::Duration::days(640);
    let pump_window = units
        .iter()
        .filter(|u| u.product == ML_IP3)
        .map(|u| u.made)
        .min_by_key(|made| (*made - pump_target).whole_days().abs())
        .unwrap_or(pump_target);
    let recalls: Vec<(NewRecall, ScopeRule, u64, Shows)> = vec![
        (
            NewRecall {
                manufacturer_id: 3,
                number: format!("R-{year}-001"),
                title: "Aquaclean W7 door lock may open during the spin cycle".into(),
                hazard: "The door lock can release while the drum spins, exposing hands to the moving drum.".into(),
                description: "A batch of door-lock assemblies has a weak latch spring.".into(),
                remedy: Remedy::Repair,
                remedy_available: true,
                instructions: "Stop using the machine's spin cycle and book a free door-lock replacement with Aquaclean service.".into(),
                severity: Severity::High,
                starts_on: (today - time::Duration::days(120)).to_string(),
            },
            ScopeRule::SerialRange(
                SerialRange::new(Some(AQ_W7), "AQ", 8, 1, (w7_count / 5).max(10)).expect("a valid range"),
            ),
            30,
            Shows::Open,
        ),
        (
            NewRecall {
                manufacturer_id: 4,
                number: format!("R-{year}-002"),
                title: "Voltride E1 frame weld may crack".into(),
                hazard: "A crack at the head-tube weld can cause loss of steering control and a fall.".into(),
                description: "One production lot of E1 frames was welded with the wrong filler wire.".into(),
                remedy: Remedy::Replace,
                remedy_available: false,
                instructions: "Stop riding the bike now. Voltride will replace the frame free of charge; replacement frames are being made and you will be contacted.".into(),
                severity: Severity::Critical,
                starts_on: (today - time::Duration::days(60)).to_string(),
            },
            ScopeRule::Lot { lot_id: vr_lot },
            0,
            Shows::Open,
        ),
        (
            NewRecall {
                manufacturer_id: 5,
                number: format!("R-{year}-003"),
                title: "Medilinea IP3 may under-deliver at low flow rates".into(),
                hazard: "At flow rates under 1 ml/h the pump can deliver up to 10% less than programmed.".into(),
                description: "Pumps built in a four-month window carry firmware 2.1, which mis-times the stepper motor.".into(),
                remedy: Remedy::Repair,
                remedy_available: true,
                instructions: "Contact Medilinea service to install firmware 2.2. Until then, do not use the pump below 1 ml/h.".into(),
                severity: Severity::Critical,
                starts_on: (today - time::Duration::days(200)).to_string(),
            },
            ScopeRule::ProductionWindow {
                product_id: ML_IP3,
                from: pump_window - time::Duration::days(60),
                to: pump_window + time::Duration::days(60),
            },
            50,
            Shows::Remedied,
        ),
        (
            NewRecall {
                manufacturer_id: 2,
                number: format!("R-{year}-004"),
                title: "Hallmark Aero laptops: battery cells may overheat".into(),
                hazard: "Cells from one supplier lot can overheat while charging, with a risk of fire.".into(),
                description: "Battery packs built from one lot of 18650 cells are affected, and so is every laptop they were fitted in.".into(),
                remedy: Remedy::Replace,
                remedy_available: true,
                instructions: "Shut the laptop down, unplug it, and request a free replacement battery pack. Do not charge it unattended.".into(),
                severity: Severity::High,
                starts_on: (today - time::Duration::days(30)).to_string(),
            },
            ScopeRule::ComponentLot { lot_id: cell_lot },
            20,
            Shows::Open,
        ),
    ];
    let mut published = Vec::new();
    for (recall, rule, remedied_percent, shows) in recalls {
        let recall_id = insert_draft(&mut tx, &recall, &now).await?;
        insert_rule(&mut tx, recall_id, &rule).await?;
        recompute_membership(&mut tx, recall_id).await?;
        mark_published(&mut tx, recall_id, &now).await?;
        if remedied_percent > 0 {
            sqlx::query(
                "UPDATE recall_units SET remedy_status = 'remedied', remedied_on = $3, remedied_by = 'service partner'
                 WHERE recall_id = $1 AND unit_id % 100 < $2",
            )
            .bind(recall_id)
            .bind(remedied_percent as i64)
            .bind(today.to_string())
            .execute(&mut *tx)
            .await?;
        }
        // However few units the recall reaches, the one its sample shows (the first member
        // not reported stolen, open; or the last, remedied) is as the sample needs it.
        let (status, on, by, pick) = match shows {
            Shows::Open => ("open", None, None, "MIN"),
            Shows::Remedied => (
                "remedied",
                Some(today.to_string()),
                Some("service partner"),
                "MAX",
            ),
        };
        sqlx::query(&format!(
            "UPDATE recall_units SET remedy_status = $2, remedied_on = $3, remedied_by = $4
             WHERE recall_id = $1 AND unit_id = (
               SELECT {pick}(ru.unit_id) FROM recall_units ru WHERE ru.recall_id = $1
               AND NOT EXISTS (SELECT 1 FROM theft_reports t WHERE t.unit_id = ru.unit_id))"
        ))
        .bind(recall_id)
        .bind(status)
        .bind(on)
        .bind(by)
        .execute(&mut *tx)
        .await?;
        published.push(recall_id);
    }
    // A closed recall: public, but no longer listed among active ones.
    let closed = NewRecall {
        manufacturer_id: 6,
        number: format!("R-{}-017", year - 2),
        title: "Brightline 55-inch TV remote battery cover may come loose".into(),
        hazard: "Small children could reach the coin battery.".into(),
        description: "Remotes shipped in the first months had a weak cover latch.".into(),
        remedy: Remedy::Replace,
        remedy_available: true,
        instructions: "Replacement remotes were sent to all registered owners.".into(),
        severity: Severity::Medium,
        starts_on: (today - time::Duration::days(700)).to_string(),
    };
    let closed_id = insert_draft(&mut tx, &closed, &now).await?;
    insert_rule(
        &mut tx,
        closed_id,
        &ScopeRule::ProductionWindow {
            product_id: BL_T55,
            from: today - time::Duration::days(1800),
            to: today - time::Duration::days(1500),
        },
    )
    .await?;
    recompute_membership(&mut tx, closed_id).await?;
    mark_published(&mut tx, closed_id, &now).await?;
    mark_closed(&mut tx, closed_id, &now).await?;
    // Nobody owns a demo unit yet, so there is no one to tell of the recalls; a lookup
    // service already running forgets what it cached.
    crate::store::lookups::bump_epoch(&mut tx).await?;
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

    create_demo_accounts(db).await?;
    let mut samples = pick_samples(db, &specs, &counts, &published, today).await?;
    let unregistered = seed_owners(db, &samples, today).await?;
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
        units: units.len() as u64,
        elapsed: started.elapsed(),
        samples,
    })
}

async fn create_demo_accounts(db: &Db) -> Result<(), DemoError> {
    let hasher = PasswordHasher::new();
    for (email, role, manufacturer, agency) in DEMO_ACCOUNTS {
        let email = Email::parse(email).map_err(|e| AccountError::Hashing(e.to_string()))?;
        let password = Password::parse(DEMO_PASSWORD, Some(&email))
            .map_err(|e| AccountError::Hashing(e.to_string()))?;
        let new = NewUser {
            email: &email,
            password: &password,
            role: Some(role),
            manufacturer,
            agency,
            verified: true,
        };
        accounts::create_user(
            db,
            &hasher,
            new,
            Actor {
                user_id: None,
                role: "demo loader",
                client_ip: None,
            },
        )
        .await?;
    }
    Ok(())
}

/// One serial per lookup outcome, read back from what was loaded.
async fn pick_samples(
    db: &Db,
    specs: &[ProductSpec],
    counts: &[u64],
    recalls: &[i64],
    today: Date,
) -> Result<Vec<Sample>, DemoError> {
    let today = today.to_string();
    // A unit with no recall, no theft report and a serial no other product shares.
    const PLAIN: &str = "NOT EXISTS (SELECT 1 FROM recall_units ru WHERE ru.unit_id = u.id)
        AND NOT EXISTS (SELECT 1 FROM theft_reports t WHERE t.unit_id = u.id)
        AND NOT EXISTS (SELECT 1 FROM units o WHERE o.serial_norm = u.serial_norm AND o.id <> u.id)";
    let queries: Vec<(&'static str, String, Vec<String>)> = vec![
        (
            "active_warranty",
            (format!(
                "SELECT u.serial_raw FROM units u WHERE u.product_id = {NV_P8} AND {PLAIN}
                 AND EXISTS (SELECT 1 FROM warranty_records w WHERE w.unit_id = u.id AND w.starts_on <= $1 AND w.ends_on >= $1)
                 ORDER BY u.id LIMIT 1"
            )),
            vec![today.clone()],
        ),
        (
            "expired_warranty",
            (format!(
                "SELECT u.serial_raw FROM units u WHERE u.product_id = {AQ_W9} AND {PLAIN}
                 AND EXISTS (SELECT 1 FROM warranty_records w WHERE w.unit_id = u.id)
                 AND NOT EXISTS (SELECT 1 FROM warranty_records w WHERE w.unit_id = u.id AND w.ends_on >= $1)
                 ORDER BY u.id LIMIT 1"
            )),
            vec![today.clone()],
        ),
        (
            "recalled",
            format!(
                "SELECT u.serial_raw FROM units u JOIN recall_units ru ON ru.unit_id = u.id
                 WHERE ru.recall_id = {} AND ru.remedy_status = 'open'
                 AND NOT EXISTS (SELECT 1 FROM theft_reports t WHERE t.unit_id = u.id)
                 ORDER BY u.id LIMIT 1",
                recalls[0]
            ),
            vec![],
        ),
        (
            "component_recall",
            format!(
                "SELECT u.serial_raw FROM units u JOIN recall_units ru ON ru.unit_id = u.id
                 WHERE ru.recall_id = {} AND ru.remedy_status = 'open' AND u.product_id IN ({HC_L14}, {HC_L16})
                 AND NOT EXISTS (SELECT 1 FROM theft_reports t WHERE t.unit_id = u.id)
                 ORDER BY u.id LIMIT 1",
                recalls[3]
            ),
            vec![],
        ),
        (
            "remedied",
            format!(
                "SELECT u.serial_raw FROM units u JOIN recall_units ru ON ru.unit_id = u.id
                 WHERE ru.recall_id = {} AND ru.remedy_status = 'remedied'
                 AND NOT EXISTS (SELECT 1 FROM theft_reports t WHERE t.unit_id = u.id)
                 ORDER BY u.id LIMIT 1",
                recalls[2]
            ),
            vec![],
        ),
        (
            "stolen",
            "SELECT u.serial_raw FROM units u JOIN theft_reports t ON t.unit_id = u.id AND t.status = 'active'
             WHERE NOT EXISTS (SELECT 1 FROM recall_units ru WHERE ru.unit_id = u.id)
             AND NOT EXISTS (SELECT 1 FROM units o WHERE o.serial_norm = u.serial_norm AND o.id <> u.id)
             ORDER BY u.id LIMIT 1"
                .to_owned(),
            vec![],
        ),
        (
            "several_products",
            format!(
                "SELECT u.serial_raw FROM units u WHERE u.product_id = {BL_T55}
                 AND EXISTS (SELECT 1 FROM units o WHERE o.serial_norm = u.serial_norm AND o.product_id = {BL_T65})
                 ORDER BY u.id LIMIT 1"
            ),
            vec![],
        ),
    ];
    let mut samples = Vec::new();
    for (outcome, sql, binds) in queries {
        let mut q = sqlx::query_scalar::<_, String>(&sql);
        for b in &binds {
            q = q.bind(b.as_str());
        }
        let serial = q
            .fetch_optional(db.reader())
            .await?
            .ok_or(DemoError::NoSample(outcome))?;
        let gtin = (outcome == "remedied").then(|| gtin_for(ML_IP3).as_str().to_owned());
        samples.push(Sample {
            outcome,
            serial,
            gtin,
        });
    }
    // Serials of the laptop format that were never issued: one with a right check
    // character (not in our records), one with a wrong one (not a valid serial).
    let laptop = &specs[(HC_L14 - 1) as usize].format;
    let unissued = laptop.serial_for(counts[(HC_L14 - 1) as usize] + 5_000);
    let issued: HashSet<String> =
        sqlx::query_scalar::<_, String>("SELECT serial_norm FROM units WHERE serial_norm = $1")
            .bind(&unissued)
            .fetch_all(db.reader())
            .await?
            .into_iter()
            .collect();
    if !issued.is_empty() {
        return Err(DemoError::NoSample("not_found"));
    }
    samples.push(Sample {
        outcome: "not_found",
        serial: unissued,
        gtin: None,
    });
    let mut typo = laptop.serial_for(7);
    let last = typo.pop().unwrap_or('0');
    typo.push(if last == 'Z' { 'Y' } else { 'Z' });
    samples.push(Sample {
        outcome: "invalid",
        serial: typo,
        gtin: None,
    });
    Ok(samples)
}

/// A unit nobody owns, with no recall, theft report or warranty record yet, whose serial no
/// other product shares: (serial, GTIN). Products whose warranty starts at registration
/// first; within a product the newest made, so the samples (oldest first) differ. Each
/// product is walked backwards along its (product, made) index and the walk stops at the
/// first fit, instead of sorting every unit of the data set.
async fn free_unit(
    db: &Db,
    taken: &[String],
) -> Result<Option<(String, Option<String>)>, DemoError> {
    let products: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM products WHERE warranty_months > 0 AND warranty_starts IN ('sale', 'registration')
         ORDER BY CASE WHEN warranty_starts = 'registration' THEN 0 ELSE 1 END, id",
    )
    .fetch_all(db.reader())
    .await?;
    let sql = format!(
        "SELECT u.serial_raw, (SELECT MIN(g.gtin) FROM product_gtins g WHERE g.product_id = u.product_id)
         FROM units u
         WHERE u.product_id = $1
         AND u.status IN ('in_stock', 'shipped', 'sold')
         AND NOT EXISTS (SELECT 1 FROM ownerships o WHERE o.unit_id = u.id)
         AND NOT EXISTS (SELECT 1 FROM theft_reports t WHERE t.unit_id = u.id)
         AND NOT EXISTS (SELECT 1 FROM warranty_records w WHERE w.unit_id = u.id)
         AND NOT EXISTS (SELECT 1 FROM units o WHERE o.serial_norm = u.serial_norm AND o.id <> u.id)
         AND NOT EXISTS (SELECT 1 FROM component_links c WHERE c.child_unit_id = u.id)
         AND u.serial_raw NOT IN ({})
         ORDER BY u.manufactured_on DESC, u.id DESC LIMIT 1",
        crate::store::placeholders(2, taken.len().max(1))
    );
    for product in products {
        let mut q = sqlx::query_as::<_, (String, Option<String>)>(&sql).bind(product);
        for t in taken {
            q = q.bind(t.as_str());
        }
        if taken.is_empty() {
            q = q.bind("");
        }
        if let Some(found) = q.fetch_optional(db.reader()).await? {
            return Ok(Some(found));
        }
    }
    Ok(None)
}

/// The demo owner's products: a recalled unit (with its notice) and one with a warranty claim
/// an agent has started on; returns the `unregistered` sample, a genuine unit nobody has
/// registered, for a new user to try registration on.
async fn seed_owners(db: &Db, samples: &[Sample], today: Date) -> Result<Sample, DemoError> {
    use crate::service::{claims, owners};
    let owner_id = users_id(db, "owner@demo.serialtrace.test").await?;
    let agent_id = users_id(db, "agent@demo.serialtrace.test").await?;
    let mut taken: Vec<String> = samples.iter().map(|s| s.serial.clone()).collect();
    let recalled: Option<(String, Option<String>)> = sqlx::query_as(
        "SELECT u.serial_raw, (SELECT MIN(g.gtin) FROM product_gtins g WHERE g.product_id = u.product_id)
         FROM recall_units ru JOIN units u ON u.id = ru.unit_id JOIN recalls r ON r.id = ru.recall_id
         WHERE r.status = 'active' AND ru.remedy_status = 'open' AND u.status <> 'scrapped'
         AND NOT EXISTS (SELECT 1 FROM ownerships o WHERE o.unit_id = u.id)
         AND NOT EXISTS (SELECT 1 FROM theft_reports t WHERE t.unit_id = u.id)
         ORDER BY u.id DESC LIMIT 1",
    )
    .fetch_optional(db.reader())
    .await?;
    let owner = Actor {
        user_id: Some(owner_id),
        role: "demo loader",
        client_ip: None,
    };
    let bought = (today - time::Duration::days(20)).to_string();
    let register = |serial: String, gtin: Option<String>| owners::Registration {
        serial,
        gtin,
        purchase_date: bought.clone(),
        retailer: "Demo Electronics, Main Street".into(),
        proof: None,
    };
    let seed = |e: crate::service::Error| DemoError::Owners(e.to_string());
    if let Some((serial, gtin)) = recalled {
        taken.push(serial.clone());
        owners::register(db, owner_id, &register(serial, gtin), &owner)
            .await
            .map_err(seed)?;
    }
    let (serial, gtin) = free_unit(db, &taken)
        .await?
        .ok_or(DemoError::NoSample("unregistered"))?;
    taken.push(serial.clone());
    let unit = owners::register(db, owner_id, &register(serial, gtin), &owner)
        .await
        .map_err(seed)?;
    let claim = claims::file_claim(
        db,
        owner_id,
        unit,
        &claims::NewClaim {
            description: "The screen flickers and goes dark after a few minutes of use.".into(),
            photos: Vec::new(),
            paid_repair_ok: true,
        },
        &owner,
    )
    .await
    .map_err(seed)?;
    let agent = Actor {
        user_id: Some(agent_id),
        role: "demo loader",
        client_ip: None,
    };
    let update = claims::ClaimUpdate {
        status: Some("in_review".into()),
        note: Some("Thanks: we are checking the fault with the service centre.".into()),
        internal: false,
    };
    claims::update_claim(db, claim, &update, &agent)
        .await
        .map_err(seed)?;
    let (serial, gtin) = free_unit(db, &taken)
        .await?
        .ok_or(DemoError::NoSample("unregistered"))?;
    Ok(Sample {
        outcome: "unregistered",
        serial,
        gtin,
    })
}

async fn users_id(db: &Db, email: &str) -> Result<i64, DemoError> {
    Ok(sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(db.reader())
        .await?)
}

/// The samples a demo load recorded, in the order it printed them (none without a demo).
pub async fn recorded_samples(db: &Db) -> Result<Vec<(String, String, Option<String>)>, DemoError> {
    use sqlx::Row;
    let rows = sqlx::query("SELECT outcome, serial, gtin FROM demo_samples")
        .fetch_all(db.reader())
        .await?;
    let mut samples: Vec<(String, String, Option<String>)> = rows
        .into_iter()
        .map(|r| (r.get("outcome"), r.get("serial"), r.get("gtin")))
        .collect();
    samples.sort_by_key(|(outcome, ..)| {
        OUTCOMES
            .iter()
            .position(|o| o == outcome)
            .unwrap_or(usize::MAX)
    });
    Ok(samples)
}

/// Every sample outcome, in the order they are printed.
pub const OUTCOMES: [&str; 10] = [
    "active_warranty",
    "expired_warranty",
    "recalled",
    "component_recall",
    "remedied",
    "stolen",
    "several_products",
    "not_found",
    "invalid",
    "unregistered",
];

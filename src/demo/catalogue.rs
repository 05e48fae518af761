//! The demo's manufacturers and products (the ids the rest of the demo refers to), and
//! writing them.

use crate::format::{Alphabet, CheckScheme, SerialFormat};
use crate::gs1::Gtin;
use crate::store::bulk::{Val, insert_rows};
use crate::warranty::WarrantyStart;
use sqlx::AnyConnection;

pub(super) struct ProductSpec {
    pub manufacturer: i64,
    pub model: &'static str,
    pub name: &'static str,
    pub category: &'static str,
    pub months: i64,
    pub starts: WarrantyStart,
    pub format: SerialFormat,
    /// Share of the finished units, in percent; 0 for components made to match.
    pub weight: u64,
    pub serialised: bool,
}

pub(super) const MANUFACTURERS: [(&str, &str); 6] = [
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

pub(super) fn products() -> Vec<ProductSpec> {
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
pub(super) const NV_P8: i64 = 1;
pub(super) const NV_P9: i64 = 2;
pub(super) const HC_L14: i64 = 3;
pub(super) const HC_L16: i64 = 4;
pub(super) const HC_BP60: i64 = 5;
pub(super) const HC_CELL: i64 = 6;
pub(super) const AQ_W7: i64 = 7;
pub(super) const AQ_W9: i64 = 8;
pub(super) const VR_E1: i64 = 9;
pub(super) const ML_IP3: i64 = 11;
pub(super) const BL_T55: i64 = 12;
pub(super) const BL_T65: i64 = 13;

/// How many serials BL-T55 and BL-T65 share (two factories, one numbering).
pub(super) const SHARED_TV_SERIALS: u64 = 10;

pub(super) fn gtin_for(product_id: i64) -> Gtin {
    Gtin::from_body(&format!("095060001{product_id:04}")).expect("13 digits")
}

/// The manufacturers, products and their GTINs.
pub(super) async fn write(
    tx: &mut AnyConnection,
    specs: &[ProductSpec],
    now: &str,
) -> Result<(), super::DemoError> {
    let rows: Vec<Vec<Val>> = MANUFACTURERS
        .iter()
        .enumerate()
        .map(|(i, (slug, name))| {
            vec![
                (i as i64 + 1).into(),
                (*slug).into(),
                (*name).into(),
                now.into(),
            ]
        })
        .collect();
    insert_rows(
        &mut *tx,
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
                now.into(),
            ]
        })
        .collect();
    insert_rows(
        &mut *tx,
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
    insert_rows(&mut *tx, "product_gtins", &["gtin", "product_id"], &rows).await?;
    Ok(())
}

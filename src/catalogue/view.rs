//! What the staff catalogue's screens show: the product list, a product's page with its lots
//! and generated batches.

use super::{ProductForm, ProductSpec};
use crate::read_model::read_model;
use serde::{Deserialize, Serialize};

/// A product as the catalogue lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductLine {
    pub id: i64,
    pub model: String,
    pub name: String,
    pub category: String,
    pub gtins: Vec<String>,
    /// The warranty policy in words ("24 months from sale, transferable").
    pub warranty: String,
    /// The serial format in words.
    pub format: String,
    pub retired: bool,
    /// Units on record.
    pub units: i64,
}

impl ProductLine {
    pub fn of(id: i64, spec: &ProductSpec, retired: bool, units: i64) -> Self {
        let w = &spec.warranty;
        Self {
            id,
            model: spec.model.clone(),
            name: spec.name.clone(),
            category: spec.category.clone(),
            gtins: spec.gtins.iter().map(|g| g.as_str().to_owned()).collect(),
            warranty: format!(
                "{} months from {}{}",
                w.months,
                w.starts.as_str(),
                if w.transferable {
                    ", transferable"
                } else {
                    ", not transferable"
                }
            ),
            format: spec.format.describe(),
            retired,
            units,
        }
    }
}

read_model! {
    /// A lot of a product, with the units made in it.
    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Lot {
        pub id: i64,
        pub code: String,
        pub produced_on: Option<String>,
        pub expires_on: Option<String>,
        pub units: i64,
    }
}

read_model! {
    /// A batch of generated serials.
    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Batch {
        pub id: i64,
        pub product_id: i64,
        pub model: String,
        pub product_name: String,
        /// The product's first GTIN: its units' labels carry a GS1 Digital Link.
        pub gtin: Option<String>,
        pub lot: Option<String>,
        pub count: i64,
        pub created_at: String,
    }
}

/// Everything a product's page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductDetail {
    pub line: ProductLine,
    /// The product as its edit form shows it.
    pub form: ProductForm,
    /// A serial of its format, for the generation form's hint (none for free-form serials).
    pub example: Option<String>,
    pub lots: Vec<Lot>,
    /// The latest batches.
    pub batches: Vec<Batch>,
}

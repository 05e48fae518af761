//! Rows resolved against the catalogue: manufacturer and product (made when the import
//! may), the serial checked against the product's format.

use super::{ImportError, ImportOptions};
use crate::format::{FormatVerdict, SerialFormat};
use crate::import::{ImportSummary, RowProblem, UnitRow};
use crate::service::accounts::Actor;
use crate::service::change::{Audit, Change};
use crate::store::import::{self as store};
use crate::store::{Db, StoreError, now_text};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// A product as the import resolves rows to it.
pub(super) struct Product {
    pub(super) id: i64,
    pub(super) manufacturer_id: i64,
    pub(super) format: SerialFormat,
    pub(super) warranty_months: i64,
    pub(super) warranty_starts: String,
    pub(super) retired: bool,
}

/// The catalogue, held in memory for the import (it is small next to the units).
pub(super) struct Catalogue {
    /// By slug and by name, lower-cased: (id, name).
    pub(super) manufacturers: HashMap<String, (i64, String)>,
    /// By (manufacturer id, model lower-cased).
    pub(super) products: HashMap<(i64, String), Product>,
    /// Ids handed out in a dry run for what would be made (negative, never stored).
    pub(super) pretend: Arc<AtomicI64>,
}

impl Catalogue {
    pub(super) async fn load(db: &Db) -> Result<Self, StoreError> {
        let mut manufacturers = HashMap::new();
        for m in store::manufacturers(db).await? {
            manufacturers.insert(m.slug.to_lowercase(), (m.id, m.name.clone()));
            manufacturers.insert(m.name.to_lowercase(), (m.id, m.name));
        }
        let products = store::products(db)
            .await?
            .into_iter()
            .map(|p| {
                let format = serde_json::from_str(&p.serial_format).unwrap_or(SerialFormat::Free);
                (
                    (p.manufacturer_id, p.model.to_lowercase()),
                    Product {
                        id: p.id,
                        manufacturer_id: p.manufacturer_id,
                        format,
                        warranty_months: p.warranty_months,
                        warranty_starts: p.warranty_starts,
                        retired: p.retired,
                    },
                )
            })
            .collect();
        Ok(Self {
            manufacturers,
            products,
            pretend: Arc::new(AtomicI64::new(-1)),
        })
    }

    pub(super) fn pretend_id(&self) -> i64 {
        self.pretend.fetch_sub(1, Ordering::Relaxed) - 1
    }
}

/// A short name for a manufacturer made from a file: lower-case letters, digits, dashes.
pub(super) fn slug_for(name: &str) -> String {
    let mut slug = String::new();
    for c in name.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-').to_owned();
    if slug.is_empty() {
        "manufacturer".into()
    } else {
        slug
    }
}

/// A row resolved to its product, ready to write.
pub(super) struct Resolved {
    pub(super) row: UnitRow,
    pub(super) manufacturer_id: i64,
    pub(super) product_id: i64,
    pub(super) warranty_months: i64,
    pub(super) warranty_starts: String,
}

pub(super) struct Importer<'a> {
    pub(super) db: &'a Db,
    pub(super) options: ImportOptions,
    pub(super) actor: &'a Actor<'a>,
    pub(super) catalogue: Catalogue,
    /// Every (product, serial) seen in the file, with its line.
    pub(super) seen: HashMap<(i64, String), u64>,
    pub(super) summary: ImportSummary,
}

impl Importer<'_> {
    pub(super) fn reject(&mut self, problem: RowProblem) {
        self.summary.reject(problem);
    }

    pub(super) async fn manufacturer(
        &mut self,
        row: &UnitRow,
    ) -> Result<Result<i64, RowProblem>, ImportError> {
        let key = row.manufacturer.to_lowercase();
        let id = match self.catalogue.manufacturers.get(&key) {
            Some((id, _)) => *id,
            // Staff import into their own manufacturer: never a new one.
            None if self.options.create_missing && self.options.only_manufacturer.is_none() => {
                let id = if self.options.dry_run {
                    self.catalogue.pretend_id()
                } else {
                    self.create_manufacturer(&row.manufacturer).await?
                };
                self.catalogue
                    .manufacturers
                    .insert(key, (id, row.manufacturer.clone()));
                self.summary.created_manufacturers += 1;
                id
            }
            None => {
                return Ok(Err(RowProblem::new(
                    row.line,
                    "manufacturer",
                    format!(
                        "there is no manufacturer '{}' (import with --create-missing to make it)",
                        row.manufacturer
                    ),
                )));
            }
        };
        if self
            .options
            .only_manufacturer
            .is_some_and(|only| only != id)
        {
            return Ok(Err(RowProblem::new(
                row.line,
                "manufacturer",
                format!("'{}' is not your manufacturer", row.manufacturer),
            )));
        }
        Ok(Ok(id))
    }

    pub(super) async fn create_manufacturer(&mut self, name: &str) -> Result<i64, ImportError> {
        let now = now_text();
        let mut slug = slug_for(name);
        let taken: Vec<&String> = self.catalogue.manufacturers.keys().collect();
        if taken.iter().any(|k| **k == slug) {
            slug = format!("{slug}-{}", self.catalogue.manufacturers.len());
        }
        let mut tx = Change::begin(self.db, self.actor).await?;
        let id = store::create_manufacturer(&mut tx, &slug, name, &now).await?;
        tx.record(
            Audit::of("manufacturer.create", "manufacturer", id)
                .after(serde_json::json!({ "slug": slug, "name": name, "via": "import" })),
        )
        .await?;
        tx.commit().await?;
        self.catalogue
            .manufacturers
            .insert(slug, (id, name.to_owned()));
        Ok(id)
    }

    pub(super) async fn resolve(&mut self, row: UnitRow) -> Result<Option<Resolved>, ImportError> {
        let manufacturer_id = match self.manufacturer(&row).await? {
            Ok(id) => id,
            Err(problem) => {
                self.reject(problem);
                return Ok(None);
            }
        };
        let key = (manufacturer_id, row.model.to_lowercase());
        if !self.catalogue.products.contains_key(&key) {
            if !self.options.create_missing {
                let name = self
                    .catalogue
                    .manufacturers
                    .get(&row.manufacturer.to_lowercase())
                    .map_or(row.manufacturer.clone(), |(_, n)| n.clone());
                self.reject(RowProblem::new(
                    row.line,
                    "model",
                    format!(
                        "{name} has no model '{}' (import with --create-missing to make it)",
                        row.model
                    ),
                ));
                return Ok(None);
            }
            let months = row.warranty_months.map_or(0, i64::from);
            let id = if self.options.dry_run || manufacturer_id < 0 {
                self.catalogue.pretend_id()
            } else {
                let now = now_text();
                let mut tx = Change::begin(self.db, self.actor).await?;
                let id = store::create_product(&mut tx, manufacturer_id, &row.model, months, &now)
                    .await?;
                tx.record(
                    Audit::of("product.create", "product", id)
                        .after(
                            serde_json::json!({ "model": row.model, "warranty_months": months, "via": "import" }),
                            ),
                )
                .await?;
                tx.commit().await?;
                id
            };
            self.summary.created_products += 1;
            self.catalogue.products.insert(
                key.clone(),
                Product {
                    id,
                    manufacturer_id,
                    format: SerialFormat::Free,
                    warranty_months: months,
                    warranty_starts: "sale".into(),
                    retired: false,
                },
            );
        }
        let Some(product) = self.catalogue.products.get(&key) else {
            return Ok(None);
        };
        debug_assert_eq!(product.manufacturer_id, manufacturer_id);
        let problem = |reason: &str| Some(RowProblem::new(row.line, "serial", reason));
        let verdict_problem = if product.retired {
            Some(RowProblem::new(row.line, "model", "this model is retired"))
        } else {
            match (
                &product.format,
                product.format.check(row.serial.normalised()),
            ) {
                (SerialFormat::Free, _) | (_, FormatVerdict::Valid) => None,
                (_, FormatVerdict::BadCheck) => {
                    problem("the check character does not match: mistyped, or not a real serial")
                }
                (_, FormatVerdict::BadBody) => {
                    problem("has characters this product's serials never contain")
                }
                (_, FormatVerdict::Foreign) => problem("is not in this product's serial format"),
            }
        };
        if let Some(problem) = verdict_problem {
            self.reject(problem);
            return Ok(None);
        }
        let (product_id, months, starts) = (
            product.id,
            product.warranty_months,
            product.warranty_starts.clone(),
        );
        let seen_key = (product_id, row.serial.normalised().to_owned());
        if let Some(first) = self.seen.get(&seen_key) {
            let first = *first;
            self.reject(RowProblem::new(
                row.line,
                "serial",
                format!("repeats line {first} (the same unit twice)"),
            ));
            return Ok(None);
        }
        self.seen.insert(seen_key, row.line);
        Ok(Some(Resolved {
            row,
            manufacturer_id,
            product_id,
            warranty_months: months,
            warranty_starts: starts,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::slug_for;

    #[test]
    fn slugs() {
        assert_eq!(slug_for("Acme Tools, Inc."), "acme-tools-inc");
        assert_eq!(slug_for("  ***  "), "manufacturer");
    }
}

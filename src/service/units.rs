//! Staff changes to one unit: its record (status, location, dates, revision), its journey
//! and its components. Each change is audited with before and after; lookups and recalls
//! follow (a new component link can bring a finished unit into a live component recall).

use super::accounts::Actor;
use super::change::{Audit, Change};
use super::{Error, Result};
use crate::store::{Db, catalogue, now_text, units};
use serde_json::json;

pub use crate::import::EVENT_KINDS;

async fn own_unit(db: &Db, manufacturer_id: i64, id: i64) -> Result<units::UnitRecord> {
    units::unit_record(db, Some(manufacturer_id), id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("There is no unit {id}.")))
}

/// What staff may edit of a unit.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct UnitEdit {
    pub status: String,
    pub location: Option<String>,
    pub manufactured_on: Option<String>,
    pub revision: Option<String>,
}

pub async fn update_unit(
    db: &Db,
    manufacturer_id: i64,
    id: i64,
    edit: &UnitEdit,
    actor: &Actor<'_>,
) -> Result<()> {
    let before = own_unit(db, manufacturer_id, id).await?;
    if !crate::import::UNIT_STATUSES.contains(&edit.status.as_str()) {
        return Err(Error::invalid(
            "status",
            "Choose one of the listed statuses.",
        ));
    }
    let mut tx = Change::begin(db, actor).await?;
    units::update_record(
        &mut tx,
        id,
        &units::RecordChange {
            status: &edit.status,
            location: edit.location.as_deref(),
            manufactured_on: edit.manufactured_on.as_deref(),
            revision: edit.revision.as_deref(),
        },
    )
    .await?;
    tx.record(
        Audit::of("unit.update", "unit", id)
            .before(
                json!({ "status": before.status, "location": before.location,
                         "manufactured_on": before.manufactured_on, "revision": before.revision }),
            )
            .after(serde_json::to_value(edit).unwrap_or_default()),
    )
    .await?;
    tx.lookups_change();
    tx.commit().await?;
    Ok(())
}

/// A journey event.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct NewEvent {
    pub kind: String,
    /// ISO 8601 date or instant.
    pub at: String,
    pub place: Option<String>,
    pub note: Option<String>,
}

pub async fn add_event(
    db: &Db,
    manufacturer_id: i64,
    id: i64,
    event: &NewEvent,
    actor_name: &str,
    actor: &Actor<'_>,
) -> Result<()> {
    own_unit(db, manufacturer_id, id).await?;
    if !EVENT_KINDS.contains(&event.kind.as_str()) {
        return Err(Error::invalid("kind", "Choose what happened."));
    }
    let mut tx = Change::begin(db, actor).await?;
    crate::store::units::add_event(
        &mut tx,
        &crate::store::units::NewEvent {
            unit_id: id,
            kind: &event.kind,
            at: &event.at,
            place: event.place.as_deref(),
            actor: actor_name,
            note: event.note.as_deref(),
        },
    )
    .await?;
    tx.record(
        Audit::of("unit.event", "unit", id).after(serde_json::to_value(event).unwrap_or_default()),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A component to build into a unit: one of the manufacturer's units by serial, or a lot
/// by code (either narrowed to a model).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Component {
    Serial {
        serial: String,
        model: Option<String>,
    },
    Lot {
        code: String,
        model: Option<String>,
    },
}

/// Links a component into a unit; returns how many live recalls were recomputed.
pub async fn link_component(
    db: &Db,
    manufacturer_id: i64,
    id: i64,
    component: &Component,
    actor: &Actor<'_>,
) -> Result<usize> {
    let unit = own_unit(db, manufacturer_id, id).await?;
    let mut tx = Change::begin(db, actor).await?;
    let model = |m: &Option<String>| m.clone();
    let (child_unit, child_lot) = match component {
        Component::Serial { serial, model: m } => {
            let product = match model(m) {
                Some(m) => Some(
                    catalogue::product_id_by_model(&mut tx, manufacturer_id, &m)
                        .await?
                        .ok_or_else(|| {
                            Error::invalid("component_model", format!("You have no model {m}."))
                        })?,
                ),
                None => None,
            };
            let found =
                catalogue::units_by_serial(&mut tx, manufacturer_id, serial, product).await?;
            match found.as_slice() {
                [] => {
                    return Err(Error::invalid(
                        "component",
                        format!("{serial} is not among your units."),
                    ));
                }
                [(child, _)] => {
                    if units::contains_unit(&mut tx, *child, id).await? {
                        return Err(Error::invalid(
                            "component",
                            format!(
                                "{serial} contains {} already (or is it): a unit cannot be built into itself.",
                                unit.serial
                            ),
                        ));
                    }
                    (Some(*child), None)
                }
                _ => {
                    return Err(Error::invalid(
                        "component_model",
                        format!("Several of your models have a unit {serial}: name the model."),
                    ));
                }
            }
        }
        Component::Lot { code, model: m } => {
            let product = match model(m) {
                Some(m) => Some(
                    catalogue::product_id_by_model(&mut tx, manufacturer_id, &m)
                        .await?
                        .ok_or_else(|| {
                            Error::invalid("component_model", format!("You have no model {m}."))
                        })?,
                ),
                None => None,
            };
            match catalogue::lots_by_code(&mut tx, manufacturer_id, code, product)
                .await?
                .as_slice()
            {
                [] => {
                    return Err(Error::invalid(
                        "component",
                        format!("You have no lot {code}."),
                    ));
                }
                [lot] => (None, Some(*lot)),
                _ => {
                    return Err(Error::invalid(
                        "component_model",
                        format!("Several of your models have a lot {code}: name the model."),
                    ));
                }
            }
        }
    };
    if !units::link_component(&mut tx, id, child_unit, child_lot, &now_text()).await? {
        return Err(Error::invalid(
            "component",
            "That component is already linked to this unit.",
        ));
    }
    // Live recalls that reach through components may now cover this unit (and what contains it).
    let recomputed = super::recall_admin::recompute_component_recalls(&mut tx).await?;
    tx.record(Audit::of("unit.component.link", "unit", id).after(
        json!({ "component": component, "child_unit_id": child_unit, "child_lot_id": child_lot,
                "recalls_recomputed": recomputed }),
    ))
    .await?;
    tx.commit().await?;
    Ok(recomputed)
}

use crate::unit::UnitRecord;

/// The manufacturer's units with this (normalised) serial: (id, serial, model).
pub async fn find_own(
    db: &Db,
    manufacturer: i64,
    serial: &str,
) -> crate::store::StoreResult<Vec<(i64, String, String)>> {
    units::find_own(db, manufacturer, serial).await
}

/// A unit's whole record: for staff, of their manufacturer's units only (`Some(m)`); for
/// support agents, any unit (`None`).
pub async fn record(
    db: &Db,
    manufacturer: Option<i64>,
    id: i64,
) -> crate::store::StoreResult<Option<UnitRecord>> {
    units::unit_record(db, manufacturer, id).await
}

//! Recalls run by a manufacturer's staff: drafts, scope rules resolved against the
//! manufacturer's own records, preview, publish, scope changes on a live recall (membership
//! recomputed), close, and remedy tracking. Each change is one transaction with its audit
//! entry; anything of another manufacturer is "not found".

use super::accounts::Actor;
use super::change::{Audit, Change};
use super::{Error, Result};
use crate::recall::RecallStatus;
use crate::recall::forms::{RecallText, RemedyUpdate, RuleInput};
use crate::recall::scope::{ScopeRule, SerialRange};
use crate::recall::{StaffRecall, StaffRecallDetail};
use crate::store::recalls::{self as store, MembershipChange, NewRecall};
use crate::store::{Db, StoreResult, catalogue, now_text, owners};
use serde_json::json;
use sqlx::AnyConnection;

async fn own_recall(
    conn: &mut AnyConnection,
    manufacturer_id: i64,
    id: i64,
) -> Result<StaffRecall> {
    store::staff_recall(conn, manufacturer_id, id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("There is no recall {id}.")))
}

/// The recall, for its page.
pub async fn recall(db: &Db, manufacturer_id: i64, id: i64) -> Result<StaffRecall> {
    let mut conn = db.reader().acquire().await?;
    own_recall(&mut conn, manufacturer_id, id).await
}

pub async fn create_draft(
    db: &Db,
    manufacturer_id: i64,
    text: &RecallText,
    actor: &Actor<'_>,
) -> Result<i64> {
    let mut tx = Change::begin(db, actor).await?;
    if store::number_taken(&mut tx, manufacturer_id, &text.number).await? {
        return Err(Error::invalid(
            "number",
            format!("You already have a recall numbered {}.", text.number),
        ));
    }
    let id = store::insert_draft(
        &mut tx,
        &NewRecall {
            manufacturer_id,
            number: text.number.clone(),
            title: text.title.clone(),
            hazard: text.hazard.clone(),
            description: text.description.clone(),
            remedy: text.remedy,
            remedy_available: text.remedy_available,
            instructions: text.instructions.clone(),
            severity: text.severity,
            starts_on: text.starts_on.to_string(),
        },
        &now_text(),
    )
    .await?;
    tx.record(
        Audit::of("recall.draft", "recall", id)
            .after(serde_json::to_value(text).unwrap_or_default()),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

async fn model_id(
    conn: &mut AnyConnection,
    manufacturer_id: i64,
    model: Option<&str>,
) -> Result<Option<i64>> {
    match model {
        None => Ok(None),
        Some(model) => catalogue::product_id_by_model(conn, manufacturer_id, model)
            .await?
            .map(Some)
            .ok_or_else(|| Error::invalid("rule_model", format!("You have no model {model}."))),
    }
}

async fn lot_ids(
    conn: &mut AnyConnection,
    manufacturer_id: i64,
    code: &str,
    model: Option<&str>,
) -> Result<Vec<i64>> {
    let product = model_id(conn, manufacturer_id, model).await?;
    let lots = catalogue::lots_by_code(conn, manufacturer_id, code, product).await?;
    if lots.is_empty() {
        return Err(Error::invalid(
            "lot_code",
            format!("You have no lot {code}."),
        ));
    }
    Ok(lots)
}

/// Resolves a typed rule against the manufacturer's records: scope rules that can only ever
/// reach this manufacturer's units (and the finished units built from them).
async fn resolve(
    conn: &mut AnyConnection,
    manufacturer_id: i64,
    input: &RuleInput,
) -> Result<Vec<ScopeRule>> {
    Ok(match input {
        RuleInput::Serials { model, serials } => {
            let product = model_id(conn, manufacturer_id, model.as_deref()).await?;
            let mut rules = Vec::new();
            let mut unknown = Vec::new();
            for serial in serials {
                let mut products: Vec<i64> =
                    catalogue::units_by_serial(conn, manufacturer_id, serial, product)
                        .await?
                        .into_iter()
                        .map(|(_, p)| p)
                        .collect();
                products.dedup();
                if products.is_empty() {
                    unknown.push(serial.clone());
                }
                rules.extend(products.into_iter().map(|p| ScopeRule::Serial {
                    product_id: Some(p),
                    serial: serial.clone(),
                }));
            }
            if !unknown.is_empty() {
                let shown: Vec<_> = unknown.iter().take(20).cloned().collect();
                return Err(Error::invalid(
                    "serials",
                    format!(
                        "{} of the serials are not among your units: {}{}",
                        unknown.len(),
                        shown.join(", "),
                        if unknown.len() > 20 { ", …" } else { "" }
                    ),
                ));
            }
            rules
        }
        RuleInput::Range {
            model,
            prefix,
            width,
            from,
            to,
        } => {
            let product = model_id(conn, manufacturer_id, Some(model)).await?;
            let range = SerialRange::new(product, prefix, *width, *from, *to)
                .map_err(|e| Error::invalid("range_from", e.to_string()))?;
            vec![ScopeRule::SerialRange(range)]
        }
        RuleInput::Lot { model, code } => lot_ids(conn, manufacturer_id, code, model.as_deref())
            .await?
            .into_iter()
            .map(|lot_id| ScopeRule::Lot { lot_id })
            .collect(),
        RuleInput::ComponentLot { model, code } => {
            lot_ids(conn, manufacturer_id, code, model.as_deref())
                .await?
                .into_iter()
                .map(|lot_id| ScopeRule::ComponentLot { lot_id })
                .collect()
        }
        RuleInput::Window { model, from, to } => {
            let product_id = model_id(conn, manufacturer_id, Some(model))
                .await?
                .unwrap_or_default();
            vec![ScopeRule::ProductionWindow {
                product_id,
                from: *from,
                to: *to,
            }]
        }
        RuleInput::ComponentSerial { model, serial } => {
            let product = model_id(conn, manufacturer_id, model.as_deref()).await?;
            let units = catalogue::units_by_serial(conn, manufacturer_id, serial, product).await?;
            if units.is_empty() {
                return Err(Error::invalid(
                    "serials",
                    format!("{serial} is not among your units."),
                ));
            }
            units
                .into_iter()
                .map(|(unit_id, _)| ScopeRule::ComponentSerial { unit_id })
                .collect()
        }
    })
}

/// After a scope change on a live recall: membership again, and lookups follow.
async fn refresh_live(
    tx: &mut Change<'_>,
    recall: &StaffRecall,
) -> Result<Option<MembershipChange>> {
    if recall.status == RecallStatus::Active {
        Ok(Some(recompute(tx, recall.id).await?))
    } else {
        Ok(None)
    }
}

pub async fn add_rule(
    db: &Db,
    manufacturer_id: i64,
    recall_id: i64,
    input: &RuleInput,
    actor: &Actor<'_>,
) -> Result<()> {
    let mut tx = Change::begin(db, actor).await?;
    let recall = own_recall(&mut tx, manufacturer_id, recall_id).await?;
    if recall.status == RecallStatus::Closed {
        return Err(Error::invalid("rule_kind", "This recall is closed."));
    }
    let rules = resolve(&mut tx, manufacturer_id, input).await?;
    for rule in &rules {
        store::insert_rule(&mut tx, recall_id, rule).await?;
    }
    let change = refresh_live(&mut tx, &recall).await?;
    tx.record(
        Audit::of("recall.scope.add", "recall", recall_id)
            .before(json!({ "members": recall.members }))
            .after(json!({ "rule": input, "rules": rules.len(), "members": change.map(|c| c.members) })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove_rule(
    db: &Db,
    manufacturer_id: i64,
    recall_id: i64,
    rule_id: i64,
    actor: &Actor<'_>,
) -> Result<()> {
    let mut tx = Change::begin(db, actor).await?;
    let recall = own_recall(&mut tx, manufacturer_id, recall_id).await?;
    if recall.status == RecallStatus::Closed {
        return Err(Error::invalid("form", "This recall is closed."));
    }
    let rules = store::rule_rows(&mut tx, recall_id).await?;
    let Some((_, rule)) = rules.iter().find(|(id, _)| *id == rule_id) else {
        return Err(Error::NotFound(
            "That rule is not part of this recall.".into(),
        ));
    };
    if recall.status == RecallStatus::Active && rules.len() == 1 {
        return Err(Error::invalid(
            "form",
            "A published recall keeps at least one rule; add the new one first, or close the recall.",
        ));
    }
    store::delete_rule(&mut tx, recall_id, rule_id).await?;
    let change = refresh_live(&mut tx, &recall).await?;
    tx.record(
        Audit::of("recall.scope.remove", "recall", recall_id)
            .before(json!({ "rule": rule, "members": recall.members }))
            .after(json!({ "members": change.map(|c| c.members) })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What the scope covers now: (unit count, sample of (serial, model)), by the same rules as
/// publishing, read on a reader connection.
pub async fn preview(
    db: &Db,
    manufacturer_id: i64,
    recall_id: i64,
) -> Result<(i64, Vec<(String, String)>)> {
    let mut conn = db.reader().acquire().await?;
    own_recall(&mut conn, manufacturer_id, recall_id).await?;
    Ok(store::preview(&mut conn, recall_id, 20).await?)
}

/// (rule id, words) of each rule of the recall.
pub async fn rules(db: &Db, manufacturer_id: i64, recall_id: i64) -> Result<Vec<(i64, String)>> {
    let mut conn = db.reader().acquire().await?;
    own_recall(&mut conn, manufacturer_id, recall_id).await?;
    let mut out = Vec::new();
    for (id, rule) in store::rule_rows(&mut conn, recall_id).await? {
        out.push((id, store::describe_rule(&mut conn, &rule).await?));
    }
    Ok(out)
}

/// Publishes a draft: its membership computed, its owners told, and every instance's
/// lookups showing it. The number of units it covers.
pub async fn publish(
    db: &Db,
    manufacturer_id: i64,
    recall_id: i64,
    actor: &Actor<'_>,
) -> Result<i64> {
    let mut tx = Change::begin(db, actor).await?;
    let recall = own_recall(&mut tx, manufacturer_id, recall_id).await?;
    if recall.status != RecallStatus::Draft {
        return Err(Error::invalid("form", "Only a draft can be published."));
    }
    if store::rule_rows(&mut tx, recall_id).await?.is_empty() {
        return Err(Error::invalid(
            "form",
            "Add at least one scope rule before publishing.",
        ));
    }
    let now = now_text();
    let change = store::recompute_membership(&mut tx, recall_id).await?;
    store::mark_published(&mut tx, recall_id, &now).await?;
    owners::notify_recall(&mut tx, recall_id, &now).await?;
    tx.lookups_change();
    tx.record(
        Audit::of("recall.publish", "recall", recall_id)
            .before(json!({ "status": "draft" }))
            .after(json!({ "status": "active", "members": change.members })),
    )
    .await?;
    tx.commit().await?;
    Ok(change.members)
}

/// A live recall's membership again (its scope, or the component links it reaches
/// through, changed): the owners of units new to it are told, and lookups change.
async fn recompute(tx: &mut Change<'_>, recall_id: i64) -> StoreResult<MembershipChange> {
    let change = store::recompute_membership(tx, recall_id).await?;
    owners::notify_recall(tx, recall_id, &now_text()).await?;
    tx.lookups_change();
    Ok(change)
}

/// Every live recall that reaches through components, recomputed (after component links
/// change): how many there were.
pub(crate) async fn recompute_component_recalls(tx: &mut Change<'_>) -> StoreResult<usize> {
    let live = store::component_recalls(tx).await?;
    for recall in &live {
        recompute(tx, *recall).await?;
    }
    Ok(live.len())
}

/// The id of the manufacturer's recall with this number (a draft too).
pub async fn by_number(db: &Db, manufacturer_id: i64, number: &str) -> Result<i64> {
    store::id_by_number(db, manufacturer_id, number)
        .await?
        .ok_or_else(|| Error::NotFound(format!("You have no recall {number}.")))
}

/// (recall id, manufacturer id) of the recall with this number, of the manufacturer with
/// this slug when given; without one, the number must be one manufacturer's only (the
/// operator's command line names the recall so).
pub async fn find_by_number(
    db: &Db,
    number: &str,
    manufacturer_slug: Option<&str>,
) -> Result<(i64, i64)> {
    let found = store::numbered(db, number, manufacturer_slug).await?;
    match found.as_slice() {
        [] => Err(Error::NotFound(match manufacturer_slug {
            Some(slug) => format!("{slug} has no recall {number}."),
            None => format!("There is no recall {number}."),
        })),
        [(id, manufacturer, _)] => Ok((*id, *manufacturer)),
        several => Err(Error::invalid(
            "manufacturer",
            format!(
                "Several manufacturers have a recall {number} ({}): name one.",
                several
                    .iter()
                    .map(|(_, _, slug)| slug.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

pub async fn close(db: &Db, manufacturer_id: i64, recall_id: i64, actor: &Actor<'_>) -> Result<()> {
    let mut tx = Change::begin(db, actor).await?;
    let recall = own_recall(&mut tx, manufacturer_id, recall_id).await?;
    if recall.status != RecallStatus::Active {
        return Err(Error::invalid(
            "form",
            "Only a published recall can be closed.",
        ));
    }
    store::mark_closed(&mut tx, recall_id, &now_text()).await?;
    tx.lookups_change();
    tx.record(
        Audit::of("recall.close", "recall", recall_id)
            .before(json!({ "status": "active" }))
            .after(json!({ "status": "closed", "members": recall.members, "remedied": recall.remedied })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What a remedy update did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RemedyOutcome {
    pub updated: u64,
    /// `line N: reason` for each line that changed nothing.
    pub problems: Vec<String>,
}

/// Sets remedy statuses (one or many); serials not in the recall are reported by line.
pub async fn update_remedies(
    db: &Db,
    manufacturer_id: i64,
    recall_id: i64,
    updates: &[RemedyUpdate],
    actor: &Actor<'_>,
) -> Result<RemedyOutcome> {
    let mut tx = Change::begin(db, actor).await?;
    let recall = own_recall(&mut tx, manufacturer_id, recall_id).await?;
    if recall.status == RecallStatus::Draft {
        return Err(Error::invalid(
            "remedies",
            "Publish the recall before recording remedies.",
        ));
    }
    let today = crate::store::today().to_string();
    let by = actor.user_id.map(|id| format!("staff user {id}"));
    let mut outcome = RemedyOutcome::default();
    for u in updates {
        let on = u
            .remedied_on
            .map_or_else(|| today.clone(), |d| d.to_string());
        let n = store::set_remedy(
            &mut tx,
            recall_id,
            &u.serial,
            u.status,
            Some(&on),
            by.as_deref(),
        )
        .await?;
        if n == 0 {
            outcome.problems.push(format!(
                "line {}: serial: {} is not covered by this recall",
                u.line, u.serial
            ));
        }
        outcome.updated += n;
    }
    if outcome.updated > 0 {
        tx.record(
            Audit::of("recall.remedy", "recall", recall_id)
                .after(json!({ "updated": outcome.updated, "lines": updates.len(),
                    "serials": updates.iter().take(100).map(|u| (&u.serial, u.status.as_str())).collect::<Vec<_>>() })),
        )
        .await?;
        tx.lookups_change();
    }
    tx.commit().await?;
    Ok(outcome)
}

/// The manufacturer's recalls, drafts and newest first.
pub async fn list(db: &Db, manufacturer_id: i64) -> crate::store::StoreResult<Vec<StaffRecall>> {
    store::staff_list(db, manufacturer_id).await
}

/// One of the manufacturer's recalls as its staff page shows it.
pub async fn detail(db: &Db, manufacturer_id: i64, id: i64) -> Result<StaffRecallDetail> {
    let recall = recall(db, manufacturer_id, id).await?;
    let rules = rules(db, manufacturer_id, id).await?;
    let preview = if recall.is_draft() && !rules.is_empty() {
        Some(preview(db, manufacturer_id, id).await?)
    } else {
        None
    };
    let (counts, reach) = store::remedy_counts(db, id).await?;
    Ok(StaffRecallDetail {
        recall,
        rules,
        preview,
        counts,
        reach,
    })
}

//! The partner API's keys, quotas and stolen checks. A key is `st_` and 40 hex characters,
//! shown once when made and stored as its SHA-256 digest; each has a name, one scope
//! (`stolen-check`, or `staff` for one manufacturer's own systems) and quotas per minute and
//! per day, counted in the database so every server instance shares them.

use super::accounts::Actor;
use super::change::{Audit, Change};
use super::lookup::LookupService;
use crate::lookup::StolenState;
use crate::serial::Serial;
pub use crate::store::api_keys::ApiKey;
use crate::store::api_keys::{self as store, NewKey};
use crate::store::{Db, StoreError, now_text, sessions, users};
use argon2::password_hash::rand_core::{OsRng, RngCore as _};
use serde_json::json;
use sha2::{Digest, Sha256};

/// The scopes a key may have.
pub const SCOPES: [&str; 2] = ["stolen-check", "staff"];
/// The most serials one stolen check takes.
pub const MAX_CHECK_SERIALS: usize = 1_000;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for KeyError {
    fn from(error: sqlx::Error) -> Self {
        KeyError::Store(error.into())
    }
}

/// A key to make.
#[derive(Clone, Debug)]
pub struct KeySpec {
    pub name: String,
    pub scope: String,
    /// The manufacturer's slug, for a `staff` key.
    pub manufacturer: Option<String>,
    pub per_minute: i64,
    pub per_day: i64,
}

fn digest(key: &str) -> String {
    sessions::hex(&Sha256::digest(key.trim().as_bytes()))
}

/// Makes a key: (the key, shown only now; its id).
pub async fn create(db: &Db, spec: &KeySpec, actor: &Actor<'_>) -> Result<(String, i64), KeyError> {
    let name = spec.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(KeyError::Invalid(
            "Give the key a name of 1 to 100 characters (who uses it).".into(),
        ));
    }
    if !SCOPES.contains(&spec.scope.as_str()) {
        return Err(KeyError::Invalid(format!(
            "The scope is one of {}.",
            SCOPES.join(", ")
        )));
    }
    if !(1..=100_000).contains(&spec.per_minute) || !(1..=100_000_000).contains(&spec.per_day) {
        return Err(KeyError::Invalid(
            "Quotas are 1 to 100,000 requests a minute and 1 to 100,000,000 a day.".into(),
        ));
    }
    let mut tx = Change::begin(db, actor).await?;
    let manufacturer_id = match (
        spec.scope.as_str(),
        spec.manufacturer.as_deref().map(str::trim),
    ) {
        ("staff", Some(slug)) if !slug.is_empty() => Some(
            users::manufacturer_id(&mut tx, slug)
                .await?
                .ok_or_else(|| KeyError::Invalid(format!("There is no manufacturer '{slug}'.")))?,
        ),
        ("staff", _) => {
            return Err(KeyError::Invalid(
                "A staff key belongs to one manufacturer: name it.".into(),
            ));
        }
        (_, Some(slug)) if !slug.is_empty() => {
            return Err(KeyError::Invalid(
                "Only a staff key belongs to a manufacturer.".into(),
            ));
        }
        _ => None,
    };
    let mut bytes = [0u8; 20];
    OsRng.fill_bytes(&mut bytes);
    let key = format!("st_{}", sessions::hex(&bytes));
    let now = now_text();
    let id = store::insert(
        &mut tx,
        &NewKey {
            name,
            prefix: &key[..10],
            hash: &digest(&key),
            scope: &spec.scope,
            manufacturer_id,
            per_minute: spec.per_minute,
            per_day: spec.per_day,
            created_by: actor.user_id,
        },
        &now,
    )
    .await?;
    tx.record(Audit::of("api_key.create", "api_key", id).after(
        json!({ "name": name, "scope": spec.scope, "manufacturer_id": manufacturer_id,
                "per_minute": spec.per_minute, "per_day": spec.per_day, "prefix": &key[..10] }),
    ))
    .await?;
    tx.commit().await?;
    Ok((key, id))
}

/// Revokes the live key with this id or name: how many were revoked (a name may have been
/// given to several).
pub async fn revoke(db: &Db, id_or_name: &str, actor: &Actor<'_>) -> Result<usize, KeyError> {
    let mut tx = Change::begin(db, actor).await?;
    let ids = store::live_ids(&mut tx, id_or_name.trim()).await?;
    if ids.is_empty() {
        return Err(KeyError::Invalid(format!(
            "No live key has the id or name '{}'.",
            id_or_name.trim()
        )));
    }
    let now = now_text();
    for id in &ids {
        store::revoke(&mut tx, *id, &now).await?;
        tx.record(Audit::of("api_key.revoke", "api_key", id))
            .await?;
    }
    tx.commit().await?;
    Ok(ids.len())
}

/// Why a request's key is not accepted.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// 401: no key, an unknown one, or a revoked one.
    Unauthorized(&'static str),
    /// 403: the key lacks the scope.
    Forbidden(String),
    /// 429: over a quota; try again after this many seconds.
    OverQuota(String, u64),
}

/// The key in an `Authorization: Bearer …` value, checked and counted against its quotas.
pub async fn admit(db: &Db, bearer: &str, scope: Option<&str>) -> Result<ApiKey, AdmitError> {
    let Some(key) = store::by_hash(db, &digest(bearer)).await? else {
        return Err(AdmitError::Refused(Refusal::Unauthorized(
            "The API key is not valid.",
        )));
    };
    if key.revoked_at.is_some() {
        return Err(AdmitError::Refused(Refusal::Unauthorized(
            "The API key has been revoked.",
        )));
    }
    if let Some(scope) = scope
        && key.scope != scope
    {
        return Err(AdmitError::Refused(Refusal::Forbidden(format!(
            "This key's scope is {}; this endpoint needs a {scope} key.",
            key.scope
        ))));
    }
    let now = time::OffsetDateTime::now_utc();
    let minute = crate::store::instant_text(now);
    let minute = minute.get(..16).unwrap_or(&minute).to_owned();
    let (this_minute, today) = store::count_request(db, key.id, &minute).await?;
    if this_minute > key.per_minute {
        let wait = 60 - u64::from(now.second());
        return Err(AdmitError::Refused(Refusal::OverQuota(
            format!(
                "This key's quota of {} requests a minute is used up.",
                key.per_minute
            ),
            wait.max(1),
        )));
    }
    if today > key.per_day {
        let seconds_today =
            u64::from(now.hour()) * 3600 + u64::from(now.minute()) * 60 + u64::from(now.second());
        return Err(AdmitError::Refused(Refusal::OverQuota(
            format!(
                "This key's quota of {} requests a day is used up (days are UTC).",
                key.per_day
            ),
            (86_400 - seconds_today).max(1),
        )));
    }
    Ok(key)
}

#[derive(Debug, thiserror::Error)]
pub enum AdmitError {
    #[error("refused: {0:?}")]
    Refused(Refusal),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A stolen check's answer for one serial.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct CheckResult {
    /// The serial as sent.
    pub serial: String,
    pub status: CheckStatus,
}

/// What the registry says of one serial.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    /// A unit with this serial is reported stolen: do not buy it; contact the police.
    ReportedStolen,
    /// A unit with this serial is reported lost by its owner.
    ReportedLost,
    /// In the records, not reported.
    NotReported,
    /// Not in the records.
    Unknown,
    /// Not a serial number.
    Invalid,
}

/// Checks each serial against the stolen registry, in the order given; the owners of
/// reported units hear of the check as of any lookup, and each check is in the lookup log
/// (channel `partner`, the caller's coarse `origin`).
pub async fn stolen_checks(
    db: &Db,
    lookup: &LookupService,
    serials: &[String],
    origin: &str,
) -> Result<Vec<CheckResult>, StoreError> {
    let parsed: Vec<Option<String>> = serials
        .iter()
        .map(|s| Serial::parse(s).ok().map(|s| s.normalised().to_owned()))
        .collect();
    let mut wanted: Vec<String> = parsed.iter().flatten().cloned().collect();
    wanted.sort();
    wanted.dedup();
    let found = store::theft_status(db, &wanted).await?;
    let reported: Vec<i64> = found
        .iter()
        .filter(|(_, _, report)| report.is_some())
        .map(|(_, id, _)| *id)
        .collect();
    lookup.sighted(&reported);
    for serial in &wanted {
        let matches = found.iter().filter(|(s, _, _)| s == serial).count();
        lookup.record_check(Some(serial.clone()), matches, origin);
    }
    Ok(serials
        .iter()
        .zip(parsed)
        .map(|(serial, normalised)| {
            let status = match normalised {
                None => CheckStatus::Invalid,
                Some(n) => {
                    let reports = found.iter().filter(|(s, _, _)| *s == n).map(|(_, _, r)| r);
                    // Units of several makers may share a serial: the gravest report counts.
                    match reports
                        .map(|r| StolenState::from_report(r.as_deref()))
                        .min()
                    {
                        None => CheckStatus::Unknown,
                        Some(StolenState::ReportedStolen) => CheckStatus::ReportedStolen,
                        Some(StolenState::ReportedLost) => CheckStatus::ReportedLost,
                        Some(StolenState::NotReported) => CheckStatus::NotReported,
                    }
                }
            };
            CheckResult {
                serial: serial.clone(),
                status,
            }
        })
        .collect())
}

/// Every key, newest first (never the key itself): the administrator's list.
pub async fn keys(db: &Db) -> Result<Vec<ApiKey>, StoreError> {
    store::list(db).await
}

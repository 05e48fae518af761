//! The public lookup: one answer for a typed, pasted or scanned serial.
//!
//! The cache and the answer are here; the tasks that run beside the service (the lookup-log
//! writer, the stolen-unit alerts to owners, the epoch watcher) in [`background`].

mod background;

use background::{SIGHTING_QUEUE, alert_owners, watch_epoch, write_log};

use crate::format::FormatVerdict;
use crate::lookup::{
    LookupAnswer, LookupError, LookupQuery, LookupResult, ProductInfo, Rejection, StolenInfo,
    StolenState, UnitAnswer,
};
use crate::store::catalogue::{self, ProductFormat};
use crate::store::lookups::{self, LookupLogEntry};
use crate::store::{Db, StoreResult, recalls, today, units};
use crate::warranty::WarrantyPolicy;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use time::Date;
use tokio::sync::mpsc;

/// Where a lookup came from, for the lookup log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    Web,
    Api,
    Partner,
}

impl Channel {
    fn as_str(self) -> &'static str {
        match self {
            Channel::Web => "web",
            Channel::Api => "api",
            Channel::Partner => "partner",
        }
    }
}

/// How many log entries may wait for the writer before new ones are dropped (and counted).
const LOG_QUEUE: usize = 50_000;
const LOG_BATCH: usize = 5_000;
/// Answers kept in memory; a lookup of a cached serial needs no query at all.
const CACHE_ENTRIES: usize = 100_000;
/// How often an instance checks whether another one changed what answers show.
const EPOCH_POLL: Duration = Duration::from_millis(500);

type CacheKey = (String, Option<String>);

/// A cached answer, valid while the cache epoch and the day (warranty status depends on the
/// date) are those it was computed under.
#[derive(Clone)]
struct Cached {
    epoch: i64,
    day: Date,
    answer: Arc<LookupAnswer>,
    /// The matched units reported stolen or lost (their owners hear of the lookup).
    reported: Arc<[i64]>,
}

pub struct LookupService {
    db: Db,
    formats: Arc<RwLock<Vec<ProductFormat>>>,
    log: mpsc::Sender<LookupLogEntry>,
    cache: quick_cache::sync::Cache<CacheKey, Cached>,
    sightings: mpsc::Sender<i64>,
}

impl LookupService {
    /// Loads the product formats and starts the lookup-log writer and the epoch watcher.
    pub async fn start(db: Db) -> StoreResult<Self> {
        let formats = Arc::new(RwLock::new(catalogue::product_formats(&db).await?));
        let (log, rx) = mpsc::channel(LOG_QUEUE);
        tokio::spawn(write_log(db.clone(), rx));
        let (sightings, sighted) = mpsc::channel(SIGHTING_QUEUE);
        tokio::spawn(alert_owners(db.clone(), sighted));
        db.saw_epoch(lookups::epoch(&db).await?);
        tokio::spawn(watch_epoch(db.clone(), Arc::downgrade(&formats)));
        Ok(Self {
            db,
            formats,
            log,
            cache: quick_cache::sync::Cache::new(CACHE_ENTRIES),
            sightings,
        })
    }

    /// Makes every cached answer stale, here at once and in other instances within
    /// [`EPOCH_POLL`]: for writes made outside a [`Change`](super::change::Change).
    pub async fn invalidate(&self) -> StoreResult<()> {
        let mut conn = self.db.writer().acquire().await?;
        let epoch = lookups::bump_epoch(&mut conn).await?;
        self.db.saw_epoch(epoch);
        Ok(())
    }

    /// Re-reads the product formats (after products change).
    pub async fn reload_formats(&self) -> StoreResult<()> {
        let fresh = catalogue::product_formats(&self.db).await?;
        *self.formats.write().unwrap_or_else(|e| e.into_inner()) = fresh;
        Ok(())
    }

    /// Answers a lookup, or says why the input is not a lookup at all.
    #[tracing::instrument(skip(self, input, gtin), fields(channel = channel.as_str()))]
    pub async fn lookup(
        &self,
        input: &str,
        gtin: Option<&str>,
        channel: Channel,
        origin: &str,
    ) -> Result<Arc<LookupAnswer>, LookupFailure> {
        let query = match LookupQuery::parse(input, gtin) {
            Ok(query) => query,
            Err(LookupError::Rejected(rejection)) => {
                return Err(LookupFailure::Rejected(rejection));
            }
            Err(LookupError::Invalid(message)) => {
                let answer = LookupAnswer::invalid(message, None);
                self.record(&answer, None, channel, origin);
                return Ok(Arc::new(answer));
            }
        };
        let (answer, reported) = self
            .cached_answer(&query)
            .await
            .map_err(LookupFailure::Store)?;
        self.sighted(&reported);
        self.record(
            &answer,
            query.gtin.as_ref().map(|g| g.as_str().to_owned()),
            channel,
            origin,
        );
        Ok(answer)
    }

    /// Tells the owners of these stolen or lost units that someone looked them up (at most
    /// once a day per unit; the person looking learns nothing of it).
    pub fn sighted(&self, units: &[i64]) {
        for unit in units {
            if self.sightings.try_send(*unit).is_err() {
                tracing::warn!(unit, "sighting queue full; an alert was dropped");
            }
        }
    }

    async fn cached_answer(
        &self,
        query: &LookupQuery,
    ) -> StoreResult<(Arc<LookupAnswer>, Arc<[i64]>)> {
        let key = (
            query.serial.normalised().to_owned(),
            query.gtin.as_ref().map(|g| g.as_str().to_owned()),
        );
        // Read the epoch before the database: if it moves during the read, the entry is
        // already stale when stored, never wrongly fresh.
        let epoch = self.db.known_epoch();
        let day = today();
        if let Some(hit) = self
            .cache
            .get(&key)
            .filter(|c| c.epoch == epoch && c.day == day)
        {
            return Ok((hit.answer, hit.reported));
        }
        let (answer, reported) = self.answer(query).await?;
        let (answer, reported): (Arc<LookupAnswer>, Arc<[i64]>) =
            (Arc::new(answer), reported.into());
        self.cache.insert(
            key,
            Cached {
                epoch,
                day,
                answer: answer.clone(),
                reported: reported.clone(),
            },
        );
        Ok((answer, reported))
    }

    /// The answer, and the matched units that are reported stolen or lost.
    async fn answer(&self, query: &LookupQuery) -> StoreResult<(LookupAnswer, Vec<i64>)> {
        let serial = query.serial.normalised();
        let Fit {
            valid_for,
            broken_for,
            makers,
        } = self.classify(serial);
        if let (None, Some(product)) = (&valid_for, broken_for) {
            return Ok((
                LookupAnswer::invalid(
                    format!(
                        "{serial} is not a valid {product} serial number: its check character does not match. Look again for a mistyped character (0 and O, 1 and I, 5 and S are easily confused)."
                    ),
                    Some(serial.to_owned()),
                ),
                Vec::new(),
            ));
        }
        let (rows, marked) = tokio::try_join!(
            units::find_by_serial(&self.db, serial, query.gtin.as_ref().map(|g| g.as_str())),
            crate::store::counterfeits::marked_by(&self.db, serial)
        )?;
        // A mark speaks for its maker's serials only: the matched units' maker's, or for a
        // serial in no record, the maker whose own format it fits.
        let marks_of = |makers: &[i64]| -> Option<String> {
            let names: Vec<&str> = marked
                .iter()
                .filter(|(maker, _)| makers.contains(maker))
                .map(|(_, name)| name.as_str())
                .collect();
            (!names.is_empty()).then(|| names.join(" and "))
        };
        if rows.is_empty() {
            let message = match valid_for {
                Some(product) => format!(
                    "{serial} has the form of a {product} serial number, but it is not in the manufacturer's records. Check it for a typo; if it is right, the product may not be genuine."
                ),
                None => format!(
                    "{serial} is not in our records. Check it for a typo; a serial number we have no record of may mean the product is not genuine."
                ),
            };
            return Ok((
                LookupAnswer {
                    result: LookupResult::NotFound,
                    message,
                    serial: Some(serial.to_owned()),
                    matches: Vec::new(),
                    counterfeit: marks_of(&makers).map(|makers| format!(
                        "Known counterfeit: {makers} has identified {serial} as a serial number printed on counterfeit products. A product carrying it is not genuine."
                    )),
                },
                Vec::new(),
            ));
        }
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let unit_makers: Vec<i64> = rows.iter().map(|r| r.manufacturer_id).collect();
        let (records, notices) = tokio::try_join!(
            units::warranty_records(&self.db, &ids),
            recalls::for_units(&self.db, &ids)
        )?;
        let reported: Vec<i64> = rows
            .iter()
            .filter(|r| r.report.is_some())
            .map(|r| r.id)
            .collect();
        let matches: Vec<UnitAnswer> = rows
            .into_iter()
            .map(|row| {
                let policy = WarrantyPolicy {
                    months: u16::try_from(row.warranty_months).unwrap_or(0),
                    starts: row.warranty_starts,
                    transferable: row.warranty_transferable,
                };
                let (status, unconfirmed_start) =
                    super::owners::warranty_of(&policy, row.id, &records, row.manufactured_on);
                UnitAnswer {
                    serial: row.serial_raw,
                    product: ProductInfo {
                        manufacturer: row.manufacturer,
                        model: row.model,
                        name: row.name,
                        gtin: row.gtin,
                    },
                    lot: row.lot,
                    warranty: super::owners::warranty_info(&status, unconfirmed_start),
                    recalls: notices
                        .iter()
                        .filter(|(id, _)| *id == row.id)
                        .map(|(_, n)| n.clone())
                        .collect(),
                    stolen: StolenInfo {
                        status: StolenState::from_report(row.report.as_deref()),
                    },
                }
            })
            .collect();
        let message = if matches.len() == 1 {
            "Genuine: this serial number is in the manufacturer's records.".to_owned()
        } else {
            format!(
                "This serial number belongs to units of {} different products. Pick yours by product below, or add the product number (GTIN) from the box.",
                matches.len()
            )
        };
        Ok((
            LookupAnswer {
                result: LookupResult::Found,
                message,
                serial: Some(serial.to_owned()),
                matches,
                counterfeit: marks_of(&unit_makers).map(|makers| format!(
                    "Known counterfeit labels: {makers} has found copies of this genuine serial number on counterfeit products. Check the product with the seller or the manufacturer before you rely on it."
                )),
            },
            reported,
        ))
    }

    /// How the serial fits the product formats.
    fn classify(&self, serial: &str) -> Fit {
        let formats = self.formats.read().unwrap_or_else(|e| e.into_inner());
        let mut fit = Fit::default();
        for f in formats.iter() {
            let label = || f.name.clone();
            match f.format.check(serial) {
                FormatVerdict::Valid => {
                    fit.valid_for.get_or_insert_with(label);
                    if !fit.makers.contains(&f.manufacturer_id) {
                        fit.makers.push(f.manufacturer_id);
                    }
                }
                FormatVerdict::BadCheck | FormatVerdict::BadBody => {
                    fit.broken_for.get_or_insert_with(label);
                }
                FormatVerdict::Foreign => {}
            }
        }
        fit
    }

    /// Logs a partner's stolen check of one serial (normalised; `None` when it was no
    /// serial), so checks count in the lookup signals as lookups do.
    pub fn record_check(&self, serial_norm: Option<String>, matches: usize, origin: &str) {
        let result = match (&serial_norm, matches) {
            (None, _) => LookupResult::Invalid,
            (Some(_), 0) => LookupResult::NotFound,
            _ => LookupResult::Found,
        };
        let entry = LookupLogEntry {
            serial_norm,
            gtin: None,
            result: result.as_str(),
            match_count: matches as i64,
            unit_id: None,
            channel: Channel::Partner.as_str(),
            origin: origin.to_owned(),
        };
        if self.log.try_send(entry).is_err() {
            tracing::warn!("lookup log queue full; an entry was dropped");
        }
    }

    fn record(&self, answer: &LookupAnswer, gtin: Option<String>, channel: Channel, origin: &str) {
        let entry = LookupLogEntry {
            serial_norm: answer.serial.clone(),
            gtin,
            result: answer.result.as_str(),
            match_count: answer.matches.len() as i64,
            unit_id: None,
            channel: channel.as_str(),
            origin: origin.to_owned(),
        };
        if self.log.try_send(entry).is_err() {
            tracing::warn!("lookup log queue full; an entry was dropped");
        }
    }
}

/// How a serial fits the product formats.
#[derive(Default)]
struct Fit {
    /// A product whose format it fits.
    valid_for: Option<String>,
    /// A product whose format it breaks (a check character or body that does not match).
    broken_for: Option<String>,
    /// The manufacturers whose formats it fits.
    makers: Vec<i64>,
}

/// Why a lookup got no answer.
#[derive(Debug, thiserror::Error)]
pub enum LookupFailure {
    #[error("{0}")]
    Rejected(Rejection),
    #[error("the lookup could not be answered: {0}")]
    Store(crate::store::StoreError),
}

/// The coarse origin kept in the lookup log: the /24 (IPv4) or /48 (IPv6) network, never
/// the full address.
pub fn coarse_origin(ip: std::net::IpAddr) -> String {
    match ip.to_canonical() {
        std::net::IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            format!("{a}.{b}.{c}.0/24")
        }
        std::net::IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}::/48", s[0], s[1], s[2])
        }
    }
}

#[cfg(test)]
mod origin_tests {
    #[test]
    fn ipv4_mapped_clients_keep_their_ipv4_network() {
        let origin = |ip: &str| super::coarse_origin(ip.parse().unwrap());
        assert_eq!(origin("::ffff:192.0.2.9"), "192.0.2.0/24");
        assert_eq!(origin("192.0.2.9"), "192.0.2.0/24");
        assert_eq!(origin("2001:db8:1:2::9"), "2001:db8:1::/48");
    }
}

//! Importing units from CSV, streamed: a blocking thread reads and checks rows while this
//! task resolves them against the catalogue and writes each batch in one transaction.
//! Importing the same file twice changes nothing the second time; a dry run reports every
//! bad row and what would change, writing nothing.

use super::accounts::{AccountError, Actor};
use super::change::{Audit, Change};
use crate::format::{FormatVerdict, SerialFormat};
use crate::import::{ImportSummary, RowProblem, UnitColumns, UnitRow};
use crate::store::import::{self as store, ExistingUnit, NewUnit};
use crate::store::{Db, StoreError, lookups, now_text, today};
use crate::warranty::add_months;
use sqlx::AnyConnection;
use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// Rows written per transaction.
const BATCH: usize = 20_000;

#[derive(Clone, Copy, Debug, Default)]
pub struct ImportOptions {
    /// Check and count, write nothing.
    pub dry_run: bool,
    /// Make manufacturers and products the file names but the catalogue lacks.
    pub create_missing: bool,
    /// Staff import only their manufacturer's units; other rows are rejected.
    pub only_manufacturer: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file as a whole is unusable (no header, missing columns, unreadable).
    #[error("{0}")]
    File(RowProblem),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<AccountError> for ImportError {
    fn from(error: AccountError) -> Self {
        match error {
            AccountError::Store(e) => ImportError::Store(e),
            other => ImportError::File(RowProblem::new(0, "import", other.to_string())),
        }
    }
}

/// What the reading thread sends: checked rows, or the file's own problem.
enum Reading {
    Rows(Vec<Result<UnitRow, RowProblem>>),
    Fatal(RowProblem),
}

/// Line numbers as people count them: 1 + the line feeds before a row's first character, the
/// same for LF and CRLF files, blank lines and quoted fields that span lines. The csv crate's
/// own count is one short in CRLF files, and its record offsets point at the line break that
/// ends the record before, blank lines included; so the breaks after that offset are skipped
/// here. Only the breaks in what the CSV reader holds unread are kept: memory does not grow
/// with the file.
#[derive(Clone, Default)]
struct Lines(std::rc::Rc<std::cell::RefCell<LineBreaks>>);

#[derive(Default)]
struct LineBreaks {
    /// Bytes read so far.
    read: u64,
    /// Offsets of the `\r` and `\n` bytes not yet passed by [`Lines::line_at`], with whether
    /// each is a line feed.
    ahead: std::collections::VecDeque<(u64, bool)>,
    /// Line feeds passed.
    feeds: u64,
}

impl Lines {
    /// The line of the row the csv crate says starts at byte `offset` (asked in order).
    fn line_at(&self, offset: u64) -> u64 {
        let mut breaks = self.0.borrow_mut();
        let mut next = offset;
        while let Some(&(at, feed)) = breaks.ahead.front() {
            if at > next {
                break;
            }
            if at == next {
                next += 1; // a break right at the row's offset: the row starts after it
            }
            breaks.feeds += u64::from(feed);
            breaks.ahead.pop_front();
        }
        breaks.feeds + 1
    }

    fn counting<R: Read>(&self, input: R) -> CountLines<R> {
        CountLines {
            input,
            lines: self.clone(),
        }
    }
}

/// A reader that notes where each line break is.
struct CountLines<R> {
    input: R,
    lines: Lines,
}

impl<R: Read> Read for CountLines<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.input.read(buf)?;
        let mut breaks = self.lines.0.borrow_mut();
        let start = breaks.read;
        for (i, byte) in buf[..n].iter().enumerate() {
            if matches!(byte, b'\r' | b'\n') {
                breaks.ahead.push_back((start + i as u64, *byte == b'\n'));
            }
        }
        breaks.read += n as u64;
        Ok(n)
    }
}

/// Reads `input` as CSV on a blocking thread, in batches.
fn spawn_reader<R: Read + Send + 'static>(input: R) -> tokio::sync::mpsc::Receiver<Reading> {
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    tokio::task::spawn_blocking(move || {
        let lines = Lines::default();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(lines.counting(input));
        let mut record = csv::ByteRecord::new();
        let columns = match reader.read_byte_record(&mut record) {
            Ok(true) => {
                let header: Vec<String> = record
                    .iter()
                    .map(|f| String::from_utf8_lossy(f).into_owned())
                    .collect();
                let names: Vec<&str> = header.iter().map(String::as_str).collect();
                match UnitColumns::from_header(&names) {
                    Ok(columns) => (columns, header),
                    Err(problem) => {
                        let _ = tx.blocking_send(Reading::Fatal(problem));
                        return;
                    }
                }
            }
            Ok(false) => {
                let _ = tx.blocking_send(Reading::Fatal(RowProblem::new(
                    1,
                    "header",
                    "the file is empty",
                )));
                return;
            }
            Err(error) => {
                let _ = tx.blocking_send(Reading::Fatal(RowProblem::new(
                    1,
                    "header",
                    error.to_string(),
                )));
                return;
            }
        };
        let (columns, header) = columns;
        let today = today();
        let mut batch = Vec::with_capacity(BATCH);
        loop {
            match reader.read_byte_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(error) => {
                    let line = error.position().map_or(0, |p| lines.line_at(p.byte()));
                    if matches!(error.kind(), csv::ErrorKind::Io(_)) {
                        let _ = tx.blocking_send(Reading::Fatal(RowProblem::new(
                            line,
                            "file",
                            format!("could not be read: {error}"),
                        )));
                        return;
                    }
                    batch.push(Err(RowProblem::new(line, "row", error.to_string())));
                    continue;
                }
            }
            let line = record.position().map_or(0, |p| lines.line_at(p.byte()));
            if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
                continue; // blank line
            }
            let mut fields = Vec::with_capacity(record.len());
            let mut bad = None;
            for (i, field) in record.iter().enumerate() {
                match std::str::from_utf8(field) {
                    Ok(text) => fields.push(text),
                    Err(_) => {
                        let column = header.get(i).map_or("row", String::as_str);
                        bad = Some(RowProblem::new(line, column, "is not valid UTF-8 text"));
                        break;
                    }
                }
            }
            batch.push(match bad {
                Some(problem) => Err(problem),
                None => UnitRow::parse(line, &columns, &fields, today),
            });
            if batch.len() == BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                if tx.blocking_send(Reading::Rows(full)).is_err() {
                    return;
                }
            }
        }
        if !batch.is_empty() {
            let _ = tx.blocking_send(Reading::Rows(batch));
        }
    });
    rx
}

/// A product as the import resolves rows to it.
struct Product {
    id: i64,
    manufacturer_id: i64,
    format: SerialFormat,
    warranty_months: i64,
    warranty_starts: String,
    retired: bool,
}

/// The catalogue, held in memory for the import (it is small next to the units).
struct Catalogue {
    /// By slug and by name, lower-cased: (id, name).
    manufacturers: HashMap<String, (i64, String)>,
    /// By (manufacturer id, model lower-cased).
    products: HashMap<(i64, String), Product>,
    /// Ids handed out in a dry run for what would be made (negative, never stored).
    pretend: Arc<AtomicI64>,
}

impl Catalogue {
    async fn load(db: &Db) -> Result<Self, StoreError> {
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

    fn pretend_id(&self) -> i64 {
        self.pretend.fetch_sub(1, Ordering::Relaxed) - 1
    }
}

/// A short name for a manufacturer made from a file: lower-case letters, digits, dashes.
fn slug_for(name: &str) -> String {
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
struct Resolved {
    row: UnitRow,
    manufacturer_id: i64,
    product_id: i64,
    warranty_months: i64,
    warranty_starts: String,
}

struct Importer<'a> {
    db: &'a Db,
    options: ImportOptions,
    actor: &'a Actor<'a>,
    catalogue: Catalogue,
    /// Every (product, serial) seen in the file, with its line.
    seen: HashMap<(i64, String), u64>,
    summary: ImportSummary,
}

impl Importer<'_> {
    fn reject(&mut self, problem: RowProblem) {
        self.summary.reject(problem);
    }

    async fn manufacturer(
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

    async fn create_manufacturer(&mut self, name: &str) -> Result<i64, ImportError> {
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

    async fn resolve(&mut self, row: UnitRow) -> Result<Option<Resolved>, ImportError> {
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

/// What the writer did so far.
#[derive(Clone, Copy, Debug, Default)]
struct Counts {
    created: u64,
    updated: u64,
    unchanged: u64,
}

/// The last stage: classifies resolved rows against the units stored and (unless a dry
/// run) writes them, one transaction per batch, while the rows after are being resolved.
struct Writer {
    db: Db,
    dry_run: bool,
    /// By (product id, lot code).
    lots: HashMap<(i64, String), i64>,
    /// Products that had units when the import began. The others can only hold units this
    /// import made, and the file repeats no unit, so their rows need no lookup.
    had_units: HashSet<i64>,
    pretend: Arc<AtomicI64>,
    counts: Counts,
}

impl Writer {
    /// Classifies (and, unless a dry run, writes) a batch of resolved rows.
    async fn write(&mut self, rows: Vec<Resolved>) -> Result<(), ImportError> {
        if rows.is_empty() {
            return Ok(());
        }
        let now = now_text();
        let dry = self.dry_run;
        let mut tx = if dry {
            None
        } else {
            Some(self.db.writer().begin().await.map_err(StoreError::from)?)
        };
        let mut read_conn = if dry {
            Some(self.db.reader().acquire().await.map_err(StoreError::from)?)
        } else {
            None
        };
        let mut existing: HashMap<(i64, String), ExistingUnit> = HashMap::new();
        let mut by_product: HashMap<(i64, i64), Vec<&str>> = HashMap::new();
        for r in &rows {
            if self.had_units.contains(&r.product_id) {
                by_product
                    .entry((r.manufacturer_id, r.product_id))
                    .or_default()
                    .push(r.row.serial.normalised());
            }
        }
        for ((manufacturer_id, product_id), serials) in by_product {
            let conn: &mut AnyConnection = match (&mut tx, &mut read_conn) {
                (Some(tx), _) => tx,
                (None, Some(conn)) => conn,
                _ => unreachable!("a connection is open"),
            };
            for chunk in serials.chunks(1_000) {
                for unit in store::existing_units(conn, manufacturer_id, product_id, chunk).await? {
                    existing.insert((product_id, unit.serial_norm.clone()), unit);
                }
            }
        }
        let mut new_units = Vec::new();
        // Beside each new unit, its initial warranty.
        let mut new_warranties: Vec<Option<(String, String)>> = Vec::new();
        let mut changed = false;
        for r in &rows {
            let lot_id = match &r.row.lot {
                None => None,
                Some(code) => match self.lots.get(&(r.product_id, code.clone())) {
                    Some(id) => Some(*id),
                    None => {
                        let id = match &mut tx {
                            Some(tx) if r.product_id > 0 => {
                                let made = r.row.manufactured_on.map(|d| d.to_string());
                                store::create_lot(tx, r.product_id, code, made.as_deref()).await?
                            }
                            _ => self.pretend.fetch_sub(1, Ordering::Relaxed) - 1,
                        };
                        self.lots.insert((r.product_id, code.clone()), id);
                        Some(id)
                    }
                },
            };
            let warranty = initial_warranty(r);
            let key = (r.product_id, r.row.serial.normalised().to_owned());
            match existing.get(&key) {
                None => {
                    self.counts.created += 1;
                    new_units.push(NewUnit {
                        manufacturer_id: r.manufacturer_id,
                        product_id: r.product_id,
                        lot_id,
                        serial_raw: r.row.serial.raw().to_owned(),
                        serial_norm: key.1.clone(),
                        manufactured_on: r.row.manufactured_on.map(|d| d.to_string()),
                        status: if r.row.sold_on.is_some() {
                            "sold"
                        } else {
                            "in_stock"
                        },
                        batch_id: None,
                    });
                    new_warranties.push(warranty);
                }
                Some(unit) => {
                    // A blank field says nothing: what the unit has stays.
                    let lot = lot_id.or(unit.lot_id);
                    let made = r
                        .row
                        .manufactured_on
                        .map(|d| d.to_string())
                        .or_else(|| unit.manufactured_on.clone());
                    let status = if r.row.sold_on.is_some()
                        && matches!(unit.status.as_str(), "in_stock" | "shipped")
                    {
                        "sold".to_owned()
                    } else {
                        unit.status.clone()
                    };
                    let warranty_changes = warranty
                        .as_ref()
                        .is_some_and(|w| unit.warranty.as_ref() != Some(w));
                    let unit_changes =
                        lot != unit.lot_id || made != unit.manufactured_on || status != unit.status;
                    if !unit_changes && !warranty_changes {
                        self.counts.unchanged += 1;
                        continue;
                    }
                    self.counts.updated += 1;
                    changed = true;
                    if let Some(tx) = &mut tx {
                        if unit_changes {
                            store::update_unit(tx, unit.id, lot, made.as_deref(), &status).await?;
                        }
                        if let (true, Some((starts, ends))) = (warranty_changes, warranty) {
                            store::delete_initial_warranty(tx, unit.id).await?;
                            store::insert_initial_warranties(tx, &[(unit.id, starts, ends)], &now)
                                .await?;
                        }
                    }
                }
            }
        }
        if let Some(mut tx) = tx {
            if !new_units.is_empty() {
                changed = true;
                let ids = store::insert_units(&mut tx, self.db.backend(), new_units, &now).await?;
                let records: Vec<(i64, String, String)> = ids
                    .into_iter()
                    .zip(new_warranties)
                    .filter_map(|(id, warranty)| warranty.map(|(starts, ends)| (id, starts, ends)))
                    .collect();
                store::insert_initial_warranties(&mut tx, &records, &now).await?;
            }
            // Not a Change: a batch is the import's own unit of work (its audit entry is
            // the import's summary, written when the last batch is in).
            let epoch = match changed {
                true => Some(lookups::bump_epoch(&mut tx).await?),
                false => None,
            };
            tx.commit().await.map_err(StoreError::from)?;
            if let Some(epoch) = epoch {
                self.db.saw_epoch(epoch);
            }
        }
        Ok(())
    }
}

/// The initial warranty a row gives its unit, when the policy's start date is in the row.
fn initial_warranty(r: &Resolved) -> Option<(String, String)> {
    let months = r.row.warranty_months.map_or(r.warranty_months, i64::from);
    if months <= 0 {
        return None;
    }
    let starts = match r.warranty_starts.as_str() {
        "sale" => r.row.sold_on,
        "manufacture" => r.row.manufactured_on,
        _ => None,
    }?;
    let ends = add_months(starts, u32::try_from(months).ok()?);
    Some((starts.to_string(), ends.to_string()))
}

/// Imports units from `input` (CSV with a header line). `progress` is told the running
/// summary after each batch. Rejected rows are reported, never written; the rest of the
/// file goes on. An unusable file (no header, missing columns) is an error.
pub async fn import_units<R: Read + Send + 'static>(
    db: &Db,
    input: R,
    options: ImportOptions,
    actor: &Actor<'_>,
    mut progress: impl FnMut(&ImportSummary),
) -> Result<ImportSummary, ImportError> {
    let catalogue = Catalogue::load(db).await?;
    let mut writer = Writer {
        db: db.clone(),
        dry_run: options.dry_run,
        lots: store::lots(db)
            .await?
            .into_iter()
            .map(|(product, code, id)| ((product, code), id))
            .collect(),
        had_units: store::products_with_units(db).await?.into_iter().collect(),
        pretend: catalogue.pretend.clone(),
        counts: Counts::default(),
    };
    let mut importer = Importer {
        db,
        options,
        actor,
        catalogue,
        seen: HashMap::new(),
        summary: ImportSummary {
            dry_run: options.dry_run,
            ..ImportSummary::default()
        },
    };
    // Three stages at once: the reader thread parses, this task resolves, the writer task
    // writes the batch before.
    let written = Arc::new(std::sync::Mutex::new(Counts::default()));
    let (to_writer, mut batches_to_write) = tokio::sync::mpsc::channel::<Vec<Resolved>>(2);
    let writer_task = tokio::spawn({
        let written = written.clone();
        async move {
            while let Some(rows) = batches_to_write.recv().await {
                writer.write(rows).await?;
                if let Ok(mut w) = written.lock() {
                    *w = writer.counts;
                }
            }
            Ok::<Counts, ImportError>(writer.counts)
        }
    });
    let mut batches = spawn_reader(input);
    while let Some(read) = batches.recv().await {
        let rows = match read {
            Reading::Fatal(problem) => return Err(ImportError::File(problem)),
            Reading::Rows(rows) => rows,
        };
        let mut resolved = Vec::with_capacity(rows.len());
        for row in rows {
            importer.summary.rows += 1;
            match row {
                Err(problem) => importer.reject(problem),
                Ok(row) => {
                    if let Some(r) = importer.resolve(row).await? {
                        resolved.push(r);
                    }
                }
            }
        }
        if to_writer.send(resolved).await.is_err() {
            break; // the writer stopped: its error follows
        }
        let counts = written.lock().map(|w| *w).unwrap_or_default();
        let so_far = &importer.summary;
        progress(&ImportSummary {
            rows: so_far.rows,
            created: counts.created,
            updated: counts.updated,
            unchanged: counts.unchanged,
            rejected: so_far.rejected,
            created_manufacturers: so_far.created_manufacturers,
            created_products: so_far.created_products,
            problems: Vec::new(),
            dry_run: so_far.dry_run,
        });
    }
    drop(to_writer);
    let counts = writer_task
        .await
        .map_err(|e| ImportError::File(RowProblem::new(0, "import", e.to_string())))??;
    importer.summary.created = counts.created;
    importer.summary.updated = counts.updated;
    importer.summary.unchanged = counts.unchanged;
    let summary = importer.summary;
    if !options.dry_run {
        let mut tx = Change::begin(db, actor).await?;
        tx.record(
            Audit::of("units.import", "units", "import").after(serde_json::json!({
                "rows": summary.rows,
                "created": summary.created,
                "updated": summary.updated,
                "unchanged": summary.unchanged,
                "rejected": summary.rejected,
                "created_manufacturers": summary.created_manufacturers,
                "created_products": summary.created_products,
            })),
        )
        .await?;
        tx.commit().await?;
    }
    Ok(summary)
}

/// Runs an import started from the staff screens in the background, recording its progress
/// in `import_jobs` (so any server instance can show it) and removing the spooled file after.
pub fn spawn_job(
    services: super::Services,
    job_id: i64,
    file: std::path::PathBuf,
    options: ImportOptions,
    actor_user_id: i64,
    client_ip: Option<String>,
) {
    let db = services.db.clone();
    tokio::spawn(async move {
        let outcome = async {
            let input = std::fs::File::open(&file).map_err(|e| {
                ImportError::File(RowProblem::new(
                    0,
                    "file",
                    format!("could not be read: {e}"),
                ))
            })?;
            let actor = Actor {
                user_id: Some(actor_user_id),
                role: "staff",
                client_ip: client_ip.as_deref(),
            };
            let (progress_tx, mut progress_rx) =
                tokio::sync::watch::channel(ImportSummary::default());
            let recorder = {
                let db = db.clone();
                tokio::spawn(async move {
                    while progress_rx.changed().await.is_ok() {
                        let json = serde_json::to_string(&*progress_rx.borrow_and_update())
                            .unwrap_or_default();
                        if let Err(error) =
                            store::update_job(&db, job_id, "running", &json, None, None).await
                        {
                            tracing::warn!(%error, job_id, "recording import progress");
                        }
                    }
                })
            };
            let result = import_units(
                &db,
                std::io::BufReader::with_capacity(1 << 20, input),
                options,
                &actor,
                |so_far| {
                    let _ = progress_tx.send(so_far.clone());
                },
            )
            .await;
            drop(progress_tx);
            let _ = recorder.await;
            result
        }
        .await;
        let now = now_text();
        let recorded = match outcome {
            Ok(summary) => {
                let json = serde_json::to_string(&summary).unwrap_or_default();
                store::update_job(&db, job_id, "done", &json, None, Some(&now)).await
            }
            Err(error) => {
                store::update_job(
                    &db,
                    job_id,
                    "failed",
                    "{}",
                    Some(&error.to_string()),
                    Some(&now),
                )
                .await
            }
        };
        if let Err(error) = recorded {
            tracing::error!(%error, job_id, "recording the end of an import");
        }
        let _ = std::fs::remove_file(&file);
    });
}

fn job_view(job: store::ImportJob) -> crate::import::ImportJob {
    crate::import::ImportJob {
        id: job.id,
        file_name: job.file_name,
        dry_run: job.dry_run,
        // Written by this module only; a summary that cannot be read shows as nothing done.
        summary: serde_json::from_str(&job.summary_json).unwrap_or_default(),
        state: job.state,
        error: job.error,
        created_at: job.created_at,
        finished_at: job.finished_at,
    }
}

/// The manufacturer's latest imports from the staff screens, newest first.
pub async fn recent_jobs(
    db: &Db,
    manufacturer: i64,
) -> Result<Vec<crate::import::ImportJob>, StoreError> {
    Ok(store::recent_jobs(db, manufacturer, 20)
        .await?
        .into_iter()
        .map(job_view)
        .collect())
}

/// One of the manufacturer's imports (another manufacturer's is `None`).
pub async fn job(
    db: &Db,
    manufacturer: i64,
    id: i64,
) -> Result<Option<crate::import::ImportJob>, StoreError> {
    Ok(store::job(db, id)
        .await?
        .filter(|job| job.manufacturer_id == manufacturer)
        .map(job_view))
}

/// Records an import about to run from an uploaded file, for [`spawn_job`] to carry out:
/// its id, which the page showing its progress is named by.
pub async fn create_job(
    db: &Db,
    user_id: i64,
    manufacturer: i64,
    file_name: &str,
    dry_run: bool,
) -> Result<i64, StoreError> {
    store::create_job(db, user_id, manufacturer, file_name, dry_run, &now_text()).await
}

#[cfg(test)]
mod tests {
    use super::{Reading, slug_for, spawn_reader};

    /// The line of each row's problem, reading `file`.
    async fn problem_lines(file: &str) -> Vec<u64> {
        let mut rx = spawn_reader(std::io::Cursor::new(file.as_bytes().to_vec()));
        let mut lines = Vec::new();
        while let Some(reading) = rx.recv().await {
            match reading {
                Reading::Rows(rows) => {
                    lines.extend(rows.into_iter().filter_map(|row| row.err()).map(|p| p.line))
                }
                Reading::Fatal(problem) => panic!("{problem}"),
            }
        }
        lines
    }

    #[tokio::test]
    async fn lines_are_counted_alike_for_lf_crlf_and_quoted_line_breaks() {
        let header = "manufacturer,model,serial,lot,manufactured_on,sold_on,warranty_months";
        // Lines 2 and 5 have no serial; the row on line 3 has a model that spans two lines (a
        // quoted line break, refused as a control character).
        let rows = [
            "Acme,M1,,,,,",
            "Acme,\"two\nline model\",A1,,,,",
            "Acme,M1,,,,,",
        ];
        let lf = format!("{header}\n{}\n", rows.join("\n"));
        let crlf = lf.replace('\n', "\r\n");
        assert_eq!(problem_lines(&lf).await, vec![2, 3, 5]);
        assert_eq!(problem_lines(&crlf).await, vec![2, 3, 5]);
        // A file without a final line break, and blank lines between rows.
        let ragged = format!("{header}\r\n\r\n{}\r\n\r\n{}", rows[0], rows[2]);
        assert_eq!(problem_lines(&ragged).await, vec![3, 5]);
    }

    #[test]
    fn slugs() {
        assert_eq!(slug_for("Acme Tools, Inc."), "acme-tools-inc");
        assert_eq!(slug_for("  ***  "), "manufacturer");
    }
}

//! `serialtrace import units`: every bad row reported as `line N: column: reason`, a dry run
//! that writes nothing, idempotent re-imports, `--create-missing`, on both engines.

use crate::both_engines;
use crate::common::{Engine, fresh_db};
use serialtrace::demo::{self, DemoOptions};
use serialtrace::format::{CheckScheme, SerialFormat};
use serialtrace::store::Db;
use std::io::Write;
use std::path::PathBuf;

/// Runs `serialtrace --database-url URL import units ARGS`: (success, stdout + stderr).
fn import(url: &str, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_serialtrace"))
        .args(["--database-url", url, "import", "units"])
        .args(args)
        .env("SERIALTRACE_LOG", "error")
        .output()
        .expect("run serialtrace");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn write_file(name: &str, bytes: &[u8]) -> PathBuf {
    let path =
        std::env::temp_dir().join(format!("serialtrace-import-{}-{name}", std::process::id()));
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(bytes))
        .expect("write the CSV");
    path
}

async fn count(db: &Db, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(db.reader())
        .await
        .expect("count")
}

/// A demo product whose serials carry an ISO 7064 check character: (manufacturer slug,
/// model, format, warranty start).
async fn checked_product(db: &Db) -> (String, String, SerialFormat, String) {
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT m.slug, p.model, p.serial_format, p.warranty_starts
         FROM products p JOIN manufacturers m ON m.id = p.manufacturer_id ORDER BY p.id",
    )
    .fetch_all(db.reader())
    .await
    .expect("products");
    rows.into_iter()
        .find_map(|(slug, model, format, starts)| {
            let format: SerialFormat = serde_json::from_str(&format).ok()?;
            matches!(
                format,
                SerialFormat::Structured {
                    check: CheckScheme::Iso7064Mod37_36,
                    ..
                }
            )
            .then_some((slug, model, format, starts))
        })
        .expect("a product with check characters")
}

async fn import_reports_every_bad_row_and_repeats_change_nothing(engine: Engine) {
    let (db, url) = fresh_db(engine).await;
    demo::load(
        &db,
        DemoOptions {
            units: 2_000,
            seed: 3,
        },
    )
    .await
    .expect("demo data");
    let (slug, model, format, _) = checked_product(&db).await;
    let new: Vec<String> = (0..3).map(|i| format.serial_for(900_000 + i)).collect();
    let existing: String = sqlx::query_scalar(
        "SELECT u.serial_raw FROM units u JOIN products p ON p.id = u.product_id WHERE p.model = $1 ORDER BY u.id LIMIT 1",
    )
    .bind(&model)
    .fetch_one(db.reader())
    .await
    .expect("an existing unit");
    let mut typo = new[0].clone();
    let last = typo.pop().expect("a character");
    typo.push(if last == 'A' { 'B' } else { 'A' });

    let mut csv = String::from(
        "manufacturer,model,serial,lot,manufactured_on,sold_on,warranty_months,notes\n",
    );
    csv.push_str(&format!(
        "{slug},{model},{},L-IMP-1,2026-01-10,2026-02-01,24,first\n",
        new[0]
    )); // line 2
    csv.push_str(&format!(
        "{slug},{model},{},L-IMP-1,2026-01-10,,,\n",
        new[1]
    )); // 3
    csv.push_str(&format!("{slug},{model},{},,,,,\n", existing)); // 4: unchanged
    csv.push_str(&format!("nobody,{model},{},,,,,\n", new[2])); // 5
    csv.push_str(&format!("{slug},NO-SUCH,{},,,,,\n", new[2])); // 6
    csv.push_str(&format!("{slug},{model},{typo},,,,,\n")); // 7
    csv.push_str(&format!("{slug},{model},{},,10/01/2026,,,\n", new[2])); // 8
    csv.push_str(&format!("{slug},{model},{},,2099-01-01,,,\n", new[2])); // 9
    csv.push_str(&format!("{slug},{model},{},,,,,\n", new[1])); // 10: repeats line 3
    csv.push_str(&format!("{slug},{model},{},,,,lots,\n", new[2])); // 11
    csv.push_str(&format!("{slug},{model},{},,,,,\n", new[2])); // 12: good
    let mut bytes = csv.into_bytes();
    bytes.extend_from_slice(format!("{slug},{model},{},L", new[2]).as_bytes()); // 13
    bytes.extend_from_slice(b"\xff\xfe,,,,\n");
    let file = write_file("mixed.csv", &bytes);
    let path = file.to_string_lossy().into_owned();
    let units_before = count(&db, "SELECT COUNT(*) FROM units").await;
    let audit_before = count(&db, "SELECT COUNT(*) FROM audit_log").await;

    let expected_problems = [
        "line 5: manufacturer: there is no manufacturer 'nobody'",
        "line 6: model: ",
        "line 7: serial: the check character does not match",
        "line 8: manufactured_on: '10/01/2026' is not a date",
        "line 9: manufactured_on: is in the future",
        "line 10: serial: repeats line 3",
        "line 11: warranty_months: 'lots' is not a number",
        "line 13: lot: is not valid UTF-8 text",
    ];
    let (ok, out) = import(&url, &["--dry-run", &path]);
    assert!(!ok, "rejected rows make the exit non-zero:\n{out}");
    for problem in expected_problems {
        assert!(out.contains(problem), "missing {problem:?} in:\n{out}");
    }
    assert!(out.contains("dry run (nothing written): 12 rows"), "{out}");
    assert!(
        out.contains("3 created, 0 updated, 1 unchanged, 8 rejected"),
        "{out}"
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM units").await, units_before);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM audit_log").await,
        audit_before
    );

    let (ok, out) = import(&url, &[&path]);
    assert!(!ok, "{out}");
    assert!(
        out.contains("3 created, 0 updated, 1 unchanged, 8 rejected"),
        "{out}"
    );
    for problem in expected_problems {
        assert!(out.contains(problem), "missing {problem:?} in:\n{out}");
    }
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM units").await,
        units_before + 3
    );
    let sold: (String, String) = sqlx::query_as(
        "SELECT u.status, COALESCE(l.code, '') FROM units u LEFT JOIN lots l ON l.id = u.lot_id WHERE u.serial_norm = $1",
    )
    .bind(&new[0])
    .fetch_one(db.reader())
    .await
    .expect("the imported unit");
    assert_eq!(sold, ("sold".to_owned(), "L-IMP-1".to_owned()));
    let warranty: Vec<(String, String)> = sqlx::query_as(
        "SELECT w.starts_on, w.ends_on FROM warranty_records w JOIN units u ON u.id = w.unit_id WHERE u.serial_norm = $1",
    )
    .bind(&new[0])
    .fetch_all(db.reader())
    .await
    .expect("warranty");
    assert!(warranty.len() <= 1, "{warranty:?}");
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'units.import'"
        )
        .await,
        1
    );

    // The same file again: nothing new.
    let (_, out) = import(&url, &[&path]);
    assert!(
        out.contains("0 created, 0 updated, 4 unchanged, 8 rejected"),
        "{out}"
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM units").await,
        units_before + 3
    );

    // A later file selling a unit updates it.
    let file = write_file(
        "sell.csv",
        format!("manufacturer,model,serial,lot,manufactured_on,sold_on,warranty_months\n{slug},{model},{},,,2026-03-01,\n", new[1]).as_bytes(),
    );
    let (ok, out) = import(&url, &[&file.to_string_lossy()]);
    assert!(ok, "{out}");
    assert!(
        out.contains("0 created, 1 updated, 0 unchanged, 0 rejected"),
        "{out}"
    );
}
both_engines!(import_reports_every_bad_row_and_repeats_change_nothing);

async fn import_creates_missing_makers_only_when_asked(engine: Engine) {
    let (db, url) = fresh_db(engine).await;
    let file = write_file(
        "acme.csv",
        b"manufacturer,model,serial,lot,manufactured_on,sold_on,warranty_months\n\
          Acme Tools,AT-1,ACME-0001,,2026-01-01,2026-02-01,36\n\
          Acme Tools,AT-1,ACME-0002,,2026-01-01,,36\n",
    );
    let path = file.to_string_lossy().into_owned();
    let (ok, out) = import(&url, &[&path]);
    assert!(!ok);
    assert!(out.contains("line 2: manufacturer: there is no manufacturer 'Acme Tools' (import with --create-missing"), "{out}");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM manufacturers").await, 0);

    let (ok, out) = import(&url, &["--create-missing", &path]);
    assert!(ok, "{out}");
    assert!(
        out.contains("2 created") && out.contains("1 manufacturers and 1 products made"),
        "{out}"
    );
    let product: (String, i64, String) = sqlx::query_as(
        "SELECT m.slug, p.warranty_months, p.warranty_starts FROM products p JOIN manufacturers m ON m.id = p.manufacturer_id",
    )
    .fetch_one(db.reader())
    .await
    .expect("the product");
    assert_eq!(product, ("acme-tools".to_owned(), 36, "sale".to_owned()));
    let warranty: (String, String) =
        sqlx::query_as("SELECT starts_on, ends_on FROM warranty_records WHERE kind = 'initial'")
            .fetch_one(db.reader())
            .await
            .expect("one warranty (the sold unit)");
    assert_eq!(warranty, ("2026-02-01".to_owned(), "2029-02-01".to_owned()));
    let creations = count(
        &db,
        "SELECT COUNT(*) FROM audit_log WHERE action IN ('manufacturer.create', 'product.create')",
    )
    .await;
    assert_eq!(creations, 2);

    // Files that are no units file at all.
    for (name, bytes, says) in [
        ("empty.csv", &b""[..], "the file is empty"),
        (
            "header.csv",
            &b"serial,model\nX1,AT-1\n"[..],
            "line 1: header: missing columns manufacturer, lot",
        ),
    ] {
        let path = write_file(name, bytes);
        let (ok, out) = import(&url, &[&path.to_string_lossy()]);
        assert!(!ok, "{name}");
        assert!(out.contains(says), "{name}: {out}");
    }
    let (ok, out) = import(&url, &["/no/such/file.csv"]);
    assert!(!ok && out.contains("/no/such/file.csv"), "{out}");
}
both_engines!(import_creates_missing_makers_only_when_asked);

/// A file of many bad rows costs a bounded list: the first 1,000 problems are listed, the
/// rest counted (the import keeps no more in memory, and sends no more back).
async fn a_file_of_bad_rows_lists_the_first_thousand_and_counts_the_rest(engine: Engine) {
    let (db, url) = fresh_db(engine).await;
    demo::load(
        &db,
        DemoOptions {
            units: 2_000,
            seed: 5,
        },
    )
    .await
    .expect("demo data");
    let (slug, model, format, _) = checked_product(&db).await;
    let mut csv =
        String::from("manufacturer,model,serial,lot,manufactured_on,sold_on,warranty_months\n");
    for i in 0..1_500 {
        csv.push_str(&format!(
            "nobody,{model},{},,,,\n",
            format.serial_for(800_000 + i)
        ));
    }
    csv.push_str(&format!(
        "{slug},{model},{},,,,\n",
        format.serial_for(799_999)
    ));
    let path = write_file("many-bad.csv", csv.as_bytes());
    let (ok, out) = import(&url, &["--dry-run", &path.to_string_lossy()]);
    assert!(!ok, "{out}");
    let listed = out
        .lines()
        .filter(|l| l.contains(": manufacturer: there is no manufacturer 'nobody'"))
        .count();
    assert_eq!(listed, 1_000, "{}", &out[out.len().saturating_sub(400)..]);
    assert!(
        out.contains("line 2: manufacturer:"),
        "the first rows are the ones listed"
    );
    assert!(
        !out.contains("line 1002: "),
        "{}",
        &out[out.len().saturating_sub(400)..]
    );
    assert!(
        out.contains("… and 500 more rejected rows not listed"),
        "{}",
        &out[out.len().saturating_sub(400)..]
    );
    assert!(
        out.contains("1 created, 0 updated, 0 unchanged, 1500 rejected"),
        "{}",
        &out[out.len().saturating_sub(400)..]
    );
}
both_engines!(a_file_of_bad_rows_lists_the_first_thousand_and_counts_the_rest);

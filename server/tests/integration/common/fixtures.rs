//! Fixtures built through the services, the way people make the records (no SQL): a fleet
//! imported from a manufacturer's CSV (manufacturers and models made as the file names
//! them), accounts, and registrations by their owners.

use serialtrace::account::{Email, Password, Role};
use serialtrace::import::ImportSummary;
use serialtrace::service::accounts::{self, Actor, NewUser, PasswordHasher};
use serialtrace::service::import::{ImportOptions, import_units};
use serialtrace::service::owners::{self, Registration};
use serialtrace::store::Db;

/// Who the fixtures say made them, in the audit log.
pub const FIXTURE: Actor<'static> = Actor {
    user_id: None,
    role: "test",
    client_ip: None,
};

/// Units to import: one line of the import CSV each.
#[derive(Default)]
pub struct Fleet {
    lines: Vec<[String; 7]>,
}

impl Fleet {
    pub fn new() -> Self {
        Self::default()
    }

    /// A unit of `manufacturer`'s `model` with `serial`, made on `made` (YYYY-MM-DD).
    pub fn unit(mut self, manufacturer: &str, model: &str, serial: &str, made: &str) -> Self {
        self.lines.push([
            manufacturer.into(),
            model.into(),
            serial.into(),
            String::new(),
            made.into(),
            String::new(),
            String::new(),
        ]);
        self
    }

    /// The last unit was sold on `on`, with `months` of warranty from the sale.
    pub fn sold(mut self, on: &str, months: u32) -> Self {
        let last = self.lines.last_mut().expect("a unit to sell");
        last[5] = on.into();
        last[6] = months.to_string();
        self
    }

    /// Imports the units (making the manufacturers and models they name); what it did.
    pub async fn import(self, db: &Db) -> ImportSummary {
        let mut csv = serialtrace::import::UNIT_COLUMNS.join(",") + "\n";
        for line in &self.lines {
            csv.push_str(&line.join(","));
            csv.push('\n');
        }
        let options = ImportOptions {
            create_missing: true,
            ..ImportOptions::default()
        };
        let summary = import_units(
            db,
            std::io::Cursor::new(csv.into_bytes()),
            options,
            &FIXTURE,
            |_| {},
        )
        .await
        .expect("the import");
        assert_eq!(summary.rejected, 0, "the fixture's rows: {summary:?}");
        summary
    }
}

/// A confirmed account (with `role` beyond owner, if given) whose password is
/// [`super::PASSWORD`]: its id.
pub async fn account(
    db: &Db,
    email: &str,
    role: Option<Role>,
    manufacturer: Option<&str>,
    agency: Option<&str>,
) -> i64 {
    let email = Email::parse(email).expect("an e-mail address");
    let password = Password::parse(super::PASSWORD, None).expect("a good password");
    accounts::create_user(
        db,
        &PasswordHasher::new(),
        NewUser {
            email: &email,
            password: &password,
            role,
            manufacturer,
            agency,
            verified: true,
        },
        FIXTURE,
    )
    .await
    .expect("the account")
}

/// A confirmed account with the owner role only: its id.
pub async fn owner(db: &Db, email: &str) -> i64 {
    account(db, email, None, None, None).await
}

/// `owner` registers the unit with `serial`, bought on `bought`: the unit's id.
pub async fn register(db: &Db, owner: i64, serial: &str, bought: &str) -> i64 {
    owners::register(
        db,
        owner,
        &Registration {
            serial: serial.into(),
            gtin: None,
            purchase_date: bought.into(),
            retailer: "Corner Shop".into(),
            proof: None,
        },
        &Actor::user(owner, None),
    )
    .await
    .expect("the registration")
}

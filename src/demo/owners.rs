//! The demo accounts, and the demo owner's registered products, made through the services
//! as a person would make them.

use super::samples::free_unit;
use super::{DEMO_ACCOUNTS, DEMO_PASSWORD, DemoError, Sample};
use crate::account::{Email, Password};
use crate::service::accounts::{self, AccountError, Actor, NewUser, PasswordHasher};
use crate::store::Db;
use time::Date;

pub(super) async fn create_demo_accounts(db: &Db) -> Result<(), DemoError> {
    let hasher = PasswordHasher::new();
    for (email, role, manufacturer, agency) in DEMO_ACCOUNTS {
        let email = Email::parse(email).map_err(|e| AccountError::Hashing(e.to_string()))?;
        let password = Password::parse(DEMO_PASSWORD, Some(&email))
            .map_err(|e| AccountError::Hashing(e.to_string()))?;
        let new = NewUser {
            email: &email,
            password: &password,
            role: Some(role),
            manufacturer,
            agency,
            verified: true,
        };
        accounts::create_user(
            db,
            &hasher,
            new,
            Actor {
                user_id: None,
                role: "demo loader",
                client_ip: None,
            },
        )
        .await?;
    }
    Ok(())
}

/// The demo owner's products: a recalled unit (with its notice) and one with a warranty claim
/// an agent has started on; returns the `unregistered` sample, a genuine unit nobody has
/// registered, for a new user to try registration on.
pub(super) async fn seed(db: &Db, samples: &[Sample], today: Date) -> Result<Sample, DemoError> {
    use crate::service::{claims, owners};
    let owner_id = users_id(db, "owner@demo.serialtrace.test").await?;
    let agent_id = users_id(db, "agent@demo.serialtrace.test").await?;
    let mut taken: Vec<String> = samples.iter().map(|s| s.serial.clone()).collect();
    let recalled: Option<(String, Option<String>)> = sqlx::query_as(
        "SELECT u.serial_raw, (SELECT MIN(g.gtin) FROM product_gtins g WHERE g.product_id = u.product_id)
         FROM recall_units ru JOIN units u ON u.id = ru.unit_id JOIN recalls r ON r.id = ru.recall_id
         WHERE r.status = 'active' AND ru.remedy_status = 'open' AND u.status <> 'scrapped'
         AND NOT EXISTS (SELECT 1 FROM ownerships o WHERE o.unit_id = u.id)
         AND NOT EXISTS (SELECT 1 FROM theft_reports t WHERE t.unit_id = u.id)
         ORDER BY u.id DESC LIMIT 1",
    )
    .fetch_optional(db.reader())
    .await?;
    let owner = Actor {
        user_id: Some(owner_id),
        role: "demo loader",
        client_ip: None,
    };
    let bought = (today - time::Duration::days(20)).to_string();
    let register = |serial: String, gtin: Option<String>| owners::Registration {
        serial,
        gtin,
        purchase_date: bought.clone(),
        retailer: "Demo Electronics, Main Street".into(),
        proof: None,
    };
    let seed = |e: crate::service::Error| DemoError::Owners(e.to_string());
    if let Some((serial, gtin)) = recalled {
        taken.push(serial.clone());
        owners::register(db, owner_id, &register(serial, gtin), &owner)
            .await
            .map_err(seed)?;
    }
    let (serial, gtin) = free_unit(db, &taken)
        .await?
        .ok_or(DemoError::NoSample("unregistered"))?;
    taken.push(serial.clone());
    let unit = owners::register(db, owner_id, &register(serial, gtin), &owner)
        .await
        .map_err(seed)?;
    let claim = claims::file_claim(
        db,
        owner_id,
        unit,
        &claims::NewClaim {
            description: "The screen flickers and goes dark after a few minutes of use.".into(),
            photos: Vec::new(),
            paid_repair_ok: true,
        },
        &owner,
    )
    .await
    .map_err(seed)?;
    let agent = Actor {
        user_id: Some(agent_id),
        role: "demo loader",
        client_ip: None,
    };
    let update = claims::ClaimUpdate {
        status: Some("in_review".into()),
        note: Some("Thanks: we are checking the fault with the service centre.".into()),
        internal: false,
    };
    claims::update_claim(db, claim, &update, &agent)
        .await
        .map_err(seed)?;
    let (serial, gtin) = free_unit(db, &taken)
        .await?
        .ok_or(DemoError::NoSample("unregistered"))?;
    Ok(Sample {
        outcome: "unregistered",
        serial,
        gtin,
    })
}

async fn users_id(db: &Db, email: &str) -> Result<i64, DemoError> {
    Ok(sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(db.reader())
        .await?)
}

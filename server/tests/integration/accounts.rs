//! Accounts: `serialtrace create-user` and credential checks, on both engines.

use crate::both_engines;
use crate::common::{Engine, fresh_db};
use serialtrace::service::accounts::{AccountError, PasswordHasher, check_credentials};
use std::io::Write;
use std::process::{Command, Stdio};

/// Runs `serialtrace --database-url URL create-user ARGS` with `password` on standard input.
fn create_user(url: &str, args: &[&str], password: &str) -> (bool, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_serialtrace"))
        .args(["--database-url", url, "create-user"])
        .args(args)
        .env("SERIALTRACE_LOG", "error")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run serialtrace");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{password}\n").as_bytes())
        .expect("write the password");
    let out = child.wait_with_output().expect("wait");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

async fn create_user_and_sign_in(engine: Engine) {
    let (db, url) = fresh_db(engine).await;
    let good = "a long and quiet passphrase";
    let (ok, out) = create_user(
        &url,
        &["--email", " Admin@Example.org ", "--role", "admin"],
        good,
    );
    assert!(ok, "{out}");
    assert!(
        out.contains("created user") && out.contains("admin@example.org (admin)"),
        "{out}"
    );

    // Every refusal says why and exits non-zero; nothing is half-created.
    for (args, password, why) in [
        (
            vec!["--email", "admin@example.org"],
            good,
            "already has an account",
        ),
        (vec!["--email", "not-an-email"], good, "--email"),
        (vec!["--email", "b@example.org"], "short", "at least 12"),
        (
            vec!["--email", "b@example.org"],
            "passwordpassword",
            "most common",
        ),
        (
            vec!["--email", "b@example.org", "--role", "root"],
            good,
            "not a role",
        ),
        (
            vec!["--email", "b@example.org", "--role", "staff"],
            good,
            "manufacturer",
        ),
        (
            vec![
                "--email",
                "b@example.org",
                "--role",
                "staff",
                "--manufacturer",
                "nope",
            ],
            good,
            "no manufacturer 'nope'",
        ),
        (
            vec!["--email", "b@example.org", "--role", "police"],
            good,
            "agency",
        ),
    ] {
        let (ok, out) = create_user(&url, &args, password);
        assert!(!ok, "{args:?} should fail: {out}");
        assert!(out.contains(why), "{args:?}: expected {why:?} in {out:?}");
    }
    let (ok, out) = create_user(
        &url,
        &[
            "--email",
            "officer@example.org",
            "--role",
            "police",
            "--agency",
            "City Police",
        ],
        good,
    );
    assert!(ok, "{out}");

    let hasher = PasswordHasher::new();
    let id = check_credentials(&db, &hasher, "ADMIN@example.org", good)
        .await
        .expect("the right password signs in");
    let roles = serialtrace::testing::roles(&db, id).await.expect("roles");
    assert_eq!(
        roles,
        vec![
            serialtrace::account::Role::Admin,
            serialtrace::account::Role::Owner
        ]
    );
    let wrong = check_credentials(&db, &hasher, "admin@example.org", "not the passphrase")
        .await
        .unwrap_err();
    let unknown = check_credentials(&db, &hasher, "nobody@example.org", good)
        .await
        .unwrap_err();
    let malformed = check_credentials(&db, &hasher, "nobody", good)
        .await
        .unwrap_err();
    for error in [&wrong, &unknown, &malformed] {
        assert!(matches!(error, AccountError::BadCredentials));
    }
    assert_eq!(
        wrong.to_string(),
        unknown.to_string(),
        "one message whether or not the account exists"
    );

    // Each created user is one entry in the audit chain, which verifies.
    assert_eq!(
        serialtrace::service::audit::verify(&db)
            .await
            .expect("read"),
        Ok(2)
    );
    let hash: String =
        sqlx::query_scalar("SELECT password_hash FROM users WHERE email = 'admin@example.org'")
            .fetch_one(db.reader())
            .await
            .expect("hash");
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "Argon2id with explicit parameters: {hash}"
    );
}
both_engines!(create_user_and_sign_in);

async fn demo_accounts_sign_in_with_their_roles(engine: Engine) {
    use serialtrace::account::Role;
    use serialtrace::demo::{DEMO_ACCOUNTS, DEMO_PASSWORD};
    let app = crate::common::TestApp::spawn(engine).await;
    let hasher = PasswordHasher::new();
    for (email, role, _, _) in DEMO_ACCOUNTS {
        let id = check_credentials(&app.db, &hasher, email, DEMO_PASSWORD)
            .await
            .expect("a demo account signs in");
        let roles = serialtrace::testing::roles(&app.db, id)
            .await
            .expect("roles");
        assert!(
            roles.contains(&role) && roles.contains(&Role::Owner),
            "{email}: {roles:?}"
        );
    }
    let staff: Option<i64> = sqlx::query_scalar(
        "SELECT r.manufacturer_id FROM user_roles r JOIN users u ON u.id = r.user_id
         WHERE u.email = 'staff@demo.serialtrace.test' AND r.role = 'staff'",
    )
    .fetch_one(app.db.reader())
    .await
    .expect("staff role");
    assert!(staff.is_some(), "demo staff belong to a manufacturer");
    assert_eq!(
        serialtrace::service::audit::verify(&app.db)
            .await
            .expect("read"),
        // The accounts, then the demo owner's two registrations, a claim and its review.
        Ok(DEMO_ACCOUNTS.len() as u64 + 4)
    );
}
both_engines!(demo_accounts_sign_in_with_their_roles);

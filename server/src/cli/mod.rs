//! The `serialtrace` command line: serve, migrate, import, recalls, API keys, the audit log
//! and the demo.
//!
//! The commands and their arguments are declared in [`args`]; what each does is here.

mod args;

pub use args::*;

use crate::config::Config;
use crate::startup::Application;
use clap::Parser;
use serialtrace::demo::{self, DemoOptions, DemoReport};
use serialtrace::service::catalogue;
use serialtrace::store::Db;
use std::io::Write;
use std::process::ExitCode;

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(error) => {
            eprintln!("serialtrace: could not start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("serialtrace: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("SERIALTRACE_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,leptos_axum=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let db = Db::connect(&cli.database.database_url, cli.database.read_connections).await?;
    db.migrate().await?;
    match cli.command {
        Command::Migrate => {
            say(&format!(
                "migrations applied to {}",
                serialtrace::store::redact(&cli.database.database_url)
            ));
            Ok(())
        }
        Command::Audit {
            action: AuditCommand::Verify,
        } => match serialtrace::service::audit::verify(&db).await? {
            Ok(entries) => {
                say(&format!(
                    "audit log intact: {entries} entries, hash chain verified"
                ));
                Ok(())
            }
            Err(broken) => Err(anyhow::anyhow!("audit log verification failed: {broken}")),
        },
        Command::ApiKey { action } => {
            use serialtrace::service::accounts::Actor;
            use serialtrace::service::partners::{self, KeySpec};
            let actor = Actor {
                user_id: None,
                role: "operator (cli)",
                client_ip: None,
            };
            match action {
                ApiKeyCommand::Create {
                    name,
                    scope,
                    manufacturer,
                    per_minute,
                    per_day,
                } => {
                    let spec = KeySpec {
                        name,
                        scope,
                        manufacturer,
                        per_minute,
                        per_day,
                    };
                    let (key, id) = partners::create(&db, &spec, &actor)
                        .await
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                    say(&format!(
                        "api key {id} ({}, {}; {} a minute, {} a day) — shown only now, keep it secret:\n{key}",
                        spec.name, spec.scope, spec.per_minute, spec.per_day
                    ));
                    Ok(())
                }
                ApiKeyCommand::Revoke { key } => {
                    let n = partners::revoke(&db, &key, &actor)
                        .await
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                    say(&format!("revoked {n} key{}", if n == 1 { "" } else { "s" }));
                    Ok(())
                }
                ApiKeyCommand::List => {
                    let keys = serialtrace::service::partners::keys(&db).await?;
                    let mut lines = vec![format!("{} keys", keys.len())];
                    for k in keys {
                        lines.push(format!(
                            "{:>4}  {}…  {:<12} {:<10} {:>6}/min {:>9}/day  {}{}",
                            k.id,
                            k.prefix,
                            k.scope,
                            k.manufacturer.unwrap_or_default(),
                            k.per_minute,
                            k.per_day,
                            k.name,
                            k.revoked_at
                                .map(|r| format!("  (revoked {r})"))
                                .unwrap_or_default()
                        ));
                    }
                    say(&lines.join("\n"));
                    Ok(())
                }
            }
        }
        Command::Recall {
            action:
                RecallCommand::Publish {
                    number,
                    manufacturer,
                },
        } => {
            use serialtrace::service::accounts::Actor;
            use serialtrace::service::recall_admin;
            let actor = Actor {
                user_id: None,
                role: "operator (cli)",
                client_ip: None,
            };
            let started = std::time::Instant::now();
            let (recall, manufacturer) =
                recall_admin::find_by_number(&db, &number, manufacturer.as_deref())
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
            let members = recall_admin::publish(&db, manufacturer, recall, &actor)
                .await
                .map_err(|e| anyhow::anyhow!("recall {number}: {e}"))?;
            say(&format!(
                "published recall {number}: {members} units in {:.2} s",
                started.elapsed().as_secs_f64()
            ));
            Ok(())
        }
        Command::CreateUser {
            email,
            role,
            manufacturer,
            agency,
        } => {
            use serialtrace::account::{Email, Password, Role};
            use serialtrace::service::accounts::{self, Actor, NewUser, PasswordHasher};
            let email = Email::parse(&email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
            let role = match role.as_deref() {
                Some(name) => Some(Role::parse(name).ok_or_else(|| {
                    anyhow::anyhow!(
                        "--role: '{name}' is not a role (owner, agent, staff, police, admin)"
                    )
                })?),
                None => None,
            };
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            let password = Password::parse(line.trim_end_matches(['\n', '\r']), Some(&email))
                .map_err(|e| anyhow::anyhow!("password (read from standard input): {e}"))?;
            let new = NewUser {
                email: &email,
                password: &password,
                role,
                manufacturer: manufacturer.as_deref(),
                agency: agency.as_deref(),
                verified: true,
            };
            let actor = Actor {
                user_id: None,
                role: "operator (cli)",
                client_ip: None,
            };
            let id = accounts::create_user(&db, &PasswordHasher::new(), new, actor).await?;
            say(&format!(
                "created user {id}: {email} ({})",
                role.map_or("owner", Role::as_str)
            ));
            Ok(())
        }
        Command::Import {
            what:
                ImportCommand::Units {
                    file,
                    dry_run,
                    create_missing,
                },
        } => import_units(&db, &file, dry_run, create_missing).await,
        Command::Demo { units, seed } => {
            let report = demo::load(&db, DemoOptions { units, seed }).await?;
            print_report(&report);
            Ok(())
        }
        Command::Serve(serve) => {
            // Checked first: a refused configuration loads nothing.
            let config = Config::new(&cli.database, &serve).map_err(|e| anyhow::anyhow!(e))?;
            if serve.demo_on_empty && catalogue::manufacturer_count(&db).await? == 0 {
                say(&format!(
                    "empty database: loading the demo data set ({} units)…",
                    serve.demo_units
                ));
                let report = demo::load(
                    &db,
                    DemoOptions {
                        units: serve.demo_units,
                        seed: 1,
                    },
                )
                .await?;
                print_report(&report);
            }
            let samples = demo::recorded_samples(&db).await?;
            let app = Application::build_with_db(&config, db).await?;
            say(&format!("serialtrace is serving at http://{}", app.addr()));
            if !samples.is_empty() {
                let mut lines = vec!["serials to try (demo data):".to_owned()];
                for (outcome, serial, gtin) in samples {
                    lines.push(format!(
                        "  {outcome:<17} http://{}/lookup?serial={serial}{}",
                        app.addr(),
                        gtin.map(|g| format!("&gtin={g}")).unwrap_or_default()
                    ));
                }
                say(&lines.join("\n"));
                print_demo_accounts();
            }
            app.run_until_stopped().await?;
            Ok(())
        }
    }
}

async fn import_units(
    db: &Db,
    file: &str,
    dry_run: bool,
    create_missing: bool,
) -> anyhow::Result<()> {
    use serialtrace::service::accounts::Actor;
    use serialtrace::service::import::{ImportOptions, import_units};
    let input: Box<dyn std::io::Read + Send> = if file == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(std::fs::File::open(file).map_err(|e| anyhow::anyhow!("{file}: {e}"))?)
    };
    let input = std::io::BufReader::with_capacity(1 << 20, input);
    let actor = Actor {
        user_id: None,
        role: "operator (cli)",
        client_ip: None,
    };
    let started = std::time::Instant::now();
    let interactive = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let options = ImportOptions {
        dry_run,
        create_missing,
        only_manufacturer: None,
    };
    let summary = import_units(db, input, options, &actor, |so_far| {
        if interactive {
            eprint!("\r{} rows read…", so_far.rows);
        }
    })
    .await
    .map_err(|e| anyhow::anyhow!("{file}: {e}"))?;
    if interactive {
        eprintln!();
    }
    let mut out = std::io::stdout().lock();
    for problem in &summary.problems {
        let _ = writeln!(out, "{problem}");
    }
    let unlisted = summary.rejected - summary.problems.len() as u64;
    if unlisted > 0 {
        let _ = writeln!(out, "… and {unlisted} more rejected rows not listed");
    }
    let _ = writeln!(
        out,
        "{}{} rows in {:.1} s: {} created, {} updated, {} unchanged, {} rejected{}",
        if dry_run {
            "dry run (nothing written): "
        } else {
            ""
        },
        summary.rows,
        started.elapsed().as_secs_f64(),
        summary.created,
        summary.updated,
        summary.unchanged,
        summary.rejected,
        if summary.created_manufacturers + summary.created_products > 0 {
            format!(
                "; {} manufacturers and {} products {}",
                summary.created_manufacturers,
                summary.created_products,
                if dry_run { "would be made" } else { "made" }
            )
        } else {
            String::new()
        }
    );
    let _ = out.flush();
    if summary.rejected > 0 {
        anyhow::bail!("{} of {} rows rejected", summary.rejected, summary.rows);
    }
    Ok(())
}

fn print_report(report: &DemoReport) {
    let mut lines = vec![format!(
        "demo: loaded {} units in {:.1} s",
        report.units,
        report.elapsed.as_secs_f64()
    )];
    for s in &report.samples {
        lines.push(match &s.gtin {
            Some(gtin) => format!("sample {} {} {gtin}", s.outcome, s.serial),
            None => format!("sample {} {}", s.outcome, s.serial),
        });
    }
    say(&lines.join("\n"));
    print_demo_accounts();
}

/// The demo accounts, one per role (their password is public: demo only).
fn print_demo_accounts() {
    let mut lines = vec![format!(
        "demo accounts (demo only, password \"{}\"):",
        demo::DEMO_PASSWORD
    )];
    for (email, role, manufacturer, agency) in demo::DEMO_ACCOUNTS {
        let scope = manufacturer
            .or(agency)
            .map(|s| format!(" ({s})"))
            .unwrap_or_default();
        lines.push(format!("  {:<7} {email}{scope}", role.as_str()));
    }
    say(&lines.join("\n"));
}

/// Writes a line for the operator on standard output.
fn say(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}

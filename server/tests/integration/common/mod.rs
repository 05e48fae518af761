//! Spawning a test application on SQLite or PostgreSQL.

use serialtrace::demo::{self, DemoOptions, Sample};
use serialtrace::store::Db;
use serialtrace_server::client_ip::TrustedProxies;
use serialtrace_server::config::Config;
use serialtrace_server::rate_limit::RateLimits;
use serialtrace_server::startup::Application;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

#[derive(Clone, Copy, Debug)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Runs the async test body `name(engine)` once per engine, as tests `name::sqlite` and
/// `name::postgres`.
#[macro_export]
macro_rules! both_engines {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::common::Engine::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::common::Engine::Postgres).await;
            }
        }
    };
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A fresh, empty, migrated database on `engine`.
pub async fn fresh_db(engine: Engine) -> (Db, String) {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let unique = format!("{}_{}_{}", std::process::id(), n, nanos());
    let url = match engine {
        Engine::Sqlite => {
            let dir: PathBuf = std::env::temp_dir().join(format!("serialtrace-test-{unique}"));
            std::fs::create_dir_all(&dir).expect("temp dir");
            format!("sqlite://{}/test.db", dir.display())
        }
        Engine::Postgres => {
            let admin = std::env::var("SERIALTRACE_TEST_POSTGRES").unwrap_or_else(|_| {
                panic!(
                    "SERIALTRACE_TEST_POSTGRES is not set. Run the tests with `make test`, which starts a \
                     throwaway PostgreSQL cluster, or point it at a server where the tests may create databases \
                     (postgres://USER@HOST:PORT/postgres)."
                )
            });
            sqlx::any::install_default_drivers();
            let pool = sqlx::AnyPool::connect(&admin)
                .await
                .unwrap_or_else(|e| panic!("cannot reach the test PostgreSQL at {admin}: {e}"));
            let name = format!("st_{unique}");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&pool)
                .await
                .expect("create the test database");
            pool.close().await;
            let base = admin
                .rsplit_once('/')
                .map(|(b, _)| b)
                .expect("a database URL");
            format!("{base}/{name}")
        }
    };
    let db = Db::connect(&url, 4)
        .await
        .expect("connect to the test database");
    db.migrate().await.expect("migrate");
    (db, url)
}

fn nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() % 1_000_000_000)
        .unwrap_or(0)
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub db: Db,
    pub samples: HashMap<&'static str, Sample>,
}

impl TestApp {
    /// Starts the server on a random port over a fresh database holding the demo data set.
    pub async fn spawn(engine: Engine) -> Self {
        Self::spawn_with_limits(engine, RateLimits::OFF).await
    }

    pub async fn spawn_with_limits(engine: Engine, rate_limits: RateLimits) -> Self {
        Self::spawn_with(engine, rate_limits, TrustedProxies::default()).await
    }

    pub async fn spawn_with(
        engine: Engine,
        rate_limits: RateLimits,
        trusted_proxies: TrustedProxies,
    ) -> Self {
        let (db, url) = fresh_db(engine).await;
        let report = demo::load(
            &db,
            DemoOptions {
                units: 3_000,
                seed: 7,
            },
        )
        .await
        .expect("load the demo data");
        let samples = report.samples.into_iter().map(|s| (s.outcome, s)).collect();
        let config = Config {
            database_url: url,
            read_connections: 4,
            addr: "127.0.0.1:0".parse().expect("an address"),
            site_root: "target/site".into(),
            rate_limits,
            trusted_proxies,
        };
        let app = Application::build_with_db(&config, db.clone())
            .await
            .expect("build the application");
        let base = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client");
        Self {
            base,
            client,
            db,
            samples,
        }
    }

    pub fn sample(&self, outcome: &str) -> &Sample {
        self.samples
            .get(outcome)
            .unwrap_or_else(|| panic!("no sample {outcome}"))
    }

    pub async fn get(&self, path_and_query: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path_and_query}", self.base))
            .send()
            .await
            .expect("the server answers")
    }

    /// GET the JSON lookup for `serial` and return (status, body).
    pub async fn api_lookup(&self, serial: &str) -> (u16, serde_json::Value) {
        let response = self
            .client
            .get(format!("{}/api/v1/lookup", self.base))
            .query(&[("serial", serial)])
            .send()
            .await
            .expect("the server answers");
        let status = response.status().as_u16();
        let body = response.json().await.expect("a JSON body");
        (status, body)
    }

    /// GET the HTML lookup page for `serial` and return (status, body).
    pub async fn page_lookup(&self, serial: &str) -> (u16, String) {
        let response = self
            .client
            .get(format!("{}/lookup", self.base))
            .query(&[("serial", serial)])
            .send()
            .await
            .expect("the server answers");
        let status = response.status().as_u16();
        (status, response.text().await.expect("a body"))
    }
}

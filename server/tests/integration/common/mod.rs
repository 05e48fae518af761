//! Spawning a test application on SQLite or PostgreSQL.

use serialtrace::account::Role;
use serialtrace::demo::{self, DemoOptions, Sample};
use serialtrace::store::Db;
use serialtrace_app::limits::AuthLimitConfig;
use serialtrace_server::client_ip::TrustedProxies;
use serialtrace_server::config::Config;
use serialtrace_server::rate_limit::RateLimits;
use serialtrace_server::startup::Application;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

pub mod fixtures;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
    /// The database's URL (a second server instance can share it).
    pub url: String,
    pub client: reqwest::Client,
    pub db: Db,
    pub samples: HashMap<&'static str, Sample>,
    /// Where this server's outbox writes e-mails.
    pub outbox: PathBuf,
}

/// The password every account made by [`TestApp::user`] has.
pub const PASSWORD: &str = "a long and quiet passphrase";

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
        Self::spawn_configured(engine, |config| {
            config.rate_limits = rate_limits;
            config.trusted_proxies = trusted_proxies;
        })
        .await
    }

    /// Starts the server with the test defaults changed by `configure`.
    pub async fn spawn_configured(engine: Engine, configure: impl FnOnce(&mut Config)) -> Self {
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
        let outbox = std::env::temp_dir().join(format!(
            "serialtrace-outbox-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        let mut config = test_config(&url, &outbox);
        configure(&mut config);
        let app = Application::build_with_db(&config, db.clone())
            .await
            .expect("build the application");
        let base = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // A stalled response fails its test instead of holding up the whole run.
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .expect("an HTTP client");
        Self {
            base,
            url,
            client,
            db,
            samples,
            outbox,
        }
    }

    /// A browser of its own: keeps cookies, does not follow redirects.
    pub fn browser(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            // A stalled response fails its test instead of holding up the whole run.
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .expect("an HTTP client")
    }

    /// Makes an account (with `role` beyond owner, if given) whose password is [`PASSWORD`].
    pub async fn user(
        &self,
        email: &str,
        role: Option<Role>,
        manufacturer: Option<&str>,
        agency: Option<&str>,
    ) -> i64 {
        fixtures::account(&self.db, email, role, manufacturer, agency).await
    }

    /// POSTs a form as `browser`, from this site (as a browser would say).
    pub async fn post_form(
        &self,
        browser: &reqwest::Client,
        path: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        browser
            .post(format!("{}{path}", self.base))
            .header("origin", &self.base)
            .header("accept", "text/html")
            .form(fields)
            .send()
            .await
            .expect("the server answers")
    }

    /// Signs `browser` in; the response (303 on success).
    pub async fn sign_in(
        &self,
        browser: &reqwest::Client,
        email: &str,
        password: &str,
    ) -> reqwest::Response {
        self.post_form(
            browser,
            "/signin",
            &[("email", email), ("password", password), ("next", "")],
        )
        .await
    }

    /// Staff of manufacturer A (Hallmark) and of manufacturer B (Nordvik), signed in.
    pub async fn two_staff(&self) -> (reqwest::Client, reqwest::Client) {
        self.user("a@hallmark.test", Some(Role::Staff), Some("hallmark"), None)
            .await;
        self.user("b@nordvik.test", Some(Role::Staff), Some("nordvik"), None)
            .await;
        (
            self.signed_in("a@hallmark.test").await,
            self.signed_in("b@nordvik.test").await,
        )
    }

    /// `n` new serials of `model`, made through the staff catalogue by `staff`: their
    /// serials, in the order made.
    pub async fn generate(&self, staff: &reqwest::Client, model: &str, n: u32) -> Vec<String> {
        let product: i64 = sqlx::query_scalar("SELECT id FROM products WHERE model = $1")
            .bind(model)
            .fetch_one(self.db.reader())
            .await
            .expect("the model");
        let count = n.to_string();
        let response = self
            .post_form(
                staff,
                &format!("/staff/products/{product}"),
                &[("action", "generate"), ("count", &count)],
            )
            .await;
        assert_eq!(response.status().as_u16(), 303, "serials made");
        let batch: i64 = location(&response)
            .rsplit('/')
            .next()
            .and_then(|id| id.parse().ok())
            .expect("the batch page");
        sqlx::query_scalar("SELECT serial_norm FROM units WHERE batch_id = $1 ORDER BY id")
            .bind(batch)
            .fetch_all(self.db.reader())
            .await
            .expect("the batch's units")
    }

    /// Registers a unit as `browser`'s user through the registration form (with a proof of
    /// purchase when given): the response.
    pub async fn register(
        &self,
        browser: &reqwest::Client,
        serial: &str,
        gtin: Option<&str>,
        proof: Option<(&str, Vec<u8>)>,
    ) -> reqwest::Response {
        self.register_from(browser, serial, gtin, proof, None).await
    }

    /// [`Self::register`], from the client a trusted proxy names in `X-Forwarded-For`.
    pub async fn register_from(
        &self,
        browser: &reqwest::Client,
        serial: &str,
        gtin: Option<&str>,
        proof: Option<(&str, Vec<u8>)>,
        forwarded_for: Option<&str>,
    ) -> reqwest::Response {
        let bought = time::OffsetDateTime::now_utc().date().to_string();
        let mut form = reqwest::multipart::Form::new()
            .text("serial", serial.to_owned())
            .text("gtin", gtin.unwrap_or_default().to_owned())
            .text("purchase_date", bought)
            .text("retailer", "Corner Shop");
        if let Some((name, bytes)) = proof {
            form = form.part(
                "proof",
                reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
            );
        }
        let mut request = browser
            .post(format!("{}/my/register", self.base))
            .header("origin", &self.base)
            .header("accept", "text/html");
        if let Some(client) = forwarded_for {
            request = request.header("x-forwarded-for", client);
        }
        request
            .multipart(form)
            .send()
            .await
            .expect("the server answers")
    }

    /// Registers the unit and returns its id (the registration must succeed).
    pub async fn registered(
        &self,
        browser: &reqwest::Client,
        serial: &str,
        gtin: Option<&str>,
    ) -> i64 {
        let response = self.register(browser, serial, gtin, None).await;
        let status = response.status().as_u16();
        let to = location(&response);
        assert_eq!(
            status,
            303,
            "registered {serial}: {}",
            response
                .text()
                .await
                .unwrap_or_default()
                .chars()
                .take(3000)
                .collect::<String>()
        );
        to.trim_start_matches("/my/products/")
            .split('?')
            .next()
            .and_then(|id| id.parse().ok())
            .expect("the product's page")
    }

    /// A new browser signed in as `email` (with [`PASSWORD`]).
    pub async fn signed_in(&self, email: &str) -> reqwest::Client {
        let browser = self.browser();
        let response = self.sign_in(&browser, email, PASSWORD).await;
        assert_eq!(response.status().as_u16(), 303, "sign-in of {email}");
        browser
    }

    /// GET as `browser`: (status, body).
    pub async fn fetch(&self, browser: &reqwest::Client, path: &str) -> (u16, String) {
        let response = browser
            .get(format!("{}{path}", self.base))
            .header("accept", "text/html")
            .send()
            .await
            .expect("the server answers");
        let status = response.status().as_u16();
        (status, response.text().await.expect("a body"))
    }

    /// Waits (up to 10 s) for an e-mail to `to` in the outbox folder; its text.
    pub async fn mail_to(&self, to: &str, kind: &str) -> String {
        self.mail_to_in(&[&self.outbox], to, kind).await
    }

    /// The same, in any of `outboxes` (several instances drain one outbox, each to its own
    /// folder): once every such message queued is sent, the newest of the first folder that
    /// has one (so a message queued a moment ago is not missed for an older one).
    pub async fn mail_to_in(&self, outboxes: &[&std::path::Path], to: &str, kind: &str) -> String {
        for _ in 0..100 {
            let unsent: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM outbox WHERE to_address = $1 AND kind = $2 AND sent_at IS NULL",
            )
            .bind(to)
            .bind(kind)
            .fetch_one(self.db.reader())
            .await
            .expect("the outbox");
            if unsent > 0 {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                continue;
            }
            for outbox in outboxes {
                if let Some(text) = newest_mail(outbox, to, kind) {
                    return decode_quoted_printable(&text);
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("no {kind} e-mail to {to} in {outboxes:?}");
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

/// The configuration test servers run with: no rate limits, mail to files in `outbox`.
fn test_config(url: &str, outbox: &std::path::Path) -> Config {
    Config {
        database_url: url.to_owned(),
        read_connections: 4,
        addr: "127.0.0.1:0".parse().expect("an address"),
        site_root: "target/site".into(),
        rate_limits: RateLimits::OFF,
        auth_limits: AuthLimitConfig {
            enabled: false,
            per_ip_per_minute: 10,
            per_account_per_minute: 5,
        },
        trusted_proxies: TrustedProxies::default(),
        public_origin: None,
        outbox_dir: outbox.display().to_string(),
        smtp_url: None,
        mail_from: "serialtrace <no-reply@serialtrace.invalid>".into(),
        password_hashing: (0, std::time::Duration::from_secs(5)),
    }
}

impl TestApp {
    /// Starts a second server instance on the same database (its own port and outbox
    /// folder), as a scaled-out deployment runs: its outbox folder.
    pub async fn another_instance(&self) -> PathBuf {
        let outbox = std::env::temp_dir().join(format!(
            "serialtrace-outbox-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        let db = Db::connect(&self.url, 4).await.expect("connect again");
        let app = Application::build_with_db(&test_config(&self.url, &outbox), db)
            .await
            .expect("build the second instance");
        tokio::spawn(app.run_until_stopped());
        outbox
    }
}

/// The newest e-mail of `kind` to `to` in the outbox folder `dir` (files are named by outbox
/// id, so the newest sorts last).
fn newest_mail(dir: &std::path::Path, to: &str, kind: &str) -> Option<String> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|path| path.to_string_lossy().ends_with(&format!("-{kind}.eml")))
        .collect();
    files.sort();
    files
        .iter()
        .rev()
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .find(|text| text.contains(&format!("To: {to}")))
}

/// How many `.eml` files of `kind` to `to` are in `dir`.
pub fn mails_in(dir: &std::path::Path, kind: &str, to: &str) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| {
                    e.file_name()
                        .to_string_lossy()
                        .ends_with(&format!("-{kind}.eml"))
                })
                .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                .filter(|text| text.contains(&format!("To: {to}")))
                .count()
        })
        .unwrap_or(0)
}

/// A mail's text with quoted-printable soft breaks and escapes undone (as a mail reader
/// shows it).
fn decode_quoted_printable(text: &str) -> String {
    let joined = text.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'=' && i + 2 < bytes.len())
            .then(|| std::str::from_utf8(&bytes[i + 1..i + 3]).ok())
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Where a redirect sends the browser.
pub fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

//! The generated project, end to end: for every valid spec, `gen new`, build
//! the backend (clippy and rustfmt clean), set up a real PostgreSQL with its
//! own `db setup` and `migrate`, serve it, and drive it over HTTP as a client
//! would: two tenants, CRUD, validation, cross-tenant attempts, forged tokens.
//! Then build the web frontend (strict types, no lint warning) and run its
//! browser tests in headless Chromium against the backend serving it.
//!
//! Every generated project shares one target folder, so only the first build
//! compiles the dependencies.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::pg::Server;
use common::updates;
use serde_json::{Value, json};
use tenantgen::model::{Entity, Field, FieldType, Isolation, Model, Scope};

/// The signing secret of this run: random, since the generated app refuses
/// any secret that was ever printed.
fn jwt_secret() -> &'static str {
    static SECRET: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SECRET.get_or_init(|| {
        use std::hash::{BuildHasher as _, Hasher as _};
        (0..4)
            .map(|_| {
                let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
                hasher.write_u128(
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0, |elapsed| elapsed.as_nanos()),
                );
                format!("{:016x}", hasher.finish())
            })
            .collect()
    })
}

/// The key id the generated app puts in (and requires of) tokens it signs
/// with `secret`.
fn key_id(secret: &str) -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(secret.as_bytes());
    let hex: String = digest[..8]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    format!("hs256-{hex}")
}

/// A token signed as the generated app signs its own, with `claims` and
/// the app's issuer and audience added.
fn hs256(secret: &str, app: &str, mut claims: Value) -> String {
    claims["iss"] = json!(app);
    claims["aud"] = json!(app);
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    header.kid = Some(key_id(secret));
    jsonwebtoken::encode(
        &header,
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("encode")
}

/// The bearer token `/metrics` wants in these runs.
const METRICS_TOKEN: &str = "metrics-token-of-the-end-to-end-test";

/// A P-256 key pair made for this test alone (`openssl ecparam -name
/// prime256v1`), standing in for an external identity provider's.
const IDP_PUBLIC_KEY: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE9hDQzcg+8Qbsh/2vl4LDzCdGDvmJ
5RhamIQvj4G50bMcdRGB4dfyC/0PxYgpq+I5ak/XW/gd+peqQb+A9HfbyQ==
-----END PUBLIC KEY-----
";
const IDP_PRIVATE_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgGJGbNWFywe16sKvU
rHtCAkYZWUlGbg8IJLzEfjkV2J2hRANCAAT2ENDNyD7xBuyH/a+XgsPMJ0YO+Ynl
GFqYhC+PgbnRsxx1EYHh1/IL/Q/FiCmr4jlqT9db+B36l6pBv4D0d9vJ
-----END PRIVATE KEY-----
";

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every valid spec: each one's backend is complete.
fn backend_specs() -> Vec<PathBuf> {
    common::specs::valid_specs()
}

fn target_dir() -> PathBuf {
    let base =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| repo().join("target"), PathBuf::from);
    base.join("generated")
}

/// Cargo in a generated project, building into the shared target folder.
///
/// Every generated project lives for one test, so incremental caches and full
/// debug info would only cost disk, about five times as much per project, and
/// CI has run out of it. Line tables keep file and line numbers in backtraces.
fn generated_cargo(project: &Path) -> Command {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(cargo);
    command
        .current_dir(project)
        .env("CARGO_TARGET_DIR", target_dir())
        .env("CARGO_INCREMENTAL", "0")
        .env("CARGO_PROFILE_DEV_DEBUG", "line-tables-only")
        .env_remove("RUSTFLAGS");
    command
}

fn cargo(project: &Path, args: &[&str]) {
    let output = generated_cargo(project)
        .args(args)
        .output()
        .expect("run cargo");
    assert!(
        output.status.success(),
        "cargo {} failed in {}:\n{}",
        args.join(" "),
        project.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `cargo test` in a generated project, with `args` after `test`; returns how
/// many tests passed, and what it printed.
fn cargo_test(project: &Path, admin_url: &str, args: &[&str]) -> (u32, String) {
    let output = generated_cargo(project)
        .args(["test", "--quiet"])
        .args(args)
        .env("ADMIN_DATABASE_URL", admin_url)
        .output()
        .expect("run cargo test");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the generated tests failed in {}:\n{stdout}\n{}",
        project.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let passed = stdout
        .lines()
        .filter_map(|line| line.strip_prefix("test result: ok. "))
        .filter_map(|rest| rest.split(' ').next()?.parse::<u32>().ok())
        .sum();
    (passed, stdout.into_owned())
}

/// The whole generated suite, which must run more than a token few tests.
fn generated_suite(project: &Path, admin_url: &str) {
    let (passed, printed) = cargo_test(project, admin_url, &[]);
    assert!(
        passed >= 3,
        "the generated suite ran only {passed} tests:\n{printed}"
    );
}

fn generate(spec: &Path, into: &Path) -> Model {
    let source = std::fs::read_to_string(spec).expect("read spec");
    let project = tenantgen::generate("spec.yaml", &source, &tenantgen::Templates::builtin())
        .expect("generate");
    let options = tenantgen::write::WriteOptions {
        force: false,
        format: true,
        templates: None,
    };
    let summary = tenantgen::write::write_project(into, &project.files, options, |_| {})
        .expect("write project");
    assert!(summary.formatted, "rustfmt must be installed for this test");
    project.model
}

/// What a client looping over a tenant's records was told: the records it
/// was told are stored (by id), those it was told are deleted, how many
/// requests got 503, and any other answer.
#[derive(Default)]
struct Writes {
    answered: usize,
    kept: BTreeMap<String, Value>,
    gone: Vec<String>,
    refused: usize,
    failed: Vec<(u16, Value)>,
}

impl Writes {
    /// Counts `answer`: `expected` applies it to what is kept, 503 is
    /// refused, anything else failed.
    fn answer(
        &mut self,
        answer: (u16, Value),
        expected: u16,
        apply: impl FnOnce((&mut BTreeMap<String, Value>, &mut Vec<String>), &Value),
    ) {
        self.answered += 1;
        match answer {
            (status, body) if status == expected => apply((&mut self.kept, &mut self.gone), &body),
            (503, _) => self.refused += 1,
            other => self.failed.push(other),
        }
    }
}

/// The generated binary, run with this test's environment.
struct App {
    binary: PathBuf,
    env: Vec<(&'static str, String)>,
}

impl App {
    /// The generated binary of `model`'s app, serving `database` as `user`
    /// on `server`, with the superuser as its admin.
    fn new(server: &Server, model: &Model, database: &str, user: &str) -> Self {
        App {
            binary: target_dir().join("debug").join(&model.app),
            env: vec![
                ("DATABASE_URL", server.url(user, "app-password", database)),
                ("ADMIN_DATABASE_URL", server.admin_url("postgres")),
                ("JWT_SECRET", jwt_secret().to_owned()),
                ("METRICS_TOKEN", METRICS_TOKEN.to_owned()),
            ],
        }
    }

    fn run(&self, args: &[&str]) -> String {
        let output = Command::new(&self.binary)
            .args(args)
            .envs(self.env.iter().map(|(k, v)| (*k, v.as_str())))
            .env("RUST_LOG", "warn")
            .output()
            .expect("run the generated binary");
        assert!(
            output.status.success(),
            "`{}` failed:\n{}{}",
            args.join(" "),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Runs a command; returns whether it succeeded, and what it printed.
    fn run_status(&self, args: &[&str]) -> (bool, String) {
        let output = Command::new(&self.binary)
            .args(args)
            .envs(self.env.iter().map(|(k, v)| (*k, v.as_str())))
            .env("RUST_LOG", "warn")
            .output()
            .expect("run the generated binary");
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        (output.status.success(), printed)
    }

    /// Runs a command that must fail; returns what it printed to stderr.
    fn run_fails(&self, args: &[&str], env: &[(&str, &str)]) -> String {
        let output = Command::new(&self.binary)
            .args(args)
            .envs(self.env.iter().map(|(k, v)| (*k, v.as_str())))
            .envs(env.iter().copied())
            .env("RUST_LOG", "warn")
            .output()
            .expect("run the generated binary");
        assert!(!output.status.success(), "`{}` should fail", args.join(" "));
        String::from_utf8_lossy(&output.stderr).into_owned()
    }

    /// Starts a command in the background, its output captured.
    fn start(&self, args: &[&str]) -> std::process::Child {
        Command::new(&self.binary)
            .args(args)
            .envs(self.env.iter().map(|(k, v)| (*k, v.as_str())))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the generated binary")
    }

    fn serve(&self, port: u16) -> Running {
        self.serve_with(port, &[])
    }

    /// Serves with `env` on top of the app's own environment.
    fn serve_with(&self, port: u16, env: &[(&str, &str)]) -> Running {
        let child = Command::new(&self.binary)
            .arg("serve")
            .envs(self.env.iter().map(|(k, v)| (*k, v.as_str())))
            .envs(env.iter().copied())
            .env("PORT", port.to_string())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start serve");
        let running = Running {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let started = Instant::now();
        let probe = Client::new(&running.base);
        while !probe.answers("/healthz") {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "serve did not come up"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        running
    }
}

struct Running {
    child: Child,
    base: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Client {
    agent: ureq::Agent,
    base: String,
}

impl Client {
    fn new(base: &str) -> Self {
        // A fresh connection per request: a pooled one that the server
        // closes as it is reused fails the request with "peer disconnected"
        // (seen once in CI, on the GET after a 405 to a POST), and ureq
        // does not retry it.
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(10)))
            .max_idle_connections(0)
            .build()
            .into();
        Client {
            agent,
            base: base.to_owned(),
        }
    }

    /// Whether the server answers 200 yet (it may still be starting).
    fn answers(&self, path: &str) -> bool {
        self.agent
            .get(format!("{}{path}", self.base))
            .call()
            .is_ok_and(|response| response.status().as_u16() == 200)
    }

    fn request(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> (u16, Value) {
        let url = format!("{}{path}", self.base);
        let auth = token.map(|token| format!("Bearer {token}"));
        let response = match (method, body) {
            ("GET", _) | ("DELETE", None) => {
                let mut request = if method == "GET" {
                    self.agent.get(&url)
                } else {
                    self.agent.delete(&url)
                };
                if let Some(auth) = &auth {
                    request = request.header("authorization", auth);
                }
                request.call()
            }
            (_, body) => {
                let mut request = match method {
                    "POST" => self.agent.post(&url),
                    "PATCH" => self.agent.patch(&url),
                    other => panic!("unsupported method {other}"),
                };
                if let Some(auth) = &auth {
                    request = request.header("authorization", auth);
                }
                request.send_json(body.cloned().unwrap_or(Value::Null))
            }
        };
        let mut response = response.unwrap_or_else(|err| panic!("{method} {path}: {err}"));
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    fn get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        self.request("GET", path, token, None)
    }

    fn post(&self, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
        self.request("POST", path, token, Some(&body))
    }

    fn patch(&self, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
        self.request("PATCH", path, token, Some(&body))
    }

    fn delete(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        self.request("DELETE", path, token, None)
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free port")
}

/// A valid JSON value for `field`; `n` makes values differ between records.
fn json_value(field: &Field, n: u32, refs: &BTreeMap<usize, String>) -> Value {
    let bound =
        |number: &Option<serde_json::Number>| number.as_ref().and_then(serde_json::Number::as_f64);
    let (min, max) = (bound(&field.min), bound(&field.max));
    match field.field_type {
        FieldType::String | FieldType::Text => {
            let mut text = format!("v{n}");
            while (text.chars().count() as f64) < min.unwrap_or(1.0) {
                text.push('x');
            }
            if let Some(max) = max {
                text = text
                    .chars()
                    .rev()
                    .take(max as usize)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
            }
            json!(text)
        }
        FieldType::Email => json!(format!("user{n}@example.com")),
        FieldType::Url => json!(format!("https://example.com/{n}")),
        FieldType::Integer | FieldType::Bigint => {
            let low = min.unwrap_or(0.0).ceil() as i128;
            let high = max.map_or(low + 1000, |max| max.floor() as i128);
            let value = low + i128::from(n) % (high - low + 1);
            json!(i64::try_from(value).expect("within the field's bounds"))
        }
        FieldType::Decimal | FieldType::Float => {
            let value = min.unwrap_or(0.0) + 1.5;
            json!(max.map_or(value, |max| value.min(max)))
        }
        FieldType::Bool => json!(n.is_multiple_of(2)),
        FieldType::Date => json!(format!("2024-01-{:02}", 1 + n % 28)),
        FieldType::Datetime => json!(format!("2024-01-01T00:{:02}:00Z", n % 60)),
        FieldType::Uuid => json!(format!("00000000-0000-4000-8000-{n:012}")),
        FieldType::Enum => json!(field.values[0]),
        FieldType::Json => json!({ "n": n }),
        FieldType::Ref => {
            let reference = field.reference.as_ref().expect("refs have targets");
            json!(
                refs.get(&reference.entity_index)
                    .expect("targets are created first")
            )
        }
    }
}

/// A body with every field whose target exists (refs only to created records).
fn record(entity: &Entity, n: u32, refs: &BTreeMap<usize, String>) -> Value {
    let mut body = serde_json::Map::new();
    for field in &entity.fields {
        let target_missing = field
            .reference
            .as_ref()
            .is_some_and(|r| !refs.contains_key(&r.entity_index));
        if target_missing {
            continue;
        }
        body.insert(field.name.clone(), json_value(field, n, refs));
    }
    Value::Object(body)
}

/// `?q=` finds a record by part of its name in any case, takes `%` and `_`
/// literally, and is refused for entities whose records have no name.
fn search(client: &Client, token: &str, entity: &Entity, stored: &Value, what: &str) {
    let route = &entity.route;
    let Some(label) = &entity.label_field else {
        let (status, body) = client.get(&format!("{route}?q=x"), Some(token));
        assert_eq!(status, 400, "{what}: searched without a name: {body}");
        return;
    };
    let name = stored[label].as_str().expect("the name is text");
    let ids = |query: &str| -> Vec<String> {
        let (status, body) = client.get(&format!("{route}?q={query}"), Some(token));
        assert_eq!(status, 200, "{what}: ?q={query}: {body}");
        body["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|item| item["id"].as_str().map(str::to_owned))
            .collect()
    };
    let part: String = name
        .chars()
        .skip(1)
        .take(3)
        .collect::<String>()
        .to_uppercase();
    let id = stored["id"].as_str().expect("an id").to_owned();
    assert!(
        ids(&urlencode(&part)).contains(&id),
        "{what}: `{part}` finds `{name}`"
    );
    if !name.contains('%') {
        assert!(ids("%25").is_empty(), "{what}: `%` matches only itself");
    }
    if !name.contains('_') {
        assert!(ids("_").is_empty(), "{what}: `_` matches only itself");
    }
}

/// Percent-encodes a query parameter's value.
fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (byte as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

fn token_for(body: &Value) -> String {
    body["token"]
        .as_str()
        .unwrap_or_else(|| panic!("a token in {body}"))
        .to_owned()
}

#[test]
fn generated_backends_build_serve_and_keep_tenants_apart() {
    let server = Server::start();
    let mut specs = backend_specs();
    assert!(!specs.is_empty());
    // What a newcomer generates first: `gen init`'s starter.
    let starter_dir = tempfile::tempdir().expect("temporary folder");
    let starter = starter_dir.path().join("starter.yaml");
    let starter_text = tenantgen::starter_spec(&tenantgen::Templates::builtin(), Isolation::Pool)
        .expect("the starter renders");
    std::fs::write(&starter, starter_text).expect("write the starter");
    specs.push(starter);
    for spec in specs {
        let scratch = tempfile::tempdir().expect("temporary folder");
        let project = scratch.path().join("project");
        let model = generate(&spec, &project);
        cargo(&project, &["build", "--quiet", "--locked"]);
        cargo(
            &project,
            &["clippy", "--quiet", "--all-targets", "--", "-D", "warnings"],
        );
        cargo(&project, &["fmt", "--check"]);

        let database = format!("gen_{}", model.app);
        let app = App::new(&server, &model, &database, &format!("{}_app", model.app));
        server
            .connect("postgres")
            .batch_execute(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
            .expect("drop leftovers");
        // The generated project's own test suite, against the same server.
        generated_suite(&project, &server.admin_url("postgres"));
        app.run(&["db", "setup"]);
        app.run(&["db", "setup"]);
        let applied = app.run(&["migrate"]);
        assert!(applied.contains("applied 0001_roles"), "{applied}");
        let again = app.run(&["migrate"]);
        match model.isolation {
            Isolation::Pool => assert!(again.contains("nothing to migrate"), "{again}"),
            _ => assert!(!again.contains("applied"), "{again}"),
        }
        let refused = app.run_fails(
            &["db", "setup"],
            &[("DATABASE_URL", &server.admin_url(&database))],
        );
        assert!(
            refused.contains("superuser"),
            "db setup refuses a superuser DATABASE_URL: {refused}"
        );
        serve_refuses_known_secrets(&app);
        let globals = seed_global_rows(&server, &database, &model);
        drive(&app, &model, &spec, globals);
        sessions_and_floods(&app, &model);
        external_identity_provider(&app, &model, &server, &database);
        build_web(&project);
        browser_tests(&app, &model, &project, &spec);
    }
}

/// Runs npm in `dir`; fails the test with what it printed.
fn npm(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let (succeeded, printed) = npm_status(dir, args, env);
    assert!(
        succeeded,
        "npm {} failed in {}:\n{printed}",
        args.join(" "),
        dir.display()
    );
    printed
}

/// Runs npm in `dir`; returns whether it succeeded, and what it printed.
fn npm_status(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
    let output = Command::new("npm")
        .args(args)
        .current_dir(dir)
        .envs(env.iter().copied())
        .output()
        .unwrap_or_else(|err| {
            panic!("npm could not run ({err}): install Node.js 20.19+ with npm to test the web frontend")
        });
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), printed)
}

/// The number on one of Playwright's summary lines ("3 passed (4.2s)",
/// "1 failed"), if it printed that line; never a word in the browser's log.
fn playwright_count(printed: &str, outcome: &str) -> Option<usize> {
    printed.lines().find_map(|line| {
        let mut words = line.split_whitespace();
        let count = words.next()?.parse().ok()?;
        (words.next() == Some(outcome)).then_some(count)
    })
}

/// Whether every failed browser test failed before it had a page: Chromium
/// started but never opened one, so nothing of the app was tested.
fn browser_never_opened_a_page(printed: &str) -> bool {
    let failed = playwright_count(printed, "failed").unwrap_or(0);
    let unopened = ["\"browser\"", "\"context\"", "\"page\""]
        .iter()
        .map(|fixture| {
            printed
                .matches(&format!("exceeded while setting up {fixture}"))
                .count()
        })
        .sum::<usize>();
    failed > 0 && unopened >= failed
}

/// The web frontend installs from its own lock file, type-checks strictly,
/// lints without a warning and builds.
fn build_web(project: &Path) {
    let web = project.join("web");
    npm(
        &web,
        &["ci", "--prefer-offline", "--no-audit", "--no-fund"],
        &[],
    );
    npm(&web, &["run", "build"], &[]);
    npm(&web, &["run", "lint"], &[]);
    assert!(
        web.join("dist/index.html").is_file(),
        "the build wrote no index.html"
    );
}

/// The generated browser tests, in the operating system's Chromium, against
/// the backend serving the built frontend. Their screenshots are kept under
/// `target/web-screenshots/<spec>/`.
fn browser_tests(app: &App, model: &Model, project: &Path, spec: &Path) {
    let chromium =
        std::env::var("CHROMIUM_PATH").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    assert!(
        Path::new(&chromium).is_file(),
        "no Chromium at {chromium}: install Debian's `chromium` package or set CHROMIUM_PATH"
    );
    let web = project.join("web");
    let dist = web.join("dist");
    let running = app.serve_with(
        free_port(),
        &[("WEB_DIR", dist.to_str().expect("a UTF-8 path"))],
    );
    let base =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| repo().join("target"), PathBuf::from);
    let stem = spec
        .file_stem()
        .expect("a spec file name")
        .to_string_lossy();
    let screenshots = base.join("web-screenshots").join(stem.as_ref());
    let _ = std::fs::remove_dir_all(&screenshots);
    let env = [
        ("CI", "true"),
        ("BASE_URL", running.base.as_str()),
        ("CHROMIUM_PATH", chromium.as_str()),
        // Chromium's own log, printed only when the tests fail: a browser
        // that starts but never opens a page says why there.
        ("DEBUG", "pw:browser"),
        (
            "SCREENSHOT_DIR",
            screenshots.to_str().expect("a UTF-8 path"),
        ),
    ];
    let playwright = ["exec", "--", "playwright", "test"];
    let (mut succeeded, mut printed) = npm_status(&web, &playwright, &env);
    let mut log = String::new();
    if !succeeded && browser_never_opened_a_page(&printed) {
        // A browser that never opened a page tested nothing of the app, so
        // the run is repeated once; a second failure fails with both logs.
        log = format!("{printed}\n--- run again, as no page ever opened ---\n");
        (succeeded, printed) = npm_status(&web, &playwright, &env);
    }
    log.push_str(&printed);
    assert!(
        succeeded,
        "{}: the browser tests failed:\n{log}",
        spec.display()
    );
    assert!(
        playwright_count(&printed, "passed").is_some_and(|passed| passed > 0)
            && playwright_count(&printed, "skipped").is_none(),
        "{}: the browser tests ran nothing, or skipped some:\n{log}",
        spec.display()
    );
    // The screenshots come from the test that creates a record through the
    // forms; a spec whose first role may create nothing has none.
    if tenantgen::plan::browser_test(model).record.is_none() {
        return;
    }
    for shot in ["form.png", "list.png", "list-phone.png"] {
        assert!(
            screenshots.join(shot).is_file(),
            "{}: no screenshot {shot}:\n{log}",
            spec.display()
        );
    }
}

/// The retry above is for one symptom only, as Playwright prints it: every
/// failed test timed out before its page existed.
#[test]
fn a_browser_run_is_repeated_only_when_no_page_ever_opened() {
    let unopened =
        "  \u{2718}  1 [chromium] \u{203a} e2e/tenants.spec.ts:59:1 \u{203a} signing up (30.0s)
  \u{2718}  2 [chromium] \u{203a} e2e/tenants.spec.ts:69:1 \u{203a} a session (30.0s)
    Test timeout of 30000ms exceeded while setting up \"page\".
    Test timeout of 30000ms exceeded while setting up \"page\".
  2 failed
    [chromium] \u{203a} e2e/tenants.spec.ts:59:1 \u{203a} signing up
";
    assert!(browser_never_opened_a_page(unopened));
    assert_eq!(playwright_count(unopened, "failed"), Some(2));

    let app_failure = "    Test timeout of 30000ms exceeded while setting up \"page\".
    Error: expect(locator).toBeVisible() failed
  2 failed
  1 passed (41.0s)
";
    assert!(!browser_never_opened_a_page(app_failure));
    assert_eq!(playwright_count(app_failure, "passed"), Some(1));

    let passed = "  pw:browser [pid=1][err] 3 skipped frames +0ms\n  4 passed (8.1s)\n";
    assert!(!browser_never_opened_a_page(passed));
    assert_eq!(playwright_count(passed, "passed"), Some(4));
    assert_eq!(playwright_count(passed, "skipped"), None);
}

/// `migrate` in bridge and silo orchestrates every tenant schema or
/// database: one tenant whose next migration fails is rolled back and
/// reported, the rest are migrated, the exit status says so, the stale
/// tenant gets 503 meanwhile, and a re-run after the repair finishes it
/// without touching the others. A schema or database dropped behind its
/// back is reported the same way. In bridge, one tenant's schema is in a
/// database of its own, as on another server, which `migrate` reaches too.
#[test]
fn bridge_migrate_carries_on_past_a_failing_tenant() {
    migrate_carries_on_past_a_failing_tenant("helpdesk.yaml");
}

/// See [`bridge_migrate_carries_on_past_a_failing_tenant`].
#[test]
fn silo_migrate_carries_on_past_a_failing_tenant() {
    migrate_carries_on_past_a_failing_tenant("tracker.yaml");
}

/// See [`bridge_migrate_carries_on_past_a_failing_tenant`]: in pool, each
/// of the tenants has a database of its own, beside one in the shared
/// tables, which the API keeps apart and `migrate` reaches first.
#[test]
fn pool_migrate_carries_on_past_a_failing_dedicated_tenant() {
    migrate_carries_on_past_a_failing_tenant("crm.yaml");
}

fn migrate_carries_on_past_a_failing_tenant(example: &str) {
    let server = Server::start();
    let scratch = tempfile::tempdir().expect("temporary folder");
    let project = scratch.path().join("project");
    let spec = repo().join("examples").join(example);
    let model = generate(&spec, &project);
    cargo(&project, &["build", "--quiet", "--locked"]);
    let database = format!("gen_fault_{}", model.app);
    let user = format!("{}_fault", model.app);
    let mut app = App::new(&server, &model, &database, &user);
    let bridge = model.isolation == Isolation::Bridge;
    if bridge {
        // A second name for this same server: through it, t3's schema gets a
        // database of its own, as on another server.
        app.env.push((
            "TENANT_SERVERS",
            format!("local={}", server.url(&user, "app-password", "postgres")),
        ));
        app.env.push((
            "TENANT_SERVER_ADMIN_URLS",
            format!("local={}", server.admin_url("postgres")),
        ));
    }
    app.run(&["db", "setup"]);
    app.run(&["migrate"]);
    let pool = model.isolation == Isolation::Pool;
    let slugs = ["t1", "t2", "t3", "t4", "t5"];
    // In pool, `shared` stays in the shared tables; the others get
    // databases of their own.
    for slug in slugs.iter().chain(pool.then_some(&"shared")) {
        let email = format!("owner@{slug}.example");
        let mut args = vec![
            "tenants",
            "create",
            slug,
            "--owner-email",
            &email,
            "--owner-password",
            "password-1",
        ];
        if pool && *slug != "shared" {
            args.push("--dedicated");
        }
        if bridge && *slug == "t3" {
            args.extend(["--server", "local"]);
        }
        app.run(&args);
    }
    let tenant_dir = project.join(if pool {
        "migrations"
    } else {
        "migrations/tenant"
    });
    let current = std::fs::read_dir(&tenant_dir)
        .expect("tenant migrations")
        .count();
    let next = current + 1;
    let (before, after) = (format!(" {current} "), format!(" {next} "));
    // Where each tenant's tables are, and how to reach them as the superuser.
    let place = |slug: &str| match model.isolation {
        Isolation::Bridge if slug == "t3" => (format!("{database}_{slug}"), format!("t_{slug}.")),
        Isolation::Bridge => (database.clone(), format!("t_{slug}.")),
        _ => (format!("{database}_{slug}"), String::new()),
    };
    let listed = app.run(&["tenants", "list"]);
    let t3_listed_as = match model.isolation {
        Isolation::Bridge => "t_t3".to_owned(),
        _ => format!("/{}", place("t3").0),
    };
    assert!(
        listed.contains(&t3_listed_as) && (pool || listed.contains(&format!("version {current}"))),
        "{listed}"
    );

    // A new tenant migration, and a tenant (t2) where it can't apply.
    let table = &model
        .tenant_entities()
        .next()
        .expect("a tenant entity")
        .table
        .name;
    std::fs::write(
        tenant_dir.join(format!("{next:04}_add_loyalty.sql")),
        format!("ALTER TABLE {table} ADD COLUMN loyalty integer;\n"),
    )
    .expect("write a migration");
    cargo(&project, &["build", "--quiet", "--locked"]);
    let (t2_database, t2_prefix) = place("t2");
    let mut t2 = server.connect(&t2_database);
    t2.batch_execute(&format!(
        "ALTER TABLE {t2_prefix}{table} ADD COLUMN loyalty integer"
    ))
    .expect("break t2");

    // Shared records made after the dedicated databases reach them with
    // `migrate` (compared below).
    let shared_tables: Vec<String> = model
        .global_entities()
        .map(|entity| entity.table.name.clone())
        .collect();
    if pool {
        seed_global_rows(&server, &database, &model);
    }
    let shared_records = |database: &str| -> Vec<String> {
        let mut client = server.connect(database);
        shared_tables
            .iter()
            .map(|table| {
                client
                    .query_one(
                        &format!(
                            "SELECT coalesce(jsonb_agg(t ORDER BY id), '[]')::text FROM {table} t"
                        ),
                        &[],
                    )
                    .expect("shared records")
                    .get(0)
            })
            .collect()
    };

    let (ok, report) = app.run_status(&["migrate", "--jobs", "2"]);
    assert!(!ok, "a failed tenant makes migrate fail:\n{report}");
    if pool {
        assert_eq!(
            shared_records(&place("t1").0),
            shared_records(&database),
            "t1's copy of the shared records"
        );
        // One replaced (a new id with the same unique values), one changed.
        let mut admin = server.connect(&database);
        for table in &shared_tables {
            admin
                .batch_execute(&format!(
                    "UPDATE {table} SET id = gen_random_uuid() WHERE id = (SELECT id FROM {table} ORDER BY id LIMIT 1);
                     UPDATE {table} SET updated_at = updated_at + interval '1 second' WHERE id = (SELECT id FROM {table} ORDER BY id DESC LIMIT 1)"
                ))
                .expect("replace and change shared records");
        }
    }
    let line = |report: &str, slug: &str| -> String {
        report
            .lines()
            .find(|line| line.split_whitespace().next() == Some(slug))
            .unwrap_or_else(|| panic!("no line for {slug} in:\n{report}"))
            .to_owned()
    };
    let failed = line(&report, "t2");
    assert!(
        failed.contains("failed") && failed.contains("already exists"),
        "{report}"
    );
    for slug in ["t1", "t3", "t4", "t5"] {
        let migrated = line(&report, slug);
        assert!(
            migrated.contains(&before)
                && migrated.contains(&after)
                && migrated.contains("migrated"),
            "{report}"
        );
    }
    assert!(report.contains("1 failed"), "{report}");
    let (t3_database, t3_prefix) = place("t3");
    server
        .connect(&t3_database)
        .batch_execute(&format!("SELECT loyalty FROM {t3_prefix}{table} LIMIT 0"))
        .expect("t3's schema has the new column, wherever it is");

    // Meanwhile t2 is refused, and the others are served.
    let running = app.serve(free_port());
    let client = Client::new(&running.base);
    let login = |slug: &str| {
        client.post(
            "/auth/login",
            None,
            json!({"tenant": slug, "email": format!("owner@{slug}.example"), "password": "password-1"}),
        )
    };
    let route = &model
        .tenant_entities()
        .next()
        .expect("a tenant entity")
        .route;
    let (status, body) = login("t2");
    assert_eq!(status, 200, "logging in needs only the catalog: {body}");
    let (status, body) = client.get(route, Some(&token_for(&body)));
    assert_eq!(status, 503, "a stale tenant's data is not served: {body}");
    let (status, body) = login("t1");
    assert_eq!(status, 200, "{body}");
    let t1 = token_for(&body);
    let (status, body) = client.get(route, Some(&t1));
    assert_eq!(status, 200, "{body}");
    if pool {
        // A dedicated tenant's record is written to its own database, and
        // neither the shared tables nor the shared tenant hold it.
        let entity = model.tenant_entities().next().expect("a tenant entity");
        let (status, made) = client.post(route, Some(&t1), record(entity, 1, &BTreeMap::new()));
        assert_eq!(status, 201, "{made}");
        let id = made["id"].as_str().expect("an id");
        let count = |database: &str| -> i64 {
            server
                .connect(database)
                .query_one(
                    &format!("SELECT count(*) FROM {table} WHERE id = $1::text::uuid"),
                    &[&id],
                )
                .expect("count")
                .get(0)
        };
        assert_eq!(count(&place("t1").0), 1, "in t1's database");
        assert_eq!(count(&database), 0, "in the shared database");
        let (status, body) = login("shared");
        assert_eq!(status, 200, "{body}");
        let shared = token_for(&body);
        let (status, body) = client.get(&format!("{route}/{id}"), Some(&shared));
        assert_eq!(status, 404, "the shared tenant reads t1's record: {body}");
        let (status, body) = client.get(&format!("{route}/{id}"), Some(&t1));
        assert_eq!(status, 200, "{body}");
        let (status, body) = client.get(route, Some(&shared));
        assert_eq!(status, 200, "{body}");
    }

    // Repaired, a re-run finishes t2 and leaves the rest alone.
    t2.batch_execute(&format!(
        "ALTER TABLE {t2_prefix}{table} DROP COLUMN loyalty"
    ))
    .expect("repair t2");
    drop(t2);
    let (ok, report) = app.run_status(&["migrate"]);
    assert!(ok, "{report}");
    assert!(line(&report, "t2").contains("migrated"), "{report}");
    for slug in ["t1", "t3", "t4", "t5"] {
        assert!(line(&report, slug).contains("up to date"), "{report}");
    }
    if pool {
        for slug in ["t1", "t2"] {
            assert_eq!(
                shared_records(&place(slug).0),
                shared_records(&database),
                "{slug}'s copy of the shared records, one replaced and one changed"
            );
        }
    }
    let (status, body) = login("t2");
    assert_eq!(status, 200, "{body}");
    let (status, body) = client.get(route, Some(&token_for(&body)));
    assert_eq!(status, 200, "{body}");
    drop(running);

    // One tenant only.
    let (ok, report) = app.run_status(&["migrate", "--tenant", "t3"]);
    assert!(ok && line(&report, "t3").contains("up to date"), "{report}");
    assert!(
        report
            .lines()
            .all(|l| l.split_whitespace().next() != Some("t1")),
        "{report}"
    );

    // A schema or database dropped behind the orchestrator's back is
    // reported, not recreated.
    let (t4_database, _) = place("t4");
    let drop_t4 = match model.isolation {
        Isolation::Bridge => "DROP SCHEMA t_t4 CASCADE".to_owned(),
        _ => format!("DROP DATABASE {t4_database} WITH (FORCE)"),
    };
    let admin_database = if model.isolation == Isolation::Bridge {
        database.as_str()
    } else {
        "postgres"
    };
    server
        .connect(admin_database)
        .batch_execute(&drop_t4)
        .expect("drop t4's schema or database");
    let (ok, report) = app.run_status(&["migrate"]);
    let missing = line(&report, "t4");
    assert!(!ok && missing.contains("failed"), "{report}");
    assert!(
        missing.contains("t_t4 is missing") || missing.contains("does not exist"),
        "{report}"
    );
    match model.isolation {
        Isolation::Bridge => {
            app.run(&["tenants", "delete", "t4"]);
        }
        _ => {
            // Deleting drops the database too, which is already gone.
            let (ok, printed) = app.run_status(&["tenants", "delete", "t4"]);
            assert!(ok, "{printed}");
        }
    }
    let (ok, report) = app.run_status(&["migrate"]);
    let plural = &model.tenant.plural;
    assert!(
        ok && report.contains(&format!("4 {plural}: 0 migrated, 4 up to date, 0 failed")),
        "{report}"
    );
}

/// An example built and set up on two servers: `main`, and `second`, named
/// in TENANT_SERVERS with a superuser's URL.
struct TwoServers {
    main: Server,
    second: Server,
    model: Model,
    app: App,
    /// The control database; tenant databases are named after it.
    database: String,
    /// The app's login, on both servers.
    user: String,
    scratch: tempfile::TempDir,
}

impl TwoServers {
    /// The example `example` (under `examples/`) generated, built, set up
    /// and migrated, under names made from `name`. Its app is renamed after
    /// `name` too: generated projects share one target folder, where a
    /// binary is named after its app, and these tests rebuild theirs.
    fn set_up(name: &str, example: &str) -> Self {
        let (main, second) = (Server::start(), Server::start());
        let scratch = tempfile::tempdir().expect("temporary folder");
        let project = scratch.path().join("project");
        let source = std::fs::read_to_string(repo().join("examples").join(example))
            .expect("read the example");
        let spec = scratch.path().join(example);
        let renamed: Vec<String> = source
            .lines()
            .map(|line| match line.strip_prefix("app: ") {
                Some(app) => format!("app: {app}_{name}"),
                None => line.to_owned(),
            })
            .collect();
        std::fs::write(&spec, renamed.join("\n")).expect("write the spec");
        let model = generate(&spec, &project);
        cargo(&project, &["build", "--quiet", "--locked"]);
        let database = format!("gen_{name}_{}", model.app);
        let user = format!("{}_{name}", model.app);
        let mut app = App::new(&main, &model, &database, &user);
        app.env.push((
            "TENANT_SERVERS",
            format!("second={}", second.url(&user, "app-password", "postgres")),
        ));
        app.env.push((
            "TENANT_SERVER_ADMIN_URLS",
            format!("second={}", second.admin_url("postgres")),
        ));
        app.run(&["db", "setup"]);
        app.run(&["migrate"]);
        TwoServers {
            main,
            second,
            model,
            app,
            database,
            user,
            scratch,
        }
    }

    /// The generated project's folder.
    fn project(&self) -> PathBuf {
        self.scratch.path().join("project")
    }

    /// Sets the second server's time zone apart from the main one's.
    fn second_in_another_time_zone(&self) {
        let mut settings = self.second.connect("postgres");
        for statement in [
            "ALTER SYSTEM SET timezone = 'Pacific/Auckland'",
            "SELECT pg_reload_conf()",
        ] {
            settings
                .batch_execute(statement)
                .expect("another time zone");
        }
    }

    /// Whether `server` holds tenant `slug`'s database.
    fn has_database(&self, server: &Server, slug: &str) -> bool {
        server
            .connect("postgres")
            .query_opt(
                "SELECT 1 FROM pg_database WHERE datname = $1",
                &[&format!("{}_{slug}", self.database)],
            )
            .expect("pg_database")
            .is_some()
    }
}

/// The line of `tenants list` output `list` about tenant `slug`.
fn listed_line<'a>(list: &'a str, slug: &str) -> &'a str {
    list.lines()
        .find(|line| line.split('\t').next() == Some(slug))
        .unwrap_or_else(|| panic!("no line for {slug} in:\n{list}"))
}

/// The login of the first user each test makes for tenant `slug`.
fn owner(slug: &str) -> String {
    format!("owner@{slug}.example")
}

/// A token of `slug`'s owner, logged in with the password every test gives.
fn log_in_owner(client: &Client, slug: &str) -> String {
    let (status, body) = client.post(
        "/auth/login",
        None,
        json!({"tenant": slug, "email": owner(slug), "password": "password-1"}),
    );
    assert_eq!(status, 200, "{slug}'s owner logs in: {body}");
    token_for(&body)
}

/// A tenant entity a client can create with no other record first.
fn creatable_alone(model: &Model) -> &Entity {
    model
        .tenant_entities()
        .find(|entity| {
            entity.api_creatable
                && entity
                    .fields
                    .iter()
                    .all(|field| field.reference.is_none() || !field.required)
        })
        .expect("a tenant entity a client can create alone")
}

/// Silo tenants spread over two PostgreSQL servers named in TENANT_SERVERS:
/// `db setup` prepares both, a new tenant goes to the server holding the
/// fewest (or the one named), requests reach its database there, `tenants
/// list` says where each is and how big, and `migrate` and `tenants delete`
/// reach the second server too.
#[test]
fn silo_tenants_spread_over_named_servers() {
    let silo = TwoServers::set_up("spread", "tracker.yaml");
    let TwoServers {
        main,
        second,
        model,
        app,
        database,
        ..
    } = &silo;
    for (slug, server) in [("a", None), ("b", None), ("c", Some("second"))] {
        let email = owner(slug);
        let mut args = vec![
            "tenants",
            "create",
            slug,
            "--owner-email",
            &email,
            "--owner-password",
            "password-1",
        ];
        args.extend(
            server
                .map(|server| ["--server", server])
                .into_iter()
                .flatten(),
        );
        app.run(&args);
    }
    let unknown = app.run_fails(&["tenants", "create", "d", "--server", "nowhere"], &[]);
    assert!(
        unknown.contains("no server `nowhere`") && unknown.contains("main, second"),
        "{unknown}"
    );
    let has_database = |server: &Server, slug: &str| silo.has_database(server, slug);
    // a: both empty, main first; b: main holds one; c: named.
    assert!(has_database(main, "a") && !has_database(second, "a"));
    for slug in ["b", "c"] {
        assert!(
            has_database(second, slug) && !has_database(main, slug),
            "{slug}"
        );
    }
    assert!(!has_database(main, "d") && !has_database(second, "d"));
    let listed = app.run(&["tenants", "list"]);
    let line = |slug: &str| listed_line(&listed, slug);
    assert!(
        line("a").contains(&format!("\tmain/{database}_a\t")),
        "{listed}"
    );
    assert!(
        line("b").contains(&format!("\tsecond/{database}_b\t")),
        "{listed}"
    );
    assert!(
        listed.lines().all(|line| line.contains(" MB\t")),
        "every size is known:\n{listed}"
    );

    // Requests for b reach its database on the second server.
    let running = app.serve(free_port());
    let client = Client::new(&running.base);
    let entity = creatable_alone(model);
    let token = log_in_owner(&client, "b");
    let (status, body) = client.post(
        &entity.route,
        Some(&token),
        record(entity, 1, &BTreeMap::new()),
    );
    assert_eq!(status, 201, "{body}");
    let stored: i64 = second
        .connect(&format!("{database}_b"))
        .query_one(&format!("SELECT count(*) FROM {}", entity.table.name), &[])
        .expect("b's rows")
        .get(0);
    assert_eq!(
        stored, 1,
        "the record is in b's database on the second server"
    );

    // Sign-up goes where the fewest are: main holds a, the second b and c.
    let (status, body) = client.post(
        "/auth/signup",
        None,
        json!({"tenant": "e", "email": owner("e"), "password": "password-1"}),
    );
    assert_eq!(status, 201, "{body}");
    assert!(has_database(main, "e") && !has_database(second, "e"));
    drop(running);

    // A process that doesn't know the second server can't serve b, and says
    // so with a 503; a is served.
    let forgetful = App {
        binary: app.binary.clone(),
        env: app
            .env
            .iter()
            .filter(|(name, _)| !name.starts_with("TENANT_SERVER"))
            .cloned()
            .collect(),
    };
    let running = forgetful.serve(free_port());
    let client = Client::new(&running.base);
    let (status, body) = client.get(&entity.route, Some(&log_in_owner(&client, "b")));
    assert_eq!(status, 503, "{body}");
    let (status, body) = client.get(&entity.route, Some(&log_in_owner(&client, "a")));
    assert_eq!(status, 200, "{body}");
    drop(running);

    let report = app.run(&["migrate"]);
    assert!(
        report.contains(&format!(
            "4 {}: 0 migrated, 4 up to date, 0 failed",
            model.tenant.plural
        )),
        "{report}"
    );
    app.run(&["tenants", "delete", "c"]);
    assert!(
        !has_database(second, "c"),
        "deleting c drops its database there"
    );
}

/// A bridge tenant's schema on another server: `tenants create --server`
/// gives it a database of its own there, requests reach its schema there
/// and no other, `tenants list` says where it is and how big, `migrate`
/// reaches it, and `tenants delete --export` keeps its records and drops
/// that database, from where `tenants import` brings it into the control
/// database.
#[test]
fn bridge_tenants_live_on_another_server() {
    let bridge = TwoServers::set_up("bridged", "helpdesk.yaml");
    let TwoServers {
        main,
        second,
        model,
        app,
        database,
        ..
    } = &bridge;
    for (slug, server) in [("a", "main"), ("b", "second")] {
        let email = owner(slug);
        app.run(&[
            "tenants",
            "create",
            slug,
            "--owner-email",
            &email,
            "--owner-password",
            "password-1",
            "--server",
            server,
        ]);
    }
    let has_schema = |server: &Server, database: &str, schema: &str| -> bool {
        server
            .connect(database)
            .query_opt("SELECT 1 FROM pg_namespace WHERE nspname = $1", &[&schema])
            .expect("pg_namespace")
            .is_some()
    };
    let own_database = format!("{database}_b");
    assert!(has_schema(main, database, "t_a") && !bridge.has_database(main, "a"));
    assert!(
        bridge.has_database(second, "b") && has_schema(second, &own_database, "t_b"),
        "b's schema is in its database on the second server"
    );
    assert!(!has_schema(main, database, "t_b") && !bridge.has_database(main, "b"));
    let list = app.run(&["tenants", "list"]);
    let line = |slug: &str| listed_line(&list, slug);
    assert!(line("a").contains("\tcontrol\tt_a\t"), "{list}");
    assert!(
        line("b").contains(&format!("\tsecond/{own_database}\tt_b\t")),
        "{list}"
    );
    assert!(
        list.lines().all(|line| line.contains(" MB\t")),
        "every size is known:\n{list}"
    );

    let running = app.serve(free_port());
    let client = Client::new(&running.base);
    let entity = creatable_alone(model);
    let stored_on = |server: &Server, database: &str, schema: &str| -> i64 {
        server
            .connect(database)
            .query_one(
                &format!("SELECT count(*) FROM {schema}.{}", entity.table.name),
                &[],
            )
            .expect("the schema's rows")
            .get(0)
    };
    let mut tokens = BTreeMap::new();
    for slug in ["a", "b"] {
        let token = log_in_owner(&client, slug);
        let (status, body) = client.post(
            &entity.route,
            Some(&token),
            record(entity, 1, &BTreeMap::new()),
        );
        assert_eq!(status, 201, "{slug}: {body}");
        tokens.insert(slug, token);
    }
    assert_eq!(stored_on(main, database, "t_a"), 1);
    assert_eq!(
        stored_on(second, &own_database, "t_b"),
        1,
        "b's record is in its schema on the second server"
    );
    let b_records = listed(&client, &tokens["b"], entity);
    assert_eq!(b_records.len(), 1, "b reads its own record back");
    assert_eq!(
        listed(&client, &tokens["a"], entity).len(),
        1,
        "a reads its own only"
    );
    drop(running);

    let report = app.run(&["migrate"]);
    assert!(
        report.contains(&format!(
            "2 {}: 0 migrated, 2 up to date, 0 failed",
            model.tenant.plural
        )),
        "{report}"
    );

    let archive = bridge.scratch.path().join("b.tenant");
    let archive = archive.to_str().expect("a UTF-8 path");
    app.run(&["tenants", "delete", "b", "--export", archive]);
    assert!(
        !bridge.has_database(second, "b"),
        "deleting b drops its database there"
    );
    app.run(&["tenants", "import", archive]);
    assert!(
        has_schema(main, database, "t_b"),
        "the import lands in the control database"
    );
    let running = app.serve(free_port());
    let client = Client::new(&running.base);
    let token = log_in_owner(&client, "b");
    assert_eq!(
        listed(&client, &token, entity),
        b_records,
        "b's record came back with the import"
    );
}

/// Tenants `mover` and `other`, made by `app` with the `tenants create`
/// arguments `place`, each given 40 records of `entity` through `client`;
/// returns their owners' tokens.
fn mover_and_other(
    app: &App,
    client: &Client,
    entity: &Entity,
    place: &[&str],
) -> (String, String) {
    for slug in ["mover", "other"] {
        let email = owner(slug);
        let mut create = vec!["tenants", "create", slug];
        create.extend_from_slice(place);
        create.extend_from_slice(&["--owner-email", &email, "--owner-password", "password-1"]);
        app.run(&create);
    }
    let (mover, other) = (log_in_owner(client, "mover"), log_in_owner(client, "other"));
    for n in 0..40 {
        for token in [&mover, &other] {
            let (status, body) = client.post(
                &entity.route,
                Some(token),
                record(entity, n, &BTreeMap::new()),
            );
            assert_eq!(status, 201, "{body}");
        }
    }
    (mover, other)
}

/// What the clients saw while a move ran: one reading the moving tenant,
/// one writing to it, one writing to the other.
type SeenThroughMove = (Writes, Writes, Writes);

/// Runs the move `command` of `app` (served at `base`) while one client
/// reads the tenant of token `mover` in a loop, another creates, changes
/// and deletes its records of `entity`, and a third does the same to the
/// tenant of `other`, numbering the records they make from `first` (with
/// the move `back` in between, up to twice, when no write fell between the
/// move's snapshot and its hold); then
/// checks that every read was served, the other
/// tenant's writes were untouched, and the mover's writes succeeded or got
/// 503, with some caught up, each one that succeeded kept and each delete
/// holding. Returns what the command printed, and what each client saw.
fn move_under_load(
    app: &App,
    base: &str,
    entity: &Entity,
    (mover, other): (&str, &str),
    first: u32,
    (command, back): (&[&str], &[&str]),
) -> (String, SeenThroughMove) {
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let client_loop = |token: &str, work: fn(&Client, &str, &str, &Entity, &mut Writes, u32)| {
        let (base, token, entity, stop) = (
            base.to_owned(),
            token.to_owned(),
            entity.clone(),
            std::sync::Arc::clone(&stop),
        );
        std::thread::spawn(move || {
            let client = Client::new(&base);
            let mut writes = Writes::default();
            let mut n = first;
            while !stop.load(std::sync::atomic::Ordering::Acquire) {
                n += 1;
                work(&client, &token, &entity.route, &entity, &mut writes, n);
            }
            writes
        })
    };
    let reader = client_loop(mover, |client, token, route, _, writes, _| {
        writes.answer(client.get(route, Some(token)), 200, |_, _| {});
    });
    fn churn(
        client: &Client,
        token: &str,
        route: &str,
        entity: &Entity,
        writes: &mut Writes,
        n: u32,
    ) {
        let created = client.post(route, Some(token), record(entity, n, &BTreeMap::new()));
        writes.answer(created, 201, |(kept, _), body| {
            kept.insert(body["id"].as_str().expect("an id").to_owned(), body.clone());
        });
        if n.is_multiple_of(2)
            && let Some(id) = writes.kept.keys().next().cloned()
        {
            let changed = client.patch(
                &format!("{route}/{id}"),
                Some(token),
                record(entity, n + 100_000, &BTreeMap::new()),
            );
            writes.answer(changed, 200, |(kept, _), body| {
                kept.insert(id.clone(), body.clone());
            });
        }
        if n.is_multiple_of(3)
            && let Some(id) = writes.kept.keys().last().cloned()
        {
            let deleted = client.delete(&format!("{route}/{id}"), Some(token));
            writes.answer(deleted, 204, |(kept, gone), _| {
                kept.remove(&id);
                gone.push(id.clone());
            });
        }
    }
    let mover_writer = client_loop(mover, churn);
    let other_writer = client_loop(other, churn);
    std::thread::sleep(Duration::from_millis(300));
    // The scenario needs a write of the mover's between the snapshot and
    // the hold, which a busy machine may not fit in that moment: then the
    // tenant goes back, under the same load, and the move is tried again.
    let caught_up_rows = |moved: &str| -> u32 {
        moved
            .split(" caught up")
            .next()
            .and_then(|head| head.rsplit(' ').next())
            .and_then(|count| count.parse().ok())
            .unwrap_or_else(|| panic!("{moved}"))
    };
    let mut tries = 0;
    let (moved, caught_up) = loop {
        tries += 1;
        let moved = app.run(command);
        let caught_up = caught_up_rows(&moved);
        if caught_up > 0 || tries == 3 {
            break (moved, caught_up);
        }
        app.run(back);
    };
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, std::sync::atomic::Ordering::Release);
    let (reads, mover_writes, other_writes) = (
        reader.join().expect("reader"),
        mover_writer.join().expect("mover's writer"),
        other_writer.join().expect("other's writer"),
    );
    assert!(
        caught_up > 0,
        "writes between the snapshot and the switch were caught up: {moved}"
    );
    assert!(
        reads.answered > 10 && reads.refused == 0 && reads.failed.is_empty(),
        "every read of the moving tenant is served: {} refused, {:?}",
        reads.refused,
        reads.failed
    );
    assert!(
        other_writes.answered > 10 && other_writes.refused == 0 && other_writes.failed.is_empty(),
        "the other tenant's writes are untouched: {} refused, {:?}",
        other_writes.refused,
        other_writes.failed
    );
    assert!(
        mover_writes.failed.is_empty() && !mover_writes.gone.is_empty(),
        "the mover's writes succeed or get 503: {:?}",
        mover_writes.failed
    );
    let client = Client::new(base);
    for (id, body) in &mover_writes.kept {
        let (status, stored) = client.get(&format!("{}/{id}", entity.route), Some(mover));
        assert_eq!(
            (status, &stored),
            (200, body),
            "each write told it succeeded is kept"
        );
    }
    for id in &mover_writes.gone {
        let (status, _) = client.get(&format!("{}/{id}", entity.route), Some(mover));
        assert_eq!(status, 404, "each delete told it succeeded holds");
    }
    (moved, (reads, mover_writes, other_writes))
}

/// `tenants move` takes a silo tenant's database to another server while it
/// is served: a client reading it in a loop never fails, another tenant
/// writing in a loop never fails, every write the moving tenant was told
/// succeeded is there afterwards, and its records are the same through the
/// API. Stopped after each recorded step, as a crash would, and run again,
/// the move finishes, with the tenant's database on exactly one server.
#[test]
fn silo_tenants_move_between_servers_while_served() {
    let silo = TwoServers::set_up("move", "tracker.yaml");
    let TwoServers {
        main,
        second,
        model,
        app,
        database,
        ..
    } = &silo;
    // Rows are compared by their text, which each server writes in its own
    // time zone unless the move says otherwise.
    silo.second_in_another_time_zone();
    let entity = creatable_alone(model).clone();
    let running = app.serve(free_port());
    let client = Client::new(&running.base);
    let (mover, other) = mover_and_other(app, &client, &entity, &["--server", "main"]);
    let has_database = |server: &Server, slug: &str| silo.has_database(server, slug);

    let (moved, (_, mover_writes, other_writes)) = move_under_load(
        app,
        &running.base,
        &entity,
        (&mover, &other),
        1000,
        (
            &["tenants", "move", "mover", "--server", "second"],
            &["tenants", "move", "mover", "--server", "main"],
        ),
    );
    assert!(moved.contains("moved mover from main to second"), "{moved}");
    assert!(has_database(second, "mover") && !has_database(main, "mover"));
    let rows = |server: &Server, slug: &str| -> i64 {
        server
            .connect(&format!("{database}_{slug}"))
            .query_one(&format!("SELECT count(*) FROM {}", entity.table.name), &[])
            .expect("count")
            .get(0)
    };
    let count = |writes: &Writes| 40 + i64::try_from(writes.kept.len()).expect("a count");
    assert_eq!(rows(second, "mover"), count(&mover_writes));
    assert_eq!(
        rows(main, "other"),
        count(&other_writes),
        "the other tenant stays, with each of its records"
    );
    let listed_at = app.run(&["tenants", "list"]);
    assert!(
        listed_at.contains(&format!("\tsecond/{database}_mover\t")),
        "{listed_at}"
    );

    // Stopped after each step, then run again.
    let mut on = "second";
    for step in ["recorded", "copied", "frozen", "switched"] {
        let to = if on == "main" { "second" } else { "main" };
        let moving = ["tenants", "move", "mover", "--server", to];
        stop_and_run_again(app, (&client, &mover, &entity), &moving, step, &["migrate"]);
        on = to;
        let (here, there) = if on == "main" {
            (&main, &second)
        } else {
            (&second, &main)
        };
        assert!(
            has_database(here, "mover") && !has_database(there, "mover"),
            "{step}: the database is on {on} only"
        );
        assert_eq!(
            rows(here, "mover"),
            count(&mover_writes),
            "{step}: every record"
        );
    }
    let to = if on == "main" { "second" } else { "main" };
    busy_while_another_move_runs(
        app,
        main,
        database,
        &["tenants", "move", "mover", "--server", to],
    );
    let refused = app.run_fails(&["tenants", "move", "mover", "--server", on], &[]);
    assert!(refused.contains("already"), "{refused}");
}

/// `tenants move --server` takes a bridge tenant's schema from the control
/// database to a database of its own on another server while it is served,
/// and from there to a third and back: a client reading it in a loop never
/// fails, another tenant writing to the control database never fails, every
/// write the moving tenant was told succeeded is there afterwards, and its
/// schema is in one place only. Stopped after each recorded step, as a crash
/// would, and run again, the move finishes or is undone.
#[test]
fn bridge_tenants_move_between_servers_while_served() {
    let bridge = TwoServers::set_up("bmove", "helpdesk.yaml");
    let TwoServers {
        main,
        second,
        model,
        app,
        database,
        user,
        ..
    } = &bridge;
    // Rows are compared by their text, which each server writes in its own
    // time zone unless the move says otherwise.
    bridge.second_in_another_time_zone();
    // A third name for the main server: a schema placed there gets a
    // database of its own beside the control database, as on a third server.
    let app = &App {
        binary: app.binary.clone(),
        env: app
            .env
            .iter()
            .map(|(name, value)| match *name {
                "TENANT_SERVERS" => (
                    *name,
                    format!(
                        "{value} third={}",
                        main.url(user, "app-password", "postgres")
                    ),
                ),
                "TENANT_SERVER_ADMIN_URLS" => (
                    *name,
                    format!("{value} third={}", main.admin_url("postgres")),
                ),
                _ => (*name, value.clone()),
            })
            .collect(),
    };
    let entity = creatable_alone(model).clone();
    let own_database = format!("{database}_mover");
    let places: [(&str, &Server, &str); 3] = [
        ("main", main, database),
        ("second", second, &own_database),
        ("third", main, &own_database),
    ];
    let schema_in = |server: &Server, database: &str| -> Option<i64> {
        let exists = server
            .connect("postgres")
            .query_opt("SELECT FROM pg_database WHERE datname = $1", &[&database])
            .expect("pg_database")
            .is_some();
        if !exists {
            return None;
        }
        let mut client = server.connect(database);
        client
            .query_opt("SELECT FROM pg_namespace WHERE nspname = 't_mover'", &[])
            .expect("pg_namespace")?;
        Some(
            client
                .query_one(
                    &format!("SELECT count(*) FROM t_mover.{}", entity.table.name),
                    &[],
                )
                .expect("count")
                .get(0),
        )
    };
    // The schema, with `rows` rows, is at `on` and nowhere else.
    let only_at = |on: &str, rows: i64, what: &str| {
        for (name, server, database) in places {
            let found = schema_in(server, database);
            if name == on {
                assert_eq!(found, Some(rows), "{what}: every record, on {on}");
            } else {
                assert_eq!(found, None, "{what}: nothing left on {name}");
            }
        }
    };

    let running = app.serve(free_port());
    let client = Client::new(&running.base);
    let (mover, other) = mover_and_other(app, &client, &entity, &["--server", "main"]);
    let (moved, (_, mover_writes, other_writes)) = move_under_load(
        app,
        &running.base,
        &entity,
        (&mover, &other),
        1000,
        (
            &["tenants", "move", "mover", "--server", "second"],
            &["tenants", "move", "mover", "--server", "main"],
        ),
    );
    assert!(
        moved.contains(&format!(
            "moved mover from control to second/{own_database}"
        )),
        "{moved}"
    );
    let count = |writes: &Writes| 40 + i64::try_from(writes.kept.len()).expect("a count");
    only_at("second", count(&mover_writes), "moved under load");
    let others: i64 = main
        .connect(database)
        .query_one(
            &format!("SELECT count(*) FROM t_other.{}", entity.table.name),
            &[],
        )
        .expect("count")
        .get(0);
    assert_eq!(
        others,
        count(&other_writes),
        "the other tenant stays, with each of its records"
    );
    let list = app.run(&["tenants", "list"]);
    assert!(
        listed_line(&list, "mover").contains(&format!("\tsecond/{own_database}\tt_mover\t")),
        "{list}"
    );

    // Stopped after each step, then run again: to a third server, back to
    // the control database, out again, and between two servers.
    let mut on = "second";
    for (step, to) in [
        ("recorded", "third"),
        ("copied", "main"),
        ("frozen", "second"),
        ("switched", "third"),
    ] {
        let moving = ["tenants", "move", "mover", "--server", to];
        stop_and_run_again(app, (&client, &mover, &entity), &moving, step, &["migrate"]);
        on = to;
        only_at(on, count(&mover_writes), step);
    }
    let report = app.run(&["migrate"]);
    assert!(
        report.contains(&format!(
            "2 {}: 0 migrated, 2 up to date, 0 failed",
            model.tenant.plural
        )),
        "{report}"
    );
    busy_while_another_move_runs(
        app,
        main,
        database,
        &["tenants", "move", "mover", "--server", "main"],
    );
    let refused = app.run_fails(&["tenants", "move", "mover", "--server", on], &[]);
    assert!(refused.contains("already"), "{refused}");
    // A login that is not a superuser's reads no row past row-level
    // security: a move through one would switch to an empty copy, so it is
    // refused before it starts.
    let owners = format!(
        "second={} third={}",
        second.url(user, "app-password", "postgres"),
        main.admin_url("postgres")
    );
    let refused = app.run_fails(
        &["tenants", "move", "mover", "--server", "second"],
        &[("TENANT_SERVER_ADMIN_URLS", &owners)],
    );
    assert!(refused.contains("needs a superuser's URL"), "{refused}");
    only_at(on, count(&mover_writes), "after the refused move");

    // Moved while suspended, it is served again once resumed.
    app.run(&["tenants", "suspend", "mover"]);
    app.run(&["tenants", "move", "mover", "--server", "second"]);
    app.run(&["tenants", "resume", "mover"]);
    let token = log_in_owner(&client, "mover");
    let (status, body) = client.get(&entity.route, Some(&token));
    assert_eq!(
        status, 200,
        "served from second once the suspension is lifted: {body}"
    );
    only_at("second", count(&mover_writes), "moved while suspended");
}

/// `tenants move --to dedicated` takes a pool tenant's records from the
/// shared tables to a database of its own on another server while it is
/// served, and `--to shared` brings them back: a client reading it in a
/// loop never fails, another tenant writing to the same shared tables
/// never waits or fails, every write the moving tenant was told succeeded
/// is there afterwards, in one place only. Stopped after each recorded step,
/// as a crash would, and run again, the move finishes or is undone, with the
/// records in exactly one place. Its database moves to another server and
/// back. A migration added afterwards reaches the shared tables and the
/// moved tenant's database, and the way back carries its column.
#[test]
fn pool_tenants_move_to_a_database_of_their_own_and_back() {
    let pool = TwoServers::set_up("pmove", "crm.yaml");
    let TwoServers {
        main,
        second,
        model,
        app,
        database,
        ..
    } = &pool;
    let entity = creatable_alone(model).clone();
    let running = app.serve(free_port());
    let client = Client::new(&running.base);
    let (mover, other) = mover_and_other(app, &client, &entity, &[]);
    let own_database = format!("{database}_mover");
    // The mover's rows in the shared tables, and in its own database on
    // `second`, if it has one.
    let rows = |slug: &str| -> (i64, Option<i64>) {
        let shared = main
            .connect(database)
            .query_one(
                &format!(
                    "SELECT count(*) FROM {} WHERE tenant_id = (SELECT id FROM {} WHERE slug = $1)",
                    entity.table.name, model.database.tenants_table
                ),
                &[&slug],
            )
            .expect("count the shared rows")
            .get(0);
        let own = pool.has_database(second, slug).then(|| {
            second
                .connect(&own_database)
                .query_one(&format!("SELECT count(*) FROM {}", entity.table.name), &[])
                .expect("count the own rows")
                .get(0)
        });
        (shared, own)
    };
    let count = |writes: &Writes| 40 + i64::try_from(writes.kept.len()).expect("a count");

    let (moved, (_, mover_writes, other_writes)) = move_under_load(
        app,
        &running.base,
        &entity,
        (&mover, &other),
        1000,
        (
            &[
                "tenants",
                "move",
                "mover",
                "--to",
                "dedicated",
                "--server",
                "second",
            ],
            &["tenants", "move", "mover", "--to", "shared"],
        ),
    );
    assert!(
        moved.contains(&format!("moved mover from shared to second/{own_database}")),
        "{moved}"
    );
    let mover_records = count(&mover_writes);
    assert_eq!(rows("mover"), (0, Some(mover_records)));
    assert_eq!(
        rows("other"),
        (count(&other_writes), None),
        "the other tenant stays, with each of its records"
    );
    let listed_at = app.run(&["tenants", "list"]);
    assert!(
        listed_at.contains(&format!("\tsecond/{own_database}\t")),
        "{listed_at}"
    );

    // Stopped after each step, then run again.
    let mut dedicated = true;
    for step in ["recorded", "copied", "frozen", "switched"] {
        let moving: &[&str] = if dedicated {
            &["tenants", "move", "mover", "--to", "shared"]
        } else {
            &[
                "tenants",
                "move",
                "mover",
                "--to",
                "dedicated",
                "--server",
                "second",
            ]
        };
        let migrate = ["migrate", "--tenant", "mover"];
        stop_and_run_again(app, (&client, &mover, &entity), moving, step, &migrate);
        dedicated = !dedicated;
        let expected = if dedicated {
            (0, Some(mover_records))
        } else {
            (mover_records, None)
        };
        assert_eq!(rows("mover"), expected, "{step}: in one place only");
    }
    busy_while_another_move_runs(
        app,
        main,
        database,
        &["tenants", "move", "mover", "--to", "shared"],
    );

    // Its own database goes to another server and back, with every record.
    for (server, to, from) in [("main", main, second), ("second", second, main)] {
        let moved = app.run(&[
            "tenants",
            "move",
            "mover",
            "--to",
            "dedicated",
            "--server",
            server,
        ]);
        assert!(
            moved.contains(&format!("to {server}/{own_database}")),
            "{moved}"
        );
        assert!(
            pool.has_database(to, "mover") && !pool.has_database(from, "mover"),
            "on {server} only"
        );
        let own: i64 = to
            .connect(&own_database)
            .query_one(&format!("SELECT count(*) FROM {}", entity.table.name), &[])
            .expect("count the own rows")
            .get(0);
        assert_eq!(own, mover_records, "every record, on {server}");
    }

    // A new migration reaches the shared tables and the moved tenant's
    // database alike, and the way back carries its column.
    let project = pool.project();
    let next = std::fs::read_dir(project.join("migrations"))
        .expect("migrations")
        .count()
        + 1;
    std::fs::write(
        project.join(format!("migrations/{next:04}_add_loyalty.sql")),
        format!(
            "ALTER TABLE {} ADD COLUMN loyalty integer;\n",
            entity.table.name
        ),
    )
    .expect("write a migration");
    cargo(&project, &["build", "--quiet", "--locked"]);
    app.run(&["migrate"]);
    let loyalty = format!("UPDATE {} SET loyalty = 7", entity.table.name);
    for (server, name) in [(main, database.as_str()), (second, own_database.as_str())] {
        server
            .connect(name)
            .batch_execute(&loyalty)
            .unwrap_or_else(|err| panic!("{name} has the new column: {err}"));
    }
    let (moved, (_, mover_writes, _)) = move_under_load(
        app,
        &running.base,
        &entity,
        (&mover, &other),
        300_000,
        (
            &["tenants", "move", "mover", "--to", "shared"],
            &[
                "tenants",
                "move",
                "mover",
                "--to",
                "dedicated",
                "--server",
                "second",
            ],
        ),
    );
    assert!(
        moved.contains(&format!("moved mover from second/{own_database} to shared")),
        "{moved}"
    );
    let records = mover_records + i64::try_from(mover_writes.kept.len()).expect("a count");
    assert_eq!(rows("mover"), (records, None));
    let carried: i64 = main
        .connect(database)
        .query_one(
            &format!(
                "SELECT count(*) FROM {} WHERE loyalty = 7 AND tenant_id = (SELECT id FROM {} WHERE slug = 'mover')",
                entity.table.name, model.database.tenants_table
            ),
            &[],
        )
        .expect("count the carried column")
        .get(0);
    assert_eq!(
        carried, mover_records,
        "the new column came back with the rows"
    );
    let refused = app.run_fails(&["tenants", "move", "mover", "--to", "shared"], &[]);
    assert!(refused.contains("already"), "{refused}");
}

/// Runs the move `moving` of tenant `mover` (its owner's token `token`,
/// served through `client`) stopped after `step`, as a crash would, then
/// again. While it is stopped after the copy, `tenants delete` and
/// `migrate` (with `migrate`'s arguments) refuse the tenant; reads go on
/// at every step, and writes get 503 after `frozen`. Run again, it undoes
/// the interrupted move and starts over, or finishes it, and then the
/// tenant has the same records and takes writes.
fn stop_and_run_again(
    app: &App,
    (client, token, entity): (&Client, &str, &Entity),
    moving: &[&str],
    step: &str,
    migrate: &[&str],
) {
    let before = listed(client, token, entity);
    let stopped = app.run_fails(&[moving, &["--stop-after", step]].concat(), &[]);
    assert!(stopped.contains("stopped after"), "{step}: {stopped}");
    if step == "copied" {
        let refused = app.run_fails(&["tenants", "delete", "mover"], &[]);
        assert!(refused.contains("was interrupted"), "{refused}");
        let (ok, report) = app.run_status(migrate);
        assert!(!ok && report.contains("being moved"), "{report}");
    }
    // Reads go on whatever the step; after `frozen` and before the switch,
    // writes are refused rather than lost.
    assert_eq!(listed(client, token, entity), before, "{step}");
    if step == "frozen" {
        let (status, body) = client.post(
            &entity.route,
            Some(token),
            record(entity, 5000, &BTreeMap::new()),
        );
        assert_eq!(status, 503, "{step}: {body}");
    }
    let resumed = app.run(moving);
    let verb = if step == "switched" {
        "finished"
    } else {
        "undid"
    };
    assert!(
        resumed.contains(&format!("{verb} the interrupted move")),
        "{step}: {resumed}"
    );
    assert_eq!(
        listed(client, token, entity),
        before,
        "{step}: the same records"
    );
    let (status, body) = client.post(
        &entity.route,
        Some(token),
        record(entity, 6000, &BTreeMap::new()),
    );
    assert_eq!(status, 201, "{step}: writes again: {body}");
    let (status, _) = client.delete(
        &format!("{}/{}", entity.route, body["id"].as_str().expect("an id")),
        Some(token),
    );
    assert_eq!(status, 204, "{step}");
}

/// While another move of tenant `mover` holds its lock (in `database` on
/// `main`), neither the move `moving` nor a delete of the tenant goes ahead.
fn busy_while_another_move_runs(app: &App, main: &Server, database: &str, moving: &[&str]) {
    let mut elsewhere = main.connect(database);
    elsewhere
        .batch_execute("SELECT pg_advisory_lock(x'6d6f7665'::int, hashtext('mover'))")
        .expect("the move's lock");
    let busy = app.run_fails(moving, &[]);
    assert!(busy.contains("another `tenants move`"), "{busy}");
    let busy = app.run_fails(&["tenants", "delete", "mover"], &[]);
    assert!(busy.contains("is running"), "{busy}");
    drop(elsewhere);
}

/// Over HTTP, against the served app: refresh tokens rotate and a reused one
/// ends its session; logout and a password change end sessions; a removed
/// member, a demoted one and a suspended tenant lose their powers within the
/// membership window; concurrent guesses get at most the limit of answers;
/// and a login flood leaves another tenant's reads served.
fn sessions_and_floods(app: &App, model: &Model) {
    const WINDOW: Duration = Duration::from_millis(300);
    let running = app.serve_with(
        free_port(),
        &[
            ("MEMBERSHIP_CACHE_MS", "300"),
            ("TRUSTED_PROXIES", "127.0.0.1"),
        ],
    );
    let client = Client::new(&running.base);
    let login = |email: &str, password: &str| {
        client.post(
            "/auth/login",
            None,
            json!({"tenant": "gamma", "email": email, "password": password}),
        )
    };
    let refresh = |grant: &Value| {
        client
            .post(
                "/auth/refresh",
                None,
                json!({"refresh_token": grant["refresh_token"]}),
            )
            .0
    };
    let me = |grant: &Value| client.get("/auth/me", Some(&token_for(grant))).0;
    let (status, owner) = client.post(
        "/auth/signup",
        None,
        json!({"tenant": "gamma", "email": "owner@gamma.example", "password": "password-g"}),
    );
    assert_eq!(status, 201, "{owner}");
    let owner_token = token_for(&owner);
    let manager = &model.roles[0].name;
    let add = |email: &str, role: &str| -> String {
        let (status, member) = client.post(
            "/api/members",
            Some(&owner_token),
            json!({"email": email, "password": "password-m", "role": role}),
        );
        assert_eq!(status, 201, "add {email}: {member}");
        member["id"].as_str().expect("an id").to_owned()
    };

    // Rotation, and reuse ending the session.
    let member = add("member@gamma.example", manager);
    let (status, first) = login("member@gamma.example", "password-m");
    assert_eq!(status, 200, "{first}");
    let (status, second) = client.post(
        "/auth/refresh",
        None,
        json!({"refresh_token": first["refresh_token"]}),
    );
    assert_eq!(status, 200, "refresh: {second}");
    assert_eq!(refresh(&first), 401, "a spent refresh token");
    assert_eq!(refresh(&second), 401, "its session ended with the reuse");
    assert_eq!(me(&second), 401, "and so did its access tokens");

    // Logout, then a password change, end sessions.
    let (_, session) = login("member@gamma.example", "password-m");
    let (status, _) = client.post(
        "/auth/logout",
        None,
        json!({"refresh_token": session["refresh_token"]}),
    );
    assert_eq!(status, 204);
    assert_eq!(me(&session), 401, "logged out");
    let (_, here) = login("member@gamma.example", "password-m");
    let (_, elsewhere) = login("member@gamma.example", "password-m");
    let (status, body) = client.post(
        "/auth/password",
        Some(&token_for(&here)),
        json!({"current_password": "password-m", "new_password": "password-n"}),
    );
    assert_eq!(status, 204, "{body}");
    assert_eq!(me(&here), 200, "the session that changed it goes on");
    assert_eq!(me(&elsewhere), 401, "the other session ended");
    assert_eq!(login("member@gamma.example", "password-m").0, 401);

    // A removed member.
    let (status, _) = client.delete(&format!("/api/members/{member}"), Some(&owner_token));
    assert_eq!(status, 204);
    assert_eq!(me(&here), 401, "removed");

    // A demoted one acts with the new role.
    if let [first_role, .., last_role] = model.roles.as_slice() {
        let demoted = add("demoted@gamma.example", &first_role.name);
        let (_, grant) = login("demoted@gamma.example", "password-m");
        assert_eq!(client.get("/api/members", Some(&token_for(&grant))).0, 200);
        let (status, _) = client.patch(
            &format!("/api/members/{demoted}"),
            Some(&owner_token),
            json!({"role": last_role.name}),
        );
        assert_eq!(status, 200);
        assert_eq!(
            client.get("/api/members", Some(&token_for(&grant))).0,
            403,
            "demoted"
        );
    }

    // A suspended tenant, through the operator command.
    app.run(&["tenants", "suspend", "gamma"]);
    std::thread::sleep(WINDOW + Duration::from_millis(200));
    assert_eq!(
        client.get("/auth/me", Some(&owner_token)).0,
        403,
        "suspended"
    );
    assert_eq!(login("owner@gamma.example", "password-g").0, 403);
    app.run(&["tenants", "resume", "gamma"]);
    let (status, _) = login("owner@gamma.example", "password-g");
    assert_eq!(status, 200, "resumed");

    // Concurrent guesses: at most the limit of answers.
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let guesses: Vec<_> = (0..30)
            .map(|_| scope.spawn(|| login("owner@gamma.example", "not-the-password").0))
            .collect();
        guesses
            .into_iter()
            .map(|guess| guess.join().expect("a guess"))
            .collect()
    });
    // A 503 is the hashing queue turning a guess away on a busy machine
    // (it waited past its 2 seconds): refused, like a 429, not answered.
    let answered = statuses.iter().filter(|status| **status == 401).count();
    assert!(
        answered <= 10
            && statuses
                .iter()
                .all(|status| [401, 429, 503].contains(status)),
        "{answered} of 30 concurrent guesses were answered: {statuses:?}"
    );

    // A flood of logins from many addresses (through the trusted proxy)
    // while another tenant reads.
    let (_, reader) = client.post(
        "/auth/signup",
        None,
        json!({"tenant": "delta", "email": "reader@delta.example", "password": "password-d"}),
    );
    let reader = token_for(&reader);
    std::thread::scope(|scope| {
        let flood: Vec<_> = (0..8)
            .map(|thread| {
                let agent = client.agent.clone();
                let url = format!("{}/auth/login", client.base);
                scope.spawn(move || {
                    (0..25)
                        .map(|n| {
                            let response = agent
                                .post(&url)
                                .header("x-forwarded-for", format!("10.9.{thread}.{n}"))
                                .send_json(json!({"tenant": "gamma", "email": format!("guess{thread}x{n}@gamma.example"), "password": "not-the-password"}))
                                .expect("a login");
                            response.status().as_u16()
                        })
                        .collect::<Vec<u16>>()
                })
            })
            .collect();
        for read in 0..20 {
            let (status, body) = client.get("/auth/me", Some(&reader));
            assert_eq!(status, 200, "read {read} during the flood: {body}");
        }
        for thread in flood {
            let statuses = thread.join().expect("a flooding thread");
            assert!(
                statuses.iter().all(|status| [401, 503].contains(status)),
                "flooding logins: {statuses:?}"
            );
        }
    });

    // Pool: a tenant deleted with an export of its rows comes back from it,
    // its users signing in as before.
    if model.isolation == Isolation::Pool {
        let scratch = tempfile::tempdir().expect("a scratch folder");
        let file = scratch.path().join("delta.archive");
        let file = file.to_str().expect("a UTF-8 path");
        let printed = app.run(&["tenants", "delete", "delta", "--export", file]);
        assert!(
            printed.contains("exported delta") && printed.contains("deleted delta"),
            "{printed}"
        );
        std::thread::sleep(WINDOW + Duration::from_millis(200));
        assert_eq!(client.get("/auth/me", Some(&reader)).0, 401, "deleted");
        let printed = app.run(&["tenants", "import", file]);
        assert!(printed.contains("imported delta"), "{printed}");
        let (status, grant) = client.post(
            "/auth/login",
            None,
            json!({"tenant": "delta", "email": "reader@delta.example", "password": "password-d"}),
        );
        assert_eq!(status, 200, "imported: {grant}");
    }
}

/// `serve` refuses to start without JWT_SECRET, with a short one, and with
/// any secret tenantgen ever printed; `serve --dev` makes one of its own,
/// kept for the next run, readable by its owner only.
fn serve_refuses_known_secrets(app: &App) {
    let short = "x".repeat(31);
    for secret in tenantgen::render::PUBLISHED_SECRETS
        .iter()
        .copied()
        .chain(["", short.as_str()])
    {
        let refused = app.run_fails(&["serve"], &[("JWT_SECRET", secret)]);
        assert!(
            refused.contains("JWT_SECRET"),
            "serve with JWT_SECRET={secret:?} says why it refuses: {refused}"
        );
    }
    let refused = app.run_fails(&["serve"], &[("METRICS_TOKEN", "change-me-too")]);
    assert!(refused.contains("METRICS_TOKEN"), "{refused}");

    let folder = tempfile::tempdir().expect("temporary folder");
    let port = free_port();
    let mut child = Command::new(&app.binary)
        .args(["serve", "--dev"])
        .current_dir(folder.path())
        .envs(app.env.iter().map(|(k, v)| (*k, v.as_str())))
        .env("JWT_SECRET", "")
        .env("PORT", port.to_string())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("start serve --dev");
    let probe = Client::new(&format!("http://127.0.0.1:{port}"));
    let started = Instant::now();
    while !probe.answers("/healthz") {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "serve --dev did not come up"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    let secret = folder.path().join(".dev/jwt-secret");
    let kept = std::fs::read_to_string(&secret).expect("serve --dev keeps its secret");
    assert!(kept.trim().len() >= 32, "a long secret");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&secret)
            .expect("the secret file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the secret is its owner's only");
    }
}

/// With JWT_PUBLIC_KEY, tokens come from an identity provider: ES256 only,
/// its issuer and audience only; this server neither signs up nor mints.
fn external_identity_provider(app: &App, model: &Model, server: &Server, database: &str) {
    let created = app.run(&[
        "tenants",
        "create",
        "external",
        "--owner-email",
        "idp-user@example.com",
        "--owner-password",
        "unused-password",
    ]);
    let tenant = created
        .split(['(', ')'])
        .nth(1)
        .unwrap_or_else(|| panic!("a tenant id in {created:?}"))
        .to_owned();
    // The provider's subject must be a member, like any other caller.
    let user: String = server
        .connect(database)
        .query_one(
            &format!(
                "SELECT id::text FROM {} WHERE email = 'idp-user@example.com'",
                model.database.users_table
            ),
            &[],
        )
        .expect("the provider's user")
        .get(0);
    let external = App {
        binary: app.binary.clone(),
        env: app
            .env
            .iter()
            .filter(|(name, _)| *name != "JWT_SECRET")
            .cloned()
            .chain([
                ("JWT_PUBLIC_KEY", IDP_PUBLIC_KEY.to_owned()),
                ("JWT_ISSUER", "https://idp.example/".to_owned()),
                ("JWT_AUDIENCE", model.app.clone()),
            ])
            .collect(),
    };
    let refused = external.run_fails(
        &["token", "--tenant", "external", "--email", "x@example.com"],
        &[],
    );
    assert!(refused.contains("JWT_PUBLIC_KEY"), "{refused}");

    let running = external.serve(free_port());
    let client = Client::new(&running.base);
    let claims = |issuer: &str, audience: &str| {
        json!({"sub": user, "tenant_id": tenant, "role": model.roles[0].name,
               "iat": 1_700_000_000_i64, "exp": 4_000_000_000_i64, "iss": issuer, "aud": audience})
    };
    let es256 = |claims: &Value| {
        jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256),
            claims,
            &jsonwebtoken::EncodingKey::from_ec_pem(IDP_PRIVATE_KEY.as_bytes())
                .expect("the test key"),
        )
        .expect("encode")
    };
    let route = signed_in_route(model);
    let good = es256(&claims("https://idp.example/", &model.app));
    let (status, body) = client.get(route, Some(&good));
    assert_eq!(status, 200, "a provider token: {body}");
    let confused = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims("https://idp.example/", &model.app),
        &jsonwebtoken::EncodingKey::from_secret(IDP_PUBLIC_KEY.as_bytes()),
    )
    .expect("encode");
    for (label, token) in [
        (
            "wrong issuer",
            es256(&claims("https://evil.example/", &model.app)),
        ),
        (
            "wrong audience",
            es256(&claims("https://idp.example/", "another-app")),
        ),
        ("HS256 signed with the public key", confused),
        ("a subject who is no member", {
            let mut stranger = claims("https://idp.example/", &model.app);
            stranger["sub"] = json!("00000000-0000-4000-8000-000000000001");
            es256(&stranger)
        }),
    ] {
        let (status, _) = client.get(route, Some(&token));
        assert_eq!(status, 401, "{label}");
    }
    let (status, _) = client.post(
        "/auth/signup",
        None,
        json!({"tenant": "nope", "email": "n@example.com", "password": "password-n"}),
    );
    assert_eq!(status, 403, "no sign-up with an external identity provider");
}

/// Global rows are written by the operator, not through the API: one per
/// global entity, straight into the database.
fn seed_global_rows(server: &Server, database: &str, model: &Model) -> BTreeMap<usize, String> {
    let mut admin = server.connect(database);
    let mut ids = BTreeMap::new();
    for idx in model.creation_order_of(Scope::Global) {
        let entity = &model.entities[idx];
        let mut row = serde_json::Map::new();
        for field in entity.fields.iter().filter(|f| f.required) {
            row.insert(field.column.clone(), json_value(field, 1, &ids));
        }
        let columns: Vec<&str> = entity
            .fields
            .iter()
            .filter(|f| f.required)
            .map(|f| f.column_sql.as_str())
            .collect();
        let table = &entity.table.name;
        let id: String = if columns.is_empty() {
            admin.query_one(&format!("INSERT INTO {table} DEFAULT VALUES RETURNING id::text"), &[])
        } else {
            let columns = columns.join(", ");
            admin.query_one(
                &format!(
                    "INSERT INTO {table} ({columns}) SELECT {columns} FROM jsonb_populate_record(NULL::{table}, $1::text::jsonb) RETURNING id::text"
                ),
                &[&Value::Object(row).to_string()],
            )
        }
        .unwrap_or_else(|err| panic!("seed {table}: {err}"))
        .get(0);
        ids.insert(idx, id);
    }
    ids
}

/// A route that answers a signed-in caller: a tenant entity's list, or a
/// global entity's where the spec has only those.
fn signed_in_route(model: &Model) -> &str {
    &model
        .tenant_entities()
        .chain(&model.entities)
        .next()
        .expect("a spec has an entity")
        .route
}

fn drive(app: &App, model: &Model, spec: &Path, globals: BTreeMap<usize, String>) {
    let running = app.serve(free_port());
    let client = Client::new(&running.base);
    let what = spec.display();
    api_documentation(&client, model, &what.to_string());

    let (status, body) = client.post(
        "/auth/signup",
        None,
        json!({"tenant": "alpha", "email": "A@Example.com", "password": "password-a"}),
    );
    assert_eq!(status, 201, "{what}: signup A: {body}");
    let a = token_for(&body);
    let (status, body) = client.post(
        "/auth/signup",
        None,
        json!({"tenant": "beta", "email": "b@example.com", "password": "password-b"}),
    );
    assert_eq!(status, 201, "{what}: signup B: {body}");
    let b = token_for(&body);
    let (status, me_b) = client.get("/auth/me", Some(&b));
    assert_eq!(
        (status, me_b["tenant"].as_str()),
        (200, Some("beta")),
        "{what}: B's token is B's"
    );
    let (status, _) = client.post(
        "/auth/signup",
        None,
        json!({"tenant": "alpha", "email": "x@example.com", "password": "password-x"}),
    );
    assert_eq!(status, 422, "{what}: a taken slug");

    let (status, me) = client.get("/auth/me", Some(&a));
    assert_eq!(
        (status, me["email"].as_str(), me["tenant"].as_str()),
        (200, Some("a@example.com"), Some("alpha")),
        "{what}: me"
    );
    assert_eq!(me["role"], json!(model.roles[0].name));
    let (status, body) = client.post(
        "/auth/login",
        None,
        json!({"tenant": "alpha", "email": "a@example.com", "password": "password-a"}),
    );
    assert_eq!(status, 200, "{what}: login: {body}");
    for wrong in [
        json!({"tenant": "alpha", "email": "a@example.com", "password": "password-b"}),
        json!({"tenant": "beta", "email": "a@example.com", "password": "password-a"}),
        json!({"tenant": "gamma", "email": "a@example.com", "password": "password-a"}),
    ] {
        let (status, body) = client.post("/auth/login", None, wrong.clone());
        assert_eq!(status, 401, "{what}: login with {wrong}: {body}");
    }

    // Forged and missing tokens.
    let entity_route = signed_in_route(model);
    let (_, payload) = a.split_once('.').expect("a JWT");
    let payload = payload.split('.').next().expect("a JWT payload");
    let none_token = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.");
    let tampered = format!("{}x", &a[..a.len() - 1]);
    let claims: Value = {
        let (status, me) = client.get("/auth/me", Some(&a));
        assert_eq!(status, 200);
        json!({"sub": me["user_id"], "tenant_id": me["tenant_id"], "role": me["role"], "iat": 1_000_000_000, "exp": 1_000_000_600})
    };
    let expired = hs256(jwt_secret(), &model.app, claims.clone());
    let wrong_key = hs256(
        "a-secret-of-another-environment-0123456789",
        &model.app,
        json!({"sub": claims["sub"], "tenant_id": claims["tenant_id"], "role": claims["role"], "iat": 0, "exp": 4_000_000_000_i64}),
    );
    for (label, token) in [
        ("no token", None),
        ("alg none", Some(none_token.as_str())),
        ("tampered", Some(tampered.as_str())),
        ("expired", Some(expired.as_str())),
        ("wrong key", Some(wrong_key.as_str())),
    ] {
        let (status, body) = client.get(entity_route, token);
        assert_eq!(status, 401, "{what}: {label}: {body}");
        assert!(
            body.get("detail").is_none(),
            "{what}: {label}: a 401 says nothing more: {body}"
        );
    }

    // A token per role and tenant, minted by the operator command, so each
    // action is tried with a role the spec allows.
    let tokens = |tenant: &str, email: &str| -> BTreeMap<String, String> {
        model
            .roles
            .iter()
            .map(|role| {
                let token = app.run(&[
                    "token", "--tenant", tenant, "--email", email, "--role", &role.name,
                ]);
                (role.name.clone(), token.trim().to_owned())
            })
            .collect()
    };
    let a_tokens = tokens("alpha", "a@example.com");
    let b_tokens = tokens("beta", "b@example.com");
    let allowed = |roles: &[tenantgen::model::Role], tokens: &BTreeMap<String, String>| {
        roles.first().map(|role| tokens[&role.name].clone())
    };

    // Every tenant entity: A creates, B can't see or touch it.
    let mut created: BTreeMap<usize, String> = globals.clone();
    let mut b_created: BTreeMap<usize, String> = globals;
    for idx in model.creation_order_of(Scope::Tenant) {
        let entity = &model.entities[idx];
        let route = &entity.route;
        let permissions = &entity.permissions;
        let (Some(a_create), Some(b_create)) = (
            allowed(&permissions.create, &a_tokens),
            allowed(&permissions.create, &b_tokens),
        ) else {
            // Nobody may create these: every role is refused.
            for token in a_tokens.values() {
                let (status, _) = client.post(route, Some(token), record(entity, 1, &created));
                assert_eq!(status, 403, "{what}: create {route} is allowed to no role");
            }
            continue;
        };
        if !entity.api_creatable {
            // Some role may create these, but each requires a record that no
            // client can make: the creator is refused for the missing one.
            let (status, problem) =
                client.post(route, Some(&a_create), record(entity, 1, &created));
            assert_eq!(
                status, 422,
                "{what}: create {route} with a required record missing: {problem}"
            );
            continue;
        }
        let a_read = allowed(&permissions.read, &a_tokens);
        let b_read = allowed(&permissions.read, &b_tokens);
        let b_update = allowed(&permissions.update, &b_tokens);
        let b_delete = allowed(&permissions.delete, &b_tokens);
        let a_update = allowed(&permissions.update, &a_tokens);

        let mut body = record(entity, 1, &created);
        body["tenant_id"] = json!("00000000-0000-4000-8000-00000000000b");
        let (status, stored) = client.post(route, Some(&a_create), body);
        assert_eq!(status, 201, "{what}: create {route}: {stored}");
        let id = stored["id"].as_str().expect("an id").to_owned();
        assert!(
            stored.get("tenant_id").is_none(),
            "{what}: the tenant is not part of the record"
        );
        created.insert(idx, id.clone());

        // B may reuse A's unique values: uniqueness is per tenant.
        let (status, stored_b) = client.post(route, Some(&b_create), record(entity, 1, &b_created));
        assert_eq!(
            status, 201,
            "{what}: B creates with A's values in {route}: {stored_b}"
        );
        b_created.insert(idx, stored_b["id"].as_str().expect("an id").to_owned());

        if let Some(b_read) = &b_read {
            let (status, list) = client.get(route, Some(b_read));
            assert_eq!(status, 200, "{what}: B lists {route}");
            let ids: Vec<&str> = list["items"]
                .as_array()
                .expect("items")
                .iter()
                .filter_map(|item| item["id"].as_str())
                .collect();
            assert!(
                !ids.contains(&id.as_str()),
                "{what}: B sees A's record in {route}"
            );
            let (missing_status, missing_body) = client.get(
                &format!("{route}/00000000-0000-4000-8000-000000000999"),
                Some(b_read),
            );
            let (status, foreign_body) = client.get(&format!("{route}/{id}"), Some(b_read));
            assert_eq!(
                (status, &foreign_body),
                (missing_status, &missing_body),
                "{what}: A's record and a missing one look the same to B"
            );
            assert_eq!(status, 404);
        }
        if let Some(b_update) = &b_update {
            let (status, _) = client.patch(&format!("{route}/{id}"), Some(b_update), json!({}));
            assert_eq!(status, 404, "{what}: B updates A's record");
        }
        if let Some(b_delete) = &b_delete {
            let (status, _) = client.delete(&format!("{route}/{id}"), Some(b_delete));
            assert_eq!(status, 404, "{what}: B deletes A's record");
        }
        if let Some(a_read) = &a_read {
            let (status, again) = client.get(&format!("{route}/{id}"), Some(a_read));
            assert_eq!(status, 200, "{what}: A's record survived B");
            assert_eq!(
                again["updated_at"], stored["updated_at"],
                "{what}: unchanged by B"
            );
            search(
                &client,
                a_read,
                entity,
                &stored,
                &format!("{what}: {route}"),
            );
        }

        // A reference to B's record fails exactly like one to a missing record.
        if let Some(a_update) = &a_update {
            for field in entity.fields.iter().filter(|f| {
                f.reference
                    .as_ref()
                    .is_some_and(|r| model.entities[r.entity_index].tenant_scoped)
            }) {
                let target = field.reference.as_ref().expect("checked").entity_index;
                let Some(foreign) = b_created.get(&target) else {
                    continue;
                };
                let (status, foreign_error) = client.patch(
                    &format!("{route}/{id}"),
                    Some(a_update),
                    json!({ field.name.clone(): foreign }),
                );
                let (missing_status, missing_error) = client.patch(
                    &format!("{route}/{id}"),
                    Some(a_update),
                    json!({ field.name.clone(): "00000000-0000-4000-8000-000000000998" }),
                );
                assert_eq!(
                    (status, &foreign_error),
                    (missing_status, &missing_error),
                    "{what}: {route}.{}",
                    field.name
                );
                assert_eq!(
                    status, 422,
                    "{what}: {route}.{}: {foreign_error}",
                    field.name
                );
            }
        }

        // Validation: every required field without a default is reported.
        let required: Vec<&str> = entity
            .fields
            .iter()
            .filter(|f| f.required && f.default.is_none())
            .map(|f| f.name.as_str())
            .collect();
        if !required.is_empty() {
            let (status, problem) = client.post(route, Some(&a_create), json!({}));
            assert_eq!(status, 422, "{what}: empty {route}");
            for name in required {
                assert!(
                    problem["errors"].get(name).is_some(),
                    "{what}: {route} reports missing `{name}`: {problem}"
                );
            }
        }
        let (status, _) = client.request("POST", route, Some(&a_create), Some(&json!([1, 2])));
        assert_eq!(status, 400, "{what}: a body that is not an object");

        // The role matrix: each role gets 2xx or 403 exactly as the spec says.
        for (n, role) in (10..).zip(&model.roles) {
            let token = &a_tokens[&role.name];
            let may = |roles: &[tenantgen::model::Role]| roles.iter().any(|r| r.name == role.name);
            let (status, _) = client.get(route, Some(token));
            assert_eq!(
                status,
                if may(&permissions.read) { 200 } else { 403 },
                "{what}: {} lists {route}",
                role.name
            );
            let (status, _) = client.get(&format!("{route}/{id}"), Some(token));
            assert_eq!(
                status,
                if may(&permissions.read) { 200 } else { 403 },
                "{what}: {} reads {route}",
                role.name
            );
            let (status, body) = client.post(route, Some(token), record(entity, n, &created));
            assert_eq!(
                status,
                if may(&permissions.create) { 201 } else { 403 },
                "{what}: {} creates {route}: {body}",
                role.name
            );
            let target = body["id"]
                .as_str()
                .map_or_else(|| id.clone(), str::to_owned);
            let (status, _) = client.patch(&format!("{route}/{target}"), Some(token), json!({}));
            assert_eq!(
                status,
                if may(&permissions.update) { 200 } else { 403 },
                "{what}: {} updates {route}",
                role.name
            );
            if body["id"].is_string() {
                let (status, _) = client.delete(&format!("{route}/{target}"), Some(token));
                assert_eq!(
                    status,
                    if may(&permissions.delete) { 204 } else { 403 },
                    "{what}: {} deletes {route}",
                    role.name
                );
            }
        }
    }

    // Global entities are read-only.
    for entity in model.global_entities() {
        let (status, _) = client.get(&entity.route, Some(&a));
        assert_eq!(status, 200, "{what}: read {}", entity.route);
        let (status, body) = client.post(&entity.route, Some(&a), json!({}));
        assert_eq!(status, 405, "{what}: write {}", entity.route);
        assert_eq!(
            body["status"], 405,
            "{what}: a 405 is problem+json too: {body}"
        );
    }

    // Members: the first role manages them.
    let (status, members) = client.get("/api/members", Some(&a));
    assert_eq!(status, 200, "{what}: members");
    assert_eq!(members["items"].as_array().map(Vec::len), Some(1));

    // Deleting honours references: 204, or 409 while a restricting reference remains.
    let order: Vec<usize> = model.creation_order_of(Scope::Tenant).collect();
    for idx in order.into_iter().rev() {
        let entity = &model.entities[idx];
        let (Some(id), Some(token)) = (
            created.get(&idx),
            allowed(&entity.permissions.delete, &a_tokens),
        ) else {
            continue;
        };
        let route = &entity.route;
        let (status, body) = client.delete(&format!("{route}/{id}"), Some(&token));
        assert!(
            [204, 409].contains(&status),
            "{what}: delete {route}: {status} {body}"
        );
    }

    let (status, body) = client.get("/api/no-such-route", Some(&a));
    assert_eq!(
        (status, &body["status"]),
        (404, &json!(404)),
        "{what}: unknown routes answer problem+json"
    );

    // The OpenAPI document lists every route.
    let (status, openapi) = client.get("/openapi.json", None);
    assert_eq!(status, 200, "{what}: openapi");
    assert!(
        openapi["openapi"]
            .as_str()
            .is_some_and(|version| version.starts_with("3.1")),
        "{what}: {}",
        openapi["openapi"]
    );
    for route in ["/auth/signup", "/auth/login", "/auth/me", "/api/members"]
        .into_iter()
        .map(str::to_owned)
        .chain(
            model
                .entities
                .iter()
                .flat_map(|e| [e.route.clone(), format!("{}/{{id}}", e.route)]),
        )
    {
        assert!(
            openapi["paths"].get(&route).is_some(),
            "{what}: /openapi.json lacks {route}"
        );
    }

    let metrics = |token: Option<&str>| {
        let mut request = client.agent.get(format!("{}/metrics", client.base));
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let response = request.call().expect("GET /metrics");
        let nosniff = response.headers().get("x-content-type-options").cloned();
        (response.status().as_u16(), nosniff)
    };
    for (label, token, expected) in [
        ("no token", None, 401),
        (
            "a wrong token",
            Some("metrics-token-of-another-test-0000"),
            401,
        ),
        ("the token", Some(METRICS_TOKEN), 200),
    ] {
        let (status, nosniff) = metrics(token);
        assert_eq!(status, expected, "{what}: metrics with {label}");
        assert_eq!(
            nosniff.as_ref().and_then(|value| value.to_str().ok()),
            Some("nosniff"),
            "{what}: metrics with {label}"
        );
    }
    let (status, _) = client.get("/readyz", None);
    assert_eq!(status, 200, "{what}: ready");
}

/// The catalog of one schema, in a form two databases can be compared by:
/// tables with their security and grants, columns (in any order), every
/// constraint, index and policy.
const CATALOG: &str = "
SELECT line FROM (
    SELECT format('table %s rls=%s force=%s owner=%s acl=%s', c.relname, c.relrowsecurity,
                  c.relforcerowsecurity, pg_get_userbyid(c.relowner),
                  (SELECT string_agg(a::text, ',' ORDER BY a::text) FROM unnest(c.relacl) a)) AS line
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relkind = 'r'
    UNION ALL
    SELECT format('column %s.%s %s null=%s default=%s', table_name, column_name, data_type,
                  is_nullable, column_default)
      FROM information_schema.columns WHERE table_schema = $1
    UNION ALL
    SELECT format('constraint %s %s %s', conrelid::regclass, conname, pg_get_constraintdef(oid))
      FROM pg_constraint WHERE connamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1)
    UNION ALL
    SELECT format('index %s', indexdef) FROM pg_indexes WHERE schemaname = $1
    UNION ALL
    SELECT format('policy %s %s %s %s %s %s', tablename, policyname, permissive, cmd, qual, with_check)
      FROM pg_policies WHERE schemaname = $1
    UNION ALL
    SELECT format('function %s owner=%s acl=%s', pg_get_functiondef(p.oid), pg_get_userbyid(p.proowner),
                  (SELECT string_agg(a::text, ',' ORDER BY a::text) FROM unnest(p.proacl) a))
      FROM pg_proc p WHERE p.pronamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1)
) lines ORDER BY line";

fn catalog(server: &Server, database: &str, schema: &str) -> Vec<String> {
    server
        .connect(database)
        .query(CATALOG, &[&schema])
        .unwrap_or_else(|err| panic!("read the catalog of {database}.{schema}: {err}"))
        .iter()
        .map(|row| row.get(0))
        .collect()
}

/// Where the tables live, per database: (database, schema) pairs to compare
/// for a project whose database is `database`, with tenant `alpha`.
fn schemas(isolation: Isolation, database: &str) -> Vec<(String, &'static str)> {
    match isolation {
        Isolation::Pool => vec![
            (database.to_owned(), "public"),
            (database.to_owned(), "control"),
        ],
        Isolation::Bridge => vec![
            (database.to_owned(), "public"),
            (database.to_owned(), "control"),
            (database.to_owned(), "t_alpha"),
        ],
        Isolation::Silo => vec![
            (database.to_owned(), "public"),
            (database.to_owned(), "control"),
            (format!("{database}_alpha"), "public"),
        ],
    }
}

/// Every record of a tenant entity a tenant can list, by id.
fn listed(client: &Client, token: &str, entity: &Entity) -> BTreeMap<String, Value> {
    let (status, body) = client.get(&format!("{}?limit=200", entity.route), Some(token));
    assert_eq!(status, 200, "list {}: {body}", entity.route);
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| (item["id"].as_str().expect("an id").to_owned(), item.clone()))
        .collect()
}

/// The scripted spec edits of `tests/updates/`, against PostgreSQL: a
/// project generated from the first spec is migrated and given data (two
/// tenants, records of every entity); then every step is applied with
/// `gen update`, and the rebuilt project migrates that same database, every
/// tenant through the orchestrator. Afterwards each record is still there,
/// in its own tenant only, with its values (renamed tables included); new
/// records can be created; the schema is the one a fresh project of the
/// final spec creates, constraint for constraint; and the project's own
/// test suite passes. In pool and bridge mode a tenant exported by the
/// first build and imported after the updates reads, through the API, as
/// the migrations left it in place.
#[test]
fn appended_migrations_keep_the_data_and_match_a_fresh_schema() {
    let server = Server::start();
    for (case, folder) in updates::cases() {
        let steps = updates::steps(&folder);
        let scratch = tempfile::tempdir().expect("temporary folder");
        let project = scratch.path().join("project");
        updates::start(&steps, scratch.path(), &project);
        let first = tenantgen::load(&steps[0].name, &steps[0].source).expect("a valid start");
        cargo(&project, &["build", "--quiet", "--locked"]);
        let database = format!("gen_evolve_{}", first.app);
        let app = App::new(&server, &first, &database, &format!("{}_evolve", first.app));
        app.run(&["db", "setup"]);
        app.run(&["migrate"]);
        let globals = seed_global_rows(&server, &database, &first);

        // Two tenants, two records of every tenant entity each.
        let running = app.serve(free_port());
        let client = Client::new(&running.base);
        let mut tokens = BTreeMap::new();
        let mut before: BTreeMap<(&str, String), BTreeMap<String, Value>> = BTreeMap::new();
        for tenant in ["alpha", "beta"] {
            let (status, body) = client.post(
                "/auth/signup",
                None,
                json!({"tenant": tenant, "email": format!("owner@{tenant}.example"), "password": "password-1"}),
            );
            assert_eq!(status, 201, "{case}: sign up {tenant}: {body}");
            let token = token_for(&body);
            let mut refs = globals.clone();
            for idx in first.creation_order_of(Scope::Tenant) {
                let entity = &first.entities[idx];
                for n in 1..=2 {
                    let (status, stored) =
                        client.post(&entity.route, Some(&token), record(entity, n, &refs));
                    assert_eq!(status, 201, "{case}: create {}: {stored}", entity.route);
                    refs.insert(idx, stored["id"].as_str().expect("an id").to_owned());
                }
                before.insert(
                    (tenant, entity.names.singular.clone()),
                    listed(&client, &token, entity),
                );
            }
            tokens.insert(tenant, token);
        }
        drop(running);
        // An archive of the first build, imported after the updates below.
        let archive = scratch.path().join("alpha.archive");
        app.run(&[
            "tenants",
            "export",
            "alpha",
            "-o",
            archive.to_str().expect("a UTF-8 path"),
        ]);

        // The edits, each a `gen update`; which entity each old one became.
        let mut became: BTreeMap<String, Option<String>> = first
            .tenant_entities()
            .map(|entity| {
                (
                    entity.names.singular.clone(),
                    Some(entity.names.singular.clone()),
                )
            })
            .collect();
        let spec_path = project.join("spec.yaml");
        let mut model = first.clone();
        for step in steps.iter().skip(1).filter(|step| !step.plan_only) {
            let previous = std::fs::read(&spec_path).expect("read spec.yaml");
            step.edit(&project);
            std::fs::write(&spec_path, &step.source).expect("write spec.yaml");
            let args: Vec<&str> = step.args.iter().map(String::as_str).collect();
            let output = updates::run_gen(&project, &[&["update"], args.as_slice()].concat());
            if !output.status.success() {
                std::fs::write(&spec_path, previous).expect("restore spec.yaml");
                continue;
            }
            let next = tenantgen::load(&step.name, &step.source).expect("a valid step");
            for now in became.values_mut() {
                *now = now.as_ref().and_then(|name| {
                    next.entities
                        .iter()
                        .find(|entity| &entity.names.singular == name)
                        .or_else(|| {
                            next.entities.iter().find(|entity| {
                                entity.renamed_from.as_ref() == Some(name)
                                    && !model
                                        .entities
                                        .iter()
                                        .any(|e| e.names.singular == entity.names.singular)
                            })
                        })
                        .map(|entity| entity.names.singular.clone())
                });
            }
            model = next;
        }

        // The same database, migrated by the rebuilt project.
        cargo(&project, &["build", "--quiet", "--locked"]);
        let report = app.run(&["migrate"]);
        if first.isolation != Isolation::Pool {
            let plural = &model.tenant.plural;
            assert!(
                report.contains(&format!("2 {plural}: 2 migrated")),
                "{case}: every tenant migrated:\n{report}"
            );
        }
        // Global rows seeded before, wherever their tables went.
        let mut admin = server.connect(&database);
        let globals: BTreeMap<usize, String> = model
            .entities
            .iter()
            .enumerate()
            .filter(|(_, entity)| !entity.tenant_scoped)
            .filter_map(|(idx, entity)| {
                let sql = format!("SELECT id::text FROM {} LIMIT 1", entity.table.name);
                let row = admin.query_opt(&sql, &[]).expect("read a global table")?;
                Some((idx, row.get(0)))
            })
            .collect();
        drop(admin);
        if model.isolation == first.isolation {
            let token = import_older_archive(&server, &app, &model, &archive, &case);
            tokens.insert("alpha", token);
        }
        let running = app.serve(free_port());
        let client = Client::new(&running.base);
        // A tenant signed up now replays every tenant migration, appended
        // ones included, from the first.
        let (status, body) = client.post(
            "/auth/signup",
            None,
            json!({"tenant": "gamma", "email": "owner@gamma.example", "password": "password-1"}),
        );
        assert_eq!(
            status, 201,
            "{case}: sign up a new tenant after the update: {body}"
        );
        tokens.insert("gamma", token_for(&body));
        for (tenant, token) in &tokens {
            for ((owner, old_name), records) in &before {
                let Some(Some(new_name)) = became.get(old_name).filter(|_| owner == tenant) else {
                    continue;
                };
                let entity = model
                    .entities
                    .iter()
                    .find(|entity| &entity.names.singular == new_name)
                    .expect("a kept entity");
                let now = listed(&client, token, entity);
                assert_eq!(
                    now.keys().collect::<Vec<_>>(),
                    records.keys().collect::<Vec<_>>(),
                    "{case}: {tenant}'s {old_name} records, now {new_name}, are all there and only there"
                );
                for (id, old) in records {
                    let first_entity = first
                        .entities
                        .iter()
                        .find(|e| &e.names.singular == old_name)
                        .expect("an entity of the first spec");
                    for field in &entity.fields {
                        // A value kept under the same name and type reads the same.
                        let same_type = first_entity
                            .fields
                            .iter()
                            .any(|f| f.name == field.name && f.field_type == field.field_type);
                        let was = &old[&field.name];
                        if same_type && (was.is_string() || was.is_number() || was.is_boolean()) {
                            assert_eq!(
                                &now[id][&field.name], was,
                                "{case}: {tenant}'s {new_name} {id}.{} kept its value",
                                field.name
                            );
                        }
                    }
                }
            }
            // The new code on the migrated data: a record of every entity.
            let mut refs = globals.clone();
            for idx in model.creation_order_of(Scope::Tenant) {
                let entity = &model.entities[idx];
                let (status, stored) =
                    client.post(&entity.route, Some(token), record(entity, 7, &refs));
                assert_eq!(
                    status, 201,
                    "{case}: {tenant} creates {} after the update: {stored}",
                    entity.route
                );
                refs.insert(idx, stored["id"].as_str().expect("an id").to_owned());
            }
        }
        drop(running);

        // The schema is the one a fresh project of the final spec creates.
        let fresh = scratch.path().join("fresh");
        generate(&spec_path, &fresh);
        cargo(&fresh, &["build", "--quiet", "--locked"]);
        let fresh_database = format!("gen_fresh_{}", model.app);
        let fresh_app = App::new(
            &server,
            &model,
            &fresh_database,
            &format!("{}_evolve", model.app),
        );
        fresh_app.run(&["db", "setup"]);
        fresh_app.run(&["migrate"]);
        fresh_app.run(&["tenants", "create", "alpha"]);
        for ((updated_db, schema), (fresh_db, _)) in schemas(model.isolation, &database)
            .into_iter()
            .zip(schemas(model.isolation, &fresh_database))
        {
            let (updated, fresh) = (
                catalog(&server, &updated_db, schema),
                catalog(&server, &fresh_db, schema),
            );
            let only_updated: Vec<&String> =
                updated.iter().filter(|l| !fresh.contains(l)).collect();
            let only_fresh: Vec<&String> = fresh.iter().filter(|l| !updated.contains(l)).collect();
            assert!(
                only_updated.is_empty() && only_fresh.is_empty() && !updated.is_empty(),
                "{case}: schema {schema} differs after the appended migrations from a fresh one:\nonly after the update: {only_updated:#?}\nonly fresh: {only_fresh:#?}"
            );
        }

        // The project's own suite, migrating its databases the same way.
        cargo(&project, &["build", "--quiet", "--locked"]);
        generated_suite(&project, &server.admin_url("postgres"));

        // The user's own code, which `gen update` never touches: a hook that
        // refuses every new record of one entity, and a route.
        let entity = model.tenant_entities().next().expect("a tenant entity");
        let hook = project.join(format!("src/hooks/{}.rs", entity.names.rust_module));
        std::fs::write(
            &hook,
            format!(
                "use crate::api::entities::{}::{{Changes, Hooks}};\nuse crate::api::fields::Checks;\nuse crate::hooks::HookContext;\n\n\
                 pub struct Rules;\n\n\
                 impl Hooks for Rules {{\n    fn before_create(&self, _context: &HookContext<'_>, _changes: &mut Changes, checks: &mut Checks) {{\n        checks.fail(\"{}\", \"refused by a hook\");\n    }}\n}}\n",
                entity.names.rust_module, entity.fields[0].name
            ),
        )
        .expect("write a hook");
        let routes = project.join("src/routes.rs");
        std::fs::write(
            &routes,
            "use axum::routing::get;\nuse axum::{Json, Router};\nuse serde_json::{Value, json};\n\nuse crate::app::AppState;\n\n\
             pub fn routes() -> Router<AppState> {\n    Router::new().route(\"/api/custom/ping\", get(ping))\n}\n\n\
             async fn ping() -> Json<Value> {\n    Json(json!({\"pong\": true}))\n}\n",
        )
        .expect("write a route");
        // And a test of the user's own, for that hook, on the generated
        // tests' helpers.
        let custom_test = project.join("tests/custom.rs");
        // The role the HTTP check below posts as: the first, who signed up.
        let creator = &model.roles[0].name;
        std::fs::write(
            &custom_test,
            format!(
                "mod support;\n\nuse axum::http::StatusCode;\nuse serde_json::Value;\n\nuse support::TestApp;\n\n\
                 #[tokio::test]\nasync fn the_hook_refuses_new_records() {{\n    \
                 let app = TestApp::new().await;\n    \
                 let owner = app.sign_up(\"acme\").await;\n    \
                 let creator = app.token_as(&owner, \"{creator}\").await;\n    \
                 let body = support::{}_body(&app, &owner, 1).await;\n    \
                 let (status, problem) = app.post(\"{}\", &creator, Value::Object(body)).await;\n    \
                 assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, \"{{problem}}\");\n    \
                 assert!(problem.to_string().contains(\"refused by a hook\"), \"{{problem}}\");\n    \
                 app.drop_database().await;\n}}\n",
                entity.names.singular, entity.route
            ),
        )
        .expect("write a test");
        let users_files = [&hook, &routes, &custom_test];
        let read_users_files = || users_files.map(|path| std::fs::read(path).expect("read"));
        let mine = read_users_files();
        let update = updates::run_gen(&project, &["update"]);
        assert!(
            update.status.success(),
            "{}",
            String::from_utf8_lossy(&update.stderr)
        );
        assert_eq!(
            read_users_files(),
            mine,
            "{case}: gen update keeps the user's files"
        );
        // Hand edits the steps made to generated files are the user's too.
        let edited = steps.iter().any(|step| !step.edits.is_empty());
        let drift_args: &[&str] = if edited {
            &["check", "--drift", "--allow-edits"]
        } else {
            &["check", "--drift"]
        };
        let drift = updates::run_gen(&project, drift_args);
        assert!(
            drift.status.success(),
            "{case}: the user's files are not drift: {}",
            String::from_utf8_lossy(&drift.stdout)
        );
        cargo(&project, &["build", "--quiet", "--locked"]);
        let running = app.serve(free_port());
        let client = Client::new(&running.base);
        let token = &tokens["alpha"];
        let (status, body) = client.post(&entity.route, Some(token), record(entity, 9, &globals));
        assert_eq!(status, 422, "{case}: the hook refuses: {body}");
        assert!(
            body.to_string().contains("refused by a hook"),
            "{case}: {body}"
        );
        let (status, body) = client.get("/api/custom/ping", Some(token));
        assert_eq!(
            (status, &body),
            (200, &json!({"pong": true})),
            "{case}: the user's route"
        );
        let (passed, printed) = cargo_test(
            &project,
            &server.admin_url("postgres"),
            &["--test", "custom"],
        );
        assert_eq!(
            passed, 1,
            "{case}: the user's own test of the hook:\n{printed}"
        );
    }
}

/// Deletes `alpha` from `app`'s migrated database and imports it again from
/// `archive`, written before the migrations since: its records read the
/// same through the API as those the migrations carried in place. Returns
/// a new token of alpha's owner.
fn import_older_archive(
    server: &Server,
    app: &App,
    model: &Model,
    archive: &Path,
    case: &str,
) -> String {
    let read_all = || {
        let running = app.serve(free_port());
        let client = Client::new(&running.base);
        let token = log_in_owner(&client, "alpha");
        let records: Vec<BTreeMap<String, Value>> = model
            .tenant_entities()
            .map(|entity| listed(&client, &token, entity))
            .collect();
        (records, token)
    };
    let (migrated_in_place, _) = read_all();
    app.run(&["tenants", "delete", "alpha"]);
    // An archive edited to carry a row for the table migrations are kept
    // in, its checksums computed again: whoever can edit a file can do
    // that. Written into the scratch database as the runtime role, the row
    // is refused, and nothing is left anywhere.
    let (ledger, row) = match model.isolation {
        Isolation::Bridge => (
            "control.tenant_migrations",
            json!({"version": 9999, "name": "hostile", "checksum": "x", "sql": "CREATE TABLE hostile ()"}),
        ),
        _ => (
            "public.schema_migrations",
            json!({"version": 9999, "name": "hostile", "checksum": "x"}),
        ),
    };
    let text = gunzip(archive);
    let (manifest_line, body) = text.trim_end().rsplit_once('\n').map_or_else(
        || panic!("{case}: an archive of more than one line"),
        |(body, last)| (last.to_owned(), body.to_owned()),
    );
    let mut manifest: Value = serde_json::from_str(&manifest_line).expect("the manifest line");
    let columns: Vec<&str> = row
        .as_object()
        .expect("a row")
        .keys()
        .map(String::as_str)
        .collect();
    manifest[1]["tables"]
        .as_array_mut()
        .expect("tables")
        .push(json!({"table": ledger, "columns": columns, "rows": 0, "sha256": ""}));
    let hostile = archive.with_file_name("hostile.archive");
    gzip_into(
        &with_fresh_checksums(&format!(
            "{body}\n{}\n{row}\n{manifest}\n",
            json!(["table", ledger])
        )),
        &hostile,
    );
    let refused = app.run_fails(
        &["tenants", "import", hostile.to_str().expect("a UTF-8 path")],
        &[],
    );
    assert!(
        refused.contains("permission denied"),
        "{case}: a row for {ledger} is refused: {refused}"
    );
    assert!(
        !app.run(&["tenants", "list"]).contains("alpha"),
        "{case}: the refused import left no tenant"
    );
    let imported = app.run(&["tenants", "import", archive.to_str().expect("a UTF-8 path")]);
    assert!(imported.contains("imported alpha"), "{case}: {imported}");
    let (upgraded, token) = read_all();
    let again = archive.with_file_name("alpha-again.archive");
    app.run(&[
        "tenants",
        "export",
        "alpha",
        "-o",
        again.to_str().expect("a UTF-8 path"),
    ]);
    let versions = |path: &Path| {
        let text = gunzip(path);
        let last: Value = serde_json::from_str(text.lines().last().expect("a manifest"))
            .expect("the manifest line");
        (
            last[1]["schema_version"].clone(),
            last[1]["tenant_schema_version"].clone(),
        )
    };
    assert_ne!(
        versions(archive),
        versions(&again),
        "{case}: the archive came from an older build, so the import brought it up"
    );
    let left: i64 = server
        .connect("postgres")
        .query_one(
            "SELECT count(*) FROM pg_database WHERE datname LIKE 'import\\_%'",
            &[],
        )
        .expect("pg_database")
        .get(0);
    assert_eq!(left, 0, "{case}: the scratch database is dropped");
    assert!(
        migrated_in_place.iter().any(|records| !records.is_empty()),
        "{case}: alpha has records to compare"
    );
    assert_eq!(
        upgraded, migrated_in_place,
        "{case}: alpha imported from the first build's archive reads as the migrations left it in place"
    );
    token
}

/// `cargo run -- dev` in a project fresh from `gen new`, as a newcomer runs
/// it: no DATABASE_URL and no server running. It makes its own cluster,
/// seeds demo data and serves; a demo login works and every tenant entity
/// lists its seeded records; stopped and started again, it reuses the
/// cluster and the data. One spec of each isolation mode.
#[test]
fn dev_runs_a_new_project_with_demo_data_in_every_mode() {
    for example in ["crm", "helpdesk", "tracker"] {
        let scratch = tempfile::tempdir().expect("temporary folder");
        // As root, `dev` runs PostgreSQL as the `postgres` user, which must
        // be able to reach the project.
        let mut permissions = std::fs::metadata(scratch.path())
            .expect("the folder")
            .permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
        std::fs::set_permissions(scratch.path(), permissions).expect("open the folder");
        let project = scratch.path().join("project");
        let model = generate(&repo().join(format!("examples/{example}.yaml")), &project);
        cargo(&project, &["build", "--quiet", "--locked"]);
        let _cluster = ClusterGuard(project.join(".dev/postgres/data"));
        let binary = target_dir().join("debug").join(&model.app);
        let port = free_port();
        let client = Client::new(&format!("http://127.0.0.1:{port}"));
        let entities: Vec<&Entity> = model
            .entities
            .iter()
            .filter(|entity| entity.tenant_scoped)
            .collect();

        let first = DevRun::start(&binary, &project, &scratch.path().join("first.log"), port);
        let printed = first.ready(&client, Duration::from_secs(600));
        assert!(
            printed.contains("creating the development cluster"),
            "{printed}"
        );
        let password = printed
            .split("every demo user's password is ")
            .nth(1)
            .and_then(|rest| rest.lines().next())
            .unwrap_or_else(|| panic!("no demo password printed:\n{printed}"))
            .to_owned();
        let login = json!({
            "tenant": "acme",
            "email": format!("{}@acme.test", model.roles[0].name),
            "password": password,
        });
        let (status, grant) = client.post("/auth/login", None, login.clone());
        assert_eq!(status, 200, "{example}: the printed demo login: {grant}");
        let token = token_for(&grant);
        let seeded: Vec<BTreeMap<String, Value>> = entities
            .iter()
            .map(|entity| listed(&client, &token, entity))
            .collect();
        for (entity, records) in entities.iter().zip(&seeded) {
            assert!(
                (1..=25).contains(&records.len()),
                "{example}: {} holds {} seeded records",
                entity.route,
                records.len()
            );
        }
        first.stop();
        assert!(
            !project.join(".dev/postgres/data/postmaster.pid").exists(),
            "{example}: stopping dev stops its cluster"
        );

        let started = Instant::now();
        let second = DevRun::start(&binary, &project, &scratch.path().join("second.log"), port);
        let printed = second.ready(&client, Duration::from_secs(120));
        eprintln!("{example}: dev ready again in {:?}", started.elapsed());
        assert!(
            !printed.contains("creating the development cluster")
                && !printed.contains("wrote .env"),
            "{example}: the second run keeps the cluster and .env:\n{printed}"
        );
        let (status, grant) = client.post("/auth/login", None, login);
        assert_eq!(
            status, 200,
            "{example}: the demo login after a restart: {grant}"
        );
        let token = token_for(&grant);
        for (entity, before) in entities.iter().zip(&seeded) {
            assert_eq!(
                &listed(&client, &token, entity),
                before,
                "{example}: {} after a restart",
                entity.route
            );
        }
        second.stop();

        let git = |args: &[&str]| {
            Command::new("git")
                .args(args)
                .current_dir(&project)
                .output()
                .expect("run git")
        };
        assert!(git(&["init", "--quiet"]).status.success());
        let ignored = git(&["check-ignore", "--quiet", ".dev/postgres/data/PG_VERSION"]);
        assert!(ignored.status.success(), "{example}: .dev/ is git-ignored");
    }
}

/// A `dev` process, its output kept in a file.
struct DevRun {
    child: Child,
    log: PathBuf,
}

impl DevRun {
    fn start(binary: &Path, project: &Path, log: &Path, port: u16) -> DevRun {
        let output = std::fs::File::create(log).expect("create the log");
        let errors = output.try_clone().expect("share the log");
        let child = Command::new(binary)
            .arg("dev")
            .current_dir(project)
            .env_remove("DATABASE_URL")
            .env_remove("ADMIN_DATABASE_URL")
            .env_remove("JWT_SECRET")
            .env("PORT", port.to_string())
            .stdout(output)
            .stderr(errors)
            .spawn()
            .expect("start dev");
        DevRun {
            child,
            log: log.to_owned(),
        }
    }

    fn printed(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits for `/healthz`; returns what `dev` printed until then.
    fn ready(&self, client: &Client, within: Duration) -> String {
        let deadline = Instant::now() + within;
        while !client.answers("/healthz") {
            assert!(
                Instant::now() < deadline,
                "dev was not ready within {within:?}:\n{}",
                self.printed()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        self.printed()
    }

    /// Ctrl-C, as a user stops it; it must exit cleanly.
    fn stop(mut self) {
        interrupt(self.child.id());
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().expect("dev's status") {
                assert!(
                    status.success(),
                    "dev exited with {status}:\n{}",
                    self.printed()
                );
                return;
            }
            assert!(
                Instant::now() < deadline,
                "dev did not stop:\n{}",
                self.printed()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for DevRun {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            interrupt(self.child.id());
            std::thread::sleep(Duration::from_secs(3));
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Stops a development cluster a failed test left running.
struct ClusterGuard(PathBuf);

impl Drop for ClusterGuard {
    fn drop(&mut self) {
        let pid = std::fs::read_to_string(self.0.join("postmaster.pid"))
            .ok()
            .and_then(|text| {
                text.lines()
                    .next()
                    .and_then(|line| line.trim().parse().ok())
            });
        if let Some(pid) = pid {
            interrupt(pid);
        }
    }
}

fn interrupt(pid: u32) {
    let _ = Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status();
}

/// The generated app against a server that takes TLS only, with a
/// certificate for `localhost` signed by a test authority: `sslmode` and
/// `sslrootcert` in DATABASE_URL and ADMIN_DATABASE_URL decide whether it
/// connects, as they do for libpq.
#[test]
fn the_generated_app_connects_over_tls_as_sslmode_says() {
    let scratch = tempfile::tempdir().expect("temporary folder");
    let certs = scratch.path();
    let openssl = |args: &[&str]| {
        let output = Command::new("openssl")
            .args(args)
            .current_dir(certs)
            .output()
            .expect("openssl is installed (Debian: apt-get install openssl)");
        assert!(
            output.status.success(),
            "openssl {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
    };
    for authority in ["ca", "other-ca"] {
        openssl(&[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            &format!("/CN={authority}"),
            "-keyout",
            &format!("{authority}.key"),
            "-out",
            &format!("{authority}.pem"),
        ]);
    }
    openssl(&[
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
    ]);
    std::fs::write(certs.join("server.ext"), "subjectAltName = DNS:localhost\n")
        .expect("write the extensions");
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "server.ext",
        "-out",
        "server.crt",
    ]);
    let (server, port) =
        Server::start_tls_only(&certs.join("server.crt"), &certs.join("server.key"));

    let project = scratch.path().join("project");
    let model = generate(&repo().join("examples/crm.yaml"), &project);
    cargo(&project, &["build", "--quiet", "--locked"]);
    let binary = target_dir().join("debug").join(&model.app);
    let database = format!("tls_{}", model.app);
    server
        .connect("postgres")
        .batch_execute(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
        .expect("drop leftovers");
    let root = |name: &str| certs.join(name).display().to_string();
    let urls = |host: &str, tls: &str| {
        (
            format!(
                "postgres://{}_app:app-password@{host}:{port}/{database}?{tls}",
                model.app
            ),
            format!("postgres://postgres@{host}:{port}/postgres?{tls}"),
        )
    };
    let run = |args: &[&str], (database_url, admin_url): &(String, String)| {
        Command::new(&binary)
            .args(args)
            .current_dir(&project)
            .env("DATABASE_URL", database_url)
            .env("ADMIN_DATABASE_URL", admin_url)
            .env("JWT_SECRET", jwt_secret())
            .output()
            .expect("run the generated binary")
    };
    let fails = |args: &[&str], urls: &(String, String), why: &str, says: &str| {
        let output = run(args, urls);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{why}: it connected");
        assert!(stderr.contains(says), "{why}: {stderr}");
    };

    let trusted = urls(
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={}", root("ca.pem")),
    );
    for args in [
        &["db", "setup"][..],
        &["migrate"],
        &["seed", "--tenants", "1", "--records", "3"],
    ] {
        let output = run(args, &trusted);
        assert!(
            output.status.success(),
            "{} with verify-full and the right root: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    fails(
        &["db", "setup"],
        &urls(
            "localhost",
            &format!("sslmode=verify-full&sslrootcert={}", root("other-ca.pem")),
        ),
        "verify-full with another authority's root",
        "certificate",
    );
    fails(
        &["db", "setup"],
        &urls(
            "127.0.0.1",
            &format!("sslmode=verify-full&sslrootcert={}", root("ca.pem")),
        ),
        "verify-full to an address the certificate doesn't name",
        "certificate",
    );
    let output = run(
        &["db", "setup"],
        &urls(
            "127.0.0.1",
            &format!("sslmode=verify-ca&sslrootcert={}", root("ca.pem")),
        ),
    );
    assert!(
        output.status.success(),
        "verify-ca checks the authority, not the name: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let output = run(&["db", "setup"], &urls("localhost", "sslmode=require"));
    assert!(
        output.status.success(),
        "require encrypts without checking: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    fails(
        &["db", "setup"],
        &urls("localhost", "sslmode=disable"),
        "disable, against a server that takes TLS only",
        "no encryption",
    );
    fails(
        &["db", "setup"],
        &urls(
            "localhost",
            &format!("sslmode=verify-full&sslrootcert={}", root("missing.pem")),
        ),
        "a root file that isn't there",
        "missing.pem",
    );
}

/// `/docs` is Swagger UI, served from the binary; `/openapi.json` passes a
/// maintained OpenAPI 3.1 validator, and its schemas carry the spec's
/// rules: required fields, lengths, bounds, formats and enums.
fn api_documentation(client: &Client, model: &Model, what: &str) {
    let mut page = client
        .agent
        .get(format!("{}/docs/", client.base))
        .call()
        .expect("GET /docs/");
    assert_eq!(page.status().as_u16(), 200, "{what}: /docs/");
    let html = page.body_mut().read_to_string().expect("a page");
    assert!(
        html.contains("swagger-ui"),
        "{what}: /docs/ is Swagger UI: {html}"
    );
    assert!(
        !html.contains("://"),
        "{what}: /docs/ loads nothing from elsewhere: {html}"
    );
    let bundle = client
        .agent
        .get(format!("{}/docs/swagger-ui-bundle.js", client.base))
        .call()
        .expect("GET the Swagger UI bundle");
    assert_eq!(
        bundle.status().as_u16(),
        200,
        "{what}: the bundle is served"
    );

    let (status, document) = client.get("/openapi.json", None);
    assert_eq!(status, 200, "{what}: /openapi.json");
    let file = tempfile::NamedTempFile::new().expect("a temporary file");
    std::fs::write(file.path(), document.to_string()).expect("write the document");
    let output = Command::new(openapi_validator())
        .arg(file.path())
        .output()
        .expect("run openapi-spec-validator");
    assert!(
        output.status.success(),
        "{what}: /openapi.json is not valid OpenAPI:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );

    let schemas = &document["components"]["schemas"];
    assert!(
        schemas["Problem"].is_object(),
        "{what}: the problem+json shape"
    );
    for entity in model.entities.iter().filter(|entity| entity.tenant_scoped) {
        let input = &schemas[entity.names.rust_input_type.as_str()];
        let mut required: Vec<&str> = input["required"]
            .as_array()
            .map(|names| names.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        required.sort_unstable();
        let mut expected: Vec<&str> = entity
            .fields
            .iter()
            .filter(|field| field.required && field.default.is_none())
            .map(|field| field.name.as_str())
            .collect();
        expected.sort_unstable();
        assert_eq!(
            required, expected,
            "{what}: {} requires",
            entity.names.rust_input_type
        );
        for field in &entity.fields {
            let property = &input["properties"][field.name.as_str()];
            let at = format!("{what}: {}.{}", entity.names.rust_input_type, field.name);
            match field.field_type {
                FieldType::String | FieldType::Text | FieldType::Email | FieldType::Url => {
                    let length = |bound: &Option<serde_json::Number>| {
                        bound.as_ref().and_then(serde_json::Number::as_u64)
                    };
                    assert_eq!(
                        property.get("maxLength").and_then(Value::as_u64),
                        length(&field.max),
                        "{at}: maxLength"
                    );
                    assert_eq!(
                        property.get("minLength").and_then(Value::as_u64),
                        length(&field.min),
                        "{at}: minLength"
                    );
                }
                FieldType::Integer | FieldType::Bigint | FieldType::Decimal | FieldType::Float => {
                    let bound = |number: &Option<serde_json::Number>| {
                        number.as_ref().and_then(serde_json::Number::as_f64)
                    };
                    assert_eq!(
                        property.get("minimum").and_then(Value::as_f64),
                        bound(&field.min),
                        "{at}: minimum"
                    );
                    assert_eq!(
                        property.get("maximum").and_then(Value::as_f64),
                        bound(&field.max),
                        "{at}: maximum"
                    );
                }
                FieldType::Enum => {
                    let name = &field.rust_enum.as_ref().expect("an enum's Rust type").name;
                    assert!(
                        property
                            .to_string()
                            .contains(&format!("#/components/schemas/{name}")),
                        "{at}: {property}"
                    );
                    assert_eq!(
                        schemas[name.as_str()]["enum"],
                        json!(field.values),
                        "{at}: its values"
                    );
                }
                _ => {}
            }
            let format = match field.field_type {
                FieldType::Email => Some("email"),
                FieldType::Url => Some("uri"),
                FieldType::Date => Some("date"),
                FieldType::Datetime => Some("date-time"),
                FieldType::Uuid | FieldType::Ref => Some("uuid"),
                _ => None,
            };
            if let Some(format) = format {
                assert_eq!(property["format"], format, "{at}: format");
            }
        }
    }
}

/// openapi-spec-validator, a maintained OpenAPI validator from PyPI, pinned,
/// installed once into a virtual environment under the target folder.
fn openapi_validator() -> PathBuf {
    static VALIDATOR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    VALIDATOR
        .get_or_init(|| {
            let venv = target_dir().join("openapi-validator");
            let validator = venv.join("bin/openapi-spec-validator");
            if !validator.is_file() {
                let created = Command::new("python3")
                    .args(["-m", "venv"])
                    .arg(&venv)
                    .status()
                    .expect("python3 is installed (Debian: apt-get install python3-venv)");
                assert!(
                    created.success(),
                    "python3 -m venv failed (Debian: apt-get install python3-venv)"
                );
                let installed = Command::new(venv.join("bin/pip"))
                    .args(["install", "--quiet", "openapi-spec-validator==0.9.0"])
                    .status()
                    .expect("run pip");
                assert!(
                    installed.success(),
                    "pip could not install openapi-spec-validator"
                );
            }
            validator
        })
        .clone()
}

/// Demo data at scale: the generated test that seeds two tenants and reads
/// every record back through the API, checked as a request body is, run
/// for the 50-entity spec of the benchmarks (each entity refers to the one
/// before it), beside the repository's specs, whose whole suites run above.
#[test]
fn seeded_records_of_the_50_entity_spec_read_back_valid() {
    let server = Server::start();
    let scratch = tempfile::tempdir().expect("temporary folder");
    let project = scratch.path().join("project");
    generate(&repo().join("benches/specs/entities_50.yaml"), &project);
    let (passed, printed) = cargo_test(
        &project,
        &server.admin_url("postgres"),
        &["--test", "api", "seeded_records_read_back_valid"],
    );
    assert_eq!(passed, 1, "{printed}");
}

/// One spec deployed in each isolation mode, on one server: `tenants
/// export` from pool, `tenants import` into bridge, its export into silo, and
/// silo's back into pool after the original is deleted. Every archive holds
/// the same rows, byte for byte; each deployment serves the same records
/// through the API; and the archive of one of two tenants seeded alike holds
/// none of the other's rows. An edited archive, and one whose rows the
/// database refuses, leave nothing behind in silo. `tenants delete
/// --export` offboards from bridge and silo, schema and database included;
/// it deletes nothing when a row changed after the export read it, and in
/// silo a write queued behind its locks fails rather than being acknowledged
/// into the dropped database.
#[test]
fn tenants_travel_between_isolation_modes_by_archive() {
    let server = Server::start();
    let scratch = tempfile::tempdir().expect("temporary folder");
    let source = std::fs::read_to_string(repo().join("examples/tracker.yaml")).expect("spec");
    assert!(source.contains("isolation: silo"), "tracker is a silo spec");
    let mut deployments = Vec::new();
    for isolation in ["pool", "bridge", "silo"] {
        let spec = scratch.path().join(format!("{isolation}.yaml"));
        std::fs::write(
            &spec,
            source.replace("isolation: silo", &format!("isolation: {isolation}")),
        )
        .expect("write the spec");
        let project = scratch.path().join(isolation);
        let model = generate(&spec, &project);
        cargo(&project, &["build", "--quiet", "--locked"]);
        // The three builds share a target folder and a crate name.
        let binary = scratch.path().join(format!("{}-{isolation}", model.app));
        std::fs::copy(target_dir().join("debug").join(&model.app), &binary)
            .expect("keep the binary");
        let database = format!("gen_travel_{isolation}");
        let mut app = App::new(&server, &model, &database, &format!("{}_travel", model.app));
        app.binary = binary;
        app.run(&["db", "setup"]);
        app.run(&["migrate"]);
        deployments.push((isolation, model, app, database));
    }
    let [
        (_, model, pool, pool_database),
        (_, _, bridge, bridge_database),
        (_, _, silo, silo_database),
    ] = &deployments[..]
    else {
        unreachable!("three deployments")
    };
    let seeded = pool.run(&["seed", "--tenants", "2", "--records", "12"]);
    let password = seeded
        .split("every demo user's password is ")
        .nth(1)
        .and_then(|rest| rest.lines().next())
        .unwrap_or_else(|| panic!("no demo password printed:\n{seeded}"))
        .to_owned();
    // Shared records are not in an archive: a deployment it goes into needs
    // those its rows refer to.
    let globals: Vec<(String, String)> = {
        let mut admin = server.connect(pool_database);
        model
            .global_entities()
            .map(|entity| {
                let table = entity.table.name.clone();
                let rows: String = admin
                    .query_one(
                        &format!("SELECT coalesce(jsonb_agg(t), '[]')::text FROM {table} t"),
                        &[],
                    )
                    .expect("shared records")
                    .get(0);
                (table, rows)
            })
            .collect()
    };
    for database in [bridge_database, silo_database] {
        let mut admin = server.connect(database);
        for (table, rows) in &globals {
            admin
                .execute(
                    &format!(
                        "INSERT INTO {table} SELECT * FROM jsonb_populate_recordset(NULL::{table}, $1::text::jsonb)"
                    ),
                    &[rows],
                )
                .expect("copy shared records");
        }
    }
    let tenant_id = |database: &str, slug: &str| -> String {
        server
            .connect(database)
            .query_one(
                "SELECT id::text FROM control.tenants WHERE slug = $1",
                &[&slug],
            )
            .expect("a tenant")
            .get(0)
    };
    let (acme, globex) = (
        tenant_id(pool_database, "acme"),
        tenant_id(pool_database, "globex"),
    );
    let entities: Vec<&Entity> = model.tenant_entities().collect();
    // Every record of acme through the API, by entity.
    let records = |app: &App| -> Vec<BTreeMap<String, Value>> {
        let running = app.serve(free_port());
        let client = Client::new(&running.base);
        let (status, grant) = client.post(
            "/auth/login",
            None,
            json!({"tenant": "acme", "email": format!("{}@acme.test", model.roles[0].name), "password": password}),
        );
        assert_eq!(status, 200, "{grant}");
        let token = token_for(&grant);
        entities
            .iter()
            .map(|entity| listed(&client, &token, entity))
            .collect()
    };
    let served = records(pool);
    assert!(
        served.iter().all(|records| !records.is_empty()),
        "acme has records of every entity"
    );

    let file = |name: &str| scratch.path().join(format!("{name}.archive"));
    let archived = |name: &str| -> (Value, String) {
        let text = gunzip(&file(name));
        let last = text.lines().last().expect("a manifest line");
        let manifest = serde_json::from_str::<Value>(last).expect("JSON")[1].clone();
        (manifest, text)
    };
    let export = |app: &App, name: &str| -> (Value, String) {
        app.run(&[
            "tenants",
            "export",
            "acme",
            "-o",
            file(name).to_str().expect("a path"),
        ]);
        archived(name)
    };
    let import = |app: &App, name: &str| -> (bool, String) {
        app.run_status(&["tenants", "import", file(name).to_str().expect("a path")])
    };
    let (from_pool, text) = export(pool, "pool");
    assert_eq!(from_pool["isolation"], "pool");
    assert!(text.contains(&acme), "the archive names acme");
    assert!(
        !text.contains(&globex),
        "the archive of acme holds a row of globex, seeded alike"
    );
    let globex_records: Vec<String> = {
        let mut admin = server.connect(pool_database);
        entities
            .iter()
            .flat_map(|entity| {
                admin
                    .query(
                        &format!(
                            "SELECT id::text FROM {} WHERE tenant_id = $1::text::uuid",
                            entity.table.name
                        ),
                        &[&globex],
                    )
                    .expect("globex's records")
            })
            .map(|row| row.get(0))
            .collect()
    };
    assert!(!globex_records.is_empty());
    for id in &globex_records {
        assert!(
            !text.contains(id.as_str()),
            "globex's record {id} is in acme's archive"
        );
    }

    // Silo refuses an edited archive, and one whose rows its database
    // refuses, leaving no catalog row and no database.
    let silo_leftovers = || -> (i64, i64) {
        let catalog: i64 = server
            .connect(silo_database)
            .query_one("SELECT count(*) FROM control.tenants", &[])
            .expect("the catalog")
            .get(0);
        let databases: i64 = server
            .connect("postgres")
            .query_one(
                "SELECT count(*) FROM pg_database WHERE datname LIKE $1",
                &[&format!("{silo_database}\\_%")],
            )
            .expect("databases")
            .get(0);
        (catalog, databases)
    };
    let task = entities
        .iter()
        .find(|entity| {
            entity
                .fields
                .iter()
                .any(|field| field.required && field.reference.is_some())
        })
        .expect("an entity with a required reference");
    let reference = task
        .fields
        .iter()
        .find(|field| field.required && field.reference.is_some())
        .expect("a required reference");
    // The first such reference points at a record that doesn't exist.
    let key = format!("\"{}\": \"", reference.column);
    let at = text.find(&key).expect("a row with the reference") + key.len();
    let edited = format!(
        "{}00000000-0000-4000-8000-000000000000{}",
        &text[..at],
        &text[at + 36..]
    );
    gzip_into(&edited, &file("edited"));
    let (ok, printed) = import(silo, "edited");
    assert!(!ok && printed.contains("damaged or edited"), "{printed}");
    assert_eq!(
        silo_leftovers(),
        (0, 0),
        "the edited archive left something"
    );
    gzip_into(&with_fresh_checksums(&edited), &file("resummed"));
    let (ok, printed) = import(silo, "resummed");
    assert!(
        !ok && printed.contains("writing the rows of") && printed.contains("foreign key"),
        "{printed}"
    );
    assert_eq!(
        silo_leftovers(),
        (0, 0),
        "an import the database refused left something"
    );

    // Around the modes, and back.
    let tables = |manifest: &Value| manifest["tables"].clone();
    let mut exported = vec![("pool", from_pool)];
    for (into, app, from) in [("bridge", bridge, "pool"), ("silo", silo, "bridge")] {
        let (ok, printed) = import(app, from);
        assert!(ok, "import into {into}: {printed}");
        assert_eq!(records(app), served, "acme's records in {into}");
        let (manifest, _) = export(app, into);
        assert_eq!(manifest["isolation"], into);
        assert_eq!(
            tables(&manifest),
            tables(&exported[0].1),
            "the archive from {into} holds other rows than pool's"
        );
        exported.push((into, manifest));
    }
    let (ok, printed) = import(pool, "silo");
    assert!(!ok && printed.contains("exists already"), "{printed}");
    pool.run(&["tenants", "delete", "acme"]);
    let (ok, printed) = import(pool, "silo");
    assert!(ok, "import into pool: {printed}");
    assert_eq!(records(pool), served, "acme's records back in pool");
    let (back, _) = export(pool, "back");
    assert_eq!(
        tables(&back),
        tables(&exported[0].1),
        "the archive after the round trip"
    );
    // Each mode's listing says where a tenant lives and how big it is.
    let line = |app: &App, slug: &str| -> Vec<String> {
        listed_line(&app.run(&["tenants", "list"]), slug)
            .split('\t')
            .map(str::to_owned)
            .collect()
    };
    let megabytes = |text: &str| -> f64 {
        text.strip_suffix(" MB")
            .and_then(|number| number.parse().ok())
            .unwrap_or_else(|| panic!("not a size: {text}"))
    };
    let acme_records: usize = served.iter().map(BTreeMap::len).sum();
    let in_pool = line(pool, "acme");
    assert_eq!(in_pool[3], "shared", "{in_pool:?}");
    assert_eq!(in_pool[4], format!("{acme_records} records"), "{in_pool:?}");
    let globex_in_pool = line(pool, "globex");
    assert_eq!(
        globex_in_pool[4],
        format!("{} records", globex_records.len()),
        "{globex_in_pool:?}"
    );
    let in_bridge = line(bridge, "acme");
    assert_eq!(in_bridge[3..5], ["control", "t_acme"], "{in_bridge:?}");
    assert!(megabytes(&in_bridge[5]) > 0.0, "{in_bridge:?}");
    let in_silo = line(silo, "acme");
    assert_eq!(
        in_silo[3],
        format!("main/{silo_database}_acme"),
        "{in_silo:?}"
    );
    assert!(megabytes(&in_silo[4]) > 0.0, "{in_silo:?}");

    // Waits until a session of `database` whose query holds `statement`
    // waits for a lock.
    let waiting_in = |database: &str, statement: &str| {
        let mut watcher = server.connect("postgres");
        let started = Instant::now();
        loop {
            let waiting: i64 = watcher
                .query_one(
                    "SELECT count(*) FROM pg_stat_activity \
                     WHERE datname = $1 AND wait_event_type = 'Lock' AND query LIKE $2",
                    &[&database, &format!("%{statement}%")],
                )
                .expect("pg_stat_activity")
                .get(0);
            if waiting > 0 {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "nothing waits for a lock in {database} with {statement}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    };

    // A row changed after the export read it, by a write that was waiting
    // for the locks the delete takes before it compares: nothing is deleted.
    let table = &entities[0].table.name;
    let acme_database = format!("{silo_database}_acme");
    for (app, database, table, name) in [
        (
            bridge,
            bridge_database.as_str(),
            format!("t_acme.{table}"),
            "bridge-refused",
        ),
        (silo, acme_database.as_str(), table.clone(), "silo-refused"),
    ] {
        let mut writer = server.connect(database);
        let mut write = writer.transaction().expect("begin");
        let changed = write
            .execute(
                &format!(
                    "UPDATE {table} SET updated_at = updated_at + interval '1 second' \
                     WHERE id = (SELECT id FROM {table} ORDER BY id LIMIT 1)"
                ),
                &[],
            )
            .expect("change a row");
        assert_eq!(changed, 1, "{name}: acme has a row in {table}");
        let path = file(name);
        let deleting = app.start(&[
            "tenants",
            "delete",
            "acme",
            "--export",
            path.to_str().expect("a path"),
        ]);
        // The file is renamed into place once the export has read every row.
        let started = Instant::now();
        while !path.exists() {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "{name}: the export never finished"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        waiting_in(database, "LOCK TABLE");
        write.commit().expect("commit the change");
        let output = deleting.wait_with_output().expect("the delete");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !output.status.success() && stderr.contains("changed while they were exported"),
            "{name}: the delete is refused: {stderr}"
        );
        assert!(
            app.run(&["tenants", "list"]).contains("acme"),
            "{name}: acme stays"
        );
        std::fs::remove_file(&path).expect("remove the refused export");
        // Back as it was, so that acme's rows still match the first archive.
        writer
            .execute(
                &format!(
                    "UPDATE {table} SET updated_at = updated_at - interval '1 second' \
                     WHERE id = (SELECT id FROM {table} ORDER BY id LIMIT 1)"
                ),
                &[],
            )
            .expect("undo the change");
    }

    // Offboarding: the export, then the delete, the schema and the
    // database going with it.
    let printed = bridge.run(&[
        "tenants",
        "delete",
        "acme",
        "--export",
        file("bridge-offboard").to_str().expect("a path"),
    ]);
    assert!(printed.contains("deleted acme"), "{printed}");
    // In silo, a write that queues behind the delete's locks fails: the
    // database is dropped before the locks go. The catalog row, held here,
    // keeps the delete waiting with the locks taken while the write queues.
    let mut control = server.connect(silo_database);
    let mut holding = control.transaction().expect("begin");
    holding
        .execute(
            "SELECT 1 FROM control.tenants WHERE slug = 'acme' FOR UPDATE",
            &[],
        )
        .expect("lock acme's catalog row");
    let deleting = silo.start(&[
        "tenants",
        "delete",
        "acme",
        "--export",
        file("silo-offboard").to_str().expect("a path"),
    ]);
    waiting_in(silo_database, "FOR UPDATE");
    let written = std::thread::scope(|threads| {
        let writer = threads.spawn(|| {
            server
                .connect(&acme_database)
                .execute(&format!("UPDATE {table} SET updated_at = now()"), &[])
        });
        waiting_in(&acme_database, "UPDATE");
        holding.commit().expect("release acme's catalog row");
        writer.join().expect("the writer")
    });
    let output = deleting.wait_with_output().expect("the delete");
    assert!(
        output.status.success() && String::from_utf8_lossy(&output.stdout).contains("deleted acme"),
        "silo-offboard: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        written.is_err(),
        "the write queued behind the delete's locks fails, not acknowledged: {written:?}"
    );
    for name in ["bridge-offboard", "silo-offboard"] {
        assert_eq!(tables(&archived(name).0), tables(&exported[0].1), "{name}");
    }
    let schema: Option<postgres::Row> = server
        .connect(bridge_database)
        .query_opt("SELECT 1 FROM pg_namespace WHERE nspname = 't_acme'", &[])
        .expect("pg_namespace");
    assert!(schema.is_none(), "the deleted tenant's schema is dropped");
    assert_eq!(
        silo_leftovers(),
        (0, 0),
        "the deleted tenant's database is dropped"
    );

    // In pool, a tenant with a database of its own is exported from that
    // database, and offboarded with it.
    pool.run(&[
        "tenants",
        "create",
        "zeta",
        "--dedicated",
        "--owner-email",
        &owner("zeta"),
        "--owner-password",
        "password-1",
    ]);
    let entity = creatable_alone(model);
    {
        let running = pool.serve(free_port());
        let client = Client::new(&running.base);
        let token = log_in_owner(&client, "zeta");
        for n in 0..3 {
            let (status, body) = client.post(
                &entity.route,
                Some(&token),
                record(entity, n, &BTreeMap::new()),
            );
            assert_eq!(status, 201, "{body}");
        }
    }
    let printed = pool.run(&[
        "tenants",
        "delete",
        "zeta",
        "--export",
        file("pool-dedicated").to_str().expect("a path"),
    ]);
    assert!(printed.contains("deleted zeta"), "{printed}");
    let (manifest, _) = archived("pool-dedicated");
    let rows = manifest["tables"]
        .as_array()
        .and_then(|tables| {
            tables
                .iter()
                .find(|table| table["table"] == entity.table.name)
        })
        .map(|table| table["rows"].clone());
    assert_eq!(
        rows,
        Some(json!(3)),
        "zeta's records, read from its database: {manifest}"
    );
    let left: i64 = server
        .connect("postgres")
        .query_one(
            "SELECT count(*) FROM pg_database WHERE datname = $1",
            &[&format!("{pool_database}_zeta")],
        )
        .expect("pg_database")
        .get(0);
    assert_eq!(left, 0, "the offboarded tenant's database is dropped");
}

/// The text of the gzip file `path`.
fn gunzip(path: &Path) -> String {
    let output = Command::new("gzip")
        .arg("-dc")
        .arg(path)
        .output()
        .expect("run gzip");
    assert!(output.status.success(), "gzip -dc {}", path.display());
    String::from_utf8(output.stdout).expect("UTF-8")
}

/// `text`, gzip-compressed, into `path`.
fn gzip_into(text: &str, path: &Path) {
    let mut gzip = Command::new("gzip")
        .arg("-c")
        .stdin(Stdio::piped())
        .stdout(std::fs::File::create(path).expect("create the file"))
        .spawn()
        .expect("run gzip");
    std::io::Write::write_all(&mut gzip.stdin.take().expect("stdin"), text.as_bytes())
        .expect("compress");
    assert!(gzip.wait().expect("gzip").success());
}

/// The archive `text` with its manifest's counts and checksums computed
/// again from its rows: what someone who edits a row and its manifest gets.
fn with_fresh_checksums(text: &str) -> String {
    use sha2::Digest as _;
    let lines: Vec<&str> = text.lines().collect();
    let (last, body) = lines.split_last().expect("a manifest");
    let mut marker: Value = serde_json::from_str(last).expect("the manifest line");
    let mut sections: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    let mut current = String::new();
    for line in &body[1..] {
        if line.starts_with('{') {
            sections.entry(current.clone()).or_default().push(line);
        } else {
            let table: Value = serde_json::from_str(line).expect("a table line");
            current = table[1].as_str().expect("a table").to_owned();
            sections.entry(current.clone()).or_default();
        }
    }
    for summary in marker[1]["tables"].as_array_mut().expect("tables") {
        let rows = &sections[summary["table"].as_str().expect("a table")];
        let mut digest = sha2::Sha256::new();
        for row in rows {
            digest.update(row.as_bytes());
            digest.update(b"\n");
        }
        let hex: String = digest
            .finalize()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        summary["rows"] = json!(rows.len());
        summary["sha256"] = json!(hex);
    }
    let mut out: Vec<String> = body.iter().map(|line| (*line).to_owned()).collect();
    out.push(marker.to_string());
    out.join("\n") + "\n"
}

/// A silo move that can't hold the tenant's writes within its deadline, or
/// whose copy doesn't match, is undone: the tenant stays on its server with
/// its records, takes writes, no half-made database is left on the target,
/// and the next move goes through. The copy is made to differ by a trigger
/// the target server adds to every table created there, which changes each
/// row written: silent corruption on the way.
#[test]
fn silo_move_is_undone_when_writes_cannot_be_held_or_the_copy_differs() {
    let silo = TwoServers::set_up("undo", "tracker.yaml");
    let TwoServers {
        main,
        second,
        model,
        app,
        ..
    } = &silo;
    app.run(&[
        "tenants",
        "create",
        "mover",
        "--server",
        "main",
        "--owner-email",
        &owner("mover"),
        "--owner-password",
        "password-1",
    ]);
    let entity = creatable_alone(model).clone();
    let running = app.serve(free_port());
    let client = Client::new(&running.base);
    let token = log_in_owner(&client, "mover");
    for n in 0..20 {
        let (status, body) = client.post(
            &entity.route,
            Some(&token),
            record(&entity, n, &BTreeMap::new()),
        );
        assert_eq!(status, 201, "{body}");
    }
    let before = listed(&client, &token, &entity);
    // Checks the move was undone, makes a write, and returns the records.
    let stays = |why: &str, printed: &str, before: &BTreeMap<String, Value>| {
        assert!(
            printed.contains("undone, it stays on `main`"),
            "{why}: {printed}"
        );
        assert!(
            silo.has_database(main, "mover") && !silo.has_database(second, "mover"),
            "{why}: the database is on main only"
        );
        assert_eq!(&listed(&client, &token, &entity), before, "{why}");
        let (status, body) = client.patch(
            &format!(
                "{}/{}",
                entity.route,
                before.keys().next().expect("a record")
            ),
            Some(&token),
            before.values().next().expect("a record").clone(),
        );
        assert_eq!(status, 200, "{why}: a write after the undo: {body}");
        assert!(
            app.run(&["tenants", "list"]).contains("\tmain/"),
            "{why}: the catalog names main"
        );
        listed(&client, &token, &entity)
    };

    // A transaction of the tenant's that keeps a table locked for writing.
    let database = format!("{}_mover", silo.database);
    let mut writer = main.connect(&database);
    let mut open = writer.transaction().expect("a transaction");
    open.batch_execute(&format!(
        "LOCK TABLE {} IN ROW EXCLUSIVE MODE",
        entity.table.name
    ))
    .expect("hold a write lock");
    let (ok, printed) = app.run_status(&["tenants", "move", "mover", "--server", "second"]);
    assert!(!ok && printed.contains("holding the writes"), "{printed}");
    open.rollback().expect("let go");
    let before = stays("writes not held in time", &printed, &before);

    // Someone else's database made under the new one's name while a move
    // was stopped before making its own: undoing that move leaves it, and
    // the move refuses to start over it.
    app.run_fails(
        &[
            "tenants",
            "move",
            "mover",
            "--server",
            "second",
            "--stop-after",
            "recorded",
        ],
        &[],
    );
    let mut maintenance = second.connect("postgres");
    maintenance
        .batch_execute(&format!("CREATE DATABASE {database}"))
        .expect("someone else's database");
    let (ok, printed) = app.run_status(&["tenants", "move", "mover", "--server", "second"]);
    assert!(!ok && printed.contains("has a database named"), "{printed}");
    assert!(
        silo.has_database(second, "mover"),
        "someone else's database stays: {printed}"
    );
    maintenance
        .batch_execute(&format!("DROP DATABASE {database}"))
        .expect("drop it");
    assert_eq!(listed(&client, &token, &entity), before);

    // Every table created on the second server changes each row written
    // to it, as a copy damaged on the way would be.
    let mut template = second.connect("template1");
    template
        .batch_execute(
            "CREATE FUNCTION public.skew() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN
                 NEW.updated_at := NEW.updated_at + interval '1 second';
                 RETURN NEW;
             END $$;
             CREATE FUNCTION public.skew_new_tables() RETURNS event_trigger LANGUAGE plpgsql AS $$
             DECLARE
                 created record;
             BEGIN
                 FOR created IN SELECT * FROM pg_event_trigger_ddl_commands() WHERE command_tag = 'CREATE TABLE' LOOP
                     IF EXISTS (SELECT FROM pg_attribute WHERE attrelid = created.objid AND attname = 'updated_at') THEN
                         EXECUTE format('CREATE TRIGGER skew BEFORE INSERT OR UPDATE ON %s FOR EACH ROW EXECUTE FUNCTION public.skew()', created.object_identity);
                         EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER skew', created.object_identity);
                     END IF;
                 END LOOP;
             END $$;
             CREATE EVENT TRIGGER skew_new_tables ON ddl_command_end WHEN TAG IN ('CREATE TABLE')
                 EXECUTE FUNCTION public.skew_new_tables();",
        )
        .expect("a skewing trigger for new tables");
    // CREATE DATABASE copies template1 only while nobody else is in it.
    drop(template);
    let (ok, printed) = app.run_status(&["tenants", "move", "mover", "--server", "second"]);
    assert!(!ok && printed.contains("differs"), "{printed}");
    let before = stays("a copy that differs", &printed, &before);

    second
        .connect("template1")
        .batch_execute("DROP EVENT TRIGGER skew_new_tables")
        .expect("stop skewing");

    // A write holding the last of the tables the move locks, in its order,
    // that then waits for the first, which the move holds by then: a
    // deadlock, which the move must be the one to give way in, then hold
    // the writes again and finish.
    let mut catalog = main.connect(&database);
    let tables: Vec<String> = catalog
        .query(
            "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind = 'r' AND n.nspname = 'public' AND c.relname <> 'schema_migrations'
             ORDER BY 1",
            &[],
        )
        .expect("the tenant's tables")
        .iter()
        .map(|row| row.get(0))
        .collect();
    let [first, .., last] = tables.as_slice() else {
        panic!("the tenant has two tables at least: {tables:?}")
    };
    let mut open = writer.transaction().expect("a transaction");
    open.batch_execute(&format!("LOCK TABLE {last} IN ROW EXCLUSIVE MODE"))
        .expect("hold a write lock");
    let printed = std::thread::scope(|scope| {
        let moving =
            scope.spawn(|| app.run_status(&["tenants", "move", "mover", "--server", "second"]));
        let waited_for = Instant::now();
        loop {
            let waiting: i64 = catalog
                .query_one(
                    "SELECT count(*) FROM pg_locks
                     WHERE database = (SELECT oid FROM pg_database WHERE datname = current_database())
                       AND relation = $1::text::regclass AND mode = 'ExclusiveLock' AND NOT granted",
                    &[last],
                )
                .expect("the locks")
                .get(0);
            if waiting > 0 || moving.is_finished() {
                break;
            }
            assert!(
                waited_for.elapsed() < Duration::from_secs(120),
                "the move never waited for {last}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        open.batch_execute(&format!("LOCK TABLE {first} IN ROW SHARE MODE"))
            .expect("the write gets its lock: the move gives way");
        open.rollback().expect("let go");
        let (ok, printed) = moving.join().expect("the move's thread");
        assert!(ok, "{printed}");
        printed
    });
    assert!(
        printed.contains("moved mover from main to second"),
        "{printed}"
    );
    assert!(silo.has_database(second, "mover") && !silo.has_database(main, "mover"));
    assert_eq!(listed(&client, &token, &entity), before);
}

/// The generated app behind PgBouncer in transaction pooling mode, which
/// lends each transaction whichever server connection is free: with
/// `DATABASE_POOLER=pgbouncer` it keeps no statement prepared and sends
/// nothing at startup, the timeouts come from the login role, and the
/// listener connects directly. The whole API drive passes through two
/// server connections, tenants kept apart by each transaction's own setting,
/// in each isolation mode: pool (crm), bridge (helpdesk) and silo (tracker,
/// whose tenant databases are reached through PgBouncer too).
#[test]
fn the_generated_app_serves_through_pgbouncer_transaction_pooling() {
    let server = Server::start();
    let scratch = tempfile::tempdir().expect("temporary folder");
    for example in ["crm", "helpdesk", "tracker"] {
        serves_through_pgbouncer(&server, scratch.path(), example);
    }
}

/// The checks of [`the_generated_app_serves_through_pgbouncer_transaction_pooling`]
/// on the example `example`.
fn serves_through_pgbouncer(server: &Server, scratch: &Path, example: &str) {
    let spec = repo().join(format!("examples/{example}.yaml"));
    let project = scratch.join(example);
    let model = generate(&spec, &project);
    cargo(&project, &["build", "--quiet", "--locked"]);
    let database = format!("gen_pgbouncer_{}", model.app);
    let user = format!("{}_pgbouncer", model.app);
    let mut app = App::new(server, &model, &database, &user);
    app.run(&["db", "setup"]);
    app.run(&["migrate"]);
    let settings: Vec<String> = server
        .connect("postgres")
        .query_one(
            "SELECT rolconfig FROM pg_roles WHERE rolname = $1",
            &[&user],
        )
        .expect("the login's settings")
        .get(0);
    assert!(
        settings.contains(&"statement_timeout=5000".to_owned())
            && settings.contains(&"idle_in_transaction_session_timeout=10000".to_owned()),
        "{example}: db setup gives the login its timeouts: {settings:?}"
    );

    let bouncer = server.pgbouncer(&[(&user, "app-password")], 2);
    let direct = app
        .env
        .iter()
        .find(|(name, _)| *name == "DATABASE_URL")
        .expect("DATABASE_URL")
        .1
        .clone();
    for (name, value) in &mut app.env {
        if *name == "DATABASE_URL" {
            *value = bouncer.url(&user, "app-password", &database);
        }
    }
    app.env.push(("DATABASE_POOLER", "pgbouncer".to_owned()));
    let refused = app.run_fails(&["serve"], &[]);
    assert!(
        refused.contains("LISTEN_DATABASE_URL"),
        "{example}: {refused}"
    );
    let timeout: String = postgres::Client::connect(
        &bouncer.url(&user, "app-password", &database),
        postgres::NoTls,
    )
    .expect("connect through PgBouncer")
    .query_one("SHOW statement_timeout", &[])
    .expect("the timeout")
    .get(0);
    assert_eq!(
        timeout, "5s",
        "{example}: the login's timeout holds through PgBouncer"
    );
    app.env.push(("LISTEN_DATABASE_URL", direct));
    let globals = seed_global_rows(server, &database, &model);
    drive(&app, &model, &spec, globals);

    // Many requests at once, over more client connections than server
    // ones: each transaction may land on another server connection than
    // the last one of its client connection.
    app.run(&[
        "tenants",
        "create",
        "bounced",
        "--owner-email",
        &owner("bounced"),
        "--owner-password",
        "password-1",
    ]);
    let running = app.serve(free_port());
    let client = Client::new(&running.base);
    let token = log_in_owner(&client, "bounced");
    let entity = creatable_alone(&model).clone();
    let (status, created) = client.post(
        &entity.route,
        Some(&token),
        record(&entity, 1, &BTreeMap::new()),
    );
    assert_eq!(status, 201, "{created}");
    let one = format!(
        "{}/{}",
        entity.route,
        created["id"].as_str().expect("an id")
    );
    let answers: Vec<u16> = std::thread::scope(|threads| {
        let readers: Vec<_> = (0..8)
            .map(|_| {
                threads.spawn(|| {
                    let client = Client::new(&running.base);
                    (0..40)
                        .flat_map(|_| {
                            [
                                client.get(&entity.route, Some(&token)).0,
                                client.get(&one, Some(&token)).0,
                            ]
                        })
                        .collect::<Vec<u16>>()
                })
            })
            .collect();
        readers
            .into_iter()
            .flat_map(|reader| reader.join().expect("a reader"))
            .collect()
    });
    assert!(
        answers.iter().all(|status| *status == 200),
        "{example}: every read answered 200: {:?}",
        answers
            .iter()
            .filter(|status| **status != 200)
            .collect::<Vec<_>>()
    );
    drop(running);
    let log = bouncer.log();
    if model.isolation == Isolation::Silo {
        assert!(
            log.contains(&format!("login attempt: db={database}_bounced user={user}")),
            "{example}: the tenant's database is reached through PgBouncer too:\n{log}"
        );
    }
    assert!(
        log.contains(&format!("login attempt: db={database} user={user}")),
        "{example}: the app went through PgBouncer:\n{log}"
    );
}

//! A throwaway PostgreSQL cluster for tests: initdb into a temporary folder,
//! a server on a free port and a socket in that folder, fsync off. Or, when
//! DATABASE_URL is set, the server it names (the tests create and drop their
//! own databases and roles there).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

/// A PostgreSQL server the tests may use as a superuser.
pub struct Server {
    admin: postgres::Config,
    cluster: Option<Cluster>,
}

struct Cluster {
    dir: PathBuf,
    bindir: PathBuf,
    as_postgres: bool,
}

impl Server {
    /// Starts a throwaway cluster, or connects to DATABASE_URL when set.
    /// Panics with what to install when PostgreSQL is missing: a missing
    /// prerequisite must fail the tests, never skip them.
    pub fn start() -> Server {
        if let Ok(url) = std::env::var("DATABASE_URL") {
            let admin: postgres::Config =
                url.parse().expect("DATABASE_URL is a valid PostgreSQL URL");
            return Server {
                admin,
                cluster: None,
            };
        }
        Self::start_cluster(None)
    }

    /// A throwaway cluster that takes TCP connections on localhost over TLS
    /// only, with the PEM certificate and key given (and its socket, for
    /// the tests' own connections); returns its TCP port too.
    pub fn start_tls_only(certificate: &Path, key: &Path) -> (Server, u16) {
        let server = Self::start_cluster(Some((certificate, key)));
        let port = server.admin.get_ports().first().copied().expect("a port");
        (server, port)
    }

    fn start_cluster(tls: Option<(&Path, &Path)>) -> Server {
        let bindir = find_bindir();
        let dir = scratch_dir("tenantgen-pg");
        let as_postgres = is_root();
        if as_postgres {
            // initdb refuses to run as root.
            run(
                Command::new("chown").arg("postgres:").arg(&dir),
                "chown the cluster folder to postgres",
            );
        }
        let cluster = Cluster {
            dir: dir.clone(),
            bindir,
            as_postgres,
        };
        let data = dir.join("data");
        run(
            cluster.command("initdb").arg("-D").arg(&data).args([
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
                "--locale=C",
            ]),
            "initdb",
        );
        let port = free_port();
        let mut options = format!(
            "-p {port} -k {} -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            dir.display()
        );
        match tls {
            None => options.push_str(" -c listen_addresses=''"),
            Some((certificate, key)) => {
                // The server reads them as its own user, and refuses a key
                // others may read.
                for (from, name) in [(certificate, "server.crt"), (key, "server.key")] {
                    std::fs::copy(from, data.join(name)).expect("copy the certificate");
                }
                if as_postgres {
                    run(
                        Command::new("chown")
                            .arg("postgres:")
                            .arg(data.join("server.crt"))
                            .arg(data.join("server.key")),
                        "chown the certificate",
                    );
                }
                run(
                    Command::new("chmod")
                        .arg("600")
                        .arg(data.join("server.key")),
                    "chmod the key",
                );
                std::fs::write(
                    data.join("pg_hba.conf"),
                    "local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostssl all all ::1/128 trust\n",
                )
                .expect("write pg_hba.conf");
                options.push_str(" -c listen_addresses=localhost -c ssl=on");
            }
        }
        run(
            cluster
                .command("pg_ctl")
                .arg("-D")
                .arg(&data)
                .arg("-l")
                .arg(dir.join("server.log"))
                .args(["-w", "-s", "-o", &options, "start"]),
            "pg_ctl start",
        );
        let mut admin = postgres::Config::new();
        admin
            .host_path(&dir)
            .port(port)
            .user("postgres")
            .dbname("postgres");
        Server {
            admin,
            cluster: Some(cluster),
        }
    }

    /// A connection URL for `user` to `dbname` on this server, for programs
    /// that take one (the generated backend's DATABASE_URL).
    pub fn url(&self, user: &str, password: &str, dbname: &str) -> String {
        let port = self.admin.get_ports().first().copied().unwrap_or(5432);
        match self.admin.get_hosts().first() {
            Some(postgres::config::Host::Unix(dir)) => format!(
                "postgres://{user}:{password}@localhost:{port}/{dbname}?host={}",
                dir.display()
            ),
            Some(postgres::config::Host::Tcp(host)) => {
                format!("postgres://{user}:{password}@{host}:{port}/{dbname}")
            }
            None => format!("postgres://{user}:{password}@localhost:{port}/{dbname}"),
        }
    }

    /// The superuser's URL to `dbname`.
    pub fn admin_url(&self, dbname: &str) -> String {
        let user = self.admin.get_user().unwrap_or("postgres").to_owned();
        let password = self
            .admin
            .get_password()
            .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
            .unwrap_or_default();
        self.url(&user, &password, dbname)
    }

    /// A superuser connection to `dbname`.
    pub fn connect(&self, dbname: &str) -> postgres::Client {
        let mut config = self.admin.clone();
        config.dbname(dbname);
        config
            .connect(postgres::NoTls)
            .unwrap_or_else(|err| panic!("connect to {dbname} as superuser: {err}"))
    }

    /// A connection to `dbname` as `user` (trust or the admin's password).
    pub fn connect_as(&self, dbname: &str, user: &str, password: &str) -> postgres::Client {
        let mut config = self.admin.clone();
        config.dbname(dbname).user(user).password(password);
        config
            .connect(postgres::NoTls)
            .unwrap_or_else(|err| panic!("connect to {dbname} as {user}: {err}"))
    }

    /// Creates an empty database, dropping any leftover of the same name.
    pub fn create_database(&self, name: &str) {
        let mut admin = self.connect("postgres");
        // Each in a statement of its own: CREATE DATABASE can't run in a transaction block.
        for sql in [
            format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
            format!("CREATE DATABASE \"{name}\""),
        ] {
            admin.batch_execute(&sql).unwrap_or_else(|err| {
                panic!(
                    "{sql}: {}",
                    err.as_db_error()
                        .map_or(err.to_string(), |db| db.message().to_owned())
                )
            });
        }
    }
}

impl Server {
    /// A PgBouncer in transaction pooling mode in front of this server, on
    /// a free localhost port, letting in `logins` (user, password) with at
    /// most `server_connections` connections to the server per database
    /// and user. Panics with what to install when PgBouncer is missing.
    pub fn pgbouncer(&self, logins: &[(&str, &str)], server_connections: u32) -> PgBouncer {
        let dir = scratch_dir("tenantgen-pgbouncer");
        let host = match self.admin.get_hosts().first() {
            Some(postgres::config::Host::Unix(path)) => path.display().to_string(),
            Some(postgres::config::Host::Tcp(host)) => host.clone(),
            None => "localhost".to_owned(),
        };
        let server_port = self.admin.get_ports().first().copied().unwrap_or(5432);
        let port = free_port();
        let users: String = logins
            .iter()
            .map(|(user, password)| format!("\"{user}\" \"{password}\"\n"))
            .collect();
        std::fs::write(dir.join("users.txt"), users).expect("write the users");
        // Debian's program path is /usr/sbin, which a user's PATH may lack.
        let program = Some(Path::new("/usr/sbin/pgbouncer"))
            .filter(|path| path.exists())
            .map_or_else(|| PathBuf::from("pgbouncer"), Path::to_path_buf);
        // From 1.21 PgBouncer can carry named statements across server
        // connections; turned off, so that the app must do without them.
        let version = Command::new(&program)
            .arg("--version")
            .output()
            .map(|out| String::from_utf8_lossy(&out.stdout).into_owned())
            .unwrap_or_else(|err| {
                panic!("PgBouncer could not start ({err}); install it: apt-get install pgbouncer")
            });
        let carries_statements = version
            .split_whitespace()
            .nth(1)
            .and_then(|number| {
                let mut parts = number.split('.').map(|part| part.parse::<u32>().ok());
                Some((parts.next()??, parts.next()??))
            })
            .is_some_and(|release| release >= (1, 21));
        let statements = if carries_statements {
            "max_prepared_statements = 0\n"
        } else {
            ""
        };
        std::fs::write(
            dir.join("pgbouncer.ini"),
            format!(
                "[databases]\n* = host={host} port={server_port}\n\
                 [pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n\
                 auth_type = trust\nauth_file = {dir}/users.txt\npool_mode = transaction\n\
                 default_pool_size = {server_connections}\nmax_client_conn = 500\n\
                 logfile = {dir}/pgbouncer.log\npidfile = {dir}/pgbouncer.pid\n{statements}",
                dir = dir.display()
            ),
        )
        .expect("write pgbouncer.ini");
        let mut command = if is_root() {
            // PgBouncer refuses to run as root.
            run(
                Command::new("chown").arg("-R").arg("postgres:").arg(&dir),
                "chown the PgBouncer folder to postgres",
            );
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(&program);
            command
        } else {
            Command::new(&program)
        };
        let output = command
            .arg("-d")
            .arg(dir.join("pgbouncer.ini"))
            .output()
            .unwrap_or_else(|err| {
                panic!("PgBouncer could not start ({err}); install it: apt-get install pgbouncer")
            });
        assert!(
            output.status.success(),
            "pgbouncer failed:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let bouncer = PgBouncer { dir, port };
        let started = std::time::Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(10),
                "PgBouncer did not listen:\n{}",
                bouncer.log()
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        bouncer
    }
}

/// A PgBouncer that [`Server::pgbouncer`] started, stopped when dropped.
pub struct PgBouncer {
    dir: PathBuf,
    port: u16,
}

impl PgBouncer {
    /// A connection URL for `user` to `dbname` through it.
    pub fn url(&self, user: &str, password: &str, dbname: &str) -> String {
        format!(
            "postgres://{user}:{password}@127.0.0.1:{}/{dbname}",
            self.port
        )
    }

    /// What it logged.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("pgbouncer.log")).unwrap_or_default()
    }
}

impl Drop for PgBouncer {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(self.dir.join("pgbouncer.pid")) {
            let _ = Command::new("kill").arg(pid.trim()).status();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(cluster) = &self.cluster {
            let _ = cluster
                .command("pg_ctl")
                .arg("-D")
                .arg(cluster.dir.join("data"))
                .args(["-m", "immediate", "-w", "-s", "stop"])
                .status();
            let _ = std::fs::remove_dir_all(&cluster.dir);
        }
    }
}

impl Cluster {
    fn command(&self, program: &str) -> Command {
        let program = self.bindir.join(program);
        if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        }
    }
}

fn run(command: &mut Command, what: &str) {
    let output = command
        .output()
        .unwrap_or_else(|err| panic!("{what}: could not start: {err}"));
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
        .unwrap_or(false)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("find a free port")
}

/// The folder with initdb and pg_ctl: PG_BINDIR, `pg_config --bindir`, or
/// the newest `/usr/lib/postgresql/*/bin`.
fn find_bindir() -> PathBuf {
    let candidates = std::env::var_os("PG_BINDIR")
        .map(PathBuf::from)
        .into_iter()
        .chain(
            Command::new("pg_config")
                .arg("--bindir")
                .output()
                .ok()
                .filter(|out| out.status.success())
                .map(|out| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())),
        );
    // Debian keeps the server binaries out of PATH, one folder per version.
    let mut versioned: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|entries| {
            entries
                .filter_map(|entry| entry.ok())
                .map(|entry| entry.path().join("bin"))
                .collect()
        })
        .unwrap_or_default();
    versioned.sort_by_key(|dir| {
        let version = dir
            .parent()
            .and_then(|p| p.file_name())
            .and_then(|n| n.to_str())
            .and_then(|n| n.parse::<u32>().ok());
        std::cmp::Reverse(version)
    });
    for dir in candidates.chain(versioned) {
        if has_server_binaries(&dir) {
            return dir;
        }
    }
    panic!(
        "PostgreSQL server binaries (initdb, pg_ctl) were not found via PG_BINDIR, `pg_config --bindir` or /usr/lib/postgresql/*/bin.\n\
         Install them (Debian/Ubuntu: `apt-get install postgresql`), or set DATABASE_URL to a \
         PostgreSQL 15+ server where the tests may create databases and roles."
    );
}

fn has_server_binaries(dir: &Path) -> bool {
    dir.join("initdb").is_file() && dir.join("pg_ctl").is_file()
}

/// A new, empty folder under the system's temporary folder, named after
/// `prefix`, this process and a count, so that no two servers share one.
fn scratch_dir(prefix: &str) -> PathBuf {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "{prefix}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|err| panic!("create {}: {err}", dir.display()));
    dir
}

//! One code path for SQLite (the embedded default) and PostgreSQL, through sqlx's Any
//! driver with portable SQL (`$1` placeholders, BIGINT epoch-millisecond timestamps).
use std::{str::FromStr, sync::Arc, time::Duration};

use sqlx::{
    any::{AnyConnectOptions, AnyPoolOptions},
    AnyPool, Connection, Executor,
};

/// A pooled PostgreSQL connection idle this long is pinged before it is lent again.
const PING_WHEN_IDLE_FOR: Duration = Duration::from_secs(5);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DbKind {
    Sqlite,
    Postgres,
}

/// `write` serialises writers on SQLite (one connection: SQLite allows one writer at a
/// time, and a deferred transaction that upgrades to a write can fail instead of
/// waiting); on PostgreSQL both pools are the same.
/// `audit_key` keys the audit log's chain (infra::audit), which `audit` alone appends to
/// (group commit: see `audit::Writer`).
#[derive(Clone, Debug)]
pub struct Db {
    pub read: AnyPool,
    pub write: AnyPool,
    pub kind: DbKind,
    pub audit_key: Arc<super::audit::AuditKey>,
    pub audit: super::audit::Writer,
    /// SQLite only (a file): the hottest small reads, run without sqlx's thread hand-offs
    /// (`infra::sqlite_inline`). None on PostgreSQL, where they go through `read`.
    pub inline: Option<Arc<super::sqlite_inline::InlineReads>>,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

impl Db {
    pub async fn connect(url: &str, audit_key: super::audit::AuditKey) -> Result<Db, sqlx::Error> {
        let audit_key = Arc::new(audit_key);
        sqlx::any::install_default_drivers();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = AnyConnectOptions::from_str(url)?;
            let pool = AnyPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                // sqlx pings a connection before lending it (and again when it comes back,
                // which no option turns off): a round trip and a wake-up of a PostgreSQL
                // backend for each statement. Only a connection that sat idle can have gone
                // stale (a restarted database, a dropped link), so only those are checked
                // before lending; under load none are. After a restart, a connection idle
                // for less than this fails one request and is closed. In side-by-side runs
                // Home answered 0–14% more requests a second.
                .test_before_acquire(false)
                .before_acquire(|conn, meta| {
                    Box::pin(async move {
                        if meta.idle_for >= PING_WHEN_IDLE_FOR {
                            conn.ping().await?;
                        }
                        Ok(true)
                    })
                })
                .connect_with(options)
                .await?;
            return Ok(Db::assemble(pool.clone(), pool, DbKind::Postgres, audit_key, None));
        }
        if !url.starts_with("sqlite:") {
            return Err(sqlx::Error::Configuration(
                format!("unsupported database URL {url:?}: use sqlite:// or postgres://").into(),
            ));
        }
        create_sqlite_parent_dir(url);
        let url = with_create_mode(url);
        let write = sqlite_pool(&url, 1).await?;
        let read = sqlite_pool(&url, 8).await?;
        let inline = match opened_file(&read).await? {
            Some(path) => Some(Arc::new(super::sqlite_inline::InlineReads::open(&path)?)),
            None => None,
        };
        Ok(Db::assemble(read, write, DbKind::Sqlite, audit_key, inline))
    }

    fn assemble(
        read: AnyPool,
        write: AnyPool,
        kind: DbKind,
        audit_key: Arc<super::audit::AuditKey>,
        inline: Option<Arc<super::sqlite_inline::InlineReads>>,
    ) -> Db {
        let audit = super::audit::Writer::start(write.clone(), audit_key.clone());
        Db { read, write, kind, audit_key, audit, inline }
    }

    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self.kind {
            DbKind::Sqlite => SQLITE_MIGRATIONS.run(&self.write).await,
            DbKind::Postgres => POSTGRES_MIGRATIONS.run(&self.write).await,
        }
    }

    /// True when a trivial query answers and the audit writer runs (for /healthz): without
    /// the writer no chart read can be answered.
    pub async fn is_reachable(&self) -> bool {
        self.audit.is_running() && sqlx::query("SELECT 1").execute(&self.read).await.is_ok()
    }
}

async fn sqlite_pool(url: &str, max: u32) -> Result<AnyPool, sqlx::Error> {
    AnyPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(Duration::from_secs(10))
        // sqlx pings a connection before lending it by default: for SQLite a round trip to
        // the connection's worker thread before every query, a file that cannot go away
        // underneath us. Without it Home answered about 3,900 requests a second under load
        // instead of 3,500. (PostgreSQL keeps the check: there it cost nothing measurable,
        // and a restarted server leaves stale connections behind.)
        .test_before_acquire(false)
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                // WAL lets readers run beside the writer; FULL makes a commit durable
                // before we tell a patient "sent".
                for pragma in [
                    "PRAGMA journal_mode = WAL",
                    "PRAGMA synchronous = FULL",
                    "PRAGMA foreign_keys = ON",
                    "PRAGMA busy_timeout = 10000",
                ] {
                    conn.execute(pragma).await?;
                }
                Ok(())
            })
        })
        .connect(url)
        .await
}

fn with_create_mode(url: &str) -> String {
    if url.contains("mode=") || url.contains(":memory:") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

/// The file sqlx opened, as SQLite itself names it (absolute, after sqlx has decoded the
/// URL), so that the inline reads open that very file; None for an in-memory database.
async fn opened_file(read: &AnyPool) -> Result<Option<std::path::PathBuf>, sqlx::Error> {
    let file: Option<String> =
        sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
            .fetch_optional(read)
            .await?;
    Ok(file.filter(|file| !file.is_empty()).map(std::path::PathBuf::from))
}

fn sqlite_path(url: &str) -> &str {
    let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    path.split('?').next().unwrap_or_default()
}

fn create_sqlite_parent_dir(url: &str) {
    let path = sqlite_path(url);
    if let Some(parent) = std::path::Path::new(path).parent() {
        if !parent.as_os_str().is_empty() {
            let _ = std::fs::create_dir_all(parent);
        }
    }
}

impl Db {
    /// Whether every migration this build carries is applied. Read-only, so the server's
    /// role (which may not change the schema on PostgreSQL) can check before serving.
    pub async fn is_migrated(&self) -> bool {
        let migrator = match self.kind {
            DbKind::Sqlite => &SQLITE_MIGRATIONS,
            DbKind::Postgres => &POSTGRES_MIGRATIONS,
        };
        let applied: Vec<i64> = match sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
            .fetch_all(&self.read)
            .await
        {
            Ok(versions) => versions,
            Err(_) => return false,
        };
        migrator.iter().all(|m| applied.contains(&m.version))
    }

    /// PostgreSQL, run by the owner after migrating: `role` (the server's) may read and
    /// write every table, but on the audit log only INSERT and SELECT, and no DDL anywhere
    /// (it owns nothing, and CREATE on the schema is withheld). The role name is bound,
    /// not spliced into SQL: `format('%I')` quotes it inside the database.
    pub async fn grant_runtime_role(&self, role: &str) -> Result<(), sqlx::Error> {
        if self.kind != DbKind::Postgres {
            return Ok(());
        }
        let mut tx = self.write.begin().await?;
        sqlx::query("SELECT set_config('portico.runtime_role', $1, true)")
            .bind(role)
            .execute(&mut *tx)
            .await?;
        sqlx::query(GRANT_RUNTIME_ROLE).execute(&mut *tx).await?;
        tx.commit().await
    }
}

const GRANT_RUNTIME_ROLE: &str = r#"
DO $$
DECLARE
    runtime text := current_setting('portico.runtime_role');
BEGIN
    EXECUTE format('REVOKE CREATE ON SCHEMA public FROM PUBLIC, %I', runtime);
    EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', runtime);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I', runtime);
    EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I', runtime);
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_log FROM %I', runtime);
    EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON _sqlx_migrations FROM %I', runtime);
END
$$"#;

//! Opening the database: the audit key first (created while the audit log is empty, never
//! replaced under an existing chain), then the schema check. Migrating is `portico migrate`'s
//! job where the server's role may not change the schema (PostgreSQL with two roles).
use std::io::ErrorKind;

use app::infra::{audit::AuditKey, Config, Db};

use crate::anyhow_lite::Result;

pub async fn open(config: &Config, database_url: &str) -> Result<Db> {
    let path = &config.audit_key_file;
    let (key, created) = match AuditKey::load(path) {
        Ok(key) => (key, false),
        Err(e) if e.kind() == ErrorKind::NotFound => (AuditKey::create(path)?, true),
        Err(e) => return Err(format!("the audit key {}: {e}", path.display()).into()),
    };
    let db = Db::connect(database_url, key).await?;
    if created && db.is_migrated().await && app::infra::audit::head(&db).await?.seq > 0 {
        // A new key cannot extend (or verify) the chain the old one made.
        std::fs::remove_file(path)?;
        return Err(format!(
            "the audit key {} is missing but the audit log has rows: restore the key file \
             (PORTICO_AUDIT_KEY_FILE)",
            path.display()
        )
        .into());
    }
    if created {
        tracing::info!("created the audit key {} (keep a copy with your backups)", path.display());
    }
    Ok(db)
}

/// Opens the server's database and migrates it when this build has migrations it lacks
/// (on PostgreSQL with a separate owner, that fails with a pointer to `portico migrate`).
pub async fn open_migrated(config: &Config) -> Result<Db> {
    let db = open(config, &config.database_url).await?;
    if !db.is_migrated().await {
        db.migrate().await.map_err(|e| {
            format!("the database needs migrating and this role could not ({e}): run `portico migrate` with PORTICO_MIGRATE_DATABASE_URL set to the owner's URL")
        })?;
    }
    // Authenticator secrets stored before they were sealed at rest are sealed now.
    let sealed = app::auth::two_step::seal_stored_secrets(&db).await?;
    if sealed > 0 {
        tracing::info!(sealed, "authenticator secrets sealed at rest");
    }
    Ok(db)
}

/// `portico migrate`: as the owner when PORTICO_MIGRATE_DATABASE_URL is set, then the
/// server's role gets its grants.
pub async fn migrate(config: &Config, owner_url: Option<&str>, runtime_role: Option<&str>) -> Result<()> {
    let db = open(config, owner_url.unwrap_or(&config.database_url)).await?;
    db.migrate().await?;
    if let Some(role) = runtime_role {
        db.grant_runtime_role(role).await?;
    }
    Ok(())
}

//! `portico`: serve, migrate, seed and administer.
use clap::Parser;

use app::{
    auth::{rules, store, Role},
    infra::{crypto, Clock},
};
use portico_server::{
    anyhow_lite::Result,
    build_state,
    cli::{AdminCommand, AuditCommand, Cli, Command},
    seed,
};

/// mimalloc in place of glibc's malloc: see server/Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    if let Err(e) = run(Cli::parse()).await {
        eprintln!("portico: {e}");
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> Result<()> {
    let config = cli.settings.to_config()?;
    // The commands that must not migrate as the server's role, or at all.
    match &cli.command {
        Command::Migrate => {
            let settings = &cli.settings;
            portico_server::database::migrate(
                &config,
                settings.migrate_database_url.as_deref(),
                settings.runtime_role.as_deref(),
            )
            .await?;
            println!("database is up to date");
            return Ok(());
        }
        Command::Audit { command } => return audit(&config, command).await,
        _ => {}
    }
    let site_root = match &cli.command {
        Command::Serve { site_root, .. } => site_root.clone(),
        _ => "target/site".into(),
    };
    let state = build_state(config, Clock::system(cli.settings.time_zone.clone()), &site_root).await?;
    match cli.command {
        Command::Serve { addr, .. } => {
            let listener = tokio::net::TcpListener::bind(addr).await?;
            tracing::info!("Portico listening on http://{}", listener.local_addr()?);
            portico_server::serve(listener, state).await?;
        }
        // Answered above, before the state was built.
        Command::Migrate | Command::Audit { .. } => {}
        Command::Seed { demo, synthetic, seed: rng_seed, accounts } => {
            if !demo && synthetic.is_none() {
                return Err("nothing to seed: pass --demo and/or --synthetic N".into());
            }
            if demo {
                seed::demo(&state).await?;
            }
            if let Some(n) = synthetic {
                let started = std::time::Instant::now();
                let counts =
                    portico_server::synthetic::generate(&state, n, rng_seed, accounts, seed::DEMO_PASSWORD)
                        .await?;
                println!("generated {counts:?} in {:.1} s", started.elapsed().as_secs_f64());
                seed::audit_cli(&state, "synthetic-seed", None).await?;
            }
        }
        Command::Admin { command: AdminCommand::ActivationCode { mrn } } => {
            let patient = app::patients::store::patient_by_mrn(&state.db, &mrn)
                .await?
                .ok_or("no patient has that MRN")?;
            app::staff::api::check_may_enroll(&state, &patient).map_err(|e| format!("{e}"))?;
            let issued =
                store::issue_activation_code(&state.db, patient.id, None, state.clock.now_ms()).await?;
            seed::audit_cli(&state, "activation-code-issued", Some(patient.id)).await?;
            println!(
                "Activation code for {} {} (MRN {}): {}",
                patient.given_name, patient.family_name, patient.mrn, issued.code
            );
            println!("Valid until {} (45 days), single use.", state.clock.date_of(issued.expires_at));
        }
        Command::Admin { command: AdminCommand::CreateStaff { username, role, name, email } } => {
            let role = Role::parse(&role)
                .filter(|r| r.is_staff())
                .ok_or("--role must be one of clinician, him, billing, support, admin")?;
            let username = rules::normalize_username(&username).map_err(|k| format!("username: {k}"))?;
            let password = crypto::random_token(18);
            let hash = state.hasher.hash(&password).await.map_err(|e| format!("{e}"))?;
            let display_name = name.unwrap_or_else(|| username.clone());
            let user = store::NewUser {
                username: &username,
                password_hash: &hash,
                email: email.as_deref(),
                display_name: &display_name,
                role,
                patient_id: None,
                email_confirmed: true,
            };
            let id = store::insert_user(&state.db.write, &user, state.clock.now_ms()).await.map_err(|e| {
                if store::is_unique_violation(&e) {
                    "that username is taken".to_string()
                } else {
                    e.to_string()
                }
            })?;
            // A password someone else saw: the first sign-in replaces it.
            store::require_first_password(&state.db, id).await?;
            seed::audit_cli(&state, "staff-created", None).await?;
            println!("Created {} ({}). First password, shown once: {password}", username, role.as_str());
        }
        Command::Admin {
            command:
                AdminCommand::RegisterApp {
                    name,
                    redirect_uris,
                    confidential,
                    terms_url,
                    privacy_url,
                    logo_url,
                    registered_by,
                    jwks_file,
                },
        } => {
            use app::connected_apps::{registry, store as apps};
            let jwks = match jwks_file {
                Some(path) => Some(
                    std::fs::read_to_string(&path)
                        .map_err(|e| format!("--jwks-file {}: {e}", path.display()))?,
                ),
                None => None,
            };
            let typed = registry::Typed {
                name,
                confidential,
                redirect_uris,
                logo_url,
                terms_url,
                privacy_url,
                registered_by: registered_by.unwrap_or_else(|| state.config.org.name.clone()),
                jwks,
            };
            let app = registry::check(typed).map_err(|r| format!("{}: {}", r.field, r.reason))?;
            let registered = apps::register(&state.db, state.clock.now_ms(), &app, None).await?;
            seed::audit_cli(&state, "app-registered", None).await?;
            println!("Registered {}. Client id: {}", app.name, registered.client_id);
            if let Some(secret) = registered.secret {
                println!("Client secret, shown once: {secret}");
            }
        }
        Command::Admin { command: AdminCommand::DisableStaff { username } } => {
            let now = state.clock.now_ms();
            store::set_staff_disabled(&state.db, &username.to_lowercase(), Some(now))
                .await?
                .ok_or("no staff account has that username")?;
            seed::audit_cli(&state, "staff-disabled", None).await?;
            println!("Disabled {username}: its sessions have ended and it cannot sign in.");
        }
        Command::Admin { command: AdminCommand::EnableStaff { username } } => {
            store::set_staff_disabled(&state.db, &username.to_lowercase(), None)
                .await?
                .ok_or("no staff account has that username")?;
            seed::audit_cli(&state, "staff-enabled", None).await?;
            println!("Enabled {username}.");
        }
        Command::Admin { command: AdminCommand::RequireReset { username } } => {
            let unusable = state.hasher.hash(&crypto::random_token(32)).await.map_err(|e| format!("{e}"))?;
            store::require_staff_reset(&state.db, &username.to_lowercase(), &unusable, state.clock.now_ms())
                .await?
                .ok_or("no staff account has that username")?;
            seed::audit_cli(&state, "staff-reset-required", None).await?;
            println!(
                "{username} must set a new password through \"Forgot password\"; its sessions have ended."
            );
        }
    }
    Ok(())
}

/// `portico audit verify` / `portico audit head`.
async fn audit(config: &app::infra::Config, command: &AuditCommand) -> Result<()> {
    use app::infra::audit::{self, Head, Verdict};
    let db = portico_server::database::open(config, &config.database_url).await?;
    match command {
        AuditCommand::Head => println!("{}", audit::head(&db).await?),
        AuditCommand::Verify { anchor } => {
            let anchor = match anchor {
                Some(text) => Some(
                    Head::parse(text).ok_or("--anchor must be SEQ:HASH, as `portico audit head` prints")?,
                ),
                None => None,
            };
            match audit::verify(&db, anchor.as_ref()).await? {
                Verdict::Intact { rows, head } => println!("audit chain intact: {rows} rows, head {head}"),
                Verdict::Broken { seq, reason } => {
                    return Err(format!("audit chain broken at row {seq}: {reason}").into());
                }
            }
        }
    }
    Ok(())
}

//! The command-line verbs. Outside the request path, so errors are `anyhow`.

mod capacity;
mod seed_volume;
mod serve;
mod tenant;
mod token;

use crate::cli::{Cli, Command, TenantCommand};
use crate::config::Config;
use crate::repo::{db, migrations};
use anyhow::Context;

pub use serve::{App, spawn};

/// Runs the command `cli` names; with none, `serve` configured from the environment.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let command = cli
        .command
        .unwrap_or_else(|| Command::Serve(crate::cli::ServeArgs::from_env()));
    if let Command::Schema = command {
        print!("{}", crate::graphql::sdl());
        return Ok(());
    }
    let config = Config::from_args(&cli.global)?;
    match command {
        Command::Serve(args) => serve::run(config, args).await,
        Command::Migrate => {
            migrate(&config).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Tenant(TenantCommand::Create(args)) => tenant::create(&config, args).await,
        Command::Token(args) => token::print(&config, args).await,
        Command::SeedDemo => {
            anyhow::ensure!(
                config.environment.is_development(),
                "the demo tenant is not seeded in production"
            );
            let db = migrate(&config).await?;
            crate::seed::demo::seed(&db).await?;
            println!("demo tenant `{}` is ready", crate::seed::demo::SLUG);
            Ok(())
        }
        Command::SeedVolume(args) => {
            let db = migrate(&config).await?;
            seed_volume::run(&db, &args).await
        }
        Command::Worker => serve::work(config).await,
        Command::Schema => unreachable!("handled above"),
    }
}

/// Connects as the tables' owner, for migrations and the operator's commands: at least two
/// connections, since migrations hold their lock on one while they run on another.
async fn connect_owner(config: &Config) -> anyhow::Result<sea_orm::DatabaseConnection> {
    let settings = db::PoolSettings {
        size: config.db_pool.size.map(|size| size.max(2)),
        ..config.db_pool
    };
    db::connect_with(config.owner_url(), settings)
        .await
        .with_context(|| format!("connecting to {}", redact(config.owner_url())))
}

/// Applies pending migrations as the owner, under PostgreSQL's advisory lock, grants the
/// server's role what it needs on the tables, and returns the owner's connection. `serve`,
/// `worker`, `migrate` and the seeding commands all migrate through here.
async fn migrate(config: &Config) -> anyhow::Result<sea_orm::DatabaseConnection> {
    let owner = connect_owner(config).await?;
    migrations::migrate(&owner, &config.database_url)
        .await
        .context("applying migrations and granting the server's role its rights")?;
    Ok(owner)
}

/// Says how PostgreSQL's row-level security binds the server's role, and refuses in
/// production a role that bypasses it (a superuser, or BYPASSRLS).
async fn check_wall(config: &Config, db: &sea_orm::DatabaseConnection) -> anyhow::Result<()> {
    match db::wall(db).await.context("reading the server's role")? {
        db::Wall::Absent | db::Wall::Bound => Ok(()),
        db::Wall::Owner => {
            tracing::warn!(
                "the server connects as the tables' owner, which could switch row-level security off: connect as a role of its own (README.md, PostgreSQL in production)"
            );
            Ok(())
        }
        db::Wall::Bypassed if config.environment.is_development() => {
            tracing::warn!(
                "the server's role bypasses row-level security (a superuser or BYPASSRLS): only the application's filter walls tenants apart"
            );
            Ok(())
        }
        db::Wall::Bypassed => anyhow::bail!(
            "the server's database role bypasses row-level security (a superuser or BYPASSRLS); connect as a role of its own and migrate with --database-owner-url (README.md, PostgreSQL in production)"
        ),
    }
}

async fn connect(config: &Config) -> anyhow::Result<sea_orm::DatabaseConnection> {
    db::connect_with(&config.database_url, config.db_pool)
        .await
        .with_context(|| format!("connecting to {}", redact(&config.database_url)))
}

/// A pool of `size` connections to the configured database, beside the main one.
async fn connect_with_pool(
    config: &Config,
    size: u32,
) -> anyhow::Result<sea_orm::DatabaseConnection> {
    let settings = db::PoolSettings {
        size: Some(size),
        ..config.db_pool
    };
    db::connect_with(&config.database_url, settings)
        .await
        .with_context(|| format!("connecting to {}", redact(&config.database_url)))
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://…@{}", &url[..scheme], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

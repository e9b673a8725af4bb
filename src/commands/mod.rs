//! The command-line verbs. Outside the request path, so errors are `anyhow`.

mod seed_volume;
mod serve;
mod tenant;
mod token;

use crate::cli::{Cli, Command, TenantCommand};
use crate::config::Config;
use crate::repo::db;
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
            let db = connect(&config).await?;
            db::migrate(&db).await.context("applying migrations")?;
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
            let db = connect(&config).await?;
            db::migrate(&db).await.context("applying migrations")?;
            crate::seed::demo::seed(&db).await?;
            println!("demo tenant `{}` is ready", crate::seed::demo::SLUG);
            Ok(())
        }
        Command::SeedVolume(args) => {
            let db = connect(&config).await?;
            db::migrate(&db).await.context("applying migrations")?;
            seed_volume::run(&db, &args).await
        }
        Command::Worker => serve::work(config).await,
        Command::Schema => unreachable!("handled above"),
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

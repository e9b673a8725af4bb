//! `debrief tenant create`.

use crate::cli::TenantCreateArgs;
use crate::config::Config;
use crate::domain::directory;
use crate::repo::{identity, tenants};
use anyhow::anyhow;

/// Checks the arguments, migrates, and creates the tenant with its first ADMIN. Fails when
/// the slug is taken. Prints the ids and the command that makes a token.
pub async fn create(config: &Config, args: TenantCreateArgs) -> anyhow::Result<()> {
    let slug = directory::slug(&args.slug).map_err(|e| anyhow!(e.message))?;
    let name = directory::name("name", &args.name).map_err(|e| anyhow!(e.message))?;
    let admin_email =
        directory::email("admin-email", &args.admin_email).map_err(|e| anyhow!(e.message))?;
    let default_name = admin_email
        .split('@')
        .next()
        .unwrap_or(&admin_email)
        .to_owned();
    let admin_name = directory::name(
        "admin-name",
        args.admin_name.as_deref().unwrap_or(&default_name),
    )
    .map_err(|e| anyhow!(e.message))?;
    let db = super::migrate(config).await?;
    anyhow::ensure!(
        identity::tenant_by_slug(&db, &slug).await?.is_none(),
        "a tenant with slug `{slug}` already exists"
    );
    let (tenant, admin) = tenants::create(
        &db,
        tenants::NewTenant {
            slug,
            name,
            admin_email,
            admin_name,
        },
    )
    .await
    .map_err(|e| anyhow!(e.to_string()))?;
    println!("tenant   {} ({})", tenant.slug, tenant.id);
    println!("admin    {} ({})", admin.email, admin.id);
    println!(
        "token    debrief token --tenant {} --email {}",
        tenant.slug, admin.email
    );
    Ok(())
}

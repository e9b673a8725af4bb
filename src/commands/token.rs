//! `debrief token`.

use crate::auth::TokenSigner;
use crate::cli::TokenArgs;
use crate::config::Config;
use crate::repo::{Grouping, TenantConnection, identity};
use anyhow::Context;

/// Prints a signed token for an active user, named by tenant slug and email.
pub async fn print(config: &Config, args: TokenArgs) -> anyhow::Result<()> {
    let signer = TokenSigner::new(&config.jwt)?;
    let db = super::connect_owner(config).await?;
    let tenant = identity::tenant_by_slug(&db, &args.tenant)
        .await?
        .with_context(|| format!("no tenant with slug `{}`", args.tenant))?;
    let tenant_db = TenantConnection::new(db, tenant.id, Grouping::EachStatement);
    let user = identity::user_by_email(&tenant_db, &args.email)
        .await?
        .with_context(|| format!("no user `{}` in tenant `{}`", args.email, args.tenant))?;
    anyhow::ensure!(user.active, "user `{}` is deactivated", user.email);
    println!("{}", signer.sign(tenant.id, user.id, args.ttl)?);
    Ok(())
}

//! `debrief seed-volume`: a large generated tenant, with a progress bar.

use crate::cli::SeedVolumeArgs;
use indicatif::{ProgressBar, ProgressStyle};
use sea_orm::DatabaseConnection;

pub async fn run(db: &DatabaseConnection, args: &SeedVolumeArgs) -> anyhow::Result<()> {
    let bar = ProgressBar::new(args.incidents).with_style(
        ProgressStyle::with_template(
            "{msg} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} incidents ({per_sec}, {eta} left)",
        )?,
    );
    bar.set_message(format!("seeding `{}`", args.slug));
    let volume = crate::seed::volume::Volume {
        incidents: args.incidents,
        timeline_events: args.timeline_events,
    };
    let tenant =
        crate::seed::volume::seed(db, &args.slug, volume, |done| bar.set_position(done)).await?;
    bar.finish();
    println!(
        "tenant `{}` ({tenant}) has {} generated incidents",
        args.slug, args.incidents
    );
    Ok(())
}

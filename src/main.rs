use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = debrief::cli::Cli::parse();
    debrief::telemetry::init();
    debrief::commands::run(cli).await
}

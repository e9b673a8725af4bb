use clap::Parser;

/// mimalloc instead of the system allocator: a GraphQL response is built from many small,
/// short-lived allocations across worker threads, where glibc malloc spent about a quarter of
/// the server's CPU time under load (docs/BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = debrief::cli::Cli::parse();
    let telemetry = debrief::telemetry::init();
    let result = debrief::commands::run(cli).await;
    telemetry.shutdown().await;
    result
}

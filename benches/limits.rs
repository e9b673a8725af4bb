//! What a hostile document costs before it is refused: parsing it and checking the operation
//! limits, for fragment fan-outs from 2^16 to 2^30 fields, beside what async-graphql's own
//! validation spends on the same document when nothing refuses it first.
//!
//! ```sh
//! cargo bench --bench limits
//! ```

use async_graphql::Variables;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use debrief::graphql::{self, SchemaOptions, limits};
use std::time::Duration;

/// `levels` fragments, each spreading the previous one twice, under `viewer`.
fn fan_out(levels: usize) -> String {
    let mut document =
        format!("query {{ viewer {{ ...F{levels} }} }}\nfragment F0 on Viewer {{ role }}\n");
    for level in 1..=levels {
        let previous = level - 1;
        document.push_str(&format!(
            "fragment F{level} on Viewer {{ ...F{previous} ...F{previous} }}\n"
        ));
    }
    document
}

fn refusal(c: &mut Criterion) {
    let variables = Variables::default();
    let mut group = c.benchmark_group("parse and check the limits");
    for levels in [16, 20, 24, 28, 30] {
        let document = fan_out(levels);
        group.bench_with_input(
            BenchmarkId::new("fan-out 2^n", levels),
            &document,
            |b, text| {
                b.iter(|| {
                    let parsed = async_graphql::parser::parse_query(text).expect("parses");
                    assert!(limits::check(&parsed, &variables).is_err());
                });
            },
        );
    }
    group.finish();
}

/// async-graphql's validation alone, as it ran before the limits were checked first. Only
/// small fan-outs, each over the complexity limit so that nothing runs: each level doubles
/// its time.
fn engine_validation(c: &mut Criterion) {
    let schema = graphql::build(SchemaOptions {
        suggestions: false,
        feedback_per_hour: 30,
    });
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let mut group = c.benchmark_group("async-graphql validation without the check");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    for levels in [14, 16, 18] {
        let document = fan_out(levels);
        group.bench_with_input(
            BenchmarkId::new("fan-out 2^n", levels),
            &document,
            |b, text| {
                b.iter(|| {
                    let response = runtime.block_on(schema.execute(text.as_str()));
                    assert!(response.is_err());
                });
            },
        );
    }
    group.finish();
}

criterion_group!(benches, refusal, engine_validation);
criterion_main!(benches);

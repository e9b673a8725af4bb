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

/// The other shapes `tests/hostile.rs` sends: inline fragments spread over 20 levels, 1,000
/// wide inline fragments, 60 nested ones, 1,000 directives, a 12,000-value default.
fn other_shapes() -> Vec<(&'static str, String)> {
    let mut inline_fan_out =
        "query { viewer { ...F20 } }\nfragment F0 on Viewer { role }\n".to_owned();
    for level in 1..=20 {
        let inline = format!("... on Viewer {{ ...F{} }} ", level - 1).repeat(2);
        inline_fan_out.push_str(&format!("fragment F{level} on Viewer {{ {inline} }}\n"));
    }
    let list = vec!["1"; 12_000].join(",");
    vec![
        ("inline fan-out 2^20", inline_fan_out),
        (
            "1,000 wide inline fragments",
            format!(
                "{{ viewer {{ {} }} }}",
                "... on Viewer { role role role role role } ".repeat(1_000)
            ),
        ),
        (
            "60 nested inline fragments",
            format!(
                "{{ viewer {{ {} role {} }} }}",
                "... on Viewer { ".repeat(60),
                "}".repeat(60)
            ),
        ),
        (
            "1,000 directives",
            format!(
                "{{ viewer {{ role {} }} }}",
                "@include(if: true) ".repeat(1_000)
            ),
        ),
        (
            "a 12,000-value default",
            format!("query($v: [Int] = [{list}]) {{ viewer {{ role }} }}"),
        ),
    ]
}

fn refusal(c: &mut Criterion) {
    let variables = Variables::default();
    let mut group = c.benchmark_group("parse and check the limits");
    for (name, document) in other_shapes() {
        group.bench_with_input(BenchmarkId::new("shape", name), &document, |b, text| {
            b.iter(|| {
                let parsed = async_graphql::parser::parse_query(text).expect("parses");
                assert!(limits::check(&parsed, &variables).is_err());
            });
        });
    }
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
        webhook_addresses: Default::default(),
        public_url: debrief::config::default_public_url(),
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

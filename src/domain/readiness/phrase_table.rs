//! The language rules against a table of sentences, blaming and blameless, each with the
//! findings it must produce (none for a blameless one). The sample tenant has one person,
//! Dana Whitfield (dana.w@acme.example), and a service and a client named Payments and Globex.

use super::sample::{self, codes_of};
use super::{FindingCode, check};
use FindingCode::{BlamingLanguage as B, DefensiveTone as D, PersonNamed as P};
use FindingCode::{SelfFlagellation as S, VagueMeasure as V};

const TABLE: &[(&str, &[FindingCode])] = &[
    // Blameless: systems, processes and ordinary words.
    ("A configuration change lowered the connection limit.", &[]),
    ("The default timeout was too short for peak load.", &[]),
    (
        "A faulty disk in the primary database degraded writes.",
        &[],
    ),
    ("A network fault in one zone dropped connections.", &[]),
    ("The deploy pipeline had no check for this value.", &[]),
    ("Our review process did not show the effective value.", &[]),
    ("We apologise for the disruption this caused.", &[]),
    (
        "We are sorry for the disruption, and we have changed how we deploy.",
        &[],
    ),
    ("Payments were slow to recover after the rollback.", &[]),
    ("Globex saw errors for 40 minutes.", &[]),
    (
        "The blameless review found three contributing factors.",
        &[],
    ),
    ("Retrying the requests did not help.", &[]),
    ("We will roll back faster with a one-command rollback.", &[]),
    ("The on-call engineer was paged within 4 minutes.", &[]),
    ("Our alerting missed the rising error rate.", &[]),
    (
        "The system recovered automatically once the queue drained.",
        &[],
    ),
    ("The error budget for the month was exhausted.", &[]),
    ("We could have detected the saturation sooner.", &[]),
    ("A dependency upgrade changed retry behaviour.", &[]),
    ("Danae's team was not involved.", &[]),
    ("We will improve the playbook", &[]),
    ("The system's fault tolerance held in two zones.", &[]),
    (
        "The cluster is fault-tolerant, but it's fault domain was one rack.",
        &[],
    ),
    ("A fault of the disk controller corrupted the index.", &[]),
    ("It was the fault of the release process.", &[B]),
    // Blaming: people and their failings.
    ("Dana pushed the change.", &[P]),
    ("After Dana's change, payments failed.", &[P]),
    ("DANA WHITFIELD approved the rollout.", &[P]),
    ("Contact dana.w@acme.example for details.", &[P]),
    ("The outage was caused by human error.", &[B]),
    ("An operator error removed the route.", &[B]),
    ("The engineer was careless with the config.", &[B]),
    ("It was the contractor's fault.", &[B]),
    ("The on-call engineer was at fault.", &[B]),
    ("The team should have known the limit.", &[B]),
    ("The engineer failed to run the checks.", &[B]),
    ("Someone forgot to renew the certificate.", &[B]),
    ("A negligent rollout took the site down.", &[B]),
    ("This was incompetent work.", &[B]),
    ("Whitfield forgot to bump the limit.", &[P, B]),
    ("We blame the release team; their work was sloppy.", &[B, B]),
    ("The release manager dropped the ball.", &[B]),
    // Defensive: denying ownership or pushing it onto others.
    ("This was not our fault.", &[D]),
    ("The outage was beyond our control.", &[D]),
    ("There was nothing we could have done.", &[D]),
    ("It was entirely the vendor's fault.", &[D]),
    ("The errors were caused by your integration.", &[D]),
    ("The failure was unavoidable.", &[D]),
    ("It was a customer error on your end.", &[D, D]),
    // Self-flagellation.
    ("This was a terrible, inexcusable failure.", &[S, S]),
    ("We are deeply ashamed of this outage.", &[S]),
    ("We failed you completely.", &[S]),
    ("Sorry. So sorry. We apologise again and again.", &[S]),
    (
        "This was unacceptable and utterly embarrassing.",
        &[S, S, S],
    ),
];

#[test]
fn each_sentence_gives_exactly_its_findings() {
    assert!(TABLE.len() >= 40);
    let wrong: Vec<String> = TABLE
        .iter()
        .filter_map(|(sentence, expected)| {
            let got = codes_of(sentence);
            (got != *expected).then(|| format!("{sentence:?}: expected {expected:?}, got {got:?}"))
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn vague_measure_titles_from_the_table() {
    let titles: &[(&str, &[FindingCode])] = &[
        ("Try to deploy more carefully", &[V]),
        ("Be more careful with config", &[V]),
        ("Improve alerting", &[V]),
        ("Improve alerting to page within 3 minutes", &[]),
        ("Add a CI check rejecting limits below peak", &[]),
        ("Tune pool sizes as needed", &[V]),
    ];
    for (title, expected) in titles {
        let mut s = sample::ready();
        s.measures[0].title = (*title).into();
        let got: Vec<_> = check(&s).iter().map(|f| f.code).collect();
        assert_eq!(&got, expected, "{title}");
    }
}

//! Specific prevention: every measure that is not cancelled has an owner team, a due date
//! and a success criterion, says something checkable, and is not already late; and the
//! measures cover a technical, a process and a monitoring change.

use super::lists;
use super::phrases::{Phrase, Text};
use super::{Finding, FindingCode, Item, MeasureFacts, Snapshot, Target};
use entity::{MeasureKind, MeasureStatus};

pub(super) fn check(s: &Snapshot) -> Vec<Finding> {
    let live: Vec<&MeasureFacts> = s
        .measures
        .iter()
        .filter(|m| m.status != MeasureStatus::Cancelled)
        .collect();
    let today = s.now.date_naive();
    let mut findings = Vec::new();
    for m in &live {
        findings.extend(missing_parts(m));
        findings.extend(vague(m, "title", &m.title));
        findings.extend(vague(m, "successCriterion", &m.success_criterion));
        let open = matches!(m.status, MeasureStatus::Planned | MeasureStatus::InProgress);
        if let Some(due) = m.due_on.filter(|due| open && *due < today) {
            findings.push(Finding::warning(
                FindingCode::MeasurePastDue,
                field(m, "dueOn"),
                format!("Due on {due} and still open; set a date you can keep, or finish it."),
            ));
        }
    }
    if !live.is_empty() {
        for kind in [
            MeasureKind::Technical,
            MeasureKind::Process,
            MeasureKind::Monitoring,
        ] {
            if !live.iter().any(|m| m.kind == kind) {
                findings.push(Finding::warning(
                    FindingCode::MeasureKindMissing,
                    Target::List(Item::Measure),
                    format!(
                        "No {} measure; a good plan usually has a technical, a process and a monitoring change.",
                        kind_name(kind)
                    ),
                ));
            }
        }
    }
    findings
}

fn field(m: &MeasureFacts, field: &'static str) -> Target {
    Target::Record {
        item: Item::Measure,
        id: m.id,
        field,
    }
}

fn missing_parts(m: &MeasureFacts) -> Vec<Finding> {
    let parts = [
        (
            m.owner_team.trim().is_empty(),
            FindingCode::MeasureOwnerMissing,
            "ownerTeam",
            "No owner team; name the team that will deliver it.",
        ),
        (
            m.due_on.is_none(),
            FindingCode::MeasureDueDateMissing,
            "dueOn",
            "No due date; commit to when it will be done.",
        ),
        (
            m.success_criterion.trim().is_empty(),
            FindingCode::MeasureCriterionMissing,
            "successCriterion",
            "No success criterion; say how you will know it worked.",
        ),
    ];
    parts
        .into_iter()
        .filter(|(missing, ..)| *missing)
        .map(|(_, code, name, message)| Finding::blocker(code, field(m, name), message))
        .collect()
}

/// A finding when `text` uses vague wording, or speaks of improvement without a number.
fn vague(m: &MeasureFacts, name: &'static str, text: &str) -> Option<Finding> {
    let text_words = Text::new(text);
    let unmeasured = (!text_words.has_number()).then_some(lists::UNMEASURED);
    let lists = [Some(lists::VAGUE), unmeasured];
    let (phrase, at) = lists
        .into_iter()
        .flatten()
        .flat_map(Phrase::all)
        .find_map(|p| {
            let at = text_words.find(&p).next();
            at.map(|at| (p, at))
        })?;
    let mut finding = Finding::warning(
        FindingCode::VagueMeasure,
        field(m, name),
        format!(
            "\"{}\" is vague; say exactly what changes, with a number or a check anyone can run.",
            phrase.label
        ),
    );
    finding.excerpt = Some(text_words.excerpt(at));
    Some(finding)
}

fn kind_name(kind: MeasureKind) -> &'static str {
    match kind {
        MeasureKind::Technical => "TECHNICAL",
        MeasureKind::Process => "PROCESS",
        MeasureKind::Monitoring => "MONITORING",
    }
}

#[cfg(test)]
mod tests {
    use super::super::sample::{self, codes, id, path};
    use super::super::{Severity, check};
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn a_measure_missing_owner_due_date_or_criterion_blocks_at_each_field() {
        let mut s = sample::ready();
        s.measures[0].owner_team = " ".into();
        s.measures[0].due_on = None;
        s.measures[0].success_criterion = String::new();
        let findings = check(&s);
        let got: Vec<_> = findings
            .iter()
            .map(|f| (f.code, f.severity, path(&f.target)))
            .collect();
        let m = id(4);
        assert_eq!(
            got,
            [
                (
                    FindingCode::MeasureOwnerMissing,
                    Severity::Blocker,
                    format!("measures[{m}].ownerTeam")
                ),
                (
                    FindingCode::MeasureDueDateMissing,
                    Severity::Blocker,
                    format!("measures[{m}].dueOn")
                ),
                (
                    FindingCode::MeasureCriterionMissing,
                    Severity::Blocker,
                    format!("measures[{m}].successCriterion")
                ),
            ]
        );
    }

    #[test]
    fn cancelled_measures_are_not_held_to_the_rules() {
        let mut s = sample::ready();
        s.measures[0].status = MeasureStatus::Cancelled;
        s.measures[0].owner_team = String::new();
        s.measures[0].title = "Try to be more careful".into();
        assert_eq!(codes(&s), [FindingCode::MeasureKindMissing]);
    }

    #[test]
    fn vague_wording_in_a_title_or_criterion_warns() {
        for vague in [
            "Try to avoid config mistakes",
            "Be more careful with limits",
            "Review limits as needed",
            "Fix the limit ASAP",
            "Look into pool sizing",
        ] {
            let mut s = sample::ready();
            s.measures[1].title = vague.into();
            assert_eq!(codes(&s), [FindingCode::VagueMeasure], "{vague}");
        }
        let mut s = sample::ready();
        s.measures[1].success_criterion = "Hopefully fewer incidents".into();
        let findings = check(&s);
        assert_eq!(
            path(&findings[0].target),
            format!("measures[{}].successCriterion", id(5))
        );
    }

    #[test]
    fn improvement_needs_a_number_or_target() {
        let mut s = sample::ready();
        s.measures[2].title = "Improve monitoring".into();
        assert_eq!(codes(&s), [FindingCode::VagueMeasure]);
        s.measures[2].title = "Better alerting".into();
        assert_eq!(codes(&s), [FindingCode::VagueMeasure]);
        s.measures[2].title = "Improve detection time to under 5 minutes".into();
        assert_eq!(codes(&s), []);
        s.measures[2].title = "Alert on pool saturation above 90%".into();
        assert_eq!(codes(&s), []);
    }

    #[test]
    fn ordinary_words_near_vague_ones_do_not_match() {
        let mut s = sample::ready();
        s.measures[0].title = "Retry to the secondary processor".into();
        s.measures[1].title = "Betterment of nothing: add a limit check".into();
        assert_eq!(codes(&s), []);
    }

    #[test]
    fn an_open_measure_past_its_due_date_warns_but_a_done_one_does_not() {
        let mut s = sample::ready();
        s.measures[0].due_on = NaiveDate::from_ymd_opt(2026, 3, 9);
        assert_eq!(codes(&s), [FindingCode::MeasurePastDue]);
        s.measures[0].status = MeasureStatus::Done;
        assert_eq!(codes(&s), []);
        s.measures[0].status = MeasureStatus::InProgress;
        s.measures[0].due_on = NaiveDate::from_ymd_opt(2026, 3, 10);
        assert_eq!(codes(&s), [], "due today is not late");
    }

    #[test]
    fn each_missing_kind_warns_once() {
        let mut s = sample::ready();
        s.measures.truncate(1);
        let findings = check(&s);
        let messages: Vec<_> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            codes(&s),
            [
                FindingCode::MeasureKindMissing,
                FindingCode::MeasureKindMissing
            ]
        );
        assert!(
            messages[0].starts_with("No PROCESS measure"),
            "{messages:?}"
        );
        assert!(
            messages[1].starts_with("No MONITORING measure"),
            "{messages:?}"
        );
        assert!(findings.iter().all(|f| f.severity == Severity::Warning));
        assert_eq!(path(&findings[0].target), "measures");
    }
}

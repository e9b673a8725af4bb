//! Blameless language and tone in every client-facing text: no names or emails of the
//! tenant's people, no blaming, no defensive phrasing, no self-flagellation.

use super::lists;
use super::people;
use super::phrases::{Occurrence, Phrase, Text};
use super::{Finding, FindingCode, Item, Severity, Snapshot, Target};
use entity::{BlamelessPolicy, Visibility};
use std::collections::HashSet;

/// What a match is about; earlier concerns win where matches of equal length overlap.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Concern {
    Defensive,
    Blame,
    /// Names the person with this display name.
    Person(String),
    SelfFlagellation,
}

/// A phrase to look for, and what it is about.
pub(super) struct Pattern {
    pub phrase: Phrase,
    pub concern: Concern,
}

pub(super) fn check(s: &Snapshot) -> Vec<Finding> {
    let patterns = patterns(s);
    let blame = match s.settings.blameless_policy {
        BlamelessPolicy::Block => Severity::Blocker,
        BlamelessPolicy::Warn => Severity::Warning,
    };
    client_texts(s)
        .into_iter()
        .flat_map(|(target, text)| findings_in(&patterns, blame, target, text))
        .collect()
}

/// Every client-facing text of the snapshot, with where it lives.
fn client_texts(s: &Snapshot) -> Vec<(Target, &str)> {
    let record = |item, id, field| Target::Record { item, id, field };
    let mut texts = Vec::new();
    for e in s
        .timeline
        .iter()
        .filter(|e| e.visibility == Visibility::Client)
    {
        texts.push((record(Item::TimelineEvent, e.id, "body"), e.body.as_str()));
    }
    for c in &s.root_causes {
        let target = record(Item::RootCause, c.id, "clientExplanation");
        texts.push((target, c.client_explanation.as_str()));
    }
    for i in &s.impacts {
        texts.push((
            record(Item::Impact, i.id, "description"),
            i.description.as_str(),
        ));
    }
    let pm = &s.post_mortem;
    texts.push((
        Target::PostMortem("impactSummary"),
        pm.impact_summary.as_str(),
    ));
    texts.push((Target::PostMortem("wentWell"), pm.went_well.as_str()));
    texts.push((
        Target::PostMortem("couldBeBetter"),
        pm.could_be_better.as_str(),
    ));
    for m in &s.measures {
        texts.push((record(Item::Measure, m.id, "title"), m.title.as_str()));
        texts.push((
            record(Item::Measure, m.id, "description"),
            m.description.as_str(),
        ));
        let criterion = record(Item::Measure, m.id, "successCriterion");
        texts.push((criterion, m.success_criterion.as_str()));
    }
    texts
}

/// Every pattern, longest first, then by concern; a phrase whose words repeat an earlier
/// pattern's is dropped, so each run of words is looked for once.
fn patterns(s: &Snapshot) -> Vec<Pattern> {
    let terms = &s.settings.terms;
    let lists: [(Concern, &[&str], &[String]); 3] = [
        (Concern::Blame, lists::BLAME, &terms.blame),
        (Concern::Defensive, lists::DEFENSIVE, &terms.defensive),
        (
            Concern::SelfFlagellation,
            lists::SELF_FLAGELLATION,
            &terms.self_flagellation,
        ),
    ];
    let mut patterns = people::patterns(s);
    for (concern, built_in, extra) in lists {
        let phrases = Phrase::all(built_in).into_iter().chain(Phrase::all(extra));
        patterns.extend(phrases.map(|phrase| Pattern {
            phrase,
            concern: concern.clone(),
        }));
    }
    patterns.sort_by(|a, b| {
        let longest = b.phrase.word_count().cmp(&a.phrase.word_count());
        longest.then_with(|| a.concern.cmp(&b.concern))
    });
    let mut seen = HashSet::new();
    patterns.retain(|p| seen.insert(p.phrase.words().to_vec()));
    patterns
}

/// The findings in one text, in reading order. Patterns are tried in priority order and
/// each claims the words it matches, so where matches overlap the longest wins; each
/// pattern is reported once per text, at its first unclaimed occurrence.
fn findings_in(
    patterns: &[Pattern],
    blame: Severity,
    target: Target,
    source: &str,
) -> Vec<Finding> {
    let text = Text::new(source);
    let mut claimed = vec![false; text.word_count()];
    let mut found = Vec::new();
    for pattern in patterns {
        let mut first = None;
        for at in text.find(&pattern.phrase) {
            let words = at.words.0..at.words.1;
            if claimed[words.clone()].contains(&true) || technical_fault(&text, &pattern.phrase, at)
            {
                continue;
            }
            claimed[words].fill(true);
            first.get_or_insert(at);
        }
        if let Some(at) = first {
            let mut finding = finding(pattern, blame, target);
            finding.excerpt = Some(text.excerpt(at));
            found.push((at.words, finding));
        }
    }
    found.sort_by_key(|(words, _)| *words);
    let mut findings: Vec<Finding> = found.into_iter().map(|(_, f)| f).collect();
    findings.extend(apologies(&text, target));
    findings
}

/// "The system's fault tolerance": a phrase ending in "fault" followed by a word that makes
/// it an engineering term, not blame.
fn technical_fault(text: &Text<'_>, phrase: &Phrase, at: Occurrence) -> bool {
    phrase.words().last().is_some_and(|w| w == "fault")
        && text
            .word(at.words.1)
            .is_some_and(|next| lists::FAULT_COMPOUNDS.contains(&next))
}

fn finding(pattern: &Pattern, blame: Severity, target: Target) -> Finding {
    let label = &pattern.phrase.label;
    let (code, severity, message) = match &pattern.concern {
        Concern::Person(person) => (
            FindingCode::PersonNamed,
            blame,
            format!(
                "\"{label}\" names {person}; describe what the system or process did, not who did it."
            ),
        ),
        Concern::Defensive => (
            FindingCode::DefensiveTone,
            Severity::Warning,
            format!(
                "\"{label}\" sounds defensive; own what was in your control and what will change."
            ),
        ),
        Concern::SelfFlagellation => (
            FindingCode::SelfFlagellation,
            Severity::Warning,
            format!("\"{label}\" dwells on guilt; state the facts and what changes instead."),
        ),
        Concern::Blame => (
            FindingCode::BlamingLanguage,
            blame,
            format!(
                "\"{label}\" assigns blame; describe the conditions that made the failure possible."
            ),
        ),
    };
    Finding::new(code, severity, target, message)
}

fn apologies(text: &Text<'_>, target: Target) -> Option<Finding> {
    let count = text.count_words(lists::APOLOGY);
    (count > lists::APOLOGY_LIMIT).then(|| {
        Finding::warning(
            FindingCode::SelfFlagellation,
            target,
            format!("{count} apologies in one text; one sincere apology is enough."),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::super::check;
    use super::super::sample::{self, about, codes_of, id, path};
    use super::*;

    #[test]
    fn findings_carry_the_path_severity_and_an_excerpt() {
        let mut s = sample::ready();
        s.root_causes[0].client_explanation = "It was human error during a deploy.".into();
        let findings = check(&s);
        assert_eq!(findings.len(), 1, "{findings:?}");
        let f = &findings[0];
        assert_eq!(f.code, FindingCode::BlamingLanguage);
        assert_eq!(f.severity, Severity::Warning);
        assert_eq!(
            path(&f.target),
            format!("rootCauses[{}].clientExplanation", id(2))
        );
        assert_eq!(
            f.excerpt.as_deref(),
            Some("It was human error during a deploy.")
        );
    }

    #[test]
    fn the_block_policy_makes_blame_and_names_blockers_but_not_tone() {
        let mut s = sample::ready();
        s.settings.blameless_policy = BlamelessPolicy::Block;
        let found = about("Dana was careless. It was beyond our control.", &mut s);
        let severities: Vec<_> = found.iter().map(|f| (f.code, f.severity)).collect();
        assert_eq!(
            severities,
            [
                (FindingCode::PersonNamed, Severity::Blocker),
                (FindingCode::BlamingLanguage, Severity::Blocker),
                (FindingCode::DefensiveTone, Severity::Warning),
            ]
        );
    }

    #[test]
    fn the_longest_phrase_wins_where_matches_overlap() {
        assert_eq!(
            codes_of("This was not our fault."),
            [FindingCode::DefensiveTone]
        );
        assert_eq!(
            codes_of("It was the vendor's fault."),
            [FindingCode::DefensiveTone]
        );
        assert_eq!(
            codes_of("It was the contractor's fault."),
            [FindingCode::BlamingLanguage]
        );
    }

    #[test]
    fn each_phrase_is_reported_once_per_text() {
        assert_eq!(
            codes_of("Blame here, blame there."),
            [FindingCode::BlamingLanguage]
        );
    }

    #[test]
    fn piled_up_apologies_are_self_flagellation_but_one_is_fine() {
        assert_eq!(codes_of("We apologise for the disruption."), []);
        assert_eq!(
            codes_of("We are so sorry. We apologise again. Our sincere apologies."),
            [FindingCode::SelfFlagellation]
        );
    }

    #[test]
    fn tenant_terms_extend_each_list() {
        let mut s = sample::ready();
        s.settings.terms.blame = vec!["cowboy deploy".into()];
        s.settings.terms.defensive = vec!["acts of god".into()];
        s.settings.terms.self_flagellation = vec!["mea culpa".into()];
        let found = about("A cowboy deploy, acts of God, mea culpa.", &mut s);
        let codes: Vec<_> = found.iter().map(|f| f.code).collect();
        assert_eq!(
            codes,
            [
                FindingCode::BlamingLanguage,
                FindingCode::DefensiveTone,
                FindingCode::SelfFlagellation
            ]
        );
    }

    #[test]
    fn internal_timeline_entries_are_not_client_facing() {
        let mut s = sample::ready();
        s.timeline.push(super::super::EventFacts {
            id: id(9),
            visibility: Visibility::Internal,
            body: "Dana forgot to bump the limit.".into(),
        });
        assert_eq!(check(&s), vec![]);
    }

    #[test]
    fn every_client_facing_text_is_read() {
        let mut s = sample::ready();
        let blame = "Blame the deploy.".to_owned();
        s.timeline[0].body = blame.clone();
        s.root_causes[0].client_explanation = blame.clone();
        s.impacts[0].description = blame.clone();
        s.post_mortem.impact_summary = blame.clone();
        s.post_mortem.went_well = blame.clone();
        s.post_mortem.could_be_better = blame.clone();
        s.measures[0].title = blame.clone();
        s.measures[0].description = blame.clone();
        s.measures[0].success_criterion = format!("{blame} 5 times.");
        let paths: Vec<String> = check(&s).iter().map(|f| path(&f.target)).collect();
        let (m, c) = (id(4), id(2));
        assert_eq!(
            paths,
            [
                format!("timeline[{}].body", id(1)),
                format!("rootCauses[{c}].clientExplanation"),
                format!("impacts[{}].description", id(3)),
                "impactSummary".into(),
                "wentWell".into(),
                "couldBeBetter".into(),
                format!("measures[{m}].title"),
                format!("measures[{m}].description"),
                format!("measures[{m}].successCriterion"),
            ]
        );
    }
}

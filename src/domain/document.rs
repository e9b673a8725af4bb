//! The client-facing written summary of a post-mortem, rendered from a snapshot of the record.
//!
//! The structure follows the practice: what happened, root cause, immediate impact, what went
//! well, what could have gone better, prevention measures, going forward, and the invitation
//! for questions. The snapshot holds only client-facing text: the caller never puts internal
//! events, internal analysis or lessons learned into it. The same snapshot always renders the
//! same bytes.

use chrono::{DateTime, NaiveDate, Utc};
use std::fmt::Write;

/// Everything the summary shows, already filtered for its reader and sorted.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub provider: String,
    pub reference: String,
    pub title: String,
    pub severity: String,
    pub started_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub timeline: Vec<Event>,
    pub root_causes: Vec<Cause>,
    pub impact_summary: String,
    pub impacts: Vec<Impact>,
    pub went_well: String,
    pub could_be_better: String,
    pub measures: Vec<Measure>,
    pub review_due_at: Option<DateTime<Utc>>,
    pub review_after_days: i32,
}

#[derive(Debug, Clone)]
pub struct Event {
    pub occurred_at: DateTime<Utc>,
    pub kind: String,
    pub body: String,
}

#[derive(Debug, Clone)]
pub struct Cause {
    pub is_root_cause: bool,
    pub category: String,
    pub explanation: String,
}

#[derive(Debug, Clone)]
pub struct Impact {
    pub client: String,
    pub level: String,
    pub description: String,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct Measure {
    pub kind: String,
    pub title: String,
    pub description: String,
    pub success_criterion: String,
    pub owner_team: String,
    pub due_on: Option<NaiveDate>,
    pub status: String,
}

/// The closing invitation, word for word.
pub const INVITATION: &str = "What questions or concerns do you have?";

const NOTHING_YET: &str = "_Nothing recorded yet._";

fn time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn or_nothing(text: &str) -> &str {
    if text.trim().is_empty() {
        NOTHING_YET
    } else {
        text.trim()
    }
}

/// Renders the summary as Markdown.
pub fn markdown(doc: &Snapshot) -> String {
    let mut out = String::new();
    let resolved = doc.resolved_at.map_or_else(
        || "not yet resolved".to_owned(),
        |at| format!("resolved {}", time(at)),
    );
    let _ = writeln!(out, "# {}: {}\n", doc.reference, doc.title.trim());
    let _ = writeln!(
        out,
        "*Post-mortem by {}. Severity {}. Started {}, {}.*\n",
        doc.provider,
        doc.severity,
        time(doc.started_at),
        resolved
    );
    what_happened(&mut out, &doc.timeline);
    root_cause(&mut out, &doc.root_causes);
    impact(&mut out, doc);
    let _ = writeln!(
        out,
        "## 4. What we did well\n\n{}\n",
        or_nothing(&doc.went_well)
    );
    let _ = writeln!(
        out,
        "## 5. What we could have done better\n\n{}\n",
        or_nothing(&doc.could_be_better)
    );
    measures(&mut out, &doc.measures);
    going_forward(&mut out, doc);
    let _ = writeln!(
        out,
        "## 8. Your questions\n\n{INVITATION} Reply to this post-mortem in Debrief and we will answer each one."
    );
    out
}

fn what_happened(out: &mut String, timeline: &[Event]) {
    let _ = writeln!(out, "## 1. What happened\n");
    if timeline.is_empty() {
        let _ = writeln!(out, "{NOTHING_YET}\n");
    }
    for event in timeline {
        let _ = writeln!(
            out,
            "**{}** ({})\n\n{}\n",
            time(event.occurred_at),
            event.kind,
            event.body.trim()
        );
    }
}

fn root_cause(out: &mut String, causes: &[Cause]) {
    let _ = writeln!(out, "## 2. Root cause\n");
    let (roots, factors): (Vec<&Cause>, Vec<&Cause>) = causes.iter().partition(|c| c.is_root_cause);
    if roots.is_empty() {
        let _ = writeln!(out, "{NOTHING_YET}\n");
    }
    for cause in roots {
        let _ = writeln!(
            out,
            "**{}.** {}\n",
            cause.category,
            cause.explanation.trim()
        );
    }
    if !factors.is_empty() {
        let _ = writeln!(out, "Contributing factors:\n");
        for factor in factors {
            let _ = writeln!(
                out,
                "- **{}.** {}",
                factor.category,
                factor.explanation.trim()
            );
        }
        out.push('\n');
    }
}

fn impact(out: &mut String, doc: &Snapshot) {
    let _ = writeln!(
        out,
        "## 3. Immediate impact\n\n{}\n",
        or_nothing(&doc.impact_summary)
    );
    for impact in &doc.impacts {
        let window = match impact.ended_at {
            Some(end) => format!(
                "from {} to {} ({})",
                time(impact.started_at),
                time(end),
                super::impact::human_duration(end - impact.started_at)
            ),
            None => format!("since {}, ongoing", time(impact.started_at)),
        };
        let _ = writeln!(
            out,
            "- **{}**: {}, {}. {}",
            impact.client,
            impact.level,
            window,
            impact.description.trim()
        );
    }
    if !doc.impacts.is_empty() {
        out.push('\n');
    }
}

fn measures(out: &mut String, measures: &[Measure]) {
    let _ = writeln!(out, "## 6. Prevention measures\n");
    if measures.is_empty() {
        let _ = writeln!(out, "{NOTHING_YET}\n");
    }
    for (index, m) in measures.iter().enumerate() {
        let owner = if m.owner_team.trim().is_empty() {
            "to be assigned"
        } else {
            m.owner_team.trim()
        };
        let due = m.due_on.map_or_else(
            || "date to be set".to_owned(),
            |d| d.format("%Y-%m-%d").to_string(),
        );
        let _ = writeln!(
            out,
            "{}. **{}** ({}). Owner: {}. Due: {}. Status: {}.",
            index + 1,
            m.title.trim(),
            m.kind,
            owner,
            due,
            m.status
        );
        if !m.description.trim().is_empty() {
            let _ = writeln!(out, "   {}", m.description.trim().replace('\n', "\n   "));
        }
        if !m.success_criterion.trim().is_empty() {
            let _ = writeln!(
                out,
                "   *How we will know it worked:* {}",
                m.success_criterion.trim().replace('\n', "\n   ")
            );
        }
    }
    out.push('\n');
}

fn going_forward(out: &mut String, doc: &Snapshot) {
    let _ = writeln!(out, "## 7. Going forward\n");
    match doc.review_due_at {
        Some(at) => {
            let _ = writeln!(
                out,
                "We will review how well these measures worked on {} and share what we find.\n",
                at.format("%Y-%m-%d")
            );
        }
        None => {
            let _ = writeln!(
                out,
                "We will review how well these measures worked {} days after this summary is published, and share what we find.\n",
                doc.review_after_days
            );
        }
    }
}

/// Renders the summary as sanitised HTML: user Markdown cannot inject scripts or handlers.
pub fn html(doc: &Snapshot) -> String {
    sanitised_html(&markdown(doc))
}

/// Renders Markdown to HTML and sanitises it: no scripts, no event handlers.
pub fn sanitised_html(markdown: &str) -> String {
    let mut raw = String::new();
    pulldown_cmark::html::push_html(
        &mut raw,
        pulldown_cmark::Parser::new_ext(markdown, pulldown_cmark::Options::ENABLE_STRIKETHROUGH),
    );
    ammonia::clean(&raw)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn snapshot() -> Snapshot {
        let at = |h| Utc.with_ymd_and_hms(2026, 3, 1, h, 0, 0).unwrap();
        Snapshot {
            provider: "Acme Cloud".into(),
            reference: "INC-7".into(),
            title: "Checkout failures".into(),
            severity: "SEV1".into(),
            started_at: at(9),
            resolved_at: Some(at(12)),
            timeline: vec![Event {
                occurred_at: at(9),
                kind: "Started".into(),
                body: "Payments <script>alert(1)</script> failed. <img src=x onerror=alert(2)>"
                    .into(),
            }],
            root_causes: vec![
                Cause {
                    is_root_cause: true,
                    category: "Configuration".into(),
                    explanation: "A limit was set too low.".into(),
                },
                Cause {
                    is_root_cause: false,
                    category: "Monitoring gap".into(),
                    explanation: "No alert on error rate.".into(),
                },
            ],
            impact_summary: "Card payments failed.".into(),
            impacts: vec![Impact {
                client: "Globex".into(),
                level: "Full outage".into(),
                description: "No checkouts.".into(),
                started_at: at(9),
                ended_at: Some(at(11)),
            }],
            went_well: "Fast rollback.".into(),
            could_be_better: "Earlier detection.".into(),
            measures: vec![Measure {
                kind: "Monitoring".into(),
                title: "Alert on payment errors".into(),
                description: "Page on-call above 2% errors.".into(),
                success_criterion: "Alert fires within 2 minutes in a drill.".into(),
                owner_team: "Payments SRE".into(),
                due_on: NaiveDate::from_ymd_opt(2026, 3, 15),
                status: "Planned".into(),
            }],
            review_due_at: Some(at(12) + chrono::TimeDelta::days(30)),
            review_after_days: 30,
        }
    }

    #[test]
    fn the_summary_has_the_eight_sections_in_order() {
        let text = markdown(&snapshot());
        let headings = [
            "## 1. What happened",
            "## 2. Root cause",
            "## 3. Immediate impact",
            "## 4. What we did well",
            "## 5. What we could have done better",
            "## 6. Prevention measures",
            "## 7. Going forward",
            "## 8. Your questions",
        ];
        let positions: Vec<usize> = headings
            .iter()
            .map(|h| text.find(h).unwrap_or_else(|| panic!("{h} missing")))
            .collect();
        assert!(
            positions.windows(2).all(|w| w[0] < w[1]),
            "sections out of order"
        );
        assert!(text.contains(INVITATION));
        assert!(text.contains("from 2026-03-01 09:00 UTC to 2026-03-01 11:00 UTC (2 h)"));
        assert!(text.contains("1. **Alert on payment errors** (Monitoring). Owner: Payments SRE. Due: 2026-03-15. Status: Planned."));
        assert!(text.contains("We will review how well these measures worked on 2026-03-31"));
    }

    #[test]
    fn html_is_sanitised() {
        let html = html(&snapshot());
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(html.contains("<h2>1. What happened</h2>"));
    }

    #[test]
    fn rendering_is_deterministic() {
        assert_eq!(markdown(&snapshot()), markdown(&snapshot()));
        assert_eq!(html(&snapshot()), html(&snapshot()));
    }
}

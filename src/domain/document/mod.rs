//! The client-facing written summary of a post-mortem, rendered from a snapshot of the record.
//!
//! The structure follows the practice: what happened, root cause, immediate impact, what went
//! well, what could have gone better, prevention measures, going forward, and the invitation
//! for questions. The snapshot holds only client-facing text: the caller never puts internal
//! events, internal analysis or lessons learned into it, and a client's copy holds only that
//! client's impact. Times are written in the reader's zone, which the document states. The
//! same snapshot always renders the same bytes.

pub mod page;

use crate::domain::zone;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use std::fmt::Write;

/// Everything the summary shows, already filtered for its reader and sorted.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub reference: String,
    pub title: String,
    pub severity: String,
    pub started_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// The affected services' names, sorted.
    pub services: Vec<String>,
    pub timeline: Vec<Event>,
    pub root_causes: Vec<Cause>,
    pub impact_summary: String,
    pub impacts: Vec<Impact>,
    pub went_well: String,
    pub could_be_better: String,
    pub measures: Vec<Measure>,
    pub review_due_at: Option<DateTime<Utc>>,
    pub review_after_days: i32,
    pub presentation: Presentation,
}

/// Who writes to whom, in which zone, and how the reader answers: shared by the summary and
/// the follow-up report.
#[derive(Debug, Clone)]
pub struct Presentation {
    /// The tenant's name.
    pub provider: String,
    /// The client the copy is for; `None` for the staff copy that lists every client.
    pub client: Option<String>,
    pub zone: Tz,
    /// How clients reach the provider; empty when unset.
    pub contact_line: String,
    /// Where clients read and ask; `None` when unset.
    pub portal_url: Option<String>,
}

impl Presentation {
    /// A time as the reader reads it, e.g. `2026-03-01 10:00 CET`.
    pub fn time(&self, at: DateTime<Utc>) -> String {
        zone::time(at, self.zone)
    }

    /// The day `at` falls on for the reader, e.g. `2026-03-01`.
    pub fn day(&self, at: DateTime<Utc>) -> String {
        zone::day(at, self.zone).format("%Y-%m-%d").to_string()
    }

    /// The closing paragraphs: how to ask, and how to reach the provider.
    fn how_to_reach_us(&self, out: &mut String) {
        match &self.portal_url {
            Some(url) => {
                let _ = writeln!(
                    out,
                    "Ask them in our client portal at <{url}> and we will answer each one.\n"
                );
            }
            None => {
                let _ = writeln!(out, "Reply to us and we will answer each one.\n");
            }
        }
        if !self.contact_line.trim().is_empty() {
            let _ = writeln!(out, "{}\n", self.contact_line.trim());
        }
    }
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
    let _ = writeln!(out, "# {}: {}\n", doc.reference, doc.title.trim());
    facts(&mut out, doc);
    what_happened(&mut out, doc);
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
    let _ = writeln!(out, "## 8. Your questions\n\n{INVITATION}\n");
    doc.presentation.how_to_reach_us(&mut out);
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

/// Who wrote it for whom, and the incident's facts at a glance.
fn facts(out: &mut String, doc: &Snapshot) {
    let p = &doc.presentation;
    match &p.client {
        Some(client) => {
            let _ = writeln!(out, "*Post-mortem by {} for {}.*\n", p.provider, client);
        }
        None => {
            let _ = writeln!(out, "*Post-mortem by {}.*\n", p.provider);
        }
    }
    let resolved = doc
        .resolved_at
        .map_or_else(|| "not yet resolved".to_owned(), |at| p.time(at));
    let services = if doc.services.is_empty() {
        "none recorded".to_owned()
    } else {
        doc.services.join(", ")
    };
    let _ = writeln!(out, "- **Severity:** {}", doc.severity);
    let _ = writeln!(out, "- **Started:** {}", p.time(doc.started_at));
    let _ = writeln!(out, "- **Resolved:** {resolved}");
    let _ = writeln!(out, "- **Affected services:** {services}");
    let _ = writeln!(out, "- **Times are in:** {}\n", zone::name(p.zone));
}

fn what_happened(out: &mut String, doc: &Snapshot) {
    let _ = writeln!(out, "## 1. What happened\n");
    if doc.timeline.is_empty() {
        let _ = writeln!(out, "{NOTHING_YET}\n");
    }
    for event in &doc.timeline {
        let _ = writeln!(
            out,
            "**{}** ({})\n\n{}\n",
            doc.presentation.time(event.occurred_at),
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
    let p = &doc.presentation;
    for impact in &doc.impacts {
        let window = match impact.ended_at {
            Some(end) => format!(
                "from {} to {} ({})",
                p.time(impact.started_at),
                p.time(end),
                super::impact::human_duration(end - impact.started_at)
            ),
            None => format!("since {}, ongoing", p.time(impact.started_at)),
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

/// `text` as paragraphs inside a list item whose content starts `indent` columns in.
fn indented(text: &str, indent: usize) -> String {
    let pad = " ".repeat(indent);
    text.trim()
        .lines()
        .map(|line| {
            if line.trim().is_empty() {
                String::new()
            } else {
                format!("{pad}{line}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
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
        let marker = format!("{}. ", index + 1);
        let _ = writeln!(
            out,
            "{marker}**{}** ({}). Owner: {}. Due: {}. Status: {}.\n",
            m.title.trim(),
            m.kind,
            owner,
            due,
            m.status
        );
        if !m.description.trim().is_empty() {
            let _ = writeln!(out, "{}\n", indented(&m.description, marker.len()));
        }
        if !m.success_criterion.trim().is_empty() {
            let criterion = format!(
                "*How we will know it worked:* {}",
                m.success_criterion.trim()
            );
            let _ = writeln!(out, "{}\n", indented(&criterion, marker.len()));
        }
    }
}

fn going_forward(out: &mut String, doc: &Snapshot) {
    let _ = writeln!(out, "## 7. Going forward\n");
    match doc.review_due_at {
        Some(at) => {
            let _ = writeln!(
                out,
                "We will review how well these measures worked on {} and share what we find.\n",
                doc.presentation.day(at)
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

/// Renders the summary as a sanitised HTML fragment: user Markdown cannot inject scripts or
/// handlers.
pub fn html(doc: &Snapshot) -> String {
    sanitised_html(&markdown(doc))
}

/// Renders the summary as a whole HTML page: charset, title and a print stylesheet around
/// the sanitised fragment, ready to open, print or attach.
pub fn standalone_html(doc: &Snapshot) -> String {
    page::standalone(
        &format!("{}: {}", doc.reference, doc.title.trim()),
        &[html(doc)],
    )
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
mod tests;

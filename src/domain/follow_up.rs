//! The follow-up report, "here is what we implemented": each measure against the date we
//! committed to, the review's verdicts, any recurrence, and the client's questions. Slips are
//! stated plainly, never hidden.

use super::document::{Presentation, page};
use chrono::{DateTime, NaiveDate, Utc};
use std::fmt::Write;

/// Everything the report shows, filtered for its reader and sorted.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub reference: String,
    pub title: String,
    pub published_at: Option<DateTime<Utc>>,
    pub measures: Vec<Measure>,
    pub review: Option<Review>,
    pub review_due_at: Option<DateTime<Utc>>,
    pub recurrences: Vec<String>,
    pub questions: Vec<Question>,
    /// Today in the reader's zone.
    pub today: NaiveDate,
    pub presentation: Presentation,
}

/// Where one measure stands.
#[derive(Debug, Clone)]
pub struct Measure {
    pub title: String,
    pub kind: String,
    pub committed_due_on: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    pub progress: Progress,
    /// The latest verdict and its note.
    pub verdict: Option<String>,
    /// When the latest verdict was given.
    pub judged_on: Option<NaiveDate>,
}

/// A measure's state, as the report words it.
#[derive(Debug, Clone)]
pub enum Progress {
    Done { on: NaiveDate },
    Open { in_progress: bool },
    Cancelled { reason: String },
}

#[derive(Debug, Clone)]
pub struct Review {
    pub held_at: DateTime<Utc>,
    pub summary: String,
}

#[derive(Debug, Clone)]
pub struct Question {
    pub kind: String,
    pub body: String,
    pub answered: bool,
}

fn date(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

fn days(n: i64) -> String {
    if n == 1 {
        "1 day".to_owned()
    } else {
        format!("{n} days")
    }
}

/// How a finished measure compares with its commitment.
pub fn completion(done_on: NaiveDate, committed: Option<NaiveDate>) -> String {
    match committed {
        None => format!("Done on {} (no date had been committed).", date(done_on)),
        Some(due) => match (done_on - due).num_days() {
            0 => format!("Done on {}, on the committed date.", date(done_on)),
            late if late > 0 => format!(
                "Done on {}, {} after the committed date of {}.",
                date(done_on),
                days(late),
                date(due)
            ),
            early => format!(
                "Done on {}, {} before the committed date of {}.",
                date(done_on),
                days(-early),
                date(due)
            ),
        },
    }
}

/// How an open measure compares with its commitment today.
pub fn slip(today: NaiveDate, committed: Option<NaiveDate>, due_on: Option<NaiveDate>) -> String {
    let moved = match (committed, due_on) {
        (Some(c), Some(d)) if c != d => format!(" The due date has moved to {}.", date(d)),
        _ => String::new(),
    };
    match committed {
        None => "Not done yet; no date has been committed.".to_owned(),
        Some(due) => match (today - due).num_days() {
            late if late > 0 => format!(
                "Not done yet: {} past the committed date of {}.{moved}",
                days(late),
                date(due)
            ),
            0 => format!("Not done yet: due today, the committed date.{moved}"),
            ahead => format!(
                "Not done yet: due on {}, in {}.{moved}",
                date(due),
                days(-ahead)
            ),
        },
    }
}

/// Renders the report as Markdown.
pub fn markdown(report: &Snapshot) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# {}: {} — what we implemented\n",
        report.reference,
        report.title.trim()
    );
    let p = &report.presentation;
    let by = match &p.client {
        Some(client) => format!("{} for {}", p.provider, client),
        None => p.provider.clone(),
    };
    match report.published_at {
        Some(at) => {
            let _ = writeln!(
                out,
                "*By {by}: a follow-up to the post-mortem published on {}.*\n",
                p.day(at)
            );
        }
        None => {
            let _ = writeln!(out, "*By {by}.*\n");
        }
    }
    let _ = writeln!(out, "## Prevention measures\n");
    if report.measures.is_empty() {
        let _ = writeln!(out, "_No measures were recorded._\n");
    }
    for (index, m) in report.measures.iter().enumerate() {
        let state = match &m.progress {
            Progress::Done { on } => completion(*on, m.committed_due_on),
            Progress::Open { in_progress } => {
                let stage = if *in_progress { "In progress. " } else { "" };
                format!(
                    "{stage}{}",
                    slip(report.today, m.committed_due_on, m.due_on)
                )
            }
            Progress::Cancelled { reason } => format!("Cancelled: {}", reason.trim()),
        };
        let _ = writeln!(
            out,
            "{}. **{}** ({}). {}",
            index + 1,
            m.title.trim(),
            m.kind,
            state
        );
        match (&m.verdict, m.judged_on) {
            (Some(verdict), Some(on)) => {
                let _ = writeln!(out, "   Verdict ({}): {verdict}", date(on));
            }
            (Some(verdict), None) => {
                let _ = writeln!(out, "   Verdict: {verdict}");
            }
            _ => {}
        }
    }
    out.push('\n');
    let _ = writeln!(out, "## Did it work?\n");
    match (&report.review, report.review_due_at) {
        (Some(review), _) => {
            let _ = writeln!(
                out,
                "Reviewed on {}. {}\n",
                p.day(review.held_at),
                review.summary.trim()
            );
        }
        (None, Some(due)) => {
            let _ = writeln!(out, "The effectiveness review is due on {}.\n", p.day(due));
        }
        (None, None) => {
            let _ = writeln!(
                out,
                "The effectiveness review will be scheduled when the post-mortem is published.\n"
            );
        }
    }
    let _ = writeln!(out, "## Recurrence\n");
    if report.recurrences.is_empty() {
        let _ = writeln!(
            out,
            "No later incident has shared this incident's cause and service.\n"
        );
    } else {
        let _ = writeln!(
            out,
            "Later incidents that shared a cause and a service: {}.\n",
            report.recurrences.join(", ")
        );
    }
    let _ = writeln!(out, "## Your questions\n");
    if report.questions.is_empty() {
        let _ = writeln!(out, "_No questions yet._");
    }
    for q in &report.questions {
        let status = if q.answered {
            "answered"
        } else {
            "awaiting our answer"
        };
        let _ = writeln!(
            out,
            "- **{}** ({status}): {}",
            q.kind,
            q.body.trim().replace('\n', " ")
        );
    }
    out.push('\n');
    if !p.contact_line.trim().is_empty() {
        let _ = writeln!(out, "{}\n", p.contact_line.trim());
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

/// Renders the report as a sanitised HTML fragment.
pub fn html(report: &Snapshot) -> String {
    super::document::sanitised_html(&markdown(report))
}

/// Renders the report as a whole HTML page, like the summary's.
pub fn standalone_html(report: &Snapshot) -> String {
    page::standalone(
        &format!(
            "{}: {} — what we implemented",
            report.reference,
            report.title.trim()
        ),
        &[html(report)],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    #[test]
    fn completion_is_stated_against_the_committed_date() {
        assert_eq!(
            completion(day(10), Some(day(10))),
            "Done on 2026-03-10, on the committed date."
        );
        assert_eq!(
            completion(day(8), Some(day(10))),
            "Done on 2026-03-08, 2 days before the committed date of 2026-03-10."
        );
        assert_eq!(
            completion(day(11), Some(day(10))),
            "Done on 2026-03-11, 1 day after the committed date of 2026-03-10."
        );
    }

    #[test]
    fn an_open_measure_states_its_slip_honestly() {
        assert_eq!(
            slip(day(15), Some(day(10)), Some(day(20))),
            "Not done yet: 5 days past the committed date of 2026-03-10. The due date has moved to 2026-03-20."
        );
        assert_eq!(
            slip(day(8), Some(day(10)), Some(day(10))),
            "Not done yet: due on 2026-03-10, in 2 days."
        );
        assert_eq!(
            slip(day(10), Some(day(10)), Some(day(10))),
            "Not done yet: due today, the committed date."
        );
        assert_eq!(
            slip(day(10), None, Some(day(10))),
            "Not done yet; no date has been committed."
        );
    }
}

//! The snapshot the follow-up report is rendered from, filtered for its reader.

use super::batch::List;
use super::document::presentation;
use super::scope::Scope;
use crate::domain::follow_up::{Measure, Progress, Question, Review, Snapshot};
use crate::domain::policy::Capability;
use crate::domain::{incident, labels, zone};
use crate::error::AppResult;
use entity::{Effectiveness, MeasureStatus, client, feedback};
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

/// How a verdict reads in the report.
fn verdict_label(effectiveness: Effectiveness) -> Option<String> {
    match effectiveness {
        Effectiveness::NotReviewed => None,
        Effectiveness::Effective => Some("effective".into()),
        Effectiveness::PartiallyEffective => Some("partially effective".into()),
        Effectiveness::NotEffective => Some("not effective".into()),
    }
}

impl Scope {
    /// Everything the follow-up report of `incident_id` shows to this caller, as `reader`'s
    /// copy (see [`Scope::document_reader`]). Questions are those the caller may see, only
    /// the reader's own in a client's copy; their text only for readers of feedback bodies.
    pub async fn follow_up_snapshot(
        &self,
        incident_id: Uuid,
        reader: Option<&client::Model>,
    ) -> AppResult<Snapshot> {
        let incident = self.incident(incident_id).await?;
        let post_mortem = self.post_mortem(incident_id).await?;
        let presentation = presentation(&self.tenant().await?, reader);
        let ids = [incident_id];
        let measures = self
            .lists_of(List::Measures, &ids)
            .await?
            .remove(&incident_id)
            .map(|rows| rows.measures())
            .transpose()?
            .unwrap_or_default();
        let review = self
            .reviews_of_incidents(&ids)
            .await?
            .remove(&incident_id)
            .and_then(|mut reviews| reviews.pop());
        let measure_ids: Vec<_> = measures.iter().map(|m| m.id).collect();
        let mut verdicts = self.verdicts_of_measures(&measure_ids).await?;
        let recurrences = self
            .recurrences_of_incidents(&ids)
            .await?
            .remove(&incident_id)
            .unwrap_or_default();
        let threads = self.report_threads(incident_id, reader).await?;
        let show_bodies = self.principal().can(Capability::ReadInternal)
            || self.principal().can(Capability::SubmitFeedback);
        Ok(Snapshot {
            reference: incident::reference(incident.number),
            title: incident.title,
            published_at: post_mortem.published_at,
            measures: measures
                .into_iter()
                .map(|m| Measure {
                    verdict: verdict_label(m.effectiveness).map(|label| {
                        let note = m.effectiveness_note.clone();
                        note.map_or(label.clone(), |note| format!("{label}. {note}"))
                    }),
                    judged_on: verdicts
                        .remove(&m.id)
                        .and_then(|mut history| history.pop())
                        .map(|latest| zone::day(latest.judged_at, presentation.zone)),
                    progress: match m.status {
                        MeasureStatus::Done => Progress::Done {
                            on: zone::day(
                                m.completed_at.unwrap_or(m.updated_at),
                                presentation.zone,
                            ),
                        },
                        MeasureStatus::Cancelled => Progress::Cancelled {
                            reason: m.cancel_reason.unwrap_or_default(),
                        },
                        status => Progress::Open {
                            in_progress: status == MeasureStatus::InProgress,
                        },
                    },
                    title: m.title,
                    kind: labels::measure_kind(m.kind).into(),
                    committed_due_on: m.committed_due_on,
                    due_on: m.due_on,
                })
                .collect(),
            review: review.map(|r| Review {
                held_at: r.held_at,
                summary: r.summary,
            }),
            review_due_at: post_mortem.review_due_at,
            recurrences: recurrences
                .iter()
                .map(|i| incident::reference(i.number))
                .collect(),
            questions: threads
                .into_iter()
                .map(|f| Question {
                    kind: labels::feedback_kind(f.kind).into(),
                    body: if show_bodies { f.body } else { String::new() },
                    answered: f.first_response_at.is_some(),
                })
                .collect(),
            today: zone::day(crate::domain::time::now(), presentation.zone),
            presentation,
        })
    }

    /// The threads a report lists, oldest first, at most [`REPORT_THREADS`]: those the
    /// caller may see, only `reader`'s in a client's copy (filtered in the query, so a
    /// preview lists exactly what the client's own copy does).
    async fn report_threads(
        &self,
        incident_id: Uuid,
        reader: Option<&client::Model>,
    ) -> AppResult<Vec<feedback::Model>> {
        let mut select = self
            .visible_feedback()
            .filter(feedback::Column::IncidentId.eq(incident_id));
        if let Some(reader) = reader {
            select = select.filter(feedback::Column::ClientId.eq(reader.id));
        }
        Ok(select
            .order_by_asc(feedback::Column::Id)
            .limit(REPORT_THREADS)
            .all(self.db())
            .await?)
    }
}

/// The most threads a report lists.
const REPORT_THREADS: u64 = 100;

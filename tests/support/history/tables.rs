//! The hand-built history, as tables: twelve incidents from July to October 2026, their
//! measures and their feedback. `tests/metrics.rs` works every figure out by hand from these.

use entity::*;

use FeedbackStatus::{Answered, Closed, Open};
use MeasureKind::{Monitoring, Process, Technical};
use MeasureStatus::{Cancelled, Done, InProgress, Planned};
use RootCauseCategory as Cat;

#[derive(Clone, Copy, PartialEq)]
pub(super) enum Who {
    Acme,
    Bolt,
}

#[derive(Clone, Copy, PartialEq)]
pub(super) enum Svc {
    Payments,
    Search,
}

/// One incident: number, severity, started, resolved, services, root-cause categories,
/// impacted clients, post-mortem published, review held.
pub(super) struct Incident {
    pub(super) number: i64,
    pub(super) severity: Severity,
    pub(super) started: &'static str,
    pub(super) resolved: Option<&'static str>,
    pub(super) services: &'static [Svc],
    pub(super) causes: &'static [Cat],
    pub(super) impacts: &'static [Who],
    pub(super) published: Option<&'static str>,
    pub(super) reviewed: Option<&'static str>,
}

pub(super) const fn inc(
    number: i64,
    severity: Severity,
    started: &'static str,
    resolved: Option<&'static str>,
    services: &'static [Svc],
    causes: &'static [Cat],
) -> Incident {
    Incident {
        number,
        severity,
        started,
        resolved,
        services,
        causes,
        impacts: &[],
        published: None,
        reviewed: None,
    }
}

pub(super) const INCIDENTS: [Incident; 12] = {
    use Severity::*;
    use Svc::*;
    [
        Incident {
            impacts: &[Who::Acme],
            published: Some("07-06T14:00"),
            reviewed: Some("08-04T10:00"),
            ..inc(
                1,
                Sev1,
                "07-02T10:00",
                Some("07-02T14:00"),
                &[Payments],
                &[Cat::Configuration],
            )
        },
        Incident {
            impacts: &[Who::Bolt],
            published: Some("07-20T20:00"),
            reviewed: Some("08-25T10:00"),
            ..inc(
                2,
                Sev2,
                "07-15T08:00",
                Some("07-15T20:00"),
                &[Search],
                &[Cat::Capacity],
            )
        },
        Incident {
            impacts: &[Who::Acme],
            ..inc(
                3,
                Sev3,
                "07-31T23:30",
                Some("08-01T01:30"),
                &[Payments],
                &[Cat::CodeChange],
            )
        },
        Incident {
            impacts: &[Who::Acme, Who::Bolt],
            published: Some("08-12T12:00"),
            ..inc(
                4,
                Sev1,
                "08-05T06:00",
                Some("08-05T12:00"),
                &[Payments],
                &[Cat::Configuration],
            )
        },
        inc(
            5,
            Sev2,
            "08-10T10:00",
            Some("08-10T13:00"),
            &[Search],
            &[Cat::ThirdParty],
        ),
        inc(6, Sev4, "08-20T00:00", None, &[Search], &[]),
        Incident {
            impacts: &[Who::Bolt],
            ..inc(
                7,
                Sev1,
                "08-31T22:00",
                Some("09-01T02:00"),
                &[Search],
                &[Cat::Capacity],
            )
        },
        Incident {
            impacts: &[Who::Acme],
            published: Some("09-08T10:00"),
            reviewed: Some("10-05T10:00"),
            ..inc(
                8,
                Sev3,
                "09-03T09:00",
                Some("09-03T10:00"),
                &[Payments],
                &[Cat::Process],
            )
        },
        Incident {
            impacts: &[Who::Acme],
            published: Some("09-15T12:00"),
            ..inc(
                9,
                Sev2,
                "09-12T12:00",
                Some("09-13T12:00"),
                &[Payments, Search],
                &[Cat::Infrastructure],
            )
        },
        inc(
            10,
            Sev4,
            "09-20T15:00",
            Some("09-20T15:30"),
            &[Search],
            &[Cat::Other],
        ),
        inc(
            11,
            Sev3,
            "09-28T10:00",
            Some("09-28T18:00"),
            &[Payments],
            &[Cat::CodeChange],
        ),
        Incident {
            impacts: &[Who::Acme],
            ..inc(
                12,
                Sev2,
                "10-02T10:00",
                Some("10-02T12:00"),
                &[Payments],
                &[Cat::Configuration],
            )
        },
    ]
};

/// Measure: incident, kind, created, committed day, status, completed, effectiveness.
pub(super) type Measure = (
    i64,
    MeasureKind,
    &'static str,
    &'static str,
    MeasureStatus,
    Option<&'static str>,
    Effectiveness,
);

pub(super) const MEASURES: [Measure; 10] = {
    use Effectiveness::*;
    [
        (
            1,
            Technical,
            "07-03T00:00",
            "07-20",
            Done,
            Some("07-15T12:00"),
            Effective,
        ),
        (
            1,
            Process,
            "07-03T00:00",
            "07-31",
            Done,
            Some("07-31T23:00"),
            PartiallyEffective,
        ),
        (
            2,
            Technical,
            "07-16T00:00",
            "08-10",
            Done,
            Some("08-20T10:00"),
            NotEffective,
        ),
        (
            2,
            Monitoring,
            "07-16T00:00",
            "08-15",
            Cancelled,
            None,
            NotReviewed,
        ),
        (
            4,
            Technical,
            "08-06T00:00",
            "09-01",
            InProgress,
            None,
            NotReviewed,
        ),
        (
            4,
            Process,
            "08-06T00:00",
            "09-10",
            Done,
            Some("09-09T00:00"),
            NotReviewed,
        ),
        (
            4,
            Monitoring,
            "08-06T00:00",
            "09-30",
            Planned,
            None,
            NotReviewed,
        ),
        (
            8,
            Process,
            "09-04T00:00",
            "09-25",
            Done,
            Some("09-25T10:00"),
            Effective,
        ),
        (
            8,
            Technical,
            "09-04T00:00",
            "10-15",
            Done,
            Some("10-10T00:00"),
            NotReviewed,
        ),
        (
            9,
            Monitoring,
            "09-13T00:00",
            "09-20",
            Done,
            Some("09-22T08:00"),
            NotReviewed,
        ),
    ]
};

/// Feedback: incident, client, created, first response, status, confidence.
pub(super) type Feedback = (
    i64,
    Who,
    &'static str,
    Option<&'static str>,
    FeedbackStatus,
    Option<i32>,
);

pub(super) const FEEDBACK: [Feedback; 6] = [
    (
        1,
        Who::Acme,
        "07-07T09:00",
        Some("07-07T21:00"),
        Answered,
        Some(2),
    ),
    (
        1,
        Who::Acme,
        "08-10T08:00",
        Some("08-13T08:00"),
        Closed,
        Some(4),
    ),
    (
        2,
        Who::Bolt,
        "07-21T10:00",
        Some("07-24T10:00"),
        Answered,
        Some(1),
    ),
    (4, Who::Acme, "08-13T00:00", None, Open, Some(3)),
    (
        4,
        Who::Bolt,
        "08-14T12:00",
        Some("08-16T12:00"),
        Answered,
        None,
    ),
    (
        8,
        Who::Acme,
        "09-09T10:00",
        Some("09-09T11:00"),
        Answered,
        Some(5),
    ),
];

//! The CSV columns of the metrics rows, each read from the GraphQL row by a JSON pointer,
//! and the guard that keeps a name from being read as a spreadsheet formula.

use serde_json::Value;

/// Each column's header and where its value is in a row of `metrics.rows`. A figure the
/// row's dimension does not carry is an empty cell.
pub const COLUMNS: [(&str, &str); 26] = [
    ("start", "/start"),
    ("end", "/end"),
    ("dimension", "/dimension"),
    ("dimension_id", "/dimensionId"),
    ("incidents", "/incidents/count"),
    ("incidents_sev1", "/incidents/bySeverity/0/count"),
    ("incidents_sev2", "/incidents/bySeverity/1/count"),
    ("incidents_sev3", "/incidents/bySeverity/2/count"),
    ("incidents_sev4", "/incidents/bySeverity/3/count"),
    ("post_mortems_due", "/incidents/postMortemDue"),
    ("resolved", "/incidents/timeToResolve/count"),
    ("resolve_mean_hours", "/incidents/timeToResolve/meanHours"),
    (
        "resolve_median_hours",
        "/incidents/timeToResolve/medianHours",
    ),
    ("resolve_p90_hours", "/incidents/timeToResolve/p90Hours"),
    ("published", "/incidents/timeToPublish/count"),
    ("publish_mean_hours", "/incidents/timeToPublish/meanHours"),
    (
        "publish_median_hours",
        "/incidents/timeToPublish/medianHours",
    ),
    ("publish_p90_hours", "/incidents/timeToPublish/p90Hours"),
    ("measures_committed", "/followThrough/committed"),
    ("measures_completed", "/followThrough/completed"),
    (
        "measures_completed_on_time",
        "/followThrough/completedOnTime",
    ),
    ("measures_overdue", "/followThrough/overdue"),
    ("measures_cancelled", "/followThrough/cancelled"),
    ("completion_rate", "/followThrough/completionRate"),
    ("on_time_rate", "/followThrough/onTimeRate"),
    (
        "median_days_to_complete",
        "/followThrough/medianDaysToComplete",
    ),
];

/// The characters that make a spreadsheet read a cell as a formula (or, for tab and carriage
/// return, that some spreadsheets strip before doing so).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The header and one record per row, RFC 4180 quoted where needed.
pub fn write(rows: &[Value]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(COLUMNS.iter().map(|(header, _)| *header))?;
    for row in rows {
        writer.write_record(
            COLUMNS
                .iter()
                .map(|(_, pointer)| cell(row.pointer(pointer))),
        )?;
    }
    writer
        .into_inner()
        .map_err(|error| csv::Error::from(error.into_error()))
}

/// A value as a cell: text with [`defused`], numbers as JSON writes them, null as empty.
fn cell(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(text)) => defused(text),
        Some(Value::Number(number)) => number.to_string(),
        Some(Value::Bool(flag)) => flag.to_string(),
        _ => String::new(),
    }
}

/// Text that a spreadsheet shows as written: one starting like a formula gets a leading `'`.
pub fn defused(text: &str) -> String {
    if text.starts_with(FORMULA_STARTS) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn formula_like_names_are_prefixed_and_others_kept() {
        for name in ["=SUM(A1)", "+1", "-2", "@cmd", "\tx"] {
            assert_eq!(defused(name), format!("'{name}"));
        }
        assert_eq!(defused("Acme"), "Acme");
        assert_eq!(defused("a=b"), "a=b");
    }

    #[test]
    fn a_row_without_a_section_has_empty_cells_and_text_is_quoted() {
        let row = json!({ "start": "2026-07-01T00:00:00.000000Z", "dimension": "Acme, \"EU\"",
                          "incidents": null, "followThrough": { "committed": 3, "completionRate": 0.5 } });
        let text = String::from_utf8(write(&[row]).unwrap()).unwrap();
        let mut lines = text.lines();
        assert!(
            lines
                .next()
                .unwrap()
                .starts_with("start,end,dimension,dimension_id,incidents,")
        );
        let record = lines.next().unwrap();
        assert!(
            record.starts_with("2026-07-01T00:00:00.000000Z,,\"Acme, \"\"EU\"\"\",,,"),
            "{record}"
        );
        assert!(record.ends_with(",3,,,,,0.5,,"), "{record}");
    }
}

//! The pieces every metrics statement is built from: the UTC bucket key, and medians and
//! percentiles (ordered-set aggregates on PostgreSQL, window ranks on SQLite, the same
//! definition on both).
//!
//! Every section runs one statement: `base` selects one row per counted record with its
//! bucket key (`series`) and group, and one aggregate query over it returns the whole range
//! and every bucket in a single round trip, computed the same way.

use crate::domain::metrics::Bucket;
use crate::repo::tenant_sql::{Sql, TenantSql, sql};
use sea_orm::DatabaseBackend;

/// The bucket key of the row for the whole range.
pub const TOTAL: &str = "total";
/// The group of a row that is not split (by kind, say).
pub const ALL: &str = "";

/// The UTC bucket holding a timestamp or date column: its first day as `YYYY-MM-DD` on SQLite;
/// on PostgreSQL the bucket's start as a timestamp, which groups faster than text and which
/// [`aggregate`] formats the same way once grouped.
pub fn bucket_key(query: &TenantSql, bucket: Bucket, field: TimeField) -> Sql {
    match query.backend() {
        DatabaseBackend::Postgres => {
            let unit = match bucket {
                Bucket::Week => "'week'",
                Bucket::Month => "'month'",
            };
            let utc = match field {
                TimeField::Instant(column) => sql!(column, " AT TIME ZONE 'UTC'"),
                TimeField::Day(column) => sql!(column, "::timestamp"),
            };
            sql!("date_trunc(", unit, ", ", utc, ")")
        }
        _ => {
            let column = field.column();
            match bucket {
                Bucket::Week => sql!("date(", column, ", 'weekday 0', '-6 days')"),
                Bucket::Month => sql!("strftime('%Y-%m-01', ", column, ")"),
            }
        }
    }
}

/// The time column a figure is filtered and bucketed on.
#[derive(Debug, Clone, Copy)]
pub enum TimeField {
    /// A UTC timestamp column.
    Instant(&'static str),
    /// A calendar-day column.
    Day(&'static str),
}

impl TimeField {
    fn column(&self) -> &'static str {
        match self {
            TimeField::Instant(column) | TimeField::Day(column) => column,
        }
    }
}

/// [`ALL`] as an SQL literal.
pub const ALL_LITERAL: &str = "''";
/// [`TOTAL`] as an SQL literal.
const TOTAL_LITERAL: &str = "'total'";

/// `… SELECT bucket, grp, <aggregates> …` over `base`, once per bucket and once for the
/// whole range (`bucket` = [`TOTAL`]); with `split`, also across every group (`grp` =
/// [`ALL`]).
///
/// `base` must select `series` (the [`bucket_key`]), `grp` and the row values. PostgreSQL groups
/// with GROUPING SETS in one pass and has ordered-set aggregates for [`median`] and [`p90`].
/// SQLite has neither: there `base` is read once per grouping (UNION ALL), and each name in
/// `ranked_values` gets `<name>_rank` and `<name>_size` window columns.
pub fn aggregate(
    query: &TenantSql,
    base: Sql,
    split: bool,
    ranked_values: &[&'static str],
    aggregates: Sql,
) -> Sql {
    if query.backend() == DatabaseBackend::Postgres {
        let sets = if split {
            "(series, grp), (grp), (series), ()"
        } else {
            "(series, grp), (grp)"
        };
        return sql! {
            "WITH base AS (", base, ") SELECT COALESCE(to_char(series, 'YYYY-MM-DD'), ",
            TOTAL_LITERAL, ") AS bucket, COALESCE(grp, ", ALL_LITERAL, ") AS grp, ", aggregates,
            " FROM base GROUP BY GROUPING SETS (", sets, ")",
        };
    }
    let mut groups = vec![
        sql!("SELECT series AS bucket, grp AS grp_key, base.* FROM base"),
        sql!("SELECT ", TOTAL_LITERAL, ", grp, base.* FROM base"),
    ];
    if split {
        groups.push(sql!("SELECT series, ", ALL_LITERAL, ", base.* FROM base"));
        groups.push(sql! {
            "SELECT ", TOTAL_LITERAL, ", ", ALL_LITERAL, ", base.* FROM base",
        });
    }
    let mut windows = Sql::default();
    for value in ranked_values {
        windows.push(sql! {
            ", ROW_NUMBER() OVER (PARTITION BY bucket, grp_key ORDER BY (", *value, " IS NULL), ",
            *value, ") AS ", *value, "_rank, COUNT(", *value,
            ") OVER (PARTITION BY bucket, grp_key) AS ", *value, "_size",
        });
    }
    sql! {
        "WITH base AS MATERIALIZED (", base, "), expanded AS (", Sql::join(groups, " UNION ALL "),
        "), ranked AS (SELECT expanded.*", windows,
        " FROM expanded) SELECT bucket, grp_key AS grp, ", aggregates,
        " FROM ranked GROUP BY bucket, grp_key",
    }
}

/// The median of `value` within each bucket and group: the middle value, or the mean of the
/// two middle values. NULL when the group has no values.
pub fn median(query: &TenantSql, value: &'static str) -> Sql {
    match query.backend() {
        DatabaseBackend::Postgres => sql! {
            "CAST(percentile_cont(0.5) WITHIN GROUP (ORDER BY ", value, ") AS DOUBLE PRECISION)",
        },
        _ => sql! {
            "CAST(AVG(CASE WHEN ", value, "_rank IN ((", value, "_size + 1) / 2, (", value,
            "_size + 2) / 2) THEN ", value, " END) AS DOUBLE PRECISION)",
        },
    }
}

/// The 90th percentile of `value` by the nearest-rank method: the smallest value with at
/// least 90 % of the values at or below it (PostgreSQL's `percentile_disc`). NULL when the
/// group has no values.
pub fn p90(query: &TenantSql, value: &'static str) -> Sql {
    match query.backend() {
        DatabaseBackend::Postgres => sql! {
            "CAST(percentile_disc(0.9) WITHIN GROUP (ORDER BY ", value, ") AS DOUBLE PRECISION)",
        },
        _ => sql! {
            "CAST(MAX(CASE WHEN ", value, "_rank = (9 * ", value, "_size + 9) / 10 THEN ", value,
            " END) AS DOUBLE PRECISION)",
        },
    }
}

/// The mean of `value`, NULL when there are none.
pub fn mean(value: impl Into<Sql>) -> Sql {
    sql!("CAST(AVG(", value.into(), ") AS DOUBLE PRECISION)")
}

/// `COUNT(CASE WHEN <condition> THEN 1 END)`: how many rows meet `condition`.
pub fn count_if(condition: impl Into<Sql>) -> Sql {
    sql!("COUNT(CASE WHEN ", condition.into(), " THEN 1 END)")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_literals_spell_the_keys() {
        assert_eq!(super::ALL_LITERAL, format!("'{}'", super::ALL));
        assert_eq!(super::TOTAL_LITERAL, format!("'{}'", super::TOTAL));
    }
}

//! Rows carried as JSON text, so that rows of different tables can share one `UNION ALL`:
//! the SQL that encodes a row of an entity, and the decoder that turns it back into the
//! entity's model through the same column types sea-orm reads.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use sea_orm::sea_query::ColumnType;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseBackend, DbErr, EntityTrait, IdenStatic, Iterable,
    TryIntoModel, Value,
};
use serde_json::Value as Json;
use uuid::Uuid;

/// The SQL expression that encodes the current row of `E` (read from the table or subquery
/// named like `E`'s table) as JSON text. PostgreSQL's `json_build_object` takes at most 100
/// arguments, which holds tables of up to 50 columns.
pub fn encode<E: EntityTrait + Default>(backend: DatabaseBackend) -> String {
    let table = E::default().table_name();
    let fields: Vec<String> = E::Column::iter()
        .map(|column| {
            let name = column.as_str();
            let value = format!("\"{table}\".\"{name}\"");
            let value = match (backend, column.def().get_column_type()) {
                // sqlx stores UUIDs in SQLite as 16-byte blobs, which JSON cannot hold.
                (DatabaseBackend::Sqlite, ColumnType::Uuid) => {
                    format!("CASE WHEN {value} IS NULL THEN NULL ELSE lower(hex({value})) END")
                }
                _ => value,
            };
            format!("'{name}', {value}")
        })
        .collect();
    match backend {
        DatabaseBackend::Postgres => {
            format!("CAST(json_build_object({}) AS TEXT)", fields.join(", "))
        }
        _ => format!("json_object({})", fields.join(", ")),
    }
}

/// The model of `E` that [`encode`] wrote as `text`.
pub fn decode<E>(text: &str) -> Result<E::Model, DbErr>
where
    E: EntityTrait,
    E::ActiveModel: TryIntoModel<E::Model>,
{
    let Json::Object(mut fields) =
        serde_json::from_str(text).map_err(|e| DbErr::Json(e.to_string()))?
    else {
        return Err(DbErr::Json("a batched row is not a JSON object".into()));
    };
    let mut model = <E::ActiveModel as ActiveModelTrait>::default();
    for column in E::Column::iter() {
        let json = fields.remove(column.as_str()).unwrap_or(Json::Null);
        let value = value_of(column.def().get_column_type(), json)
            .map_err(|problem| DbErr::Type(format!("column `{}`: {problem}", column.as_str())))?;
        model.try_set(column, value)?;
    }
    model.try_into_model()
}

/// The sea-orm value a column of `kind` holds, from its JSON form. Only the column types of
/// the batched tables are read; any other is an error, never a guess.
fn value_of(kind: &ColumnType, json: Json) -> Result<Value, String> {
    let text = json.as_str().map(str::to_owned);
    let parsed = |found: Option<Result<Value, String>>, null: Value| -> Result<Value, String> {
        match (found, json.is_null()) {
            (Some(value), _) => value,
            (None, true) => Ok(null),
            (None, false) => Err(format!("unexpected JSON value {json}")),
        }
    };
    match kind {
        ColumnType::Uuid => parsed(
            text.map(|t| {
                Uuid::parse_str(&t)
                    .map(Value::from)
                    .map_err(|e| e.to_string())
            }),
            Value::Uuid(None),
        ),
        ColumnType::Char(_)
        | ColumnType::String(_)
        | ColumnType::Text
        | ColumnType::Enum { .. } => parsed(text.map(|t| Ok(Value::from(t))), Value::String(None)),
        ColumnType::Integer => parsed(
            json.as_i64()
                .map(|n| i32::try_from(n).map(Value::from).map_err(|e| e.to_string())),
            Value::Int(None),
        ),
        ColumnType::TimestampWithTimeZone => parsed(
            text.map(|t| {
                timestamp(&t)
                    .map(Value::from)
                    .ok_or(format!("`{t}` is not a timestamp"))
            }),
            Value::ChronoDateTimeUtc(None),
        ),
        ColumnType::Date => parsed(
            text.map(|t| {
                NaiveDate::parse_from_str(&t, "%F")
                    .map(Value::from)
                    .map_err(|e| e.to_string())
            }),
            Value::ChronoDate(None),
        ),
        other => Err(format!("{other:?} columns are not batched")),
    }
}

/// A timestamp as either database writes it: RFC 3339 (PostgreSQL's JSON, whose sessions run
/// in UTC, and sqlx's SQLite text) or SQLite's own `YYYY-MM-DD HH:MM:SS` in UTC.
fn timestamp(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(text, "%F %T%.f")
                .ok()
                .map(|t| t.and_utc())
        })
}

#[cfg(test)]
mod tests {
    use super::{decode, value_of};
    use sea_orm::sea_query::ColumnType;
    use serde_json::json;

    #[test]
    fn a_row_decodes_from_either_databases_json() {
        let sqlite = json!({
            "tenant_id": "01a215e395a971758208834a1df3ed9c",
            "id": "01a215e3-95a9-7175-8208-83451df3ed9d",
            "name": "Payments",
            "created_at": "2026-01-02T03:04:05.678+00:00",
            "updated_at": "2026-01-02 03:04:05",
        });
        let Ok(service) = decode::<entity::service::Entity>(&sqlite.to_string()) else {
            panic!("the row should decode");
        };
        assert_eq!(service.name, "Payments");
        assert_eq!(
            service.tenant_id.simple().to_string(),
            "01a215e395a971758208834a1df3ed9c"
        );
        assert_eq!(service.updated_at.to_rfc3339(), "2026-01-02T03:04:05+00:00");
    }

    #[test]
    fn a_value_of_the_wrong_type_is_an_error_not_a_null() {
        assert!(value_of(&ColumnType::Integer, json!("7")).is_err());
        assert!(value_of(&ColumnType::Uuid, json!("not-a-uuid")).is_err());
        assert!(
            value_of(&ColumnType::Date, json!(null))
                .is_ok_and(|v| v == sea_orm::Value::ChronoDate(None))
        );
        assert!(decode::<entity::service::Entity>("[1]").is_err());
    }
}

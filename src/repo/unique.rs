//! Uniqueness checks for names and emails, answered as field errors rather than SQL errors.

use crate::domain::{FieldError, FieldErrorCode};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, Select,
};
use uuid::Uuid;

/// Whether another row of `select` (already tenant-scoped) has `value` in `column`.
pub async fn name_taken<E, C>(
    db: &C,
    select: Select<E>,
    column: E::Column,
    value: &str,
    except: Option<(E::Column, Uuid)>,
) -> Result<bool, DbErr>
where
    E: EntityTrait,
    E::Model: Sync,
    C: ConnectionTrait,
{
    let mut select = select.filter(column.eq(value));
    if let Some((id_column, id)) = except {
        select = select.filter(id_column.ne(id));
    }
    Ok(select.count(db).await? > 0)
}

/// The TAKEN field error for `field`, e.g. "this name is already in use".
pub fn taken(field: &str) -> FieldError {
    FieldError::new(
        field,
        FieldErrorCode::Taken,
        format!("this {field} is already in use"),
    )
}

//! Uniqueness checks for names and emails, made before the write so that a taken name is
//! answered as a field error rather than an SQL error.

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, Select, Value,
};

/// Whether a row of `select` (already tenant-scoped) has `value` in `column`.
pub async fn name_taken<E, C>(
    db: &C,
    select: Select<E>,
    column: E::Column,
    value: Value,
) -> Result<bool, DbErr>
where
    E: EntityTrait,
    E::Model: Sync,
    C: ConnectionTrait,
{
    Ok(select.filter(column.eq(value)).count(db).await? > 0)
}

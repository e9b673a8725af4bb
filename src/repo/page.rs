//! Keyset pagination: every page is found by seeking past a `(sort value, id)` key, never by
//! OFFSET, so page 50 costs what page 1 costs.

use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Select, Value,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Asc,
    Desc,
}

impl Direction {
    fn reversed(self) -> Self {
        match self {
            Self::Asc => Self::Desc,
            Self::Desc => Self::Asc,
        }
    }

    fn order(self) -> sea_orm::Order {
        match self {
            Self::Asc => sea_orm::Order::Asc,
            Self::Desc => sea_orm::Order::Desc,
        }
    }
}

/// The sort value of a row.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KeyValue {
    Int(i64),
    Text(String),
    Time(DateTime<Utc>),
    Id(Uuid),
}

/// Which kind of sort value a list uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Int,
    Text,
    Time,
    Id,
}

impl KeyValue {
    fn kind(&self) -> KeyKind {
        match self {
            Self::Int(_) => KeyKind::Int,
            Self::Text(_) => KeyKind::Text,
            Self::Time(_) => KeyKind::Time,
            Self::Id(_) => KeyKind::Id,
        }
    }

    /// Whether the value can be compared with a column of `kind`.
    fn fits(&self, kind: KeyKind) -> bool {
        self.kind() == kind && !matches!(self, Self::Text(text) if text.contains('\0'))
    }
}

impl From<KeyValue> for Value {
    fn from(value: KeyValue) -> Self {
        match value {
            KeyValue::Int(v) => v.into(),
            KeyValue::Text(v) => v.into(),
            KeyValue::Time(v) => v.into(),
            KeyValue::Id(v) => v.into(),
        }
    }
}

/// A row's position: its sort value with its id as the tie-breaker.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Key {
    pub value: KeyValue,
    pub id: Uuid,
}

/// Which slice of a list to return; `first`/`last` are already bounded by the API.
#[derive(Debug, Clone, Default)]
pub struct PageRequest {
    pub first: Option<u64>,
    pub after: Option<Key>,
    pub last: Option<u64>,
    pub before: Option<Key>,
}

/// The page size when neither `first` nor `last` is given.
pub const DEFAULT_PAGE_SIZE: u64 = 20;

impl PageRequest {
    /// The page size, when the request is for a list's first page (no cursor, read
    /// forwards): such pages of many lists can be read at once.
    pub fn leading_size(&self) -> Option<u64> {
        (self.after.is_none() && self.before.is_none() && self.last.is_none())
            .then(|| self.first.unwrap_or(DEFAULT_PAGE_SIZE))
    }
}

/// A list's first page of `size` rows, from its first `size + 1` rows in order.
pub fn leading<M>(mut rows: Vec<M>, size: u64, key: fn(&M) -> Key) -> Page<M> {
    let has_next_page = u64::try_from(rows.len()).unwrap_or(u64::MAX) > size;
    rows.truncate(usize::try_from(size).unwrap_or(usize::MAX));
    Page {
        rows: rows.into_iter().map(|row| (key(&row), row)).collect(),
        has_next_page,
        has_previous_page: false,
    }
}

/// One page of rows, each with its key.
#[derive(Debug, Clone)]
pub struct Page<M> {
    pub rows: Vec<(Key, M)>,
    pub has_next_page: bool,
    pub has_previous_page: bool,
}

/// How a list is sorted: a column, the id column as tie-breaker, and how to read a row's key.
pub struct Ordering<E: EntityTrait> {
    pub column: E::Column,
    pub kind: KeyKind,
    pub id: E::Column,
    pub direction: Direction,
    pub key: fn(&E::Model) -> Key,
}

/// Fetches the page `request` asks for from `select` (which is already tenant-scoped).
pub async fn fetch<E, C>(
    db: &C,
    select: Select<E>,
    ordering: &Ordering<E>,
    request: &PageRequest,
) -> AppResult<Page<E::Model>>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let backwards = request.last.is_some() && request.first.is_none();
    let size = if backwards {
        request.last
    } else {
        request.first
    }
    .unwrap_or(DEFAULT_PAGE_SIZE);
    let direction = if backwards {
        ordering.direction.reversed()
    } else {
        ordering.direction
    };
    let mut select = select;
    if let Some(after) = &request.after {
        select = select.filter(beyond(ordering, ordering.direction, after)?);
    }
    if let Some(before) = &request.before {
        select = select.filter(beyond(ordering, ordering.direction.reversed(), before)?);
    }
    let mut models = select
        .order_by(ordering.column, direction.order())
        .order_by(ordering.id, direction.order())
        .limit(size + 1)
        .all(db)
        .await?;
    let more = models.len() as u64 > size;
    models.truncate(size as usize);
    if backwards {
        models.reverse();
    }
    let rows = models
        .into_iter()
        .map(|m| ((ordering.key)(&m), m))
        .collect();
    let (has_next_page, has_previous_page) = if backwards {
        (request.before.is_some(), more)
    } else {
        (more, request.after.is_some())
    };
    Ok(Page {
        rows,
        has_next_page,
        has_previous_page,
    })
}

/// Rows strictly past `key` when walking in `direction`. Columns are qualified with their
/// table, so the condition stays unambiguous when a list query joins another table.
fn beyond<E: EntityTrait>(
    ordering: &Ordering<E>,
    direction: Direction,
    key: &Key,
) -> AppResult<Condition> {
    if !key.value.fits(ordering.kind) {
        return Err(AppError::bad_input(
            "the cursor is not valid for this list; request the first page again",
        ));
    }
    let qualified = |column: E::Column| Expr::col((column.entity_name(), column));
    let past = |column: E::Column, value: Value| -> SimpleExpr {
        match direction {
            Direction::Asc => qualified(column).gt(value),
            Direction::Desc => qualified(column).lt(value),
        }
    };
    let value: Value = key.value.clone().into();
    Ok(Condition::any()
        .add(past(ordering.column, value.clone()))
        .add(
            Condition::all()
                .add(qualified(ordering.column).eq(value))
                .add(past(ordering.id, key.id.into())),
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_must_match_the_lists_kind() {
        assert!(KeyValue::Int(1).fits(KeyKind::Int));
        assert!(!KeyValue::Text("1".into()).fits(KeyKind::Int));
        assert!(!KeyValue::Text("a\0b".into()).fits(KeyKind::Text));
    }
}

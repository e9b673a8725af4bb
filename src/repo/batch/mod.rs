//! Batched reads of the lists nested under incidents. Every list asked for at once, whatever
//! its table, is read by one `UNION ALL` statement whose rows travel as JSON text, so a whole
//! level of a response costs one statement.

mod json_row;
mod lists;
mod statements;

pub use lists::{List, Rows};

use super::scope::Scope;
use crate::error::AppResult;
use sea_orm::sea_query::{Expr, UnionType};
use sea_orm::{ConnectionTrait, TryGetable};
use std::collections::HashMap;
use uuid::Uuid;

/// One list of one parent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Part {
    pub list: List,
    pub parent: Uuid,
}

impl Scope {
    /// Every part asked for, in one statement (none when `parts` is empty). A part whose
    /// parent has no rows holds its list's empty value.
    pub async fn record_parts(&self, parts: &[Part]) -> AppResult<HashMap<Part, Rows>> {
        let mut lists: Vec<(List, Vec<Uuid>)> = Vec::new();
        for part in parts {
            match lists.iter_mut().find(|(list, _)| *list == part.list) {
                Some((_, parents)) if parents.contains(&part.parent) => {}
                Some((_, parents)) => parents.push(part.parent),
                None => lists.push((part.list, vec![part.parent])),
            }
        }
        let mut statements = lists.iter().enumerate().map(|(tag, (list, parents))| {
            self.list_statement(*list, parents, Expr::cust(tag.to_string()))
        });
        let Some(mut union) = statements.next() else {
            return Ok(HashMap::new());
        };
        for statement in statements {
            union.union(UnionType::All, statement);
        }
        let mut rows_by_tag: Vec<Vec<(Uuid, String)>> = vec![Vec::new(); lists.len()];
        for row in self.db().query_all(&union).await? {
            let tag: i32 = TryGetable::try_get_by(&row, "tag").map_err(sea_orm::DbErr::from)?;
            let parent: Uuid =
                TryGetable::try_get_by(&row, "parent").map_err(sea_orm::DbErr::from)?;
            let text: String = TryGetable::try_get_by(&row, "row").map_err(sea_orm::DbErr::from)?;
            if let Some(rows) = usize::try_from(tag)
                .ok()
                .and_then(|tag| rows_by_tag.get_mut(tag))
            {
                rows.push((parent, text));
            }
        }
        let mut found = HashMap::new();
        for ((list, parents), rows) in lists.into_iter().zip(rows_by_tag) {
            let mut values = list.decode(rows)?;
            for parent in parents {
                let value = values.remove(&parent).unwrap_or_else(|| list.empty());
                found.insert(Part { list, parent }, value);
            }
        }
        Ok(found)
    }

    /// One list for each of `parents`.
    pub async fn lists_of(&self, list: List, parents: &[Uuid]) -> AppResult<HashMap<Uuid, Rows>> {
        let parts: Vec<Part> = parents
            .iter()
            .map(|&parent| Part { list, parent })
            .collect();
        Ok(self
            .record_parts(&parts)
            .await?
            .into_iter()
            .map(|(part, rows)| (part.parent, rows))
            .collect())
    }
}

//! Batched reads of the lists nested under incidents. Each kind of list asked for at once is
//! read for all its parents by one statement, decoded by sea-orm into the entity's model, so a
//! level of a response costs one statement per kind of list whatever the number of parents.

mod lists;
mod statements;

pub use lists::{List, Rows};

use super::scope::Scope;
use crate::error::AppResult;
use sea_orm::ConnectionTrait;
use std::collections::HashMap;
use uuid::Uuid;

/// One list of one parent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Part {
    pub list: List,
    pub parent: Uuid,
}

impl Scope {
    /// Every part asked for, one statement per kind of list (none when `parts` is empty). The
    /// statements run one after another, so a request's reads can share one connection. A part
    /// whose parent has no rows holds its list's empty value.
    pub async fn record_parts(&self, parts: &[Part]) -> AppResult<HashMap<Part, Rows>> {
        let mut lists: Vec<(List, Vec<Uuid>)> = Vec::new();
        for part in parts {
            match lists.iter_mut().find(|(list, _)| *list == part.list) {
                Some((_, parents)) if parents.contains(&part.parent) => {}
                Some((_, parents)) => parents.push(part.parent),
                None => lists.push((part.list, vec![part.parent])),
            }
        }
        let mut found = HashMap::new();
        for (list, parents) in lists {
            let rows = self
                .db()
                .query_all(&self.list_statement(list, &parents))
                .await?;
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

//! Grouping the rows of one batched statement by their parent.

use std::collections::HashMap;
use uuid::Uuid;

/// Groups `rows` by the parent id `key` reads from each, keeping their order.
pub(super) fn by_parent<M>(rows: Vec<M>, key: impl Fn(&M) -> Uuid) -> HashMap<Uuid, Vec<M>> {
    let mut grouped: HashMap<Uuid, Vec<M>> = HashMap::new();
    for row in rows {
        grouped.entry(key(&row)).or_default().push(row);
    }
    grouped
}

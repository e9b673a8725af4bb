//! Relay connections: `edges { cursor node }`, `nodes`, `pageInfo` and a lazily counted
//! `totalCount`, over keyset pages from the repository.

use super::cursor;
use crate::error::{AppError, AppResult};
use crate::repo::{DEFAULT_PAGE_SIZE, Key, Page, PageRequest};
use async_graphql::Object;
use futures_util::future::BoxFuture;
use std::sync::Arc;
use uuid::Uuid;

/// The largest page a client may ask for.
pub const MAX_PAGE_SIZE: i32 = 100;

/// Where a page sits in its list.
#[derive(Debug, Clone)]
pub struct PageInfo {
    list: Arc<ListRef>,
    has_next_page: bool,
    has_previous_page: bool,
    start: Option<Key>,
    end: Option<Key>,
}

impl PageInfo {
    pub fn new<M>(list: Arc<ListRef>, page: &Page<M>) -> Self {
        Self {
            has_next_page: page.has_next_page,
            has_previous_page: page.has_previous_page,
            start: page.rows.first().map(|(key, _)| key.clone()),
            end: page.rows.last().map(|(key, _)| key.clone()),
            list,
        }
    }
}

/// Where a page sits in its list.
#[Object]
impl PageInfo {
    async fn has_next_page(&self) -> bool {
        self.has_next_page
    }

    async fn has_previous_page(&self) -> bool {
        self.has_previous_page
    }

    async fn start_cursor(&self) -> Option<String> {
        self.start.as_ref().map(|key| self.list.cursor(key))
    }

    async fn end_cursor(&self) -> Option<String> {
        self.end.as_ref().map(|key| self.list.cursor(key))
    }
}

/// The list a cursor belongs to, within the caller's tenant.
#[derive(Debug, Clone)]
pub struct ListRef {
    pub tenant_id: Uuid,
    pub list: String,
}

impl ListRef {
    pub fn new(tenant_id: Uuid, list: impl Into<String>) -> Self {
        Self {
            tenant_id,
            list: list.into(),
        }
    }

    pub fn cursor(&self, key: &Key) -> String {
        cursor::encode(self.tenant_id, &self.list, key)
    }

    /// Checks the Relay arguments and decodes their cursors.
    pub fn page_request(
        &self,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> AppResult<PageRequest> {
        if first.is_some() && last.is_some() {
            return Err(AppError::bad_input("pass `first` or `last`, not both"));
        }
        let size = |name: &str, value: Option<i32>| -> AppResult<Option<u64>> {
            match value {
                None => Ok(None),
                Some(n) if (1..=MAX_PAGE_SIZE).contains(&n) => Ok(Some(n as u64)),
                Some(n) => Err(AppError::bad_input(format!(
                    "`{name}` must be between 1 and {MAX_PAGE_SIZE}, not {n}"
                ))),
            }
        };
        let decode = |c: Option<String>| {
            c.map(|c| cursor::decode(self.tenant_id, &self.list, &c))
                .transpose()
        };
        Ok(PageRequest {
            first: size("first", first)?,
            last: size("last", last)?,
            after: decode(after)?,
            before: decode(before)?,
        })
    }
}

/// Query cost of a connection field: the page size times the cost of one node.
pub fn page_cost(first: Option<i32>, last: Option<i32>, child_complexity: usize) -> usize {
    let size = first
        .or(last)
        .unwrap_or(DEFAULT_PAGE_SIZE as i32)
        .clamp(1, MAX_PAGE_SIZE) as usize;
    size.saturating_mul(child_complexity).max(1)
}

/// Counts the whole list only when a client asks for `totalCount`.
#[derive(Clone)]
pub struct TotalCount(Arc<dyn Fn() -> BoxFuture<'static, AppResult<u64>> + Send + Sync>);

impl TotalCount {
    pub fn new<F>(count: F) -> Self
    where
        F: Fn() -> BoxFuture<'static, AppResult<u64>> + Send + Sync + 'static,
    {
        Self(Arc::new(count))
    }

    /// A total already read.
    pub fn known(total: u64) -> Self {
        Self::new(move || Box::pin(async move { Ok(total) }))
    }

    pub async fn get(&self) -> AppResult<u64> {
        (self.0)().await
    }
}

/// Declares `<Name>Connection` and `<Name>Edge` for a node type built `From` a model.
macro_rules! connection {
    ($connection:ident, $edge:ident, $node:ty, $model:ty) => {
        #[doc = concat!("A page of `", stringify!($node), "` objects.")]
        pub struct $connection {
            edges: Vec<$edge>,
            page_info: $crate::graphql::connection::PageInfo,
            total: $crate::graphql::connection::TotalCount,
        }

        #[doc = concat!("One `", stringify!($node), "` and its cursor.")]
        pub struct $edge {
            list: std::sync::Arc<$crate::graphql::connection::ListRef>,
            key: $crate::repo::Key,
            node: $node,
        }

        #[doc = concat!("One `", stringify!($node), "` and its cursor.")]
        #[async_graphql::Object]
        impl $edge {
            /// Pass as `after` or `before` to page from here.
            async fn cursor(&self) -> String {
                self.list.cursor(&self.key)
            }

            async fn node(&self) -> &$node {
                &self.node
            }
        }

        impl $connection {
            /// Cursors are encoded only for the edges a client asks them of.
            pub fn new(
                list: &$crate::graphql::connection::ListRef,
                page: $crate::repo::Page<$model>,
                total: $crate::graphql::connection::TotalCount,
            ) -> Self {
                let list = std::sync::Arc::new(list.clone());
                let page_info = $crate::graphql::connection::PageInfo::new(list.clone(), &page);
                let edges: Vec<$edge> = page
                    .rows
                    .into_iter()
                    .map(|(key, model)| $edge {
                        list: list.clone(),
                        key,
                        node: <$node>::from(model),
                    })
                    .collect();
                Self {
                    edges,
                    page_info,
                    total,
                }
            }
        }

        #[async_graphql::Object]
        impl $connection {
            /// The page's nodes with their cursors.
            async fn edges(&self) -> &[$edge] {
                &self.edges
            }

            /// The page's nodes, without cursors.
            async fn nodes(&self) -> Vec<&$node> {
                self.edges.iter().map(|e| &e.node).collect()
            }

            /// Where this page sits in the list.
            async fn page_info(&self) -> &$crate::graphql::connection::PageInfo {
                &self.page_info
            }

            /// How many nodes the whole list holds, across all pages.
            async fn total_count(&self) -> $crate::error::AppResult<u64> {
                self.total.get().await
            }
        }
    };
}

pub(crate) use connection;

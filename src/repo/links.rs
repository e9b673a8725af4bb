//! Many-to-many link tables (`incident_services`, `root_cause_services`,
//! `measure_root_causes`): reading pairs in one statement, and replacing a parent's set.

use super::scope::{Scope, TenantOwned};
use crate::error::AppResult;
use sea_orm::sea_query::{Expr, ExprTrait, SelectStatement};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
};
use uuid::Uuid;

/// A link table: which column holds the parent, which the linked child, and how to make a row.
pub(super) struct LinkTable<L: EntityTrait> {
    pub parent: L::Column,
    pub child: L::Column,
    pub row: fn(tenant_id: Uuid, parent: Uuid, child: Uuid) -> L::ActiveModel,
}

impl<L> LinkTable<L>
where
    L: TenantOwned,
    L::ActiveModel: ActiveModelTrait<Entity = L> + Send,
{
    /// `(parent, child)` pairs for these parents, in one statement.
    async fn pairs<C: ConnectionTrait>(
        &self,
        scope: &Scope,
        db: &C,
        parents: &[Uuid],
    ) -> AppResult<Vec<(Uuid, Uuid)>> {
        Ok(scope
            .select::<L>()
            .filter(self.parent.is_in(parents.iter().copied()))
            .select_only()
            .column(self.parent)
            .column(self.child)
            .into_tuple()
            .all(db)
            .await?)
    }

    /// Joins `query`, a statement over the child table `C` whose id column is `child_id`, to
    /// the links of `parents`, so that each row can be tagged with [`LinkTable::parent_of_row`].
    pub fn join_parents<C: EntityTrait + Default>(
        &self,
        scope: &Scope,
        query: &mut SelectStatement,
        child_id: C::Column,
        parents: &[Uuid],
    ) where
        L: Default,
    {
        query
            .inner_join(
                L::default(),
                Expr::col((L::default(), self.child)).equals((C::default(), child_id)),
            )
            .and_where(scope.tenant_condition::<L>())
            .and_where(Expr::col((L::default(), self.parent)).is_in(parents.iter().copied()));
    }

    /// The parent column of a statement joined by [`LinkTable::join_parents`].
    pub fn parent_of_row(&self) -> Expr
    where
        L: Default,
    {
        Expr::col((L::default(), self.parent))
    }

    /// The children linked to one parent, sorted.
    pub async fn children<C: ConnectionTrait>(
        &self,
        scope: &Scope,
        db: &C,
        parent: Uuid,
    ) -> AppResult<Vec<Uuid>> {
        let mut children: Vec<Uuid> = self
            .pairs(scope, db, &[parent])
            .await?
            .into_iter()
            .map(|(_, child)| child)
            .collect();
        children.sort();
        Ok(children)
    }

    /// Makes `children` (deduplicated) the parent's whole set of links.
    pub async fn replace<C: ConnectionTrait>(
        &self,
        scope: &Scope,
        db: &C,
        parent: Uuid,
        children: &[Uuid],
    ) -> AppResult<()> {
        scope
            .delete::<L>()
            .filter(self.parent.eq(parent))
            .exec(db)
            .await?;
        let mut unique = children.to_vec();
        unique.sort();
        unique.dedup();
        if unique.is_empty() {
            return Ok(());
        }
        let rows = unique
            .into_iter()
            .map(|child| (self.row)(scope.principal().tenant_id(), parent, child));
        scope.insert_many(rows).exec(db).await?;
        Ok(())
    }

    /// [`Self::replace`], returning the sorted links before and after, for the audit diff.
    pub async fn relink<C: ConnectionTrait>(
        &self,
        scope: &Scope,
        db: &C,
        parent: Uuid,
        children: &[Uuid],
    ) -> AppResult<(Vec<Uuid>, Vec<Uuid>)> {
        let before = self.children(scope, db, parent).await?;
        self.replace(scope, db, parent, children).await?;
        Ok((before, self.children(scope, db, parent).await?))
    }
}

//! Statements written as SQL text (window functions, aggregates over several tables), kept
//! tenant-bound: the caller's tenant is always parameter `$1`, and every table must be
//! constrained by it.
//!
//! The text is an [`Sql`], which can only be made from `&'static str` pieces, placeholders of
//! bound values and this module's helpers: text built at run time (with `format!`, from
//! input) does not compile into a statement. An [`Sql`] also carries which aliases it reads
//! ([`TenantSql::table`]) and which it constrains to the tenant ([`TenantSql::tenant_of`]),
//! and [`TenantSql::finish`] refuses a statement in which a read lacks its condition.

use super::scope::Scope;
use crate::error::{AppError, AppResult};
use sea_orm::{DatabaseBackend, Statement, Value};

/// SQL text made only of `&'static str` pieces, bound placeholders and this module's helpers,
/// with the aliases it reads and constrains. Build it with [`sql!`](crate::repo::tenant_sql::sql).
#[derive(Debug, Clone, Default)]
pub struct Sql {
    text: String,
    reads: Vec<&'static str>,
    constrained: Vec<&'static str>,
}

/// What can be appended to an [`Sql`]: static text, or another [`Sql`] with its aliases.
pub trait SqlPiece {
    fn append_to(self, sql: &mut Sql);
}

impl SqlPiece for &'static str {
    fn append_to(self, sql: &mut Sql) {
        sql.text.push_str(self);
    }
}

impl SqlPiece for &Sql {
    fn append_to(self, sql: &mut Sql) {
        sql.text.push_str(&self.text);
        sql.reads.extend_from_slice(&self.reads);
        sql.constrained.extend_from_slice(&self.constrained);
    }
}

impl SqlPiece for Sql {
    fn append_to(self, sql: &mut Sql) {
        (&self).append_to(sql);
    }
}

impl From<&'static str> for Sql {
    fn from(text: &'static str) -> Self {
        let mut sql = Sql::default();
        sql.push(text);
        sql
    }
}

impl From<&Sql> for Sql {
    fn from(sql: &Sql) -> Self {
        sql.clone()
    }
}

impl Sql {
    /// Appends `piece`.
    pub fn push(&mut self, piece: impl SqlPiece) -> &mut Self {
        piece.append_to(self);
        self
    }

    /// The pieces with `separator` between them.
    pub fn join<P: SqlPiece>(pieces: impl IntoIterator<Item = P>, separator: &'static str) -> Self {
        let mut joined = Sql::default();
        for (i, piece) in pieces.into_iter().enumerate() {
            if i > 0 {
                joined.push(separator);
            }
            joined.push(piece);
        }
        joined
    }

    /// The first alias read more often than it is constrained, if any.
    fn unconstrained(&self) -> Option<&'static str> {
        let count = |list: &[&str], alias: &str| list.iter().filter(|a| **a == alias).count();
        self.reads
            .iter()
            .copied()
            .find(|alias| count(&self.reads, alias) > count(&self.constrained, alias))
    }
}

/// `sql!(piece, …)`: the [`Sql`] of the pieces in order, each a `&'static str` or an [`Sql`].
/// Statements spanning lines are written `sql! { … }`, which rustfmt leaves packed.
macro_rules! sql {
    ($($piece:expr),* $(,)?) => {{
        #[allow(unused_mut)] // `sql!()` pushes nothing
        let mut sql = $crate::repo::tenant_sql::Sql::default();
        $( sql.push($piece); )*
        sql
    }};
}
pub(crate) use sql;

/// A raw statement under construction whose first parameter is the caller's tenant.
pub struct TenantSql {
    backend: DatabaseBackend,
    values: Vec<Value>,
}

impl TenantSql {
    /// The placeholder bound to the caller's tenant.
    pub const TENANT: &'static str = "$1";

    pub fn new(scope: &Scope) -> Self {
        Self::of(scope.db().get_database_backend(), scope.tenant_id())
    }

    /// A statement for `tenant_id` before its caller has a scope: rate limits charge a
    /// request before its user is looked up.
    pub fn of(backend: DatabaseBackend, tenant_id: uuid::Uuid) -> Self {
        TenantSql {
            backend,
            values: vec![tenant_id.into()],
        }
    }

    /// Binds a value and returns its placeholder. sqlx reads `$n` on SQLite too.
    pub fn bind(&mut self, value: impl Into<Value>) -> Sql {
        self.values.push(value.into());
        Sql {
            text: format!("${}", self.values.len()),
            ..Sql::default()
        }
    }

    /// `<table> <alias>`: a read that [`TenantSql::finish`] checks has its
    /// [`TenantSql::tenant_of`] condition.
    pub fn table(&self, table: &'static str, alias: &'static str) -> Sql {
        let mut sql = sql!(table, " ", alias);
        sql.reads.push(alias);
        sql
    }

    /// A table named without an alias (the target of an UPDATE or a DELETE), checked like one.
    pub fn target(&self, table: &'static str) -> Sql {
        let mut sql = Sql::from(table);
        sql.reads.push(table);
        sql
    }

    /// `<alias>.tenant_id = $1`, the condition a read of `alias` needs.
    pub fn tenant_of(alias: &'static str) -> Sql {
        let mut sql = sql!(alias, ".tenant_id = ", Self::TENANT);
        sql.constrained.push(alias);
        sql
    }

    pub fn backend(&self) -> DatabaseBackend {
        self.backend
    }

    /// Seconds since the epoch of a timestamp column, whole seconds on both databases.
    pub fn epoch(&self, column: impl Into<Sql>) -> Sql {
        let column = column.into();
        match self.backend {
            DatabaseBackend::Postgres => sql!("FLOOR(EXTRACT(EPOCH FROM ", column, "))::bigint"),
            _ => sql!("unixepoch(", column, ")"),
        }
    }

    /// The UTC calendar day of a timestamp column, comparable with a `Date` column.
    pub fn utc_day(&self, column: impl Into<Sql>) -> Sql {
        let column = column.into();
        match self.backend {
            DatabaseBackend::Postgres => sql!("(", column, " AT TIME ZONE 'UTC')::date"),
            _ => sql!("date(", column, ")"),
        }
    }

    /// The finished statement; an internal error (naming the alias, never the text) if a
    /// table is read without its tenant condition.
    pub fn finish(self, sql: Sql) -> AppResult<Statement> {
        if let Some(alias) = sql.unconstrained() {
            return Err(AppError::internal(anyhow::anyhow!(
                "a statement reads `{alias}` without its tenant condition"
            )));
        }
        #[allow(clippy::disallowed_methods)] // every table read is constrained to the tenant
        Ok(Statement::from_sql_and_values(
            self.backend,
            sql.text,
            self.values,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::{Sql, TenantSql};
    use sea_orm::DatabaseBackend;

    fn builder() -> TenantSql {
        TenantSql {
            backend: DatabaseBackend::Sqlite,
            values: vec![uuid::Uuid::nil().into()],
        }
    }

    fn check(build: impl FnOnce(&mut TenantSql) -> Sql) -> Result<String, String> {
        let mut q = builder();
        let sql = build(&mut q);
        match q.finish(sql) {
            Ok(statement) => Ok(statement.sql),
            Err(error) => Err(format!("{error:?}")),
        }
    }

    #[test]
    fn every_read_with_its_condition_passes() {
        let text = check(|q| {
            let (i, pm) = (q.table("incidents", "i"), q.table("post_mortems", "pm"));
            let id = q.bind(uuid::Uuid::nil());
            sql! {
                "SELECT i.id FROM ", i, " JOIN ", pm, " ON ", TenantSql::tenant_of("pm"),
                " AND pm.incident_id = i.id WHERE ", TenantSql::tenant_of("i"), " AND i.id = ", id,
            }
        });
        assert_eq!(
            text.as_deref(),
            Ok(
                "SELECT i.id FROM incidents i JOIN post_mortems pm ON pm.tenant_id = $1 \
                AND pm.incident_id = i.id WHERE i.tenant_id = $1 AND i.id = $2"
            )
        );
    }

    #[test]
    fn a_read_without_its_condition_is_refused_without_showing_the_text() {
        let refused = check(|q| {
            let (i, pm) = (q.table("incidents", "i"), q.table("post_mortems", "pm"));
            let mut sql = sql!(
                "SELECT 1 FROM ",
                i,
                " JOIN ",
                pm,
                " ON pm.incident_id = i.id"
            );
            sql.push(" WHERE ").push(TenantSql::tenant_of("i"));
            sql
        });
        let error = refused.expect_err("pm has no condition");
        assert!(error.contains("`pm`"), "{error}");
        assert!(!error.contains("SELECT"), "{error}");
    }

    #[test]
    fn a_condition_counts_only_for_its_own_alias() {
        // Static text spelling a condition is not one: only `tenant_of` constrains.
        let refused = check(|q| {
            let c = q.table("clients", "c");
            sql! {
                "SELECT 1 FROM ", c, " WHERE c.tenant_id = $1 AND ", TenantSql::tenant_of("lrc"),
            }
        });
        assert!(refused.expect_err("c is unconstrained").contains("`c`"));
    }

    #[test]
    fn each_read_of_an_alias_needs_its_own_condition() {
        let refused = check(|q| {
            let (outer, inner) = (q.table("incidents", "i"), q.table("incidents", "i"));
            sql! {
                "SELECT 1 FROM ", outer, " WHERE ", TenantSql::tenant_of("i"),
                " AND EXISTS (SELECT 1 FROM ", inner, ")",
            }
        });
        assert!(refused.is_err());
    }

    #[test]
    fn an_update_target_is_checked_like_a_table() {
        assert!(
            check(|q| sql!("UPDATE ", q.target("incidents"), " SET recurring = FALSE")).is_err()
        );
        let target = check(|q| {
            let target = q.target("incidents");
            sql! {
                "DELETE FROM ", target, " WHERE ", TenantSql::tenant_of("incidents"),
            }
        });
        assert!(target.is_ok());
    }

    #[test]
    fn joined_pieces_keep_their_aliases() {
        let q = builder();
        let reads = [q.table("services", "a"), q.table("services", "b")];
        let joined = Sql::join(reads, ", ");
        assert_eq!(joined.unconstrained(), Some("a"));
        let conditions = Sql::join(["a", "b"].map(TenantSql::tenant_of), " AND ");
        assert_eq!(sql!(joined, conditions).unconstrained(), None);
    }
}

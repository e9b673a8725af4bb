//! Statements written as SQL text (window functions, aggregates over several tables), kept
//! tenant-bound: the caller's tenant is always parameter `$1`, and every table must be
//! constrained by it.

use super::scope::Scope;
use sea_orm::{DatabaseBackend, Statement, Value};

/// A raw statement under construction whose first parameter is the caller's tenant.
///
/// Tables enter the statement through [`TenantSql::table`]; in debug builds [`TenantSql::finish`]
/// checks that every one of them is constrained by `<alias>.tenant_id = $1`.
pub struct TenantSql {
    backend: DatabaseBackend,
    values: Vec<Value>,
    aliases: Vec<String>,
}

impl TenantSql {
    /// The placeholder bound to the caller's tenant.
    pub const TENANT: &'static str = "$1";

    pub fn new(scope: &Scope) -> Self {
        TenantSql {
            backend: scope.db().get_database_backend(),
            values: vec![scope.tenant_id().into()],
            aliases: Vec::new(),
        }
    }

    /// Binds a value and returns its placeholder. sqlx reads `$n` on SQLite too.
    pub fn bind(&mut self, value: impl Into<Value>) -> String {
        self.values.push(value.into());
        format!("${}", self.values.len())
    }

    /// `<table> <alias>`, remembered so [`TenantSql::finish`] can check its tenant condition.
    pub fn table(&mut self, table: &str, alias: &str) -> String {
        self.aliases.push(alias.to_owned());
        format!("{table} {alias}")
    }

    /// A table named without an alias (the target of a DELETE), checked like an alias.
    pub fn target(&mut self, table: &str) -> String {
        self.aliases.push(table.to_owned());
        table.to_owned()
    }

    /// `<alias>.tenant_id = $1`.
    pub fn tenant_of(alias: &str) -> String {
        format!("{alias}.tenant_id = {}", Self::TENANT)
    }

    pub fn backend(&self) -> DatabaseBackend {
        self.backend
    }

    /// Seconds since the epoch of a timestamp column, whole seconds on both databases.
    pub fn epoch(&self, column: &str) -> String {
        match self.backend {
            DatabaseBackend::Postgres => format!("FLOOR(EXTRACT(EPOCH FROM {column}))::bigint"),
            _ => format!("unixepoch({column})"),
        }
    }

    /// The UTC calendar day of a timestamp column, comparable with a `Date` column.
    pub fn utc_day(&self, column: &str) -> String {
        match self.backend {
            DatabaseBackend::Postgres => format!("({column} AT TIME ZONE 'UTC')::date"),
            _ => format!("date({column})"),
        }
    }

    /// The finished statement. Panics in debug builds if a table lacks its tenant condition.
    pub fn finish(self, sql: String) -> Statement {
        for alias in &self.aliases {
            debug_assert!(
                constrains(&sql, alias),
                "SQL reads `{alias}` without its tenant condition"
            );
        }
        Statement::from_sql_and_values(self.backend, sql, self.values)
    }
}

/// Whether `sql` holds `<alias>.tenant_id = $1` as a whole condition: not as the tail of a
/// longer alias (`lrc` for `c`) nor as the head of a longer placeholder (`$10`).
fn constrains(sql: &str, alias: &str) -> bool {
    let condition = TenantSql::tenant_of(alias);
    sql.match_indices(&condition).any(|(at, _)| {
        let before = sql[..at].chars().next_back();
        let after = sql[at + condition.len()..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
            && !after.is_some_and(|c| c.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    use super::constrains;

    #[test]
    fn a_condition_counts_only_for_its_own_alias_and_placeholder() {
        assert!(constrains("WHERE c.tenant_id = $1 AND", "c"));
        assert!(constrains("ON c.tenant_id = $1", "c"));
        assert!(!constrains("WHERE lrc.tenant_id = $1", "c"));
        assert!(!constrains("WHERE c.tenant_id = $10", "c"));
    }
}

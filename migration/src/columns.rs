//! Column and key shapes shared by every tenant-owned table.

use sea_orm_migration::{prelude::*, schema};

#[derive(DeriveIden)]
pub enum Common {
    TenantId,
    Id,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum Tenants {
    Table,
    Id,
}

/// Starts a tenant-owned table: `tenant_id`, `id`, the `(tenant_id, id)` primary key, and the
/// foreign key to `tenants`.
pub fn tenant_table<T: IntoIden + 'static>(table: T) -> TableCreateStatement {
    let table = table.into_iden();
    Table::create()
        .table(table.clone())
        .col(schema::uuid(Common::TenantId))
        .col(schema::uuid(Common::Id))
        .primary_key(Index::create().col(Common::TenantId).col(Common::Id))
        .foreign_key(
            ForeignKey::create()
                .from(table, Common::TenantId)
                .to(Tenants::Table, Tenants::Id)
                .on_delete(ForeignKeyAction::Cascade),
        )
        .to_owned()
}

/// Adds `created_at` and `updated_at`.
pub fn with_timestamps(table: &mut TableCreateStatement) -> &mut TableCreateStatement {
    table
        .col(schema::timestamp_with_time_zone(Common::CreatedAt))
        .col(schema::timestamp_with_time_zone(Common::UpdatedAt))
}

/// A foreign key from `(tenant_id, column)` of `child` to `(tenant_id, id)` of `parent`.
pub fn tenant_fk<C, K, P>(child: C, column: K, parent: P) -> ForeignKeyCreateStatement
where
    C: IntoIden + 'static,
    K: IntoIden + 'static,
    P: IntoIden + 'static,
{
    ForeignKey::create()
        .from(child, (Common::TenantId, column))
        .to(parent, (Common::TenantId, Common::Id))
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

/// A named index whose first column is `tenant_id`.
pub fn tenant_index<T, I>(name: &str, table: T, columns: I) -> IndexCreateStatement
where
    T: IntoIden + 'static,
    I: IntoIterator,
    I::Item: IntoIndexColumn,
{
    let mut index = Index::create();
    index.name(name).table(table).col(Common::TenantId);
    for column in columns {
        index.col(column);
    }
    index.to_owned()
}

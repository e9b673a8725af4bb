//! Unscoped statements clippy must refuse, one per banned entry point: inserts that stamp no
//! tenant, sea-query builders with no tenant condition, and raw SQL. `.ci/run` counts one
//! `disallowed_methods` warning per line marked `// banned`.

use entity::service;
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait,
    FromQueryResult, Insert, InsertMany, Statement, TryGetableMany,
};

/// Through any connection: a transaction, a pool.
pub async fn unscoped(db: &impl ConnectionTrait, row: service::ActiveModel) -> Result<(), DbErr> {
    service::Entity::insert(row.clone()).exec(db).await?; // banned
    service::Entity::insert_many([row.clone()]).exec(db).await?; // banned
    row.clone().insert(db).await?; // banned
    Insert::one(row.clone()).exec(db).await?; // banned
    InsertMany::many([row.clone()]).exec(db).await?; // banned
    let _ = Query::select().from(service::Entity).to_owned(); // banned
    let _ = Query::update().table(service::Entity).to_owned(); // banned
    let _ = Query::delete().from_table(service::Entity).to_owned(); // banned
    let _ = Query::insert().into_table(service::Entity).to_owned(); // banned
    db.execute_unprepared("DELETE FROM services").await?; // banned
    let raw = Statement::from_sql_and_values(DbBackend::Sqlite, "SELECT 1", []); // banned
    let _ = Statement::from_string(DbBackend::Sqlite, "SELECT 1"); // banned
    db.execute_raw(raw.clone()).await?; // banned
    db.query_all_raw(raw.clone()).await?; // banned
    db.query_one_raw(raw.clone()).await?; // banned
    service::Model::find_by_statement(raw.clone()).all(db).await?; // banned
    <(i64,)>::find_by_statement::<service::Column>(raw.clone()); // banned
    let _ = service::Entity::select_raw(raw);
    Ok(())
}

/// Through the pool's own type, whose methods implement the trait's.
pub async fn unscoped_on_pool(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.execute_unprepared("DELETE FROM services").await?; // banned
    Ok(())
}

trait SelectRaw: EntityTrait {
    fn select_raw(stmt: Statement) -> sea_orm::SelectorRaw<sea_orm::SelectModel<Self::Model>> {
        #[allow(clippy::disallowed_methods)] // `find` is banned too; only `from_raw_sql` counts
        let select = Self::find();
        select.from_raw_sql(stmt) // banned
    }
}

impl<E: EntityTrait> SelectRaw for E {}

//! Bulk loads into empty tables, as PostgreSQL advises for populating a database:
//! their foreign keys and secondary indexes set aside for the load and put back
//! afterwards (migration 0025, docs/decisions.md "Bulk loads").
//!
//! A foreign key checks each inserted row through a trigger and a query of its own
//! (~15 µs a row on the development VM: most of a bulk insert into the order
//! tables); put back, it checks the whole table in one join. An index built once
//! from sorted rows costs a fraction of the same entries inserted one by one. And
//! the tables' search terms (`db::search`) are written at the end by one statement
//! in key order, instead of a few thousand rows at a time scattered over the index.
//!
//! What is set aside is recorded in `app.bulk_set_aside` in the transaction that
//! drops it, and [`put_back`] runs after the migrations of every `yunying` command,
//! so a load that is killed halfway leaves the schema to be repaired by the next
//! command, not a schema without its keys. Unique and primary keys stay: they are
//! rules of the data (and the other keys refer to them), and the load needs them.

use sqlx::PgPool;

/// Set aside the foreign keys, the secondary (non-unique) indexes and the search-term
/// triggers of `tables` when every one of them is empty (has not one page): returns
/// whether it did. The check and the drop hold each table's ACCESS EXCLUSIVE lock,
/// so no transaction is writing them then;
/// rows another session writes before [`put_back`] are checked when the keys are
/// validated (one they break is reported by the put-back and stays NOT VALID, which
/// still checks every new row). Only for tables the caller is about to fill.
pub async fn set_aside(owner: &PgPool, tables: &[&str]) -> Result<bool, sqlx::Error> {
    assert!(
        tables.iter().all(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')),
        "table names are plain identifiers"
    );
    let mut tx = owner.begin().await?;
    sqlx::query(&format!("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE", tables.join(", "))).execute(&mut *tx).await?;
    // Empty: not one page (row-level security is forced on the owner too, so the
    // size speaks for every tenant's rows, and for rows deleted but not yet gone).
    let empty: bool =
        sqlx::query_scalar("SELECT bool_and(pg_relation_size(t::regclass) = 0) FROM unnest($1::text[]) t")
            .bind(tables)
            .fetch_one(&mut *tx)
            .await?;
    if !empty {
        tx.rollback().await?;
        return Ok(false);
    }
    let statements: Vec<String> = sqlx::query_scalar(
        "WITH t AS (SELECT unnest($1::text[])::regclass AS oid),
         keys AS (
             INSERT INTO app.bulk_set_aside (table_name, kind, name, definition)
             SELECT c.conrelid::regclass::text, 'foreign_key', c.conname, pg_get_constraintdef(c.oid)
             FROM pg_constraint c JOIN t ON t.oid = c.conrelid
             WHERE c.contype = 'f'
             ORDER BY 1, 3
             RETURNING table_name, name),
         indexes AS (
             INSERT INTO app.bulk_set_aside (table_name, kind, name, definition)
             SELECT i.indrelid::regclass::text, 'index', i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
             FROM pg_index i JOIN t ON t.oid = i.indrelid
             WHERE NOT i.indisunique AND NOT i.indisprimary
               AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
             ORDER BY 1, 3
             RETURNING name),
         terms AS (
             INSERT INTO app.bulk_set_aside (table_name, kind, name, definition)
             SELECT g.tgrelid::regclass::text, 'search_terms', g.tgname,
                    CASE WHEN g.tgfoid = 'app.index_inserted_search_terms'::regproc
                         THEN app.search_terms_fill(g.oid) ELSE '' END
             FROM pg_trigger g JOIN t ON t.oid = g.tgrelid
             WHERE g.tgfoid IN ('app.index_inserted_search_terms'::regproc, 'app.index_search_terms'::regproc)
               AND g.tgenabled <> 'D'
             ORDER BY 1, 3
             RETURNING table_name, name)
         SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', table_name, name) FROM keys
         UNION ALL
         SELECT format('DROP INDEX %s', name) FROM indexes
         UNION ALL
         SELECT format('ALTER TABLE %s DISABLE TRIGGER %I', table_name, name) FROM terms",
    )
    .bind(tables)
    .fetch_all(&mut *tx)
    .await?;
    for statement in &statements {
        sqlx::query(statement).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    tracing::info!(tables = ?tables, set_aside = statements.len(), "foreign keys and indexes set aside for a bulk load");
    Ok(true)
}

/// What [`put_back`] did.
#[derive(Debug, Default)]
pub struct PutBack {
    /// Keys and indexes that came back.
    pub restored: usize,
    /// Keys that rows written meanwhile break: each validation's error. They stay
    /// NOT VALID, which still checks every new or changed row.
    pub invalid: Vec<String>,
}

/// Put back whatever [`set_aside`] recorded, then validate every foreign key of the
/// database that is not validated yet (one join per key) and refresh the statistics
/// of the tables concerned. A no-op, two catalog queries, when nothing is pending.
///
/// In three steps, each record deleted in the transaction that puts it back (a
/// put-back cut short is finished by the next one): the indexes built and the keys
/// added NOT VALID, in one transaction; then each search-term trigger enabled and its
/// table's terms written (one transaction each), while a second connection
/// validates the keys that touch none of those tables; then the other keys.
pub async fn put_back(owner: &PgPool) -> Result<PutBack, sqlx::Error> {
    let mut tx = owner.begin().await?;
    // (table, kind, name, statement, the terms' fill or '')
    let pending: Vec<(String, String, String, String, String)> = sqlx::query_as(
        "SELECT table_name, kind, name,
                CASE kind WHEN 'index' THEN definition
                          WHEN 'foreign_key'
                          THEN format('ALTER TABLE %s ADD CONSTRAINT %I %s NOT VALID', table_name, name, definition)
                          ELSE format('ALTER TABLE %s ENABLE TRIGGER %I', table_name, name) END,
                CASE kind WHEN 'search_terms' THEN definition ELSE '' END
         FROM app.bulk_set_aside ORDER BY position FOR UPDATE",
    )
    .fetch_all(&mut *tx)
    .await?;
    let (fills, others): (Vec<_>, Vec<_>) = pending.iter().partition(|(_, kind, ..)| kind == "search_terms");
    if !others.is_empty() {
        sqlx::query("SET LOCAL maintenance_work_mem = '512MB'").execute(&mut *tx).await?;
        for (_, _, _, statement, _) in &others {
            sqlx::query(statement).execute(&mut *tx).await?;
        }
        sqlx::query("DELETE FROM app.bulk_set_aside WHERE kind <> 'search_terms'").execute(&mut *tx).await?;
    }
    tx.commit().await?;
    let filled: Vec<&str> = fills.iter().map(|(t, ..)| t.as_str()).collect();
    let unchecked = unvalidated(owner).await?;
    let (apart, touching): (Vec<_>, Vec<_>) =
        unchecked.iter().partition(|k| !filled.iter().any(|t| k.tables.iter().any(|k| k == t)));
    let terms = async {
        for (table, _, name, statement, fill) in &fills {
            let mut tx = owner.begin().await?;
            let still: Option<i32> =
                sqlx::query_scalar("SELECT 1 FROM app.bulk_set_aside WHERE table_name = $1 AND name = $2 FOR UPDATE")
                    .bind(table)
                    .bind(name)
                    .fetch_optional(&mut *tx)
                    .await?;
            if still.is_none() {
                continue; // another put-back did it meanwhile
            }
            sqlx::query("SET LOCAL work_mem = '256MB'").execute(&mut *tx).await?;
            sqlx::query(statement).execute(&mut *tx).await?;
            // Every row's terms (the trigger was off while the table filled, from
            // empty), tenant by tenant: row-level security holds the owner.
            sqlx::query("SELECT app.for_each_tenant($1)").bind(fill).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM app.bulk_set_aside WHERE table_name = $1 AND name = $2")
                .bind(table)
                .bind(name)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        Ok::<(), sqlx::Error>(())
    };
    let (_, mut invalid) = futures_util::future::try_join(terms, validate(owner, &apart)).await?;
    invalid.extend(validate(owner, &touching).await?);
    let mut tables: Vec<&str> = pending
        .iter()
        .map(|(t, ..)| t.as_str())
        .chain(unchecked.iter().filter_map(|k| k.tables.first().map(String::as_str)))
        .collect();
    tables.sort_unstable();
    tables.dedup();
    if !tables.is_empty() {
        sqlx::query(&format!("ANALYZE {}", tables.join(", "))).execute(owner).await?;
        tracing::info!(put_back = pending.len(), validated = unchecked.len(), "bulk load: keys and indexes put back");
    }
    Ok(PutBack { restored: pending.len(), invalid })
}

/// A foreign key not validated yet.
struct Unchecked {
    /// Its table, then the table it refers to.
    tables: [String; 2],
    statement: String,
    /// Those of the two with row-level security forced.
    forced: Vec<String>,
}

async fn unvalidated(owner: &PgPool) -> Result<Vec<Unchecked>, sqlx::Error> {
    let rows: Vec<(String, String, String, Vec<String>)> = sqlx::query_as(
        "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text,
                format('ALTER TABLE %s VALIDATE CONSTRAINT %I', c.conrelid::regclass, c.conname),
                ARRAY(SELECT r.oid::regclass::text FROM pg_class r
                      WHERE r.oid IN (c.conrelid, c.confrelid) AND r.relforcerowsecurity ORDER BY 1)
         FROM pg_constraint c WHERE c.contype = 'f' AND NOT c.convalidated ORDER BY 1, c.conname",
    )
    .fetch_all(owner)
    .await?;
    Ok(rows.into_iter().map(|(t, r, statement, forced)| Unchecked { tables: [t, r], statement, forced }).collect())
}

/// Validate `keys` one after the other; the messages of those the rows break.
///
/// Validation reads the tables as their owner, and row-level security is forced
/// on the owner too: with no tenant set it would see no row and pass whatever
/// is there. So each key is validated in a transaction that lifts the forcing
/// from its two tables and puts it back before committing (DDL is
/// transactional: no other session ever sees the tables unforced, and the
/// runtime role, which owns nothing, is bound by the policies either way).
async fn validate(owner: &PgPool, keys: &[&Unchecked]) -> Result<Vec<String>, sqlx::Error> {
    let mut invalid = Vec::new();
    for key in keys {
        let mut tx = owner.begin().await?;
        for table in &key.forced {
            sqlx::query(&format!("ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")).execute(&mut *tx).await?;
        }
        match sqlx::query(&key.statement).execute(&mut *tx).await {
            Ok(_) => {
                for table in &key.forced {
                    sqlx::query(&format!("ALTER TABLE {table} FORCE ROW LEVEL SECURITY")).execute(&mut *tx).await?;
                }
                tx.commit().await?;
            }
            Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("23503") => invalid.push(e.to_string()),
            Err(e) => return Err(e),
        }
    }
    Ok(invalid)
}

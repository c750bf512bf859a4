//! deploy/citus.sql stays complete: every tenant table (one with `tenant_id`) is
//! distributed by `tenant_id` and co-located with `departments`, and every other
//! table is a reference table or named as staying local to the coordinator. Read
//! from the catalog of a migrated database, so a new migration's table fails here
//! until it is listed. (Whether the file runs on a real cluster: deploy/citus/test.sh.)

use std::collections::BTreeMap;

use crate::helpers::spawn_app;

#[derive(Debug, PartialEq)]
enum Placement {
    /// Distributed by the column, co-located with the table (None: the anchor).
    Distributed(String, Option<String>),
    Reference,
    CoordinatorLocal,
}

/// The quoted arguments of `name(…)` calls and the names of `-- coordinator-local: x`
/// lines of the file.
fn placements(sql: &str) -> BTreeMap<String, Placement> {
    let mut out = BTreeMap::new();
    for line in sql.lines().map(str::trim) {
        let quoted: Vec<&str> = line.split('\'').skip(1).step_by(2).collect();
        if let Some(name) = line.strip_prefix("-- coordinator-local:") {
            out.insert(name.trim().to_string(), Placement::CoordinatorLocal);
        } else if line.starts_with("SELECT create_reference_table(") {
            out.insert(quoted[0].to_string(), Placement::Reference);
        } else if line.starts_with("SELECT create_distributed_table(") {
            let colocated = line.contains("colocate_with").then(|| quoted[2].to_string());
            out.insert(quoted[0].to_string(), Placement::Distributed(quoted[1].to_string(), colocated));
        }
    }
    out
}

#[tokio::test]
async fn citus_sql_places_every_table() {
    let app = spawn_app().await;
    let sql =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/citus.sql")).expect("deploy/citus.sql");
    let listed = placements(&sql);
    // Every table of the schema, named as the file names it (`app.` for the app schema).
    let tables: Vec<(String, bool)> = sqlx::query_as(
        "SELECT CASE WHEN n.nspname = 'public' THEN c.relname ELSE n.nspname || '.' || c.relname END,
                EXISTS (SELECT FROM pg_attribute a
                        WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname IN ('public', 'app') AND c.relkind IN ('r', 'p') AND c.relname <> '_sqlx_migrations'
         ORDER BY 1",
    )
    .fetch_all(&app.owner)
    .await
    .unwrap();
    // On Citus the coordinator also holds shards (its placements of the reference tables).
    let shards: Vec<String> = if crate::helpers::citus::enabled() {
        sqlx::query_scalar("SELECT logicalrelid::text || '_' || shardid FROM pg_dist_shard")
            .fetch_all(&app.owner)
            .await
            .unwrap()
    } else {
        Vec::new()
    };
    let tables: Vec<_> = tables.into_iter().filter(|(t, _)| !shards.contains(t)).collect();
    assert!(tables.len() > 50, "the catalog query found the schema: {tables:?}");
    let anchor = Placement::Distributed("tenant_id".into(), None);
    let colocated = Placement::Distributed("tenant_id".into(), Some("departments".into()));
    let mut problems = Vec::new();
    for (table, tenant) in &tables {
        let placed = listed.get(table);
        let ok = match (tenant, table.as_str()) {
            (true, "departments") => placed == Some(&anchor),
            (true, _) => placed == Some(&colocated),
            (false, _) => matches!(placed, Some(Placement::Reference | Placement::CoordinatorLocal)),
        };
        if !ok {
            let want = if *tenant {
                "create_distributed_table('…', 'tenant_id', colocate_with => 'departments')"
            } else {
                "create_reference_table('…') or a `-- coordinator-local: …` line"
            };
            problems.push(format!("{table}: {placed:?}, wants {want}"));
        }
    }
    for name in listed.keys() {
        if !tables.iter().any(|(t, _)| t == name) {
            problems.push(format!("{name}: listed in deploy/citus.sql but not a table of the schema"));
        }
    }
    assert!(problems.is_empty(), "deploy/citus.sql is incomplete:\n{}", problems.join("\n"));
}

#[test]
fn the_parser_reads_each_kind_of_line() {
    let p = placements(
        "SELECT create_reference_table('tenants');\n-- coordinator-local: login_attempts\n\
         SELECT create_distributed_table('departments', 'tenant_id');\n\
         SELECT create_distributed_table('users', 'tenant_id', colocate_with => 'departments');\n",
    );
    assert_eq!(p["tenants"], Placement::Reference);
    assert_eq!(p["login_attempts"], Placement::CoordinatorLocal);
    assert_eq!(p["departments"], Placement::Distributed("tenant_id".into(), None));
    assert_eq!(p["users"], Placement::Distributed("tenant_id".into(), Some("departments".into())));
}

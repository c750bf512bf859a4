//! The search index (`db::search`, migration 0015) answers exactly what the lists'
//! LIKE / ILIKE answered, for every kind it indexes, on names and queries built to
//! find the edges: ASCII letters in both cases, LIKE's own characters, spaces,
//! Chinese, repeated substrings, queries longer than the index answers alone.

use yunying::catalog::repo::{self as products, ProductFilter};
use yunying::db;
use yunying::inventory::repo::{self as inventory, StockFilter};
use yunying::people::{Dept, Level};

use crate::helpers::{spawn_app, two_tenants, TestApp};

/// A small deterministic generator (xorshift), so every run tests the same cases.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn text(&mut self, alphabet: &[char], len: usize) -> String {
        (0..len).map(|_| alphabet[self.below(alphabet.len())]).collect()
    }
}

/// Names from few characters (so queries match often), with the ones LIKE treats
/// specially and letters in both cases.
const NAME_CHARS: &[char] = &['晨', '光', '笔', '订', 'A', 'a', 'B', 'b', '%', '_', '\\', ' ', '1'];
/// 16 characters: what the index keeps of a term.
const LONG: &str = "晨光笔订AaBb%_\\ 1晨光笔";
const SKU_CHARS: &[char] = &['A', 'a', 'B', 'b', '1', '2', '-', '_', '.'];

/// Queries: pieces of the names with letters' case flipped, and random strings,
/// 1 to 20 characters (past `db::search::EXACT_CHARS`, where LIKE rechecks, and past
/// the 16 characters the index keeps of each term).
fn queries(g: &mut Gen, names: &[String], n: usize) -> Vec<String> {
    let mut out = Vec::new();
    while out.len() < n {
        let q = if g.below(4) == 0 {
            let tail = 1 + g.below(2);
            format!("{LONG}{}", g.text(NAME_CHARS, tail))
        } else if g.below(3) > 0 {
            let chars: Vec<char> = names[g.below(names.len())].chars().collect();
            let start = g.below(chars.len());
            let len = 1 + g.below((chars.len() - start).min(20));
            chars[start..start + len]
                .iter()
                .map(|c| if g.below(2) == 0 { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() })
                .collect()
        } else {
            let len = 1 + g.below(20);
            g.text(NAME_CHARS, len)
        };
        if !q.trim().is_empty() {
            out.push(q);
        }
    }
    out
}

/// Everything LIKE would find, by the definition the lists had before the index.
async fn by_like(app: &TestApp, tenant: i64, sql: &str, q: &str) -> Vec<String> {
    let mut tx = db::begin_tenant(&app.db, tenant).await.unwrap();
    let rows: Vec<String> = sqlx::query_scalar(sql).bind(db::like::escape(q)).fetch_all(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
    rows
}

/// The SKU and name of generated product `i`: every fifth name shares its first 16
/// characters with others, so longer queries have candidates the index cannot tell
/// apart.
fn product_text(g: &mut Gen, i: usize) -> (String, String) {
    let first = ['A', 'a', 'B', '1'][g.below(4)];
    let more = g.below(4);
    let sku = format!("{first}{}.{i}", g.text(SKU_CHARS, more));
    let len = 1 + g.below(28);
    let name = if i.is_multiple_of(5) { format!("{LONG}{}", g.text(NAME_CHARS, 3)) } else { g.text(NAME_CHARS, len) };
    (sku, name)
}

/// Renames every seventh product of `tenant`; the new names.
async fn rename(app: &TestApp, tenant: i64) -> Vec<String> {
    let mut tx = db::begin_tenant(&app.db, tenant).await.unwrap();
    let renamed: Vec<String> = sqlx::query_scalar(
        "UPDATE products SET name = reverse(name) || '订订' WHERE id % 7 = 0 AND tenant_id = $1 RETURNING name",
    )
    .bind(tenant)
    .fetch_all(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert!(!renamed.is_empty());
    renamed
}

#[tokio::test]
async fn product_search_finds_exactly_what_like_finds() {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    let mut g = Gen(0x5eed_1234_abcd_ef01);
    let mut names = Vec::new();
    for tenant in [t.alpha, t.beta] {
        let mut tx = db::begin_tenant(&app.db, tenant).await.unwrap();
        for i in 0..250 {
            let (sku, name) = product_text(&mut g, i);
            sqlx::query("INSERT INTO products (tenant_id, sku, name, price_fen, status) VALUES ($1, $2, $3, 100, $4)")
                .bind(tenant)
                .bind(&sku)
                .bind(&name)
                .bind(["listed", "draft", "delisted"][g.below(3)])
                .execute(&mut *tx)
                .await
                .unwrap();
            if tenant == t.alpha {
                names.push(name);
            }
        }
        tx.commit().await.unwrap();
    }
    // Renames re-index (the old names' terms go).
    names.extend(rename(&app, t.alpha).await);
    let like = "SELECT sku FROM products WHERE (sku ILIKE $1 || '%' OR name ILIKE '%' || $1 || '%') ORDER BY sku";
    let like_listed = like.replace(" ORDER BY", " AND status = 'listed' ORDER BY");
    let mut matched = 0;
    for q in queries(&mut g, &names, 400) {
        let want = by_like(&app, t.alpha, like, &q).await;
        for status in [None, Some(yunying::catalog::Status::Listed)] {
            let mut tx = db::begin_tenant(&app.db, t.alpha).await.unwrap();
            let filter = ProductFilter { status, q: Some(q.clone()) };
            let (rows, total) = products::list(&mut tx, t.alpha, &filter, 10_000, 0, 10_000).await.unwrap();
            tx.commit().await.unwrap();
            let got: Vec<String> = rows.into_iter().map(|r| r.sku).collect();
            let want = if status.is_none() { want.clone() } else { by_like(&app, t.alpha, &like_listed, &q).await };
            assert_eq!(got, want, "query {q:?}, status {status:?}");
            assert_eq!(total, want.len() as i64, "the count of {q:?}");
        }
        matched += usize::from(!want.is_empty());
    }
    assert!(matched > 200, "most queries find something ({matched} of 400): the test tests matches, not only misses");
    // A page past the first, and a page past the end, count the same.
    let mut tx = db::begin_tenant(&app.db, t.alpha).await.unwrap();
    let f = ProductFilter { status: None, q: Some("晨".into()) };
    let (all, total) = products::list(&mut tx, t.alpha, &f, 10_000, 0, 10_000).await.unwrap();
    let (page2, total2) = products::list(&mut tx, t.alpha, &f, 5, 5, 10_000).await.unwrap();
    let (past, total3) = products::list(&mut tx, t.alpha, &f, 5, 10_000, 20_000).await.unwrap();
    tx.commit().await.unwrap();
    assert!(all.len() > 10);
    assert_eq!(page2.iter().map(|r| &r.sku).collect::<Vec<_>>(), all[5..10].iter().map(|r| &r.sku).collect::<Vec<_>>());
    assert_eq!((total2, total3, past.len()), (total, total, 0));
}

#[tokio::test]
async fn partner_and_employee_searches_find_exactly_what_like_finds() {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    let mut g = Gen(0x0dd_ba11_cafe_f00d);
    let mut names = Vec::new();
    let mut tx = db::begin_tenant(&app.db, t.alpha).await.unwrap();
    for i in 0..200 {
        let len = 1 + g.below(28);
        let name = if i % 5 == 0 { format!("{LONG}{}", g.text(NAME_CHARS, 3)) } else { g.text(NAME_CHARS, len) };
        let code_len = 1 + g.below(3);
        let code = g.text(SKU_CHARS, code_len);
        let no_len = 1 + g.below(3);
        sqlx::query("INSERT INTO partners (tenant_id, code, name, kind) VALUES ($1, $2, $3, 'supplier')")
            .bind(t.alpha)
            .bind(format!("{}.{i}", code.replace(['-', '_', '.'], "A")))
            .bind(&name)
            .execute(&mut *tx)
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO employees (tenant_id, employee_no, name, department, level, monthly_salary_fen, bonus_base_fen, hired_on)
             VALUES ($1, $2, $3, 'ops', 'specialist', 100000, 10000, '2020-01-01')",
        )
        .bind(t.alpha)
        .bind(format!("{}.{i}", g.text(SKU_CHARS, no_len)))
        .bind(&name)
        .execute(&mut *tx)
        .await
        .unwrap();
        names.push(name);
    }
    tx.commit().await.unwrap();
    for (kind, table, key) in [("partner", "partners", "code"), ("employee", "employees", "employee_no")] {
        let like = format!(
            "SELECT {key} FROM {table} WHERE {key} ILIKE '%' || $1 || '%' OR name ILIKE '%' || $1 || '%' ORDER BY {key}"
        );
        for q in queries(&mut g, &names, 150) {
            let want = by_like(&app, t.alpha, &like, &q).await;
            let mut tx = db::begin_tenant(&app.db, t.alpha).await.unwrap();
            let search = db::search::Search::new(
                if kind == "partner" { db::search::Kind::Partner } else { db::search::Kind::Employee },
                &q,
            );
            let mut qb = sqlx::QueryBuilder::new(format!("SELECT {key} FROM {table} x WHERE x.tenant_id = "));
            qb.push_bind(t.alpha);
            if !search.exact() {
                qb.push(format!(" AND ({key} ILIKE '%' || "))
                    .push_bind(db::like::escape(&q))
                    .push(" || '%' OR name ILIKE '%' || ")
                    .push_bind(db::like::escape(&q))
                    .push(" || '%')");
            }
            search.push_id_filter(&mut qb, t.alpha, "x.id");
            qb.push(format!(" ORDER BY {key}"));
            let got: Vec<String> = qb.build_query_scalar().fetch_all(&mut *tx).await.unwrap();
            tx.commit().await.unwrap();
            assert_eq!(got, want, "{kind} query {q:?}");
        }
    }
    // The pages use it: a partner and an employee found by a piece of the name in
    // another case, and nothing of the other tenant.
    app.user(t.beta, "manager", Dept::Ops, Level::Manager, false).await;
    let manager = app.signed_in("alpha", "manager").await;
    let beta = app.signed_in("beta", "manager").await;
    let mut tx = db::begin_tenant(&app.db, t.alpha).await.unwrap();
    sqlx::query("UPDATE partners SET name = 'Acme 晨光文具' WHERE code = (SELECT min(code) FROM partners)")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(manager.get("/partners?q=ACME%20%E6%99%A8").await.body.contains("Acme 晨光文具"));
    assert!(!beta.get("/partners?q=ACME").await.body.contains("Acme 晨光文具"));
}

/// The stock list's search (the levels' own terms, kind `stock:<warehouse>`,
/// migration 0024) finds exactly the levels whose product LIKE finds, with and
/// without a warehouse and the low-stock filter, after renames and SKU changes,
/// after levels appear by movements, and with another tenant's look-alike levels
/// present.
#[tokio::test]
async fn stock_search_finds_exactly_what_like_finds() {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    let mut g = Gen(0x570c_45ea_7c11);
    let mut names = Vec::new();
    let mut alpha = (Vec::new(), Vec::new());
    for tenant in [t.alpha, t.beta] {
        let mut tx = db::begin_tenant(&app.db, tenant).await.unwrap();
        let whs: Vec<i64> = sqlx::query_scalar(
            "INSERT INTO warehouses (tenant_id, code, name, address)
             SELECT $1, 'W' || i, '仓' || i, '' FROM generate_series(1, 3) AS i RETURNING id",
        )
        .bind(tenant)
        .fetch_all(&mut *tx)
        .await
        .unwrap();
        let mut products = Vec::new();
        for i in 0..150 {
            let (sku, name) = product_text(&mut g, i);
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO products (tenant_id, sku, name, price_fen, status) VALUES ($1, $2, $3, 100, 'listed') RETURNING id",
            )
            .bind(tenant)
            .bind(&sku)
            .bind(&name)
            .fetch_one(&mut *tx)
            .await
            .unwrap();
            products.push(id);
            if tenant == t.alpha {
                names.push(name);
            }
        }
        // Levels in bulk (one statement, as the demo and the stock import write
        // them): each product in some of the warehouses, some of them low.
        let (mut ps, mut ws, mut reorder) = (Vec::new(), Vec::new(), Vec::new());
        for &p in &products {
            for &w in &whs {
                if g.below(3) > 0 {
                    ps.push(p);
                    ws.push(w);
                    reorder.push([0, 0, 10][g.below(3)]);
                }
            }
        }
        sqlx::query(
            "INSERT INTO stock_levels (tenant_id, product_id, warehouse_id, reorder_point, max_level)
             SELECT $1, p, w, r, 20 FROM UNNEST($2::bigint[], $3::bigint[], $4::bigint[]) AS x (p, w, r)",
        )
        .bind(tenant)
        .bind(&ps)
        .bind(&ws)
        .bind(&reorder)
        .execute(&mut *tx)
        .await
        .unwrap();
        tx.commit().await.unwrap();
        if tenant == t.alpha {
            alpha = (products, whs);
        }
    }
    let (products, whs) = alpha;
    // Renames and SKU changes re-index every level of the product.
    names.extend(rename(&app, t.alpha).await);
    let mut tx = db::begin_tenant(&app.db, t.alpha).await.unwrap();
    let resku = sqlx::query("UPDATE products SET sku = 'Z' || sku WHERE id % 11 = 0 AND tenant_id = $1")
        .bind(t.alpha)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(resku.rows_affected() > 0);
    // New levels by a first movement, for products that had none in a warehouse
    // (and after the renames: a new level takes the product's current terms).
    let missing: Vec<(i64, i64)> = {
        let mut tx = db::begin_tenant(&app.db, t.alpha).await.unwrap();
        let rows = sqlx::query_as(
            "SELECT p.id, w.id FROM products p CROSS JOIN warehouses w
             WHERE p.tenant_id = $1 AND w.tenant_id = $1
               AND NOT EXISTS (SELECT 1 FROM stock_levels s WHERE s.product_id = p.id AND s.warehouse_id = w.id)
             ORDER BY p.id, w.id",
        )
        .bind(t.alpha)
        .fetch_all(&mut *tx)
        .await
        .unwrap();
        tx.commit().await.unwrap();
        rows
    };
    assert!(missing.len() > 40);
    for &(p, w) in missing.iter().step_by(4) {
        crate::inventory::receipt(&app, t.alpha, p, w, 5).await;
    }
    assert!(products.len() == 150 && whs.len() == 3);
    let mut matched = 0;
    for q in queries(&mut g, &names, 120) {
        for warehouse_id in [None, Some(whs[0]), Some(whs[2])] {
            for low in [false, true] {
                let mut like = "SELECT s.product_id, s.warehouse_id FROM stock_levels s
                     JOIN products p ON p.tenant_id = s.tenant_id AND p.id = s.product_id
                     WHERE (p.sku ILIKE $1 || '%' OR p.name ILIKE '%' || $1 || '%')"
                    .to_owned();
                if let Some(w) = warehouse_id {
                    like.push_str(&format!(" AND s.warehouse_id = {w}"));
                }
                if low {
                    like.push_str(" AND s.reorder_point > 0 AND s.on_hand - s.reserved <= s.reorder_point");
                }
                like.push_str(" ORDER BY s.warehouse_id, s.product_id");
                let mut tx = db::begin_tenant(&app.db, t.alpha).await.unwrap();
                let want: Vec<(i64, i64)> =
                    sqlx::query_as(&like).bind(db::like::escape(&q)).fetch_all(&mut *tx).await.unwrap();
                let f = StockFilter { warehouse_id, q: Some(q.clone()), low };
                let (rows, total) = inventory::stock(&mut tx, t.alpha, &f, 10_000, 0, 10_000).await.unwrap();
                tx.commit().await.unwrap();
                let got: Vec<(i64, i64)> = rows.iter().map(|r| (r.product_id, r.warehouse_id)).collect();
                assert_eq!(got, want, "query {q:?}, warehouse {warehouse_id:?}, low {low}");
                assert_eq!(total, want.len() as i64, "the count of {q:?}, warehouse {warehouse_id:?}, low {low}");
                matched += usize::from(!want.is_empty());
            }
        }
    }
    assert!(matched > 300, "most queries find something ({matched} of 720)");
    // Pages past the first and past the end count the same.
    let mut tx = db::begin_tenant(&app.db, t.alpha).await.unwrap();
    let f = StockFilter { warehouse_id: Some(whs[1]), q: Some("晨".into()), low: false };
    let (all, total) = inventory::stock(&mut tx, t.alpha, &f, 10_000, 0, 10_000).await.unwrap();
    let (page2, total2) = inventory::stock(&mut tx, t.alpha, &f, 5, 5, 10_000).await.unwrap();
    let (past, total3) = inventory::stock(&mut tx, t.alpha, &f, 5, 10_000, 20_000).await.unwrap();
    tx.commit().await.unwrap();
    assert!(all.len() > 10);
    let key = |r: &inventory::StockRow| (r.product_id, r.warehouse_id);
    assert_eq!(page2.iter().map(key).collect::<Vec<_>>(), all[5..10].iter().map(key).collect::<Vec<_>>());
    assert_eq!((total2, total3, past.len()), (total, total, 0));
    // The levels' terms are exactly those of their products: none missing, none left over.
    let stale = r#"SELECT count(*) FROM (
           (SELECT s.tenant_id, 'stock:' || s.warehouse_id, x COLLATE "C", s.warehouse_id::text, s.product_id
            FROM stock_levels s JOIN products p ON p.tenant_id = s.tenant_id AND p.id = s.product_id,
                 app.search_terms_of(ARRAY[p.sku], ARRAY[p.name]) AS x
            EXCEPT SELECT * FROM search_terms WHERE kind LIKE 'stock:%')
           UNION ALL
           (SELECT * FROM search_terms WHERE kind LIKE 'stock:%'
            EXCEPT SELECT s.tenant_id, 'stock:' || s.warehouse_id, x COLLATE "C", s.warehouse_id::text, s.product_id
            FROM stock_levels s JOIN products p ON p.tenant_id = s.tenant_id AND p.id = s.product_id,
                 app.search_terms_of(ARRAY[p.sku], ARRAY[p.name]) AS x)) d"#;
    for tenant in [t.alpha, t.beta] {
        assert_eq!(app.scalar_i64(tenant, stale).await, 0, "tenant {tenant}");
    }
}

//! The search index (`db::search`, migration 0015) answers exactly what the lists'
//! LIKE / ILIKE answered, for every kind it indexes, on names and queries built to
//! find the edges: ASCII letters in both cases, LIKE's own characters, spaces,
//! Chinese, repeated substrings, queries longer than the index answers alone.

use yunying::catalog::repo::{self as products, ProductFilter};
use yunying::db;
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

#[tokio::test]
async fn product_search_finds_exactly_what_like_finds() {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    let mut g = Gen(0x5eed_1234_abcd_ef01);
    let mut names = Vec::new();
    for tenant in [t.alpha, t.beta] {
        let mut tx = db::begin_tenant(&app.db, tenant).await.unwrap();
        for i in 0..250 {
            let first = ['A', 'a', 'B', '1'][g.below(4)];
            let more = g.below(4);
            let sku = format!("{first}{}.{i}", g.text(SKU_CHARS, more));
            let len = 1 + g.below(28);
            // Every fifth name shares its first 16 characters with others, so
            // longer queries have candidates the index cannot tell apart.
            let name = if i % 5 == 0 { format!("{LONG}{}", g.text(NAME_CHARS, 3)) } else { g.text(NAME_CHARS, len) };
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
    let mut tx = db::begin_tenant(&app.db, t.alpha).await.unwrap();
    let renamed: Vec<String> = sqlx::query_scalar(
        "UPDATE products SET name = reverse(name) || '订订' WHERE id % 7 = 0 AND tenant_id = $1 RETURNING name",
    )
    .bind(t.alpha)
    .fetch_all(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert!(!renamed.is_empty());
    names.extend(renamed);
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

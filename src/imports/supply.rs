//! Supply-side imports: warehouses, products, stock opening balances.
//!
//! Like the HR imports: `parse_*` checks a file on its own (every error by line and
//! field), `apply_*` checks it against the database and writes it inside the
//! caller's tenant transaction — all or nothing, idempotent, audited. Stock sets
//! the three levels and posts the difference to the current on hand as one
//! adjustment movement per item (document type `import`), so importing the same
//! file twice posts nothing the second time and on hand stays the sum of the ledger.

use std::collections::{HashMap, HashSet};

use super::{read, record, required, Collector, ImportErrors, ImportFailure, Summary};
use crate::audit::Actor;
use crate::catalog::handlers::valid_sku;
use crate::catalog::Status;
use crate::db::Tx;
use crate::inventory::warehouses::valid_code;
use crate::rules::Fen;

pub const WAREHOUSES_HEADER: &[&str] = &["code", "name", "address"];
pub const PRODUCTS_HEADER: &[&str] = &["sku", "name", "spec", "unit", "price", "status"];
pub const STOCK_HEADER: &[&str] = &["sku", "warehouse", "on_hand", "safety_stock", "reorder_point", "max_level"];

/// Files at least this long refresh the supply tables' statistics.
const ANALYZE_AFTER_ROWS: usize = 1000;
const CHUNK: usize = 5000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WarehouseRow {
    pub line: u64,
    pub code: String,
    pub name: String,
    pub address: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProductRow {
    pub line: u64,
    pub sku: String,
    pub name: String,
    pub spec: String,
    pub unit: String,
    pub price: Fen,
    pub status: Status,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StockRow {
    pub line: u64,
    pub sku: String,
    pub warehouse: String,
    pub on_hand: i64,
    pub safety_stock: i64,
    pub reorder_point: i64,
    pub max_level: i64,
}

fn optional(s: &str, max_chars: usize) -> Result<String, String> {
    if s.chars().count() > max_chars {
        Err(format!("最多 {max_chars} 个字符"))
    } else {
        Ok(s.to_owned())
    }
}

fn wh_code(s: &str) -> Result<String, String> {
    if valid_code(s) {
        Ok(s.to_owned())
    } else {
        Err(format!("“{s}”不是有效的仓库编码（1–32 位字母、数字、_ . -）"))
    }
}

fn sku(s: &str) -> Result<String, String> {
    if valid_sku(s) {
        Ok(s.to_owned())
    } else {
        Err(format!("“{s}”不是有效的 SKU（1–40 位字母、数字、_ . -）"))
    }
}

fn count(s: &str) -> Result<i64, String> {
    match s.parse::<i64>() {
        Ok(v) if (0..=1_000_000_000).contains(&v) => Ok(v),
        _ => Err(format!("“{s}”不是有效数量（0 到 1000000000 的整数）")),
    }
}

async fn refresh_statistics(tx: &mut Tx, rows: usize) -> Result<(), sqlx::Error> {
    super::analyze_after(tx, rows, ANALYZE_AFTER_ROWS, "SELECT app.analyze_supply_tables()").await
}

// ---------- warehouses ----------

pub fn parse_warehouses(file: &str, bytes: &[u8]) -> Result<Vec<WarehouseRow>, ImportErrors> {
    let rows = read(file, bytes, WAREHOUSES_HEADER)?;
    let mut c = Collector::new();
    let mut out = Vec::with_capacity(rows.len());
    let mut seen: HashMap<String, u64> = HashMap::new();
    for row in &rows {
        let code = c.cell(row, 0, "code", wh_code);
        let name = c.cell(row, 1, "name", |s| required(s, 100));
        let address = c.cell(row, 2, "address", |s| optional(s, 200));
        if let Some(code) = &code {
            if let Some(first) = seen.insert(code.clone(), row.line) {
                c.add(row.line, Some("code"), format!("仓库编码 {code} 重复（首次出现在第 {first} 行）"));
                continue;
            }
        }
        if let (Some(code), Some(name), Some(address)) = (code, name, address) {
            out.push(WarehouseRow { line: row.line, code, name, address });
        }
    }
    c.finish(file, out)
}

pub async fn apply_warehouses(
    tx: &mut Tx,
    tenant_id: i64,
    actor: &Actor,
    file: &str,
    rows: &[WarehouseRow],
) -> Result<Summary, ImportFailure> {
    let mut summary = Summary::default();
    for chunk in rows.chunks(CHUNK) {
        let col = |f: fn(&WarehouseRow) -> &String| chunk.iter().map(|r| f(r).clone()).collect::<Vec<_>>();
        let inserted: Vec<bool> = sqlx::query_scalar(
            "INSERT INTO warehouses (tenant_id, code, name, address)
             SELECT $1, * FROM UNNEST($2::text[], $3::text[], $4::text[])
             ON CONFLICT (tenant_id, code) DO UPDATE SET name = EXCLUDED.name, address = EXCLUDED.address, updated_at = EXCLUDED.updated_at
             RETURNING (xmax = 0)",
        )
        .bind(tenant_id)
        .bind(col(|r| &r.code))
        .bind(col(|r| &r.name))
        .bind(col(|r| &r.address))
        .fetch_all(&mut **tx)
        .await?;
        summary.tally(&inserted);
    }
    record(tx, tenant_id, actor, ("import.warehouses", "仓库"), file, summary, serde_json::json!({})).await?;
    Ok(summary)
}

// ---------- products ----------

pub fn parse_products(file: &str, bytes: &[u8]) -> Result<Vec<ProductRow>, ImportErrors> {
    let rows = read(file, bytes, PRODUCTS_HEADER)?;
    let mut c = Collector::new();
    let mut out = Vec::with_capacity(rows.len());
    let mut seen: HashMap<String, u64> = HashMap::new();
    for row in &rows {
        let sku = c.cell(row, 0, "sku", sku);
        let name = c.cell(row, 1, "name", |s| required(s, 100));
        let spec = c.cell(row, 2, "spec", |s| optional(s, 100));
        let unit = c.cell(row, 3, "unit", |s| required(s, 10));
        let price = c.cell(row, 4, "price", |s| {
            Fen::parse_non_negative_yuan(s).map_err(|_| format!("“{s}”不是有效价格（元，非负，最多两位小数）"))
        });
        let status = c.cell(row, 5, "status", |s| match Status::parse(s) {
            Some(st) if st != Status::Eliminated => Ok(st),
            _ => Err(format!("“{s}”不是有效状态（可选：draft、listed、delisted）")),
        });
        if let Some(sku) = &sku {
            if let Some(first) = seen.insert(sku.clone(), row.line) {
                c.add(row.line, Some("sku"), format!("SKU {sku} 重复（首次出现在第 {first} 行）"));
                continue;
            }
        }
        if let (Some(sku), Some(name), Some(spec), Some(unit), Some(price), Some(status)) =
            (sku, name, spec, unit, price, status)
        {
            out.push(ProductRow { line: row.line, sku, name, spec, unit, price, status });
        }
    }
    c.finish(file, out)
}

pub async fn apply_products(
    tx: &mut Tx,
    tenant_id: i64,
    actor: &Actor,
    file: &str,
    rows: &[ProductRow],
) -> Result<Summary, ImportFailure> {
    // Eliminated products keep their state: an import may not bring them back.
    let eliminated: HashSet<String> = sqlx::query_scalar::<_, String>(
        "SELECT sku FROM products WHERE tenant_id = $1 AND status = 'eliminated' AND sku = ANY($2)",
    )
    .bind(tenant_id)
    .bind(rows.iter().map(|r| r.sku.clone()).collect::<Vec<_>>())
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .collect();
    let mut c = Collector::new();
    for r in rows.iter().filter(|r| eliminated.contains(&r.sku)) {
        c.add(r.line, Some("status"), format!("商品 {} 已汰换，不能通过导入修改", r.sku));
    }
    c.finish(file, ())?;
    let mut summary = Summary::default();
    for chunk in rows.chunks(CHUNK) {
        let col = |f: fn(&ProductRow) -> String| chunk.iter().map(f).collect::<Vec<_>>();
        let inserted: Vec<bool> = sqlx::query_scalar(
            "INSERT INTO products (tenant_id, sku, name, spec, unit, price_fen, status, created_by)
             SELECT $1, s, n, sp, u, pr, st, $8
             FROM UNNEST($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[]) AS x(s, n, sp, u, pr, st)
             ON CONFLICT (tenant_id, sku) DO UPDATE SET name = EXCLUDED.name, spec = EXCLUDED.spec, unit = EXCLUDED.unit,
                price_fen = EXCLUDED.price_fen, status = EXCLUDED.status, updated_at = EXCLUDED.updated_at
             RETURNING (xmax = 0)",
        )
        .bind(tenant_id)
        .bind(col(|r| r.sku.clone()))
        .bind(col(|r| r.name.clone()))
        .bind(col(|r| r.spec.clone()))
        .bind(col(|r| r.unit.clone()))
        .bind(chunk.iter().map(|r| r.price.fen()).collect::<Vec<i64>>())
        .bind(col(|r| r.status.code().to_owned()))
        .bind(actor.user_id)
        .fetch_all(&mut **tx)
        .await?;
        summary.tally(&inserted);
    }
    refresh_statistics(tx, rows.len()).await?;
    record(tx, tenant_id, actor, ("import.products", "商品"), file, summary, serde_json::json!({})).await?;
    Ok(summary)
}

// ---------- stock ----------

pub fn parse_stock(file: &str, bytes: &[u8]) -> Result<Vec<StockRow>, ImportErrors> {
    let rows = read(file, bytes, STOCK_HEADER)?;
    let mut c = Collector::new();
    let mut out = Vec::with_capacity(rows.len());
    let mut seen: HashMap<(String, String), u64> = HashMap::new();
    for row in &rows {
        let sku = c.cell(row, 0, "sku", sku);
        let warehouse = c.cell(row, 1, "warehouse", wh_code);
        let on_hand = c.cell(row, 2, "on_hand", count);
        let safety = c.cell(row, 3, "safety_stock", count);
        let reorder = c.cell(row, 4, "reorder_point", count);
        let max = c.cell(row, 5, "max_level", count);
        if let (Some(s), Some(r)) = (safety, reorder) {
            if s > r {
                c.add(row.line, Some("safety_stock"), format!("安全库存 {s} 不能高于补货点 {r}"));
            }
        }
        if let (Some(r), Some(m)) = (reorder, max) {
            if r > m {
                c.add(row.line, Some("max_level"), format!("最高库存 {m} 不能低于补货点 {r}"));
            }
        }
        if let (Some(s), Some(w)) = (&sku, &warehouse) {
            if let Some(first) = seen.insert((s.clone(), w.clone()), row.line) {
                c.add(row.line, Some("sku"), format!("{s} 在仓库 {w} 的库存重复（首次出现在第 {first} 行）"));
                continue;
            }
        }
        if let (Some(sku), Some(warehouse), Some(on_hand), Some(safety_stock), Some(reorder_point), Some(max_level)) =
            (sku, warehouse, on_hand, safety, reorder, max)
        {
            out.push(StockRow { line: row.line, sku, warehouse, on_hand, safety_stock, reorder_point, max_level });
        }
    }
    c.finish(file, out)
}

pub async fn apply_stock(
    tx: &mut Tx,
    tenant_id: i64,
    actor: &Actor,
    file: &str,
    rows: &[StockRow],
) -> Result<Summary, ImportFailure> {
    let products: HashMap<String, i64> =
        sqlx::query_as::<_, (String, i64)>("SELECT sku, id FROM products WHERE tenant_id = $1 AND sku = ANY($2)")
            .bind(tenant_id)
            .bind(rows.iter().map(|r| r.sku.clone()).collect::<HashSet<_>>().into_iter().collect::<Vec<_>>())
            .fetch_all(&mut **tx)
            .await?
            .into_iter()
            .collect();
    let warehouses: HashMap<String, i64> =
        sqlx::query_as::<_, (String, i64)>("SELECT code, id FROM warehouses WHERE tenant_id = $1")
            .bind(tenant_id)
            .fetch_all(&mut **tx)
            .await?
            .into_iter()
            .collect();
    let mut c = Collector::new();
    let mut resolved = Vec::with_capacity(rows.len());
    for r in rows {
        let p = products.get(&r.sku);
        let w = warehouses.get(&r.warehouse);
        if p.is_none() {
            c.add(r.line, Some("sku"), format!("没有 SKU 为 {} 的商品（请先导入商品）", r.sku));
        }
        if w.is_none() {
            c.add(r.line, Some("warehouse"), format!("没有编码为 {} 的仓库（请先导入仓库）", r.warehouse));
        }
        if let (Some(p), Some(w)) = (p, w) {
            resolved.push((*p, *w, r));
        }
    }
    c.finish(file, ())?;
    let mut summary = Summary::default();
    let mut posted = 0u64;
    let reason = format!("期初库存导入（{file}）");
    let reason: String = reason.chars().take(500).collect();
    for chunk in resolved.chunks(CHUNK) {
        let ps: Vec<i64> = chunk.iter().map(|(p, _, _)| *p).collect();
        let ws: Vec<i64> = chunk.iter().map(|(_, w, _)| *w).collect();
        // Create or update the levels, and lock them with their current on hand.
        let current: Vec<(i64, i64, i64, i64, bool)> = sqlx::query_as(
            "INSERT INTO stock_levels (tenant_id, product_id, warehouse_id, safety_stock, reorder_point, max_level)
             SELECT $1, * FROM UNNEST($2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[])
             ON CONFLICT (tenant_id, product_id, warehouse_id) DO UPDATE SET safety_stock = EXCLUDED.safety_stock,
                reorder_point = EXCLUDED.reorder_point, max_level = EXCLUDED.max_level, updated_at = EXCLUDED.updated_at
             RETURNING product_id, warehouse_id, on_hand, reserved, (xmax = 0)",
        )
        .bind(tenant_id)
        .bind(&ps)
        .bind(&ws)
        .bind(chunk.iter().map(|(_, _, r)| r.safety_stock).collect::<Vec<_>>())
        .bind(chunk.iter().map(|(_, _, r)| r.reorder_point).collect::<Vec<_>>())
        .bind(chunk.iter().map(|(_, _, r)| r.max_level).collect::<Vec<_>>())
        .fetch_all(&mut **tx)
        .await?;
        summary.tally(&current.iter().map(|c| c.4).collect::<Vec<_>>());
        let now: HashMap<(i64, i64), (i64, i64)> =
            current.into_iter().map(|(p, w, on_hand, reserved, _)| ((p, w), (on_hand, reserved))).collect();
        let mut c = Collector::new();
        let (mut mp, mut mw, mut mq) = (Vec::new(), Vec::new(), Vec::new());
        for (p, w, r) in chunk {
            let (on_hand, reserved) = now.get(&(*p, *w)).copied().unwrap_or((0, 0));
            if r.on_hand < reserved {
                c.add(r.line, Some("on_hand"), format!("在库 {} 低于已预留的 {reserved}", r.on_hand));
            } else if r.on_hand != on_hand {
                mp.push(*p);
                mw.push(*w);
                mq.push(r.on_hand - on_hand);
            }
        }
        c.finish(file, ())?;
        if !mp.is_empty() {
            posted += mp.len() as u64;
            sqlx::query(
                "INSERT INTO stock_movements (tenant_id, product_id, warehouse_id, kind, quantity, reason, doc_type, created_by)
                 SELECT $1, p, w, 'adjustment', q, $5, 'import', $6 FROM UNNEST($2::bigint[], $3::bigint[], $4::bigint[]) AS u(p, w, q)",
            )
            .bind(tenant_id)
            .bind(&mp)
            .bind(&mw)
            .bind(&mq)
            .bind(&reason)
            .bind(actor.user_id)
            .execute(&mut **tx)
            .await?;
        }
    }
    refresh_statistics(tx, rows.len()).await?;
    record(tx, tenant_id, actor, ("import.stock", "期初库存"), file, summary, serde_json::json!({"movements": posted}))
        .await?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stock_rows_every_error_by_line_and_field() {
        let text = "sku,warehouse,on_hand,safety_stock,reorder_point,max_level\n\
                    A1,WH1,10,1,2,3\n\
                    A2,WH1,-1,5,2,3\n\
                    A1,WH1,1,0,0,0\n\
                    A3,WH1,1,0,4,3\n";
        let err = parse_stock("s.csv", text.as_bytes()).unwrap_err();
        let got: Vec<(u64, Option<&str>)> = err.errors.iter().map(|e| (e.line, e.field)).collect();
        assert!(got.contains(&(3, Some("on_hand"))), "{got:?}");
        assert!(got.contains(&(3, Some("safety_stock"))), "{got:?}");
        assert!(got.contains(&(4, Some("sku"))), "duplicate pair: {got:?}");
        assert!(got.contains(&(5, Some("max_level"))), "{got:?}");
        assert!(!got.iter().any(|(l, _)| *l == 2));
    }

    #[test]
    fn products_and_warehouses() {
        let p =
            parse_products("p.csv", "sku,name,spec,unit,price,status\nSKU-1,保温杯,500ml,个,59.9,listed\n".as_bytes())
                .unwrap();
        assert_eq!(p[0].price.fen(), 5990);
        assert_eq!(p[0].status, Status::Listed);
        let err = parse_products("p.csv", "sku,name,spec,unit,price,status\n-x,,a,个,1.234,eliminated\n".as_bytes())
            .unwrap_err();
        let fields: Vec<&str> = err.errors.iter().filter_map(|e| e.field).collect();
        assert_eq!(fields, vec!["sku", "name", "price", "status"]);
        let w = parse_warehouses("w.csv", "code,name,address\nSH1,上海仓,嘉定区\n".as_bytes()).unwrap();
        assert_eq!(w[0].code, "SH1");
        assert!(parse_warehouses("w.csv", "code,name,address\nSH1,上海仓,\nSH1,又一个,\n".as_bytes()).is_err());
    }
}

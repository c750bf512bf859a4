//! Demo data of warehouses and stock (`yunying demo`): five warehouses; every
//! product stocked in one to five of them, its levels set and its opening balance
//! posted through the ledger as an import adjustment (the trigger applies them);
//! about one item in ten at or below its reorder point; a little movement history
//! on the first products. All set-based SQL: seconds for 50,000 products.

use crate::db::Tx;
use crate::demo::ctx::Ctx;
use crate::people::{Dept, Level};

pub const WAREHOUSES: &[(&str, &str, &str)] = &[
    ("SH-JD", "上海嘉定仓", "上海市嘉定区马陆镇宝安公路 2899 号"),
    ("GZ-BY", "广州白云仓", "广州市白云区太和镇广从七路 18 号"),
    ("BJ-SY", "北京顺义仓", "北京市顺义区空港物流园区裕华路 9 号"),
    ("CD-SL", "成都双流仓", "成都市双流区西航港大道 168 号"),
    ("WH-DXH", "武汉东西湖仓", "武汉市东西湖区走马岭街汇通大道 6 号"),
];

pub async fn seed(tx: &mut Tx, ctx: &Ctx) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO warehouses (tenant_id, code, name, address)
         SELECT $1, * FROM UNNEST($2::text[], $3::text[], $4::text[])
         ON CONFLICT (tenant_id, code) DO NOTHING",
    )
    .bind(ctx.tenant_id)
    .bind(WAREHOUSES.iter().map(|w| w.0).collect::<Vec<_>>())
    .bind(WAREHOUSES.iter().map(|w| w.1).collect::<Vec<_>>())
    .bind(WAREHOUSES.iter().map(|w| w.2).collect::<Vec<_>>())
    .execute(&mut **tx)
    .await?;
    // Levels: a product with hash h is in 1 + h % 5 warehouses, starting at h / 5 % 5.
    // Max 60–539, reorder point 30% of it, safety half of that; on hand between the
    // reorder point and max, except about one in ten at or below the reorder point.
    sqlx::query(
        "WITH w AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM warehouses
                    WHERE tenant_id = $1 AND code = ANY($2)),
              p AS (SELECT id, ((id * 2654435761 + $3) % 1000003) AS h FROM products WHERE tenant_id = $1),
              lv AS (SELECT p.id AS product_id, w.id AS warehouse_id, p.h, 60 + (p.h * 7 + w.k * 131) % 480 AS mx
                     FROM p JOIN w ON (w.k - p.h / 5 % 5 + 5) % 5 < 1 + p.h % 5)
         INSERT INTO stock_levels (tenant_id, product_id, warehouse_id, safety_stock, reorder_point, max_level)
         SELECT $1, product_id, warehouse_id, mx * 3 / 20, mx * 3 / 10, mx FROM lv
         ON CONFLICT DO NOTHING",
    )
    .bind(ctx.tenant_id)
    .bind(WAREHOUSES.iter().map(|w| w.0).collect::<Vec<_>>())
    .bind(ctx.n as i64)
    .execute(&mut **tx)
    .await?;
    let creator = ctx.user(Dept::Warehouse, Level::Manager);
    sqlx::query(
        "INSERT INTO stock_movements (tenant_id, product_id, warehouse_id, kind, quantity, reason, doc_type, created_by, created_at)
         SELECT s.tenant_id, s.product_id, s.warehouse_id, 'adjustment', q, '期初库存', 'import', $2, now() - interval '60 days'
         FROM (SELECT s.*, CASE WHEN (s.product_id * 7 + s.warehouse_id * 13) % 10 = 0
                                THEN (s.product_id * 31 + s.warehouse_id) % (s.reorder_point + 1)
                                ELSE s.reorder_point + 1 + (s.product_id * 17 + s.warehouse_id * 3) % (s.max_level - s.reorder_point)
                           END AS q
               FROM stock_levels s WHERE s.tenant_id = $1 AND s.on_hand = 0) s
         WHERE q > 0",
    )
    .bind(ctx.tenant_id)
    .bind(creator)
    .execute(&mut **tx)
    .await?;
    // Some history on the first products: a receipt and a shipment each.
    let operator = ctx.user(Dept::Warehouse, Level::Specialist);
    sqlx::query(
        "WITH first AS (SELECT s.product_id, s.warehouse_id, s.on_hand FROM stock_levels s
                        WHERE s.tenant_id = $1 AND s.on_hand > 10 ORDER BY s.product_id, s.warehouse_id LIMIT 40),
              moves AS (SELECT product_id, warehouse_id, 'receipt' AS kind, 20 AS q, '供应商到货' AS reason,
                               now() - interval '20 days' AS at FROM first
                        UNION ALL
                        SELECT product_id, warehouse_id, 'shipment', -(on_hand / 3 + 1), '订单发货', now() - interval '5 days'
                        FROM first)
         INSERT INTO stock_movements (tenant_id, product_id, warehouse_id, kind, quantity, reason, doc_type, created_by, created_at)
         SELECT $1, product_id, warehouse_id, kind, q, reason, 'manual', $2, at FROM moves ORDER BY at, product_id, warehouse_id",
    )
    .bind(ctx.tenant_id)
    .bind(operator)
    .execute(&mut **tx)
    .await?;
    sqlx::query("SELECT app.analyze_supply_tables()").execute(&mut **tx).await?;
    Ok(())
}

//! The low-stock page: items whose available quantity (on hand − reserved) is at
//! or below their reorder point, with the suggested replenishment.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use serde::Deserialize;

use super::repo;
use super::views::WarehouseChoice;
use crate::error::AppResult;
use crate::people::Action;
use crate::web::forms::non_empty;
use crate::web::pagination::query_string;
use crate::web::{Chrome, Ctx, Pager};

#[derive(Clone, Debug, Default, Deserialize)]
pub struct LowQuery {
    #[serde(default)]
    pub warehouse: String,
    #[serde(default)]
    pub q: String,
    pub page: Option<i64>,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct LowRow {
    pub product_id: i64,
    pub warehouse_id: i64,
    pub sku: String,
    pub name: String,
    pub unit: String,
    pub warehouse_code: String,
    pub warehouse_name: String,
    pub on_hand: i64,
    pub reserved: i64,
    pub safety_stock: i64,
    pub reorder_point: i64,
    pub max_level: i64,
    pub on_order: i64,
    pub open_request: Option<i64>,
    /// The open request is within the viewer's scope (its page opens for them).
    pub open_request_visible: bool,
}

impl LowRow {
    pub fn available(&self) -> i64 {
        self.on_hand - self.reserved
    }

    /// max level − (on hand − reserved + on order), never below zero.
    pub fn suggested(&self) -> i64 {
        (self.max_level - (self.available() + self.on_order)).max(0)
    }

    pub fn below_safety(&self) -> bool {
        self.available() < self.safety_stock
    }

    pub fn raise_href(&self) -> String {
        format!(
            "/inventory/replenishments/new?{}",
            query_string(&[("sku", &self.sku), ("warehouse", &self.warehouse_code)])
        )
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "purchasing/low_stock.html")]
pub struct LowStockPage {
    pub chrome: Chrome,
    pub q: LowQuery,
    pub rows: Vec<LowRow>,
    pub pager: Pager,
    pub warehouses: Vec<WarehouseChoice>,
    pub can_raise: bool,
}

pub async fn page(mut ctx: Ctx, Query(q): Query<LowQuery>) -> AppResult<LowStockPage> {
    let flash = ctx.take_flash();
    let user = &ctx.user;
    user.require(Action::InventoryView)?;
    let pager = Pager::new("/inventory/low-stock", q.page, query_string(&[("warehouse", &q.warehouse), ("q", &q.q)]));
    let filter = repo::LowFilter { warehouse: non_empty(&q.warehouse), q: non_empty(&q.q) };
    let mut tx = ctx.begin().await?;
    let (rows, total) =
        repo::low_stock(&mut tx, user, &filter, pager.per_page, pager.offset(), pager.count_limit()).await?;
    let warehouses = repo::all_warehouses(&mut tx, user.tenant_id).await?;
    tx.commit().await?;
    Ok(LowStockPage {
        chrome: Chrome::new(user, flash, "低库存", "/inventory/low-stock"),
        q,
        rows,
        pager: pager.with_total(total),
        warehouses,
        can_raise: user.can(Action::InventoryOperate),
    })
}

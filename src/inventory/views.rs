//! Page structs (askama) of warehouses and stock.

use askama::Template;
use askama_web::WebTemplate;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::repo::{Level, StockRow, WarehouseRow};
use crate::catalog::repo::{MovementRow, ProductRow};
use crate::web::{local_time, Chrome, FieldErrors, Pager};

#[derive(Debug, Default, Deserialize)]
pub struct WarehousesQuery {
    #[serde(default)]
    pub active: String,
    #[serde(default)]
    pub q: String,
    pub page: Option<i64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "inventory/warehouses.html")]
pub struct WarehousesPage {
    pub chrome: Chrome,
    pub q: WarehousesQuery,
    pub rows: Vec<WarehouseRow>,
    pub pager: Pager,
    pub can_edit: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct WarehouseForm {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub address: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "inventory/warehouse_form.html")]
pub struct WarehouseFormPage {
    pub chrome: Chrome,
    /// `None` when creating.
    pub warehouse: Option<WarehouseRow>,
    pub form: WarehouseForm,
    pub errors: FieldErrors,
    pub can_edit: bool,
    /// (items with stock, total on hand), on the edit page.
    pub stock: (i64, i64),
}

#[derive(Template, WebTemplate)]
#[template(path = "inventory/warehouse_deactivate.html")]
pub struct DeactivatePage {
    pub chrome: Chrome,
    pub warehouse: WarehouseRow,
    pub stock: (i64, i64),
}

#[derive(Debug, Default, Deserialize)]
pub struct StockQuery {
    #[serde(default)]
    pub warehouse: String,
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub low: String,
    /// `1`: slow-moving stock (on hand, no shipment for 90 days).
    #[serde(default)]
    pub slow: String,
    pub page: Option<i64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "inventory/stock.html")]
pub struct StockPage {
    pub chrome: Chrome,
    pub q: StockQuery,
    pub warehouses: Vec<WarehouseRow>,
    pub rows: Vec<StockRow>,
    pub pager: Pager,
}

impl StockPage {
    /// The export of what the list shows (its filters).
    pub fn csv_href(&self) -> String {
        let q = crate::web::pagination::query_string(&[
            ("warehouse", &self.q.warehouse),
            ("q", &self.q.q),
            ("low", &self.q.low),
            ("slow", &self.q.slow),
        ]);
        if q.is_empty() {
            "/inventory/stock.csv".to_owned()
        } else {
            format!("/inventory/stock.csv?{q}")
        }
    }

    pub fn wh_selected(&self, id: &i64) -> bool {
        self.q.warehouse == id.to_string()
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct LevelsForm {
    #[serde(default)]
    pub safety_stock: String,
    #[serde(default)]
    pub reorder_point: String,
    #[serde(default)]
    pub max_level: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub quantity: String,
    #[serde(default)]
    pub to_warehouse: String,
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct ItemQuery {
    pub page: Option<i64>,
}

/// The kinds a manual movement may have: (code, label).
pub const MOVE_KINDS: &[(&str, &str)] = &[
    ("receipt", "入库"),
    ("shipment", "出库"),
    ("return", "退货入库"),
    ("adjustment", "调整（正数增加，负数减少）"),
    ("transfer", "调拨到其他仓库"),
];

#[derive(Template, WebTemplate)]
#[template(path = "inventory/item.html")]
pub struct ItemPage {
    pub chrome: Chrome,
    pub product: ProductRow,
    pub warehouse: WarehouseRow,
    pub level: Level,
    pub movements: Vec<MovementRow>,
    pub pager: Pager,
    pub others: Vec<WarehouseRow>,
    pub can_levels: bool,
    pub can_move: bool,
    pub levels_form: LevelsForm,
    pub levels_errors: FieldErrors,
    pub move_form: MoveForm,
    pub move_errors: FieldErrors,
    pub tz: crate::tz::TimeZone,
}

impl ItemPage {
    pub fn at(&self, t: &DateTime<Utc>) -> String {
        local_time(*t, &self.tz)
    }
    pub fn kinds(&self) -> &'static [(&'static str, &'static str)] {
        MOVE_KINDS
    }
    pub fn to_selected(&self, id: &i64) -> bool {
        self.move_form.to_warehouse == id.to_string()
    }
}

//! The pages of the order desk's uploads (`templates/orders/`).

use askama::Template;
use askama_web::WebTemplate;

use crate::web::pending::PendingUpload;
use crate::web::upload::ErrorList;
use crate::web::{Chrome, FieldErrors};

/// `GET /orders/import`: the form, this user's uploads awaiting confirmation, and
/// after a refused file its problems.
#[derive(Template, WebTemplate)]
#[template(path = "orders/import.html")]
pub struct ImportPage {
    pub chrome: Chrome,
    pub header: String,
    pub header_zh: String,
    pub form_errors: FieldErrors,
    pub errors: ErrorList,
    pub pending: Vec<PendingUpload>,
}

/// One order of the file as the preview shows it.
pub struct SampleOrder {
    pub line: u64,
    pub platform: &'static str,
    pub order_no: String,
    pub receiver: String,
    /// `SKU×N` of its lines.
    pub goods: String,
    pub paid: String,
    /// Not in the tenant yet (otherwise left unchanged).
    pub new: bool,
    /// The holds intake will place (new orders).
    pub holds: Vec<&'static str>,
}

/// `GET /orders/import/{id}`: what confirming would do.
#[derive(Template, WebTemplate)]
#[template(path = "orders/import_preview.html")]
pub struct PreviewPage {
    pub chrome: Chrome,
    /// The preview's own path (its forms post to `…/confirm`, `…/cancel`).
    pub preview: String,
    pub file_name: String,
    pub new: u64,
    pub lines: u64,
    pub unchanged: u64,
    /// New orders intake will hold as unpaid / as missing an address.
    pub unpaid: u64,
    pub address: u64,
    pub samples: Vec<SampleOrder>,
}

/// `GET /orders/ship-batch`: the lines, pasted or as a file, and after a refused
/// batch its problems.
#[derive(Template, WebTemplate)]
#[template(path = "orders/ship_batch.html")]
pub struct ShipBatchPage {
    pub chrome: Chrome,
    pub header: String,
    pub carriers: String,
    /// What was pasted (shown again after a refusal).
    pub text: String,
    pub form_errors: FieldErrors,
    pub errors: ErrorList,
}

/// `GET /campaigns/metrics/import`: the campaign metrics upload form, this user's
/// uploads awaiting confirmation, and after a refused file its problems.
#[derive(Template, WebTemplate)]
#[template(path = "campaigns/import.html")]
pub struct MetricsImportPage {
    pub chrome: Chrome,
    pub header: String,
    pub form_errors: FieldErrors,
    pub errors: ErrorList,
    pub pending: Vec<PendingUpload>,
}

/// `GET /campaigns/metrics/import/{id}`: what confirming would do.
#[derive(Template, WebTemplate)]
#[template(path = "campaigns/import_preview.html")]
pub struct MetricsPreviewPage {
    pub chrome: Chrome,
    pub preview: String,
    pub file_name: String,
    pub rows: usize,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Rows with more clicks than exposure or conversions than clicks.
    pub odd: u64,
    /// The campaigns of the file (id, number).
    pub campaigns: Vec<(i64, String)>,
}

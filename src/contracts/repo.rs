//! The contracts' SQL: the record itself (`fetch`) and its history events, the
//! list, partner suggestions, lines, history, the lines' total, the workflow's
//! writes, a partner's contracts and the home page's counts.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{Postgres, QueryBuilder};

use super::numerals::grouped_yuan;
use super::status::ContractStatus;
use super::views::{EventView, LineView, ListRow, PartnerChoice};
use super::{kind_label, numerals, partner_kind_for, view_scope};
use crate::db::Tx;
use crate::people::Dept;
use crate::web::{local_time, CurrentUser};

pub(super) struct Filter {
    pub status: Option<ContractStatus>,
    pub kind: Option<&'static str>,
    pub partner: Option<String>,
    pub q: Option<String>,
    pub mine: bool,
}

pub(super) fn push_filter(qb: &mut QueryBuilder<'_, Postgres>, user: &CurrentUser, f: &Filter) {
    qb.push(" WHERE c.tenant_id = ").push_bind(user.tenant_id);
    view_scope(user).push_filter(qb, "c.drafted_by", "c.department");
    if let Some(s) = f.status {
        qb.push(" AND c.status = ").push_bind(s);
    }
    if let Some(k) = f.kind {
        qb.push(" AND c.kind = ").push_bind(k);
    }
    if let Some(p) = &f.partner {
        qb.push(" AND p.code = ").push_bind(p.clone());
    }
    if let Some(term) = &f.q {
        let pat = crate::db::like::contains(term);
        qb.push(" AND (c.title ILIKE ")
            .push_bind(pat.clone())
            .push(" OR c.contract_no ILIKE ")
            .push_bind(pat)
            .push(")");
    }
    if f.mine {
        qb.push(" AND c.drafted_by = ").push_bind(user.user_id);
    }
}

/// One page of the contracts `user` may see, newest first, and the count (up to
/// `count_limit`).
pub(super) async fn list(
    tx: &mut Tx,
    user: &CurrentUser,
    f: &Filter,
    limit: i64,
    offset: i64,
    count_limit: i64,
) -> Result<(Vec<ListRow>, i64), sqlx::Error> {
    let mut qb = QueryBuilder::<Postgres>::new(
        "SELECT c.id, c.contract_no, c.kind, p.code AS partner_code, p.name AS partner_name, c.title, c.amount_fen,
                c.status, d.display_name AS drafter_name, c.updated_at
         FROM contracts c
         JOIN partners p ON p.tenant_id = c.tenant_id AND p.id = c.partner_id
         JOIN users d ON d.tenant_id = c.tenant_id AND d.id = c.drafted_by",
    );
    push_filter(&mut qb, user, f);
    qb.push(" ORDER BY c.id DESC LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
    let rows: Vec<ListRow> = qb.build_query_as().fetch_all(&mut **tx).await?;
    let mut qb = crate::db::capped_count(count_limit, |qb| {
        qb.push(" FROM contracts c JOIN partners p ON p.tenant_id = c.tenant_id AND p.id = c.partner_id");
        push_filter(qb, user, f);
    });
    let total: i64 = qb.build_query_scalar().fetch_one(&mut **tx).await?;
    Ok((rows, total))
}

pub(super) async fn partner_choices(
    tx: &mut Tx,
    tenant_id: i64,
    kinds: &[&'static str],
) -> Result<Vec<PartnerChoice>, sqlx::Error> {
    let pkinds: Vec<&str> = kinds.iter().map(|k| partner_kind_for(k)).collect();
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT code, name FROM partners WHERE tenant_id = $1 AND is_active AND kind = ANY($2) ORDER BY kind, code LIMIT 500",
    )
    .bind(tenant_id)
    .bind(pkinds)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|(code, name)| PartnerChoice { code, name }).collect())
}

pub async fn lines(tx: &mut Tx, tenant_id: i64, contract_id: i64) -> Result<Vec<LineView>, sqlx::Error> {
    type Row = (i64, String, String, String, String, i64, i64, bool);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT l.id, pr.sku, pr.name, pr.spec, pr.unit, l.quantity, l.price_fen, pr.status = 'eliminated'
         FROM contract_lines l JOIN products pr ON pr.tenant_id = l.tenant_id AND pr.id = l.product_id
         WHERE l.tenant_id = $1 AND l.contract_id = $2 ORDER BY l.id",
    )
    .bind(tenant_id)
    .bind(contract_id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, sku, name, spec, unit, quantity, price_fen, eliminated)| LineView {
            id,
            eliminated,
            sku,
            name,
            spec,
            unit,
            quantity,
            price: grouped_yuan(price_fen),
            subtotal: grouped_yuan(quantity.saturating_mul(price_fen)),
        })
        .collect())
}

pub(super) fn event_label(action: &str, stage: Option<&str>) -> &'static str {
    match (action, stage) {
        ("create", _) => "起草",
        ("update", _) => "修改",
        ("submit", _) => "提交审批",
        ("director_pending", _) => "经理批准，转总监审批",
        ("approve", Some("director")) => "总监批准",
        ("approve", _) => "经理批准",
        ("reject", Some("director")) => "总监驳回",
        ("reject", _) => "经理驳回",
        ("sign", _) => "签订",
        ("order", _) => "生成订单",
        _ => "其他",
    }
}

pub(super) async fn history(tx: &mut Tx, user: &CurrentUser, contract_id: i64) -> Result<Vec<EventView>, sqlx::Error> {
    type Row = (String, Option<String>, String, String, DateTime<Utc>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT e.action, e.stage, u.display_name, e.comment, e.at
         FROM contract_events e JOIN users u ON u.tenant_id = e.tenant_id AND u.id = e.actor_id
         WHERE e.tenant_id = $1 AND e.contract_id = $2 ORDER BY e.id",
    )
    .bind(user.tenant_id)
    .bind(contract_id)
    .fetch_all(&mut **tx)
    .await?;
    let tz = &user.settings.time_zone;
    Ok(rows
        .into_iter()
        .map(|(action, stage, actor, comment, at)| EventView {
            at: local_time(at, tz),
            actor,
            what: event_label(&action, stage.as_deref()),
            comment,
        })
        .collect())
}

/// The orders made from the contract (`orders.contract_id`): (id, order no).
pub(super) async fn orders(tx: &mut Tx, tenant_id: i64, contract_id: i64) -> Result<Vec<(i64, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, order_no FROM orders WHERE tenant_id = $1 AND contract_id = $2 ORDER BY id")
        .bind(tenant_id)
        .bind(contract_id)
        .fetch_all(&mut **tx)
        .await
}

pub(super) async fn line_count(tx: &mut Tx, tenant_id: i64, id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT count(*) FROM contract_lines WHERE tenant_id = $1 AND contract_id = $2")
        .bind(tenant_id)
        .bind(id)
        .fetch_one(&mut **tx)
        .await
}

/// The sum of the contract's lines (`None` without lines).
pub(super) async fn lines_sum(tx: &mut Tx, tenant_id: i64, id: i64) -> Result<Option<i128>, sqlx::Error> {
    let s: Option<String> = sqlx::query_scalar(
        "SELECT sum(quantity::numeric * price_fen)::text FROM contract_lines WHERE tenant_id = $1 AND contract_id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(s.and_then(|s| s.parse::<i128>().ok()))
}

pub(super) async fn set_amount(tx: &mut Tx, tenant_id: i64, id: i64, fen: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE contracts SET amount_fen = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2")
        .bind(tenant_id)
        .bind(id)
        .bind(fen)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A partner by its code: (id, kind, name, active).
pub(super) async fn partner_by_code(
    tx: &mut Tx,
    tenant_id: i64,
    code: &str,
) -> Result<Option<(i64, String, String, bool)>, sqlx::Error> {
    sqlx::query_as("SELECT id, kind, name, is_active FROM partners WHERE tenant_id = $1 AND code = $2")
        .bind(tenant_id)
        .bind(code)
        .fetch_optional(&mut **tx)
        .await
}

/// A product by its SKU: (id, name, price in fen, status).
pub(super) async fn product_by_sku(
    tx: &mut Tx,
    tenant_id: i64,
    sku: &str,
) -> Result<Option<(i64, String, i64, crate::catalog::Status)>, sqlx::Error> {
    sqlx::query_as("SELECT id, name, price_fen, status FROM products WHERE tenant_id = $1 AND sku = $2")
        .bind(tenant_id)
        .bind(sku)
        .fetch_optional(&mut **tx)
        .await
}

/// What a drafter writes on a contract.
pub(super) struct Terms<'a> {
    pub partner_id: i64,
    pub title: &'a str,
    pub amount_fen: i64,
    pub payment_terms: &'a str,
    pub delivery_date: Option<NaiveDate>,
}

/// A new draft, numbered `HT-000001`…: its id and number.
pub(super) async fn insert(
    tx: &mut Tx,
    tenant_id: i64,
    kind: &str,
    department: &str,
    drafted_by: i64,
    t: &Terms<'_>,
) -> Result<(i64, String), sqlx::Error> {
    sqlx::query_as(
        "WITH n AS (SELECT nextval(pg_get_serial_sequence('contracts', 'id')) AS id)
         INSERT INTO contracts (tenant_id, id, contract_no, kind, partner_id, title, amount_fen, payment_terms,
                                delivery_date, department, drafted_by)
         SELECT $1, n.id, 'HT-' || lpad(n.id::text, 6, '0'), $2, $3, $4, $5, $6, $7, $8, $9 FROM n
         RETURNING id, contract_no",
    )
    .bind(tenant_id)
    .bind(kind)
    .bind(t.partner_id)
    .bind(t.title)
    .bind(t.amount_fen)
    .bind(t.payment_terms)
    .bind(t.delivery_date)
    .bind(department)
    .bind(drafted_by)
    .fetch_one(&mut **tx)
    .await
}

pub(super) async fn update(tx: &mut Tx, tenant_id: i64, id: i64, t: &Terms<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE contracts SET partner_id = $3, title = $4, amount_fen = $5, payment_terms = $6, delivery_date = $7,
                updated_at = now()
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(t.partner_id)
    .bind(t.title)
    .bind(t.amount_fen)
    .bind(t.payment_terms)
    .bind(t.delivery_date)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(super) async fn insert_line(
    tx: &mut Tx,
    tenant_id: i64,
    contract_id: i64,
    product_id: i64,
    quantity: i64,
    price_fen: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO contract_lines (tenant_id, contract_id, product_id, quantity, price_fen) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(tenant_id)
    .bind(contract_id)
    .bind(product_id)
    .bind(quantity)
    .bind(price_fen)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Remove line `line_id` of the contract: its (quantity, price), `None` when it is not one of its lines.
pub(super) async fn delete_line(
    tx: &mut Tx,
    tenant_id: i64,
    contract_id: i64,
    line_id: i64,
) -> Result<Option<(i64, i64)>, sqlx::Error> {
    sqlx::query_as(
        "DELETE FROM contract_lines WHERE tenant_id = $1 AND contract_id = $2 AND id = $3 RETURNING quantity, price_fen",
    )
    .bind(tenant_id)
    .bind(contract_id)
    .bind(line_id)
    .fetch_optional(&mut **tx)
    .await
}

/// The contract goes to `status` (submitted), the previous round's decisions cleared.
pub(super) async fn set_submitted(
    tx: &mut Tx,
    tenant_id: i64,
    id: i64,
    status: ContractStatus,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE contracts SET status = $3, submitted_at = now(),
                manager_by = NULL, manager_at = NULL, manager_comment = '',
                director_by = NULL, director_at = NULL, director_comment = '', updated_at = now()
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(status)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// `user`'s decision at `stage` (`director` or `manager`): the new status, who, when, the comment.
pub(super) async fn set_decision(
    tx: &mut Tx,
    user: &CurrentUser,
    id: i64,
    stage: &str,
    status: ContractStatus,
    comment: &str,
) -> Result<(), sqlx::Error> {
    let sql = if stage == "director" {
        "UPDATE contracts SET status = $3, director_by = $4, director_at = now(), director_comment = $5, updated_at = now()
         WHERE tenant_id = $1 AND id = $2"
    } else {
        "UPDATE contracts SET status = $3, manager_by = $4, manager_at = now(), manager_comment = $5, updated_at = now()
         WHERE tenant_id = $1 AND id = $2"
    };
    sqlx::query(sql)
        .bind(user.tenant_id)
        .bind(id)
        .bind(status)
        .bind(user.user_id)
        .bind(comment)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The contract is signed on `date` by `user_id`: `status` (signed).
pub(super) async fn set_signed(
    tx: &mut Tx,
    tenant_id: i64,
    id: i64,
    date: NaiveDate,
    user_id: i64,
    status: ContractStatus,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE contracts SET status = $5, signed_on = $3, signed_by = $4, updated_at = now()
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(date)
    .bind(user_id)
    .bind(status)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One contract with its partner and the people involved.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ContractRow {
    pub id: i64,
    pub contract_no: String,
    pub kind: String,
    pub partner_id: i64,
    pub partner_code: String,
    pub partner_name: String,
    pub partner_contact: String,
    pub partner_phone: String,
    pub partner_address: String,
    pub title: String,
    pub amount_fen: i64,
    pub payment_terms: String,
    pub delivery_date: Option<NaiveDate>,
    pub status: ContractStatus,
    pub department: String,
    pub drafted_by: i64,
    pub drafter_name: String,
    pub submitted_at: Option<DateTime<Utc>>,
    pub manager_by: Option<i64>,
    pub manager_name: Option<String>,
    pub manager_at: Option<DateTime<Utc>>,
    pub manager_comment: String,
    pub director_by: Option<i64>,
    pub director_name: Option<String>,
    pub director_at: Option<DateTime<Utc>>,
    pub director_comment: String,
    pub signed_on: Option<NaiveDate>,
    pub signed_by: Option<i64>,
    pub signer_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ContractRow {
    pub fn status_label(&self) -> &'static str {
        self.status.label()
    }
    pub fn status_class(&self) -> &'static str {
        self.status.tag()
    }
    pub fn is_rejected(&self) -> bool {
        self.status == ContractStatus::Rejected
    }
    pub fn kind_label(&self) -> &'static str {
        kind_label(&self.kind)
    }
    pub fn amount(&self) -> String {
        numerals::grouped_yuan(self.amount_fen)
    }
    pub fn editable(&self) -> bool {
        self.status.editable()
    }
    /// The comment of the decision that rejected it (the last stage decided).
    pub fn rejection_comment(&self) -> &str {
        if self.director_at.is_some() {
            &self.director_comment
        } else {
            &self.manager_comment
        }
    }
    pub fn department_label(&self) -> &'static str {
        Dept::parse(&self.department).map_or("", Dept::label)
    }
}

const CONTRACT_SELECT: &str =
    "SELECT c.id, c.contract_no, c.kind, c.partner_id, p.code AS partner_code, p.name AS partner_name,
        p.contact AS partner_contact, p.phone AS partner_phone, p.address AS partner_address,
        c.title, c.amount_fen, c.payment_terms, c.delivery_date, c.status, c.department,
        c.drafted_by, d.display_name AS drafter_name, c.submitted_at,
        c.manager_by, m.display_name AS manager_name, c.manager_at, c.manager_comment,
        c.director_by, r.display_name AS director_name, c.director_at, c.director_comment,
        c.signed_on, c.signed_by, s.display_name AS signer_name, c.created_at, c.updated_at
 FROM contracts c
 JOIN partners p ON p.tenant_id = c.tenant_id AND p.id = c.partner_id
 JOIN users d ON d.tenant_id = c.tenant_id AND d.id = c.drafted_by
 LEFT JOIN users m ON m.tenant_id = c.tenant_id AND m.id = c.manager_by
 LEFT JOIN users r ON r.tenant_id = c.tenant_id AND r.id = c.director_by
 LEFT JOIN users s ON s.tenant_id = c.tenant_id AND s.id = c.signed_by";

/// The contract `id` if it is of the user's tenant and in their data scope
/// (`lock`: `FOR UPDATE` of the contract row).
pub async fn fetch(tx: &mut Tx, user: &CurrentUser, id: i64, lock: bool) -> Result<Option<ContractRow>, sqlx::Error> {
    let mut qb = QueryBuilder::<Postgres>::new(CONTRACT_SELECT);
    qb.push(" WHERE c.tenant_id = ").push_bind(user.tenant_id).push(" AND c.id = ").push_bind(id);
    view_scope(user).push_filter(&mut qb, "c.drafted_by", "c.department");
    if lock {
        qb.push(" FOR UPDATE OF c");
    }
    qb.build_query_as().fetch_optional(&mut **tx).await
}

/// Record a step of a contract's history.
pub async fn event(
    tx: &mut Tx,
    tenant_id: i64,
    contract_id: i64,
    action: &str,
    stage: Option<&str>,
    actor: i64,
    comment: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO contract_events (tenant_id, contract_id, action, stage, actor_id, comment) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(tenant_id)
    .bind(contract_id)
    .bind(action)
    .bind(stage)
    .bind(actor)
    .bind(comment)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The contracts of a partner the user may see (the partner page).
pub async fn for_partner(
    tx: &mut Tx,
    user: &CurrentUser,
    partner_id: i64,
    limit: i64,
) -> Result<Vec<crate::partners::PartnerContract>, sqlx::Error> {
    let mut qb = QueryBuilder::<Postgres>::new(
        "SELECT c.id, c.contract_no, c.title, c.amount_fen, c.status FROM contracts c WHERE c.tenant_id = ",
    );
    qb.push_bind(user.tenant_id).push(" AND c.partner_id = ").push_bind(partner_id);
    view_scope(user).push_filter(&mut qb, "c.drafted_by", "c.department");
    qb.push(" ORDER BY c.id DESC LIMIT ").push_bind(limit);
    let rows: Vec<(i64, String, String, i64, ContractStatus)> = qb.build_query_as().fetch_all(&mut **tx).await?;
    Ok(rows
        .into_iter()
        .map(|(id, contract_no, title, amount_fen, status)| crate::partners::PartnerContract {
            id,
            contract_no,
            title,
            amount: numerals::grouped_yuan(amount_fen),
            status: status.label(),
            status_class: status.tag(),
        })
        .collect())
}

/// The home page's counts (and oldest of each): contracts submitted in `dept`
/// not drafted by `user_id`; awaiting a director (`is_director`); `user_id`'s
/// drafts and rejected contracts (`drafts`).
pub(super) type QueueCounts = (i64, Option<DateTime<Utc>>, i64, Option<DateTime<Utc>>, i64, Option<DateTime<Utc>>);

pub(super) async fn queue_counts(
    tx: &mut Tx,
    tenant_id: i64,
    dept: &str,
    user_id: i64,
    is_director: bool,
    drafts: bool,
) -> Result<QueueCounts, sqlx::Error> {
    sqlx::query_as(
        "SELECT count(*) FILTER (WHERE status = 'submitted' AND department = $2 AND drafted_by <> $3),
                min(submitted_at) FILTER (WHERE status = 'submitted' AND department = $2 AND drafted_by <> $3),
                count(*) FILTER (WHERE status = 'director_pending' AND $4),
                min(manager_at) FILTER (WHERE status = 'director_pending' AND $4),
                count(*) FILTER (WHERE drafted_by = $3 AND status IN ('draft', 'rejected') AND $5),
                min(updated_at) FILTER (WHERE drafted_by = $3 AND status IN ('draft', 'rejected') AND $5)
         FROM contracts
         WHERE tenant_id = $1
           AND ((status = 'submitted' AND department = $2)
                OR (status = 'director_pending' AND $4)
                OR (drafted_by = $3 AND status IN ('draft', 'rejected') AND $5))",
    )
    .bind(tenant_id)
    .bind(dept)
    .bind(user_id)
    .bind(is_director)
    .bind(drafts)
    .fetch_one(&mut **tx)
    .await
}

/// Which of the contracts `ids` are within `scope` (their drafter, their
/// department): the ones another page may link to.
pub async fn within(
    tx: &mut Tx,
    tenant_id: i64,
    scope: &crate::people::Scope,
    ids: &[i64],
) -> Result<Vec<i64>, sqlx::Error> {
    let mut qb = QueryBuilder::<Postgres>::new("SELECT c.id FROM contracts c WHERE c.tenant_id = ");
    qb.push_bind(tenant_id).push(" AND c.id = ANY(").push_bind(ids.to_vec()).push(")");
    scope.push_filter(&mut qb, "c.drafted_by", "c.department");
    qb.build_query_scalar().fetch_all(&mut **tx).await
}

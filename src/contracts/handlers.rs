//! The contract pages' handlers: list, draft, record, print, edit and lines (the
//! workflow's transitions are in `flow.rs`, the views in `views.rs`, the SQL in `repo.rs`).

use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use chrono::NaiveDate;
use serde_json::json;

use super::numerals::{capital_yuan, grouped_yuan};
use super::repo::{self, Filter};
use super::status::ContractStatus;
use super::views::{ContractForm, EditPage, LineForm, ListPage, ListQuery, NewPage, PrintPage, ShowPage};
use super::{
    decides, event, fetch, kind_for, kind_label, partner_kind_for, view_scope, ContractRow, KINDS, MAX_AMOUNT_FEN,
};
use crate::audit::{self, Actor, Entry};
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::people::{Action, Level};
use crate::rules::Fen;
use crate::web::forms::{non_empty, Choice};
use crate::web::pagination::query_string;
use crate::web::{Ctx, CurrentUser, FieldErrors, Flash, Pager, RequestMeta};

// ---------- list ----------

fn pick(all: &'static [(&'static str, &'static str)], v: &str, what: &str) -> AppResult<Option<&'static str>> {
    match non_empty(v) {
        None => Ok(None),
        Some(v) => all
            .iter()
            .find(|(c, _)| *c == v)
            .map(|(c, _)| Some(*c))
            .ok_or_else(|| AppError::BadRequest(format!("未知{what}：{v}"))),
    }
}

pub async fn list(mut ctx: Ctx, Query(q): Query<ListQuery>) -> AppResult<ListPage> {
    ctx.require(Action::ContractsView)?;
    let filter = Filter {
        status: match non_empty(&q.status) {
            None => None,
            Some(v) => Some(ContractStatus::parse(v).ok_or_else(|| AppError::BadRequest(format!("未知状态：{v}")))?),
        },
        kind: pick(KINDS, &q.kind, "合同类型")?,
        partner: non_empty(&q.partner).map(str::to_owned),
        q: non_empty(&q.q).map(str::to_owned),
        mine: !q.mine.is_empty(),
    };
    let pager = Pager::new(
        "/contracts",
        q.page,
        query_string(&[
            ("status", &q.status),
            ("kind", &q.kind),
            ("partner", &q.partner),
            ("q", &q.q),
            ("mine", &q.mine),
        ]),
    );
    let mut tx = ctx.begin().await?;
    let (rows, total) =
        repo::list(&mut tx, &ctx.user, &filter, pager.per_page, pager.offset(), pager.count_limit()).await?;
    tx.commit().await?;
    let scope_note = match view_scope(&ctx.user) {
        crate::people::Scope::Own { .. } => "显示您起草的合同",
        crate::people::Scope::Department(_) => "显示本部门的合同",
        crate::people::Scope::Tenant => "显示全公司的合同",
    };
    Ok(ListPage {
        chrome: ctx.chrome("合同", "/contracts"),
        q,
        statuses: Choice::all(ContractStatus::ALL),
        kinds: KINDS,
        rows,
        pager: pager.with_total(total),
        can_draft: ctx.can(Action::ContractsDraft),
        scope_note,
        tz: ctx.user.settings.time_zone,
    })
}

// ---------- the draft form ----------

fn allowed_kinds(user: &CurrentUser) -> Vec<(&'static str, &'static str)> {
    KINDS.iter().copied().filter(|(c, _)| kind_for(user.dept) == Some(*c)).collect()
}

fn money_message(e: &crate::rules::ParseError) -> &'static str {
    use crate::rules::ParseErrorKind as K;
    match e.kind() {
        K::Empty => "请填写金额（元）",
        K::Malformed => "金额只能包含数字和小数点，如 12800 或 12800.50",
        K::TooManyDecimals(_) => "金额最多两位小数",
        K::Negative => "金额不能为负数",
        K::OutOfRange => "金额超出范围",
    }
}

/// Parse a yuan amount of a form field (≥ 0; `positive`: > 0).
pub fn parse_amount(s: &str, positive: bool) -> Result<i64, String> {
    let fen = Fen::parse_non_negative_yuan(s).map_err(|e| money_message(&e).to_owned())?.fen();
    if fen > MAX_AMOUNT_FEN {
        return Err("金额超出范围".into());
    }
    if positive && fen == 0 {
        return Err("金额必须大于 0".into());
    }
    Ok(fen)
}

/// The fields common to drafting and editing, checked. `amount` is `None` when the
/// contract has lines (the amount is their sum).
struct Valid {
    partner_id: i64,
    amount_fen: Option<i64>,
    delivery_date: Option<NaiveDate>,
}

async fn validate(
    tx: &mut Tx,
    tenant_id: i64,
    form: &ContractForm,
    kind: Option<&str>,
    has_lines: bool,
    errors: &mut FieldErrors,
) -> Result<Option<Valid>, sqlx::Error> {
    if form.title.is_empty() {
        errors.add("title", "请填写合同标题");
    } else if form.title.chars().count() > 200 {
        errors.add("title", "合同标题最多 200 个字符");
    }
    let amount_fen = if has_lines {
        None
    } else {
        match parse_amount(&form.amount, true) {
            Ok(f) => Some(f),
            Err(e) => {
                errors.add("amount", e);
                None
            }
        }
    };
    if form.payment_terms.chars().count() > 500 {
        errors.add("payment_terms", "付款条件最多 500 个字符");
    }
    let delivery_date = crate::input::optional_date(&form.delivery_date)
        .map_err(|e| match e {
            crate::input::DateError::Format => errors.add("delivery_date", "交货日期格式应为 YYYY-MM-DD"),
            crate::input::DateError::Range => errors.add("delivery_date", crate::input::out_of_range("交货日期")),
        })
        .ok()
        .flatten();
    let mut partner_id = None;
    if form.partner.is_empty() {
        errors.add("partner", "请填写合作伙伴编码");
    } else {
        match repo::partner_by_code(tx, tenant_id, &form.partner).await? {
            None => errors.add("partner", format!("没有编码为 {} 的合作伙伴", form.partner)),
            Some((_, _, name, false)) => errors.add("partner", format!("{name}（{}）已停用", form.partner)),
            Some((id, pkind, name, true)) => match kind {
                Some(k) if partner_kind_for(k) != pkind => {
                    let (want, got) = if k == "sales" { ("客户", "供应商") } else { ("供应商", "客户") };
                    errors.add(
                        "partner",
                        format!("{}的合作伙伴必须是{want}；{name}（{}）是{got}", kind_label(k), form.partner),
                    );
                }
                _ => partner_id = Some(id),
            },
        }
    }
    Ok(match (partner_id, errors.is_empty()) {
        (Some(partner_id), true) => {
            Some(Valid { partner_id, amount_fen: if has_lines { None } else { amount_fen }, delivery_date })
        }
        _ => None,
    })
}

pub async fn new_form(mut ctx: Ctx) -> AppResult<NewPage> {
    ctx.require(Action::ContractsDraft)?;
    let kinds = allowed_kinds(&ctx.user);
    let mut tx = ctx.begin().await?;
    let partners =
        repo::partner_choices(&mut tx, ctx.user.tenant_id, &kinds.iter().map(|k| k.0).collect::<Vec<_>>()).await?;
    tx.commit().await?;
    let form = ContractForm { kind: kinds.first().map(|k| k.0.to_owned()).unwrap_or_default(), ..Default::default() };
    Ok(NewPage {
        chrome: ctx.chrome("起草合同", "/contracts"), form, errors: FieldErrors::default(), kinds, partners
    })
}

pub async fn create(meta: RequestMeta, mut ctx: Ctx, Form(form): Form<ContractForm>) -> AppResult<Response> {
    ctx.require(Action::ContractsDraft)?;
    let form = form.trimmed();
    let mut errors = FieldErrors::default();
    let allowed = kind_for(ctx.user.dept);
    let kind = KINDS.iter().find(|(c, _)| *c == form.kind).map(|(c, _)| *c);
    match (kind, allowed) {
        (None, _) => errors.add("kind", "请选择合同类型（sales 销售合同或 purchase 采购合同）"),
        (Some(k), Some(a)) if k != a => {
            errors.add("kind", format!("{}只能起草{}", ctx.user.dept.label(), kind_label(a)));
        }
        (Some(_), None) => errors.add("kind", "您所在的部门不能起草合同"),
        _ => {}
    }
    let mut tx = ctx.begin().await?;
    let valid = validate(&mut tx, ctx.user.tenant_id, &form, kind, false, &mut errors).await?;
    let (Some(v), Some(kind), Some(department)) = (valid, kind, allowed) else {
        let kinds = allowed_kinds(&ctx.user);
        let partners =
            repo::partner_choices(&mut tx, ctx.user.tenant_id, &kinds.iter().map(|k| k.0).collect::<Vec<_>>()).await?;
        tx.rollback().await?;
        let page = NewPage { chrome: ctx.chrome("起草合同", "/contracts"), form, errors, kinds, partners };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let department = if department == "sales" { "sales" } else { "ops" };
    let amount_fen = v.amount_fen.unwrap_or(0);
    let terms = repo::Terms {
        partner_id: v.partner_id,
        title: &form.title,
        amount_fen,
        payment_terms: &form.payment_terms,
        delivery_date: v.delivery_date,
    };
    let (id, no) = repo::insert(&mut tx, ctx.user.tenant_id, kind, department, ctx.user.user_id, &terms).await?;
    event(&mut tx, ctx.user.tenant_id, id, "create", None, ctx.user.user_id, "").await?;
    audit::record(
        &mut tx,
        ctx.user.tenant_id,
        &Actor::user(&ctx.user, &meta),
        Entry {
            action: "contract.create",
            entity_type: Some("contract"),
            entity_id: Some(id.to_string()),
            summary: format!("起草{} {no}《{}》，金额 {} 元", kind_label(kind), form.title, Fen(amount_fen)),
            before: None,
            after: Some(json!({
                "contract_no": no, "kind": kind, "partner": form.partner, "title": form.title, "amount_fen": amount_fen,
                "payment_terms": form.payment_terms, "delivery_date": v.delivery_date, "status": "draft",
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Flash::success(format!("已起草合同 {no}；核对无误后请提交审批。")).redirect(&format!("/contracts/{id}")))
}

// ---------- record page ----------

pub fn today(user: &CurrentUser) -> NaiveDate {
    user.today
}

/// Whether `user` may sign `c` (once approved): its drafter or the manager of its department.
pub fn signs(user: &CurrentUser, c: &ContractRow) -> bool {
    c.drafted_by == user.user_id || (user.level == Level::Manager && user.dept.code() == c.department)
}

/// The record page of `c` (already fetched within the user's scope).
pub async fn show_page(
    tx: &mut Tx,
    ctx: &mut Ctx,
    c: ContractRow,
    errors: FieldErrors,
    comment: String,
    signed_on: String,
) -> Result<ShowPage, sqlx::Error> {
    let lines = repo::lines(tx, ctx.user.tenant_id, c.id).await?;
    let history = repo::history(tx, &ctx.user, c.id).await?;
    let orders = repo::orders(tx, ctx.user.tenant_id, c.id).await?;
    let orderable = c.status == ContractStatus::Signed
        && c.kind == "sales"
        && orders.is_empty()
        && !lines.is_empty()
        && super::may_order(&ctx.user, c.drafted_by, &c.department);
    // A line whose product was eliminated since the signing: 生成订单 would refuse
    // (409), so the page says why instead of offering it.
    let eliminated: Vec<String> = lines.iter().filter(|l| l.eliminated).map(|l| l.sku.clone()).collect();
    let can_order = orderable && eliminated.is_empty();
    let order_blocked = if orderable && !can_order {
        format!("商品 {} 已汰换，本合同不能生成订单（请与客户协商替换商品后重新签订合同）", eliminated.join("、"))
    } else {
        String::new()
    };
    let threshold_fen = ctx.user.settings.contract_director_threshold_fen;
    let mine = c.drafted_by == ctx.user.user_id;
    let can_decide = !mine
        && decides(&ctx.user, &c.department)
        && match c.status {
            ContractStatus::Submitted => true,
            ContractStatus::DirectorPending => ctx.user.level == Level::Director,
            _ => false,
        };
    Ok(ShowPage {
        chrome: ctx.chrome(format!("合同 {}", c.contract_no), "/contracts"),
        amount_capital: capital_yuan(c.amount_fen),
        threshold: grouped_yuan(threshold_fen),
        needs_director: c.amount_fen >= threshold_fen,
        can_edit: mine && c.editable() && ctx.can(Action::ContractsDraft),
        can_submit: mine && c.editable() && ctx.can(Action::ContractsDraft),
        can_decide,
        can_sign: c.status == ContractStatus::Approved && signs(&ctx.user, &c),
        orders,
        can_order,
        order_blocked,
        errors,
        comment,
        signed_on: if signed_on.is_empty() { today(&ctx.user).to_string() } else { signed_on },
        today: today(&ctx.user).to_string(),
        lines,
        history,
        c,
    })
}

pub async fn show(mut ctx: Ctx, Path(id): Path<i64>) -> AppResult<ShowPage> {
    ctx.require(Action::ContractsView)?;
    let mut tx = ctx.begin().await?;
    let c = fetch(&mut tx, &ctx.user, id, false).await?.ok_or(AppError::NotFound)?;
    let page = show_page(&mut tx, &mut ctx, c, FieldErrors::default(), String::new(), String::new()).await?;
    tx.commit().await?;
    Ok(page)
}

// ---------- print ----------

pub async fn print(mut ctx: Ctx, Path(id): Path<i64>) -> AppResult<PrintPage> {
    ctx.require(Action::ContractsView)?;
    let mut tx = ctx.begin().await?;
    let c = fetch(&mut tx, &ctx.user, id, false).await?.ok_or(AppError::NotFound)?;
    let lines = repo::lines(&mut tx, ctx.user.tenant_id, id).await?;
    tx.commit().await?;
    Ok(PrintPage {
        chrome: ctx.chrome(format!("{} {}", c.contract_no, c.title), "/contracts"),
        company: ctx.user.tenant_name.clone(),
        amount_figures: grouped_yuan(c.amount_fen),
        amount_capital: capital_yuan(c.amount_fen),
        printed_on: today(&ctx.user).to_string(),
        lines,
        c,
    })
}

// ---------- edit (draft or rejected, by the drafter) ----------

/// Lock the contract for a change by its drafter: 404 out of scope, 403 not the
/// drafter, 409 not a draft or rejected.
async fn lock_for_edit(tx: &mut Tx, user: &CurrentUser, id: i64) -> AppResult<ContractRow> {
    editable_by_drafter(tx, user, id, true).await
}

/// The checks of [`lock_for_edit`], without the row lock when `lock` is false (the form).
async fn editable_by_drafter(tx: &mut Tx, user: &CurrentUser, id: i64, lock: bool) -> AppResult<ContractRow> {
    user.require(Action::ContractsDraft)?;
    let c = fetch(tx, user, id, lock).await?.ok_or(AppError::NotFound)?;
    if c.drafted_by != user.user_id {
        return Err(AppError::Forbidden);
    }
    if !c.editable() {
        return Err(AppError::Conflict(format!(
            "合同 {} 当前为“{}”，只有草稿或被驳回的合同可以修改",
            c.contract_no,
            c.status_label()
        )));
    }
    Ok(c)
}

async fn edit_page(
    tx: &mut Tx,
    ctx: &mut Ctx,
    c: ContractRow,
    form: ContractForm,
    errors: FieldErrors,
    (line_form, line_errors): (LineForm, FieldErrors),
) -> Result<EditPage, sqlx::Error> {
    let lines = repo::lines(tx, ctx.user.tenant_id, c.id).await?;
    let kind: &'static str = if c.kind == "sales" { "sales" } else { "purchase" };
    let partners = repo::partner_choices(tx, ctx.user.tenant_id, &[kind]).await?;
    Ok(EditPage {
        chrome: ctx.chrome(format!("修改合同 {}", c.contract_no), "/contracts"),
        c,
        form,
        errors,
        lines,
        line_form,
        line_errors,
        partners,
    })
}

pub async fn edit_form(mut ctx: Ctx, Path(id): Path<i64>) -> AppResult<EditPage> {
    let mut tx = ctx.begin().await?;
    let c = editable_by_drafter(&mut tx, &ctx.user, id, false).await?;
    let form = ContractForm::of(&c);
    let page =
        edit_page(&mut tx, &mut ctx, c, form, FieldErrors::default(), (LineForm::default(), FieldErrors::default()))
            .await?;
    tx.commit().await?;
    Ok(page)
}

pub async fn update(
    meta: RequestMeta,
    mut ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<ContractForm>,
) -> AppResult<Response> {
    let mut tx = ctx.begin().await?;
    let c = lock_for_edit(&mut tx, &ctx.user, id).await?;
    let form = ContractForm { kind: c.kind.clone(), ..form.trimmed() };
    let has_lines = repo::line_count(&mut tx, ctx.user.tenant_id, id).await? > 0;
    let mut errors = FieldErrors::default();
    let valid = validate(&mut tx, ctx.user.tenant_id, &form, Some(&c.kind), has_lines, &mut errors).await?;
    let Some(v) = valid else {
        let mut form = form;
        if has_lines {
            form.amount = Fen(c.amount_fen).to_string();
        }
        let page = edit_page(&mut tx, &mut ctx, c, form, errors, (LineForm::default(), FieldErrors::default())).await?;
        tx.rollback().await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    // With lines the amount is their sum, whatever was typed.
    let amount_fen = match v.amount_fen {
        Some(a) => a,
        None => repo::lines_sum(&mut tx, ctx.user.tenant_id, id)
            .await?
            .and_then(|s| i64::try_from(s).ok())
            .unwrap_or(c.amount_fen),
    };
    let terms = repo::Terms {
        partner_id: v.partner_id,
        title: &form.title,
        amount_fen,
        payment_terms: &form.payment_terms,
        delivery_date: v.delivery_date,
    };
    repo::update(&mut tx, ctx.user.tenant_id, id, &terms).await?;
    event(&mut tx, ctx.user.tenant_id, id, "update", None, ctx.user.user_id, "").await?;
    audit::record(
        &mut tx,
        ctx.user.tenant_id,
        &Actor::user(&ctx.user, &meta),
        Entry {
            action: "contract.update",
            entity_type: Some("contract"),
            entity_id: Some(id.to_string()),
            summary: format!("修改合同 {}《{}》", c.contract_no, form.title),
            before: Some(json!({
                "partner": c.partner_code, "title": c.title, "amount_fen": c.amount_fen,
                "payment_terms": c.payment_terms, "delivery_date": c.delivery_date,
            })),
            after: Some(json!({
                "partner": form.partner, "title": form.title, "amount_fen": amount_fen,
                "payment_terms": form.payment_terms, "delivery_date": v.delivery_date,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Flash::success("合同已保存。").redirect(&format!("/contracts/{id}")))
}

pub async fn line_add(
    meta: RequestMeta,
    mut ctx: Ctx,
    Path(id): Path<i64>,
    Form(lf): Form<LineForm>,
) -> AppResult<Response> {
    let mut tx = ctx.begin().await?;
    let c = lock_for_edit(&mut tx, &ctx.user, id).await?;
    let lf = LineForm {
        sku: lf.sku.trim().to_owned(),
        quantity: lf.quantity.trim().to_owned(),
        price: lf.price.trim().to_owned(),
    };
    let mut le = FieldErrors::default();
    let product: Option<(i64, String, i64)> = if lf.sku.is_empty() {
        le.add("sku", "请填写商品 SKU");
        None
    } else {
        match repo::product_by_sku(&mut tx, ctx.user.tenant_id, &lf.sku).await? {
            None => {
                le.add("sku", format!("没有 SKU 为 {} 的商品", lf.sku));
                None
            }
            Some((_, name, _, crate::catalog::Status::Eliminated)) => {
                le.add("sku", format!("{name}（{}）已汰换，不能再签入合同", lf.sku));
                None
            }
            Some((id, name, price, _)) => Some((id, name, price)),
        }
    };
    let quantity = match lf.quantity.parse::<i64>() {
        Ok(q) if (1..=1_000_000).contains(&q) => Some(q),
        _ => {
            le.add("quantity", "数量应为 1 到 1000000 的整数");
            None
        }
    };
    let price = if lf.price.is_empty() {
        product.as_ref().map(|p| p.2)
    } else {
        match parse_amount(&lf.price, false) {
            Ok(p) if p <= 10_000_000_000 => Some(p),
            Ok(_) => {
                le.add("price", "单价超出范围");
                None
            }
            Err(e) => {
                le.add("price", e.replace("金额", "单价"));
                None
            }
        }
    };
    let (Some((product_id, product_name, _)), Some(quantity), Some(price_fen)) = (product, quantity, price) else {
        let form = ContractForm::of(&c);
        let page = edit_page(&mut tx, &mut ctx, c, form, FieldErrors::default(), (lf, le)).await?;
        tx.rollback().await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    repo::insert_line(&mut tx, ctx.user.tenant_id, id, product_id, quantity, price_fen).await?;
    let sum = repo::lines_sum(&mut tx, ctx.user.tenant_id, id).await?.unwrap_or(0);
    let Some(sum) = i64::try_from(sum).ok().filter(|s| *s <= MAX_AMOUNT_FEN) else {
        let mut le = FieldErrors::default();
        le.add("quantity", "合同金额超出范围");
        tx.rollback().await?;
        let mut tx = ctx.begin().await?;
        let form = ContractForm::of(&c);
        let page = edit_page(&mut tx, &mut ctx, c, form, FieldErrors::default(), (lf, le)).await?;
        tx.commit().await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    repo::set_amount(&mut tx, ctx.user.tenant_id, id, sum).await?;
    let note = format!("添加明细 {} {} × {} 元", lf.sku, quantity, Fen(price_fen));
    event(&mut tx, ctx.user.tenant_id, id, "update", None, ctx.user.user_id, &note).await?;
    audit::record(
        &mut tx,
        ctx.user.tenant_id,
        &Actor::user(&ctx.user, &meta),
        Entry {
            action: "contract.line_add",
            entity_type: Some("contract"),
            entity_id: Some(id.to_string()),
            summary: format!(
                "合同 {} 添加明细：{product_name}（{}）× {quantity}，单价 {} 元",
                c.contract_no,
                lf.sku,
                Fen(price_fen)
            ),
            before: Some(json!({"amount_fen": c.amount_fen})),
            after: Some(json!({"sku": lf.sku, "quantity": quantity, "price_fen": price_fen, "amount_fen": sum})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Flash::success(format!("已添加明细；合同金额为明细合计 {} 元。", Fen(sum)))
        .redirect(&format!("/contracts/{id}/edit")))
}

pub async fn line_remove(meta: RequestMeta, ctx: Ctx, Path((id, line_id)): Path<(i64, i64)>) -> AppResult<Response> {
    let mut tx = ctx.begin().await?;
    let c = lock_for_edit(&mut tx, &ctx.user, id).await?;
    let Some((quantity, price_fen)) = repo::delete_line(&mut tx, ctx.user.tenant_id, id, line_id).await? else {
        return Err(AppError::NotFound);
    };
    // Without lines the amount stays what the lines added up to (editable again).
    let sum = repo::lines_sum(&mut tx, ctx.user.tenant_id, id)
        .await?
        .and_then(|s| i64::try_from(s).ok())
        .unwrap_or(c.amount_fen);
    repo::set_amount(&mut tx, ctx.user.tenant_id, id, sum).await?;
    event(&mut tx, ctx.user.tenant_id, id, "update", None, ctx.user.user_id, "删除一条明细").await?;
    audit::record(
        &mut tx,
        ctx.user.tenant_id,
        &Actor::user(&ctx.user, &meta),
        Entry {
            action: "contract.line_remove",
            entity_type: Some("contract"),
            entity_id: Some(id.to_string()),
            summary: format!("合同 {} 删除明细（数量 {quantity}，单价 {} 元）", c.contract_no, Fen(price_fen)),
            before: Some(
                json!({"line_id": line_id, "quantity": quantity, "price_fen": price_fen, "amount_fen": c.amount_fen}),
            ),
            after: Some(json!({"amount_fen": sum})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Flash::success("已删除明细。").redirect(&format!("/contracts/{id}/edit")))
}

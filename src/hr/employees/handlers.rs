//! Employee records' handlers: list, create, show and edit, the leaving date, and
//! the employees CSV upload.
//!
//! Everyone signed in may open the list and a record, within their people scope
//! (HR and directors: the tenant; managers: their department; specialists: the
//! record linked to their login). Money columns are shown to HR and directors
//! only. Every change is HR's (`Action::HrManage`) and audited.

use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use chrono::NaiveDate;
use futures_util::FutureExt;
use serde_json::json;

use super::repo::{self, EmployeeRow};
use super::repo_pages::{self, NewEmployee};
use super::views::{
    active_on, EmployeeForm, LeaveDateForm, LeaveDatePage, ListPage, ListQuery, ManagerRef, NewPage, ShowPage,
};
use super::{sees_money, today, LIST};
use crate::audit::{self, Actor, Entry};
use crate::db::Tx;
use crate::error::{AppError, AppResult, OnConstraint};
use crate::hr::upload::{self, ImportKind, ImportPage, Imported};
use crate::imports::hr::{apply_employees, parse_employees};
use crate::people::{Action, Dept, Level};
use crate::rules::Fen;
use crate::web::forms::non_empty;
use crate::web::forms::Choice;
use crate::web::pagination::query_string;
use crate::web::upload::Upload;
use crate::web::{Ctx, FieldErrors, Flash, Pager, RequestMeta};

// ---------- shared helpers ----------

fn dept_choices() -> Vec<Choice> {
    Choice::departments()
}

fn level_choices() -> Vec<Choice> {
    Choice::levels()
}

fn show_path(id: i64) -> String {
    format!("/hr/employees/{id}")
}

fn valid_employee_no(no: &str) -> bool {
    no.chars().count() <= 32 && no.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Parse a money field typed in yuan (trimmed), with a message naming the field.
fn money_field(raw: &str, label: &str) -> Result<Fen, String> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(format!("请填写{label}"));
    }
    Fen::parse_non_negative_yuan(s).map_err(|e| match e.kind() {
        crate::rules::ParseErrorKind::Negative => format!("{label}不能为负数"),
        crate::rules::ParseErrorKind::OutOfRange => format!("{label}数额过大"),
        _ => format!("{label}应为以元为单位的金额，最多两位小数，如 8000 或 8000.50"),
    })
}

/// Parse an optional date field `YYYY-MM-DD`.
fn date_field(raw: &str, label: &str) -> Result<Option<NaiveDate>, String> {
    crate::input::optional_date(raw).map_err(|e| match e {
        crate::input::DateError::Format => format!("{label}应为 YYYY-MM-DD 格式的日期"),
        crate::input::DateError::Range => crate::input::out_of_range(label),
    })
}

fn employee_json(e: &EmployeeRow) -> serde_json::Value {
    json!({
        "employee_no": e.employee_no, "name": e.name, "department": e.department, "level": e.level,
        "monthly_salary_fen": e.monthly_salary_fen, "bonus_base_fen": e.bonus_base_fen,
        "hired_on": e.hired_on, "left_on": e.left_on, "manager_employee_no": e.manager_employee_no,
    })
}

// ---------- list ----------

pub(super) async fn list(mut ctx: Ctx, Query(q): Query<ListQuery>) -> AppResult<ListPage> {
    ctx.require(Action::AttendanceOwn)?;
    let filter = repo::Filter {
        dept: match non_empty(&q.department) {
            None => None,
            Some(d) => Some(Dept::parse(d).ok_or_else(|| AppError::BadRequest(format!("未知部门：{d}")))?),
        },
        level: match non_empty(&q.level) {
            None => None,
            Some(l) => Some(Level::parse(l).ok_or_else(|| AppError::BadRequest(format!("未知职级：{l}")))?),
        },
        active: match q.active.as_str() {
            "" => None,
            "yes" => Some(true),
            "no" => Some(false),
            other => return Err(AppError::BadRequest(format!("状态应为 yes 或 no：{other}"))),
        },
        q: non_empty(&q.q).map(str::to_owned),
    };
    let today = today(&ctx.user);
    let pager = Pager::new(
        LIST,
        q.page,
        query_string(&[("department", &q.department), ("level", &q.level), ("active", &q.active), ("q", &q.q)]),
    );
    let mut tx = ctx.begin().await?;
    let (rows, total) =
        repo_pages::list(&mut tx, &ctx.user, &filter, today, pager.per_page, pager.offset(), pager.count_limit())
            .await?;
    tx.commit().await?;
    Ok(ListPage {
        chrome: ctx.chrome("员工档案", LIST),
        q,
        depts: dept_choices(),
        levels: level_choices(),
        rows,
        pager: pager.with_total(total),
        show_money: sees_money(&ctx.user),
        can_edit: ctx.can(Action::HrManage),
        today,
    })
}

// ---------- the form ----------

fn form_of(e: &EmployeeRow, version: i64) -> EmployeeForm {
    EmployeeForm {
        employee_no: e.employee_no.clone(),
        name: e.name.clone(),
        department: e.department.clone(),
        level: e.level.clone(),
        monthly_salary: e.salary().to_string(),
        bonus_base: e.bonus_base().to_string(),
        hired_on: e.hired_on.to_string(),
        left_on: e.left_on.map(|d| d.to_string()).unwrap_or_default(),
        manager_employee_no: e.manager_employee_no.clone().unwrap_or_default(),
        version: version.to_string(),
    }
}

/// Fields common to create and edit, validated.
struct Valid {
    name: String,
    dept: Dept,
    level: Level,
    salary: Fen,
    bonus: Fen,
    hired_on: NaiveDate,
    manager: Option<String>,
}

/// Validate what does not need the database; `own_no` is the record's number
/// (an employee cannot be their own manager).
fn validate(form: &EmployeeForm, own_no: &str, errors: &mut FieldErrors) -> Option<Valid> {
    let name = form.name.trim();
    if name.is_empty() {
        errors.add("name", "请填写姓名");
    } else if name.chars().count() > 100 {
        errors.add("name", "姓名最多 100 个字符");
    }
    let dept = Dept::parse(form.department.trim());
    if dept.is_none() {
        errors.add("department", "请选择部门");
    }
    let level = Level::parse(form.level.trim());
    if level.is_none() {
        errors.add("level", "请选择职级");
    }
    let salary = money_field(&form.monthly_salary, "月薪").map_err(|m| errors.add("monthly_salary", m)).ok();
    let bonus = money_field(&form.bonus_base, "绩效奖金基数").map_err(|m| errors.add("bonus_base", m)).ok();
    let hired_on = match date_field(&form.hired_on, "入职日期") {
        Ok(Some(d)) => Some(d),
        Ok(None) => {
            errors.add("hired_on", "请填写入职日期");
            None
        }
        Err(m) => {
            errors.add("hired_on", m);
            None
        }
    };
    let manager = non_empty(&form.manager_employee_no).map(str::to_owned);
    if let Some(m) = &manager {
        if !valid_employee_no(m) {
            errors.add("manager_employee_no", "上级工号最多 32 位，只能包含字母、数字、- 和 _");
        } else if m == own_no {
            errors.add("manager_employee_no", "员工不能是自己的上级");
        }
    }
    Some(Valid {
        name: name.to_owned(),
        dept: dept?,
        level: level?,
        salary: salary?,
        bonus: bonus?,
        hired_on: hired_on?,
        manager,
    })
}

// ---------- create ----------

fn new_page(ctx: &mut Ctx, form: EmployeeForm, errors: FieldErrors) -> NewPage {
    NewPage {
        chrome: ctx.chrome("新建员工档案", LIST), form, errors, depts: dept_choices(), levels: level_choices()
    }
}

pub(super) async fn new_form(mut ctx: Ctx) -> AppResult<NewPage> {
    ctx.require(Action::HrManage)?;
    let form = EmployeeForm { level: "specialist".into(), ..EmployeeForm::default() };
    Ok(new_page(&mut ctx, form, FieldErrors::default()))
}

pub(super) async fn create(meta: RequestMeta, mut ctx: Ctx, Form(form): Form<EmployeeForm>) -> AppResult<Response> {
    ctx.require(Action::HrManage)?;
    let mut errors = FieldErrors::default();
    let employee_no = form.employee_no.trim().to_owned();
    if employee_no.is_empty() {
        errors.add("employee_no", "请填写工号");
    } else if !valid_employee_no(&employee_no) {
        errors.add("employee_no", "工号最多 32 位，只能包含字母、数字、- 和 _");
    }
    let valid = validate(&form, &employee_no, &mut errors);
    let left_on = date_field(&form.left_on, "离职日期").map_err(|m| errors.add("left_on", m)).ok().flatten();
    if let (Some(v), Some(l)) = (&valid, left_on) {
        if l < v.hired_on {
            errors.add("left_on", format!("离职日期不能早于入职日期 {}", v.hired_on));
        }
    }
    let rerender =
        |ctx: &mut Ctx, form, errors| (StatusCode::UNPROCESSABLE_ENTITY, new_page(ctx, form, errors)).into_response();
    let Some(v) = valid.filter(|_| errors.is_empty()) else {
        return Ok(rerender(&mut ctx, form, errors));
    };
    let mut tx = ctx.begin().await?;
    if let Some(m) = &v.manager {
        if !repo::employee_exists(&mut tx, ctx.user.tenant_id, m).await? {
            tx.rollback().await?;
            errors.add("manager_employee_no", format!("没有工号为 {m} 的员工"));
            return Ok(rerender(&mut ctx, form, errors));
        }
    }
    let new = NewEmployee {
        employee_no: &employee_no,
        name: &v.name,
        department: v.dept.code(),
        level: v.level.code(),
        monthly_salary_fen: v.salary.fen(),
        bonus_base_fen: v.bonus.fen(),
        hired_on: v.hired_on,
        left_on,
        manager_employee_no: v.manager.as_deref(),
    };
    let inserted = repo_pages::insert(&mut tx, ctx.user.tenant_id, &new).await;
    let id = match inserted.on_constraint(&[("employees_tenant_id_employee_no_key", "employee_no")])? {
        Ok(id) => id,
        Err(field) => {
            tx.rollback().await?;
            errors.add(field, "该工号已存在");
            return Ok(rerender(&mut ctx, form, errors));
        }
    };
    audit::record(
        &mut tx,
        ctx.user.tenant_id,
        &Actor::user(&ctx.user, &meta),
        Entry {
            action: "employee.create",
            entity_type: Some("employee"),
            entity_id: Some(id.to_string()),
            summary: format!("新建员工档案 {} {}（{}{}）", employee_no, v.name, v.dept.label(), v.level.label()),
            before: None,
            after: Some(json!({
                "employee_no": employee_no, "name": v.name, "department": v.dept.code(), "level": v.level.code(),
                "monthly_salary_fen": v.salary.fen(), "bonus_base_fen": v.bonus.fen(),
                "hired_on": v.hired_on, "left_on": left_on, "manager_employee_no": v.manager,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Flash::success(format!("已创建员工档案 {employee_no} {}。", v.name)).redirect(&show_path(id)))
}

// ---------- show / edit ----------

async fn show_page(tx: &mut Tx, ctx: &mut Ctx, emp: EmployeeRow, form: EmployeeForm) -> Result<ShowPage, sqlx::Error> {
    let login = repo_pages::linked_login(tx, ctx.user.tenant_id, &emp.employee_no).await?;
    let manager = match &emp.manager_employee_no {
        None => None,
        Some(no) => {
            let linked = repo_pages::in_scope_by_no(tx, &ctx.user, no).await?;
            Some(ManagerRef { employee_no: no.clone(), linked })
        }
    };
    Ok(ShowPage {
        chrome: ctx.chrome(format!("员工档案：{}", emp.name), LIST),
        active: active_on(&emp, today(&ctx.user)),
        emp,
        login,
        manager,
        show_money: sees_money(&ctx.user),
        can_edit: ctx.can(Action::HrManage),
        can_manage_users: ctx.can(Action::ManageUsers),
        form,
        errors: FieldErrors::default(),
        depts: dept_choices(),
        levels: level_choices(),
    })
}

pub(super) async fn show(mut ctx: Ctx, Path(id): Path<i64>) -> AppResult<ShowPage> {
    ctx.require(Action::AttendanceOwn)?;
    let mut tx = ctx.begin().await?;
    let emp = repo::find_in_scope(&mut tx, &ctx.user, id).await?.ok_or(AppError::NotFound)?;
    let version = repo::version_of(&mut tx, ctx.user.tenant_id, id).await?;
    let form = form_of(&emp, version);
    let page = show_page(&mut tx, &mut ctx, emp, form).await?;
    tx.commit().await?;
    Ok(page)
}

pub(super) async fn update(
    meta: RequestMeta,
    mut ctx: Ctx,
    Path(id): Path<i64>,
    Form(mut form): Form<EmployeeForm>,
) -> AppResult<Response> {
    ctx.require(Action::HrManage)?;
    let mut tx = ctx.begin().await?;
    let (before, version) = repo::lock(&mut tx, ctx.user.tenant_id, id).await?.ok_or(AppError::NotFound)?;
    if non_empty(&form.version).is_some_and(|v| v != version.to_string()) {
        return Err(AppError::Conflict("该员工档案已被他人修改，请刷新页面后重新编辑".into()));
    }
    // The number and the leaving date are not changed here.
    form.employee_no = before.employee_no.clone();
    form.left_on = before.left_on.map(|d| d.to_string()).unwrap_or_default();
    let mut errors = FieldErrors::default();
    let valid = validate(&form, &before.employee_no, &mut errors);
    if let (Some(v), Some(l)) = (&valid, before.left_on) {
        if v.hired_on > l {
            errors.add("hired_on", format!("入职日期不能晚于离职日期 {l}"));
        }
    }
    if let Some(m) = valid.as_ref().and_then(|v| v.manager.as_deref()) {
        if errors.is_empty() && !repo::employee_exists(&mut tx, ctx.user.tenant_id, m).await? {
            errors.add("manager_employee_no", format!("没有工号为 {m} 的员工"));
        }
    }
    let Some(v) = valid.filter(|_| errors.is_empty()) else {
        let mut page = show_page(&mut tx, &mut ctx, before, form).await?;
        tx.rollback().await?;
        page.errors = errors;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let after = EmployeeRow {
        name: v.name.clone(),
        department: v.dept.code().to_owned(),
        level: v.level.code().to_owned(),
        monthly_salary_fen: v.salary.fen(),
        bonus_base_fen: v.bonus.fen(),
        hired_on: v.hired_on,
        manager_employee_no: v.manager.clone(),
        ..before.clone()
    };
    let (before_json, after_json) = (employee_json(&before), employee_json(&after));
    if before_json == after_json {
        tx.rollback().await?;
        return Ok(Flash::success("没有修改任何内容。").redirect(&show_path(id)));
    }
    repo_pages::update(&mut tx, ctx.user.tenant_id, id, &after).await?;
    audit::record(
        &mut tx,
        ctx.user.tenant_id,
        &Actor::user(&ctx.user, &meta),
        Entry {
            action: "employee.update",
            entity_type: Some("employee"),
            entity_id: Some(id.to_string()),
            summary: format!("修改员工档案 {} {}", after.employee_no, after.name),
            before: Some(before_json),
            after: Some(after_json),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Flash::success("员工档案已保存。").redirect(&show_path(id)))
}

// ---------- leaving date ----------

fn date_text(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

pub(super) async fn leave_date_form(mut ctx: Ctx, Path(id): Path<i64>) -> AppResult<LeaveDatePage> {
    ctx.require(Action::HrManage)?;
    let mut tx = ctx.begin().await?;
    let emp = repo::find_in_scope(&mut tx, &ctx.user, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    let current = date_text(emp.left_on);
    Ok(LeaveDatePage {
        chrome: ctx.chrome("离职日期", LIST),
        form: LeaveDateForm { left_on: current.clone(), current, confirm: String::new() },
        emp,
        errors: FieldErrors::default(),
        confirming: false,
        login: None,
    })
}

pub(super) async fn leave_date(
    meta: RequestMeta,
    mut ctx: Ctx,
    Path(id): Path<i64>,
    Form(mut form): Form<LeaveDateForm>,
) -> AppResult<Response> {
    ctx.require(Action::HrManage)?;
    let mut tx = ctx.begin().await?;
    let (emp, _) = repo::lock(&mut tx, ctx.user.tenant_id, id).await?.ok_or(AppError::NotFound)?;
    if form.current.trim() != date_text(emp.left_on) {
        return Err(AppError::Conflict("离职日期已被他人修改，请返回员工档案刷新后重试".into()));
    }
    let mut errors = FieldErrors::default();
    let new = match date_field(&form.left_on, "离职日期") {
        Ok(d) => d,
        Err(m) => {
            errors.add("left_on", m);
            None
        }
    };
    if let Some(d) = new {
        if d < emp.hired_on {
            errors.add("left_on", format!("离职日期不能早于入职日期 {}", emp.hired_on));
        }
    }
    if !errors.is_empty() {
        tx.rollback().await?;
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            LeaveDatePage {
                chrome: ctx.chrome("离职日期", LIST), emp, form, errors, confirming: false, login: None
            },
        )
            .into_response());
    }
    if new == emp.left_on {
        tx.rollback().await?;
        return Ok(Flash::success("离职日期没有变化。").redirect(&show_path(id)));
    }
    if form.confirm != "yes" {
        let login = repo_pages::active_login(&mut tx, ctx.user.tenant_id, &emp.employee_no).await?;
        tx.rollback().await?;
        form.left_on = date_text(new);
        return Ok(LeaveDatePage {
            chrome: ctx.chrome("确认离职日期", LIST),
            emp,
            form,
            errors,
            confirming: true,
            login,
        }
        .into_response());
    }
    repo_pages::set_left_on(&mut tx, ctx.user.tenant_id, id, new).await?;
    let (action, summary, message) = match new {
        Some(d) => (
            "employee.leave_set",
            format!("设置员工 {} {} 的离职日期为 {d}", emp.employee_no, emp.name),
            format!("离职日期已设为 {d}。"),
        ),
        None => (
            "employee.leave_clear",
            format!("清除员工 {} {} 的离职日期", emp.employee_no, emp.name),
            "离职日期已清除。".to_owned(),
        ),
    };
    audit::record(
        &mut tx,
        ctx.user.tenant_id,
        &Actor::user(&ctx.user, &meta),
        Entry {
            action,
            entity_type: Some("employee"),
            entity_id: Some(id.to_string()),
            summary,
            before: Some(json!({"left_on": emp.left_on})),
            after: Some(json!({"left_on": new})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Flash::success(message).redirect(&show_path(id)))
}

// ---------- CSV upload ----------

pub(super) async fn import_form(mut ctx: Ctx) -> AppResult<ImportPage> {
    ctx.require(Action::HrManage)?;
    Ok(ImportPage::new(&mut ctx, ImportKind::Employees))
}

pub(super) async fn import(meta: RequestMeta, mut ctx: Ctx, upload: Upload) -> AppResult<Response> {
    ctx.require(Action::HrManage)?;
    let upload = upload.read().await?;
    let page = ImportPage::new(&mut ctx, ImportKind::Employees);
    let Some(file) = upload.into_file("employees.csv")? else {
        return Ok(page.no_file());
    };
    let Imported { file, summary, .. } =
        match upload::import(&ctx, &meta, page, file, parse_employees, |tx, t, a, f, r| {
            apply_employees(tx, t, a, f, r).boxed()
        })
        .await?
        {
            Ok(done) => done,
            Err(page) => return Ok(page),
        };
    Ok(Flash::success(format!("已导入员工档案（{file}）：新增 {} 人，更新 {} 人。", summary.inserted, summary.updated))
        .redirect(LIST))
}

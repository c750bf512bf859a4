//! Performance scores: the queries of the scoring and HR pages.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{Postgres, QueryBuilder};

use crate::db::Tx;
use crate::people::{Dept, Level};
use crate::rules::{Coefficient, Grade, Policy, Score, YearMonth};

/// An employee employed in the month, with the month's score and the previous month's.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ScoreRow {
    pub employee_id: i64,
    pub employee_no: String,
    pub name: String,
    pub department: String,
    pub level: String,
    pub score_tenths: Option<i16>,
    pub comment: Option<String>,
    pub source: Option<String>,
    pub scored_by_name: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
    pub prev_tenths: Option<i16>,
}

/// Whose rows a list shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    /// A manager's list: the specialists of their department.
    SpecialistsOf(Dept),
    /// A director's list: every manager of the tenant.
    Managers,
    /// HR: everyone.
    Everyone,
}

#[derive(Clone, Debug)]
pub struct Filter {
    pub who: Who,
    pub dept: Option<Dept>,
    pub missing_only: bool,
    /// Employee number or name (substring).
    pub q: Option<String>,
}

fn score_of(tenths: Option<i16>) -> Option<Score> {
    tenths.and_then(|t| u16::try_from(t).ok()).and_then(Score::from_tenths)
}

/// A row with its grade and coefficient under the policies in force.
#[derive(Clone, Debug)]
pub struct Line {
    pub row: ScoreRow,
    pub score: Option<Score>,
    pub grade: Option<Grade>,
    pub coefficient: Option<Coefficient>,
    pub prev_grade: Option<Grade>,
}

impl Line {
    pub fn new(row: ScoreRow, policy: &Policy, prev_policy: &Policy) -> Line {
        let score = score_of(row.score_tenths);
        let grade = score.map(|s| policy.grade(s));
        let prev_grade = score_of(row.prev_tenths).map(|s| prev_policy.grade(s));
        Line { coefficient: grade.map(|g| policy.coefficient(g)), score, grade, prev_grade, row }
    }

    pub fn is_missing(&self) -> bool {
        self.score.is_none()
    }

    /// This month and the previous one are both 不合格 (RULES.md §5 flag 3).
    pub fn two_fails(&self) -> bool {
        self.grade == Some(Grade::Fail) && self.prev_grade == Some(Grade::Fail)
    }

    pub fn score_text(&self) -> String {
        self.score.map(|s| s.to_string()).unwrap_or_default()
    }

    pub fn grade_text(&self) -> &'static str {
        self.grade.map_or("", Grade::label_zh)
    }

    pub fn grade_class(&self) -> &'static str {
        grade_class(self.grade)
    }

    pub fn coefficient_text(&self) -> String {
        self.coefficient.map(|c| c.to_string()).unwrap_or_default()
    }

    pub fn prev_grade_text(&self) -> &'static str {
        self.prev_grade.map_or("未评分", Grade::label_zh)
    }

    pub fn comment(&self) -> &str {
        self.row.comment.as_deref().unwrap_or_default()
    }

    pub fn dept_label(&self) -> &'static str {
        Dept::parse(&self.row.department).map_or("?", Dept::label)
    }

    pub fn level_label(&self) -> &'static str {
        Level::parse(&self.row.level).map_or("?", Level::label)
    }

    pub fn source_label(&self) -> &'static str {
        match self.row.source.as_deref() {
            Some("import") => "人事导入",
            Some(_) => "网页评分",
            None => "",
        }
    }
}

/// The tag class of a grade.
pub fn grade_class(grade: Option<Grade>) -> &'static str {
    match grade {
        Some(Grade::Excellent | Grade::Good) => "tag-ok",
        Some(Grade::Pass) => "tag-off",
        Some(Grade::Fail) => "tag-bad",
        None => "tag-warn",
    }
}

fn push_where(qb: &mut QueryBuilder<'_, Postgres>, tenant_id: i64, month: YearMonth, f: &Filter) {
    qb.push(" WHERE e.tenant_id = ").push_bind(tenant_id);
    qb.push(" AND e.hired_on <= ").push_bind(month.last_day());
    qb.push(" AND (e.left_on IS NULL OR e.left_on >= ").push_bind(month.first_day()).push(")");
    match f.who {
        Who::SpecialistsOf(dept) => {
            qb.push(" AND e.department = ").push_bind(dept.code());
            qb.push(" AND e.level = ").push_bind(Level::Specialist.code());
        }
        Who::Managers => {
            qb.push(" AND e.level = ").push_bind(Level::Manager.code());
        }
        Who::Everyone => {}
    }
    if let Some(dept) = f.dept {
        qb.push(" AND e.department = ").push_bind(dept.code());
    }
    if f.missing_only {
        qb.push(" AND s.employee_id IS NULL");
    }
    if let Some(q) = &f.q {
        crate::hr::employees::repo::push_search(qb, tenant_id, q);
    }
}

fn push_from(qb: &mut QueryBuilder<'_, Postgres>, month: YearMonth) {
    qb.push(
        " FROM employees e
          LEFT JOIN performance_scores s ON s.tenant_id = e.tenant_id AND s.employee_id = e.id AND s.month = ",
    )
    .push_bind(month.first_day());
}

/// One page of rows for `month`, ordered by employee number, and the capped total.
pub async fn list(
    tx: &mut Tx,
    tenant_id: i64,
    month: YearMonth,
    f: &Filter,
    limit: i64,
    offset: i64,
    cap: i64,
) -> Result<(Vec<ScoreRow>, i64), sqlx::Error> {
    let prev: Option<NaiveDate> = month.previous().map(YearMonth::first_day);
    let mut qb = QueryBuilder::new(
        "SELECT e.id AS employee_id, e.employee_no, e.name, e.department, e.level,
           s.score_tenths, s.comment, s.source, su.display_name AS scored_by_name, s.updated_at,
           p.score_tenths AS prev_tenths",
    );
    push_from(&mut qb, month);
    qb.push(" LEFT JOIN users su ON su.tenant_id = s.tenant_id AND su.id = s.scored_by");
    qb.push(" LEFT JOIN performance_scores p ON p.tenant_id = e.tenant_id AND p.employee_id = e.id AND p.month = ")
        .push_bind(prev);
    push_where(&mut qb, tenant_id, month, f);
    qb.push(" ORDER BY e.employee_no LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
    let rows = qb.build_query_as().fetch_all(&mut **tx).await?;
    let total = count(tx, tenant_id, month, f, cap).await?;
    Ok((rows, total))
}

/// How many rows match (at most `cap`).
pub async fn count(tx: &mut Tx, tenant_id: i64, month: YearMonth, f: &Filter, cap: i64) -> Result<i64, sqlx::Error> {
    let mut qb = crate::db::capped_count(cap, |qb| {
        push_from(qb, month);
        push_where(qb, tenant_id, month, f);
    });
    qb.build_query_scalar().fetch_one(&mut **tx).await
}

/// The stored score of one employee and month, locked.
pub async fn lock_score(
    tx: &mut Tx,
    tenant_id: i64,
    employee_id: i64,
    month: YearMonth,
) -> Result<Option<(i16, String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT score_tenths, comment, source FROM performance_scores
         WHERE tenant_id = $1 AND employee_id = $2 AND month = $3 FOR UPDATE",
    )
    .bind(tenant_id)
    .bind(employee_id)
    .bind(month.first_day())
    .fetch_optional(&mut **tx)
    .await
}

pub async fn upsert(
    tx: &mut Tx,
    tenant_id: i64,
    employee_id: i64,
    month: YearMonth,
    score: Score,
    comment: &str,
    scored_by: i64,
) -> Result<(), sqlx::Error> {
    let tenths = i16::try_from(score.tenths()).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query(
        "INSERT INTO performance_scores (tenant_id, employee_id, month, score_tenths, comment, source, scored_by)
         VALUES ($1, $2, $3, $4, $5, 'web', $6)
         ON CONFLICT (tenant_id, employee_id, month) DO UPDATE SET
           score_tenths = EXCLUDED.score_tenths, comment = EXCLUDED.comment, source = 'web',
           scored_by = EXCLUDED.scored_by, updated_at = EXCLUDED.updated_at",
    )
    .bind(tenant_id)
    .bind(employee_id)
    .bind(month.first_day())
    .bind(tenths)
    .bind(comment)
    .bind(scored_by)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One employee's scores from `from` to `to` (first days of months): (month, tenths, comment, scorer).
pub async fn history(
    tx: &mut Tx,
    tenant_id: i64,
    employee_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(NaiveDate, i16, String, Option<String>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT s.month, s.score_tenths, s.comment, u.display_name
         FROM performance_scores s LEFT JOIN users u ON u.tenant_id = s.tenant_id AND u.id = s.scored_by
         WHERE s.tenant_id = $1 AND s.employee_id = $2 AND s.month BETWEEN $3 AND $4",
    )
    .bind(tenant_id)
    .bind(employee_id)
    .bind(from)
    .bind(to)
    .fetch_all(&mut **tx)
    .await
}

/// The number of employees employed in the month of `month` (any day of it; the
/// first by convention) with no score for it, within `scope` (the tenant; a
/// manager's department; nobody for an own scope) — what [`scores_missing_href`]
/// lists as `data-total` (HR's overview, no department filter).
pub async fn scores_missing(
    tx: &mut Tx,
    tenant_id: i64,
    scope: &crate::people::Scope,
    month: NaiveDate,
) -> Result<i64, sqlx::Error> {
    use crate::people::Scope;
    let (Some(month), dept) = (
        YearMonth::of(month),
        match scope {
            Scope::Tenant => None,
            Scope::Department(d) => Some(*d),
            Scope::Own { .. } => return Ok(0),
        },
    ) else {
        return Ok(0);
    };
    let f = Filter { who: Who::Everyone, dept, missing_only: true, q: None };
    count(tx, tenant_id, month, &f, i64::MAX).await
}

/// `/hr/performance?month=YYYY-MM&missing=1`: the list [`scores_missing`] counts.
pub fn scores_missing_href(month: NaiveDate) -> String {
    let m = YearMonth::of(month).map(|m| m.to_string()).unwrap_or_default();
    format!("/hr/performance?{}", crate::web::pagination::query_string(&[("month", &m), ("missing", "1")]))
}

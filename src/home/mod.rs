//! The home page: what exists so far for this person, by role and data scope.
//!
//! What it reads from the database is one [`Summary`] per user, kept in
//! [`cache::HomeCache`] until the tenant's data changes.

pub mod cache;

use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Utc};

use crate::app::state::AppState;
use crate::audit::repo as audit_repo;
use crate::dashboard::{Dashboard, Period};
use crate::db::Tx;
use crate::error::AppResult;
use crate::people::scope::Area;
use crate::people::{Action, Scope};
use crate::web::{local_time, Chrome, Ctx, CurrentUser};

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home))
}

/// What the home page shows of the database for one user, as read (the page
/// formats times and ages when it is shown).
#[derive(Clone, Debug)]
pub struct Summary {
    /// The newest audit entries in the user's scope.
    pub activity: Vec<RecentEntry>,
    /// Active and inactive users, for tenant administrators.
    pub user_counts: Option<(i64, i64)>,
    pub queues: Vec<QueueItem>,
    /// The figures and charts of the user's role for the period asked for.
    pub dashboard: Option<Dashboard>,
}

#[derive(Clone, Debug)]
pub struct RecentEntry {
    pub at: DateTime<Utc>,
    pub actor_name: String,
    pub action: String,
    pub summary: String,
}

/// Read `user`'s [`Summary`]: the recent activity, the user counts for tenant
/// administrators, and each module's queues (no query for a module where the
/// user's role has nothing).
pub async fn load_summary(
    tx: &mut Tx,
    user: &CurrentUser,
    period: &Period,
    now: DateTime<Utc>,
) -> anyhow::Result<Summary> {
    let scope = Scope::for_role(&user.role(), Area::Business);
    let activity = audit_repo::recent(tx, user.tenant_id, &scope, 8)
        .await?
        .into_iter()
        .map(|r| RecentEntry { at: r.at, actor_name: r.actor_name, action: r.action, summary: r.summary })
        .collect();
    let user_counts = if user.can(Action::ManageUsers) {
        Some(crate::people::repo::active_counts(tx, user.tenant_id).await?)
    } else {
        None
    };
    let mut queues = Vec::new();
    queues.extend(crate::catalog::home_queues(tx, user).await?);
    queues.extend(crate::purchasing::home_queues(tx, user).await?);
    queues.extend(crate::stocktake::home_queues(tx, user).await?);
    queues.extend(crate::contracts::home_queues(tx, user).await?);
    queues.extend(crate::orders::home_queues(tx, user).await?);
    queues.extend(crate::after_sales::home_queues(tx, user).await?);
    queues.extend(crate::complaints::home_queues(tx, user).await?);
    queues.extend(crate::campaigns::home_queues(tx, user).await?);
    queues.extend(crate::targets::home_queues(tx, user).await?);
    let dashboard = crate::dashboard::views::load(tx, user, period, now).await?;
    Ok(Summary { activity, user_counts, queues, dashboard })
}

/// `user`'s summary for `period`, from the cache when it holds one.
async fn summary(state: &AppState, ctx: &Ctx, period: &Period) -> AppResult<Arc<Summary>> {
    let key = period.query_value();
    if let Some(s) = state.home.get(&ctx.user, &key) {
        return Ok(s);
    }
    let generation = state.home.generation();
    let mut tx = ctx.begin().await?;
    let s = Arc::new(load_summary(&mut tx, &ctx.user, period, Utc::now()).await?);
    tx.commit().await?;
    state.home.insert(&ctx.user, &key, generation, s.clone());
    Ok(s)
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct HomeQuery {
    #[serde(default)]
    pub period: String,
    /// A month (`YYYY-MM`, the month field): when given, the period.
    #[serde(default)]
    pub month: String,
}

pub struct Activity {
    pub at: String,
    pub actor: String,
    pub action: &'static str,
    pub summary: String,
}

pub use crate::queues::{QueueItem, QueueKind};

pub struct Shortcut {
    pub label: &'static str,
    pub href: &'static str,
    pub hint: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "home/home.html")]
pub struct HomePage {
    pub chrome: Chrome,
    pub display_name: String,
    pub role_line: String,
    pub scope_label: &'static str,
    pub activity: Vec<Activity>,
    pub shortcuts: Vec<Shortcut>,
    pub user_counts: Option<(i64, i64)>,
    pub approvals: Vec<QueueLine>,
    pub mine: Vec<QueueLine>,
    pub alerts: Vec<QueueLine>,
    pub dashboard: Option<Dashboard>,
    /// The period selector: (query value, label, selected).
    pub periods: Vec<(String, &'static str, bool)>,
    /// The month field's value (`YYYY-MM`) and its bounds.
    pub month_value: String,
    pub month_max: String,
    /// Why the period asked for was not used (empty when it was).
    pub period_error: String,
    pub reports: bool,
}

/// A [`QueueItem`] ready to show.
pub struct QueueLine {
    pub key: &'static str,
    pub label: String,
    pub count: i64,
    /// "3 天" / "5 小时" since the oldest was raised; empty when it does not apply.
    pub age: String,
    pub href: String,
}

/// How long ago `at` was, in the largest whole unit.
pub fn age_label(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let minutes = (now - at).num_minutes().max(0);
    match minutes {
        m if m >= 24 * 60 => format!("{} 天", m / (24 * 60)),
        m if m >= 60 => format!("{} 小时", m / 60),
        m => format!("{m} 分钟"),
    }
}

pub async fn home(State(state): State<AppState>, mut ctx: Ctx, Query(q): Query<HomeQuery>) -> AppResult<HomePage> {
    let role = ctx.user.role();
    let scope = Scope::for_role(&role, Area::Business);
    let scope_label = match scope {
        Scope::Own { .. } => "本人",
        Scope::Department(_) => "本部门",
        Scope::Tenant => "全公司",
    };
    let today = ctx.user.today;
    let asked = if q.month.trim().is_empty() { q.period.trim() } else { q.month.trim() };
    let (period, period_error) = match Period::parse(Some(asked), today) {
        Some(p) => (p, String::new()),
        None => (
            Period::parse(None, today).expect("this month"),
            format!("期间「{}」无效（可选本月、上月、近 30/90 天，或不晚于本月的 YYYY-MM），已显示本月", asked),
        ),
    };
    let summary = summary(&state, &ctx, &period).await?;
    let now = Utc::now();
    let (mut approvals, mut mine, mut alerts) = (Vec::new(), Vec::new(), Vec::new());
    for q in &summary.queues {
        let line = QueueLine {
            key: q.key,
            label: q.label.clone(),
            count: q.count,
            age: q.oldest.map(|at| age_label(at, now)).unwrap_or_default(),
            href: q.href.clone(),
        };
        match q.kind {
            QueueKind::Approval => approvals.push(line),
            QueueKind::Mine => mine.push(line),
            QueueKind::Alert => alerts.push(line),
        }
    }
    let tz = &ctx.user.settings.time_zone;
    let activity = summary
        .activity
        .iter()
        .map(|r| Activity {
            at: local_time(r.at, tz),
            actor: r.actor_name.clone(),
            action: crate::audit::action_label(&r.action),
            summary: r.summary.clone(),
        })
        .collect();
    let mut shortcuts = Vec::new();
    if ctx.can(Action::ManageUsers) {
        shortcuts.push(Shortcut {
            label: "用户管理",
            href: "/admin/users",
            hint: "新建用户、调整职级部门、停用账号、重置密码",
        });
        shortcuts
            .push(Shortcut { label: "部门", href: "/admin/departments", hint: "七个部门及其在岗人数" });
    }
    if ctx.can(Action::ViewAudit) {
        shortcuts.push(Shortcut {
            label: "审计日志", href: "/audit", hint: "登录、审批、导入与设置变更的完整记录"
        });
    }
    shortcuts.push(Shortcut {
        label: "修改密码",
        href: "/account/password",
        hint: "定期更换密码，修改后其他设备的登录会退出",
    });
    Ok(HomePage {
        chrome: ctx.chrome("首页", "/"),
        display_name: ctx.user.display_name.clone(),
        role_line: format!("{} · {}{}", ctx.user.tenant_name, ctx.user.dept.label(), ctx.user.level.label()),
        scope_label,
        activity,
        shortcuts,
        user_counts: summary.user_counts,
        approvals,
        mine,
        alerts,
        dashboard: summary.dashboard.clone(),
        periods: crate::dashboard::views::choices(&period),
        month_value: match period.kind {
            crate::dashboard::period::Kind::Month(m) => m.to_string(),
            _ => String::new(),
        },
        month_max: crate::rules::YearMonth::of(today).map(|m| m.to_string()).unwrap_or_default(),
        period_error,
        reports: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_use_the_largest_whole_unit() {
        let now = DateTime::parse_from_rfc3339("2026-11-22T12:00:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(age_label(now - chrono::Duration::minutes(5), now), "5 分钟");
        assert_eq!(age_label(now - chrono::Duration::minutes(150), now), "2 小时");
        assert_eq!(age_label(now - chrono::Duration::hours(73), now), "3 天");
        assert_eq!(age_label(now + chrono::Duration::minutes(5), now), "0 分钟");
    }
}

//! The home page: what exists so far for this person, by role and data scope.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::routing::get;
use axum::Router;

use crate::app::AppState;
use crate::audit::repo as audit_repo;
use crate::db;
use crate::error::AppResult;
use crate::people::scope::Area;
use crate::people::{Action, Scope};
use crate::web::{local_time, Chrome, CurrentUser, IncomingFlash};

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home))
}

pub struct Activity {
    pub at: String,
    pub actor: String,
    pub action: &'static str,
    pub summary: String,
}

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
}

pub async fn home(State(state): State<AppState>, user: CurrentUser, flash: IncomingFlash) -> AppResult<HomePage> {
    let role = user.role();
    let scope = Scope::for_role(&role, Area::Business);
    let scope_label = match scope {
        Scope::Own { .. } => "本人",
        Scope::Department(_) => "本部门",
        Scope::Tenant => "全公司",
    };
    let mut tx = db::begin_tenant(&state.db, user.tenant_id).await?;
    let rows = audit_repo::recent(&mut tx, user.tenant_id, &scope, 8).await?;
    let user_counts = if user.can(Action::ManageUsers) {
        Some(
            sqlx::query_as::<_, (i64, i64)>(
                "SELECT count(*) FILTER (WHERE is_active), count(*) FILTER (WHERE NOT is_active) FROM users WHERE tenant_id = $1",
            )
            .bind(user.tenant_id)
            .fetch_one(&mut *tx)
            .await?,
        )
    } else {
        None
    };
    tx.commit().await?;
    let tz = &user.settings.time_zone;
    let activity = rows
        .into_iter()
        .map(|r| Activity {
            at: local_time(r.at, tz),
            actor: r.actor_name,
            action: crate::audit::action_label(&r.action),
            summary: r.summary,
        })
        .collect();
    let mut shortcuts = Vec::new();
    if user.can(Action::ManageUsers) {
        shortcuts.push(Shortcut {
            label: "用户管理",
            href: "/admin/users",
            hint: "新建用户、调整职级部门、停用账号、重置密码",
        });
        shortcuts
            .push(Shortcut { label: "部门", href: "/admin/departments", hint: "七个部门及其在岗人数" });
    }
    if user.can(Action::ViewAudit) {
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
        chrome: Chrome::new(&user, flash, "首页", "/"),
        display_name: user.display_name.clone(),
        role_line: format!("{} · {}{}", user.tenant_name, user.dept.label(), user.level.label()),
        scope_label,
        activity,
        shortcuts,
        user_counts,
    })
}

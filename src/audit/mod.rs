//! The append-only audit log: who did what, when, with before/after.
//!
//! The runtime role may only INSERT and SELECT `audit_log` (no UPDATE or DELETE
//! grant), so the log cannot be rewritten through the application.

pub mod handlers;
pub mod repo;

use axum::routing::get;
use axum::Router;
use serde_json::Value;

use crate::app::state::AppState;
use crate::db::Tx;
use crate::web::{CurrentUser, RequestMeta};

pub fn router() -> Router<AppState> {
    Router::new().route("/audit", get(handlers::list))
}

/// Who acted.
#[derive(Clone, Debug)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub name: String,
    pub ip: Option<String>,
    pub request_id: Option<String>,
}

impl Actor {
    pub fn user(user: &CurrentUser, meta: &RequestMeta) -> Self {
        Self {
            user_id: Some(user.user_id),
            name: format!("{}（{}）", user.display_name, user.username),
            ip: Some(meta.ip.clone()),
            request_id: Some(meta.request_id.clone()),
        }
    }

    /// The command line (imports, demo data, user creation by an operator).
    pub fn cli() -> Self {
        Self { user_id: None, name: "命令行".to_owned(), ip: None, request_id: None }
    }
}

/// One audit entry.
#[derive(Clone, Debug, Default)]
pub struct Entry {
    /// Dotted action code, e.g. `login.success`, `user.deactivate`.
    pub action: &'static str,
    pub entity_type: Option<&'static str>,
    pub entity_id: Option<String>,
    /// One line in Chinese for the log page.
    pub summary: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl Entry {
    /// A step of a record's workflow: `entity_type` #`id`, the summary, what it was
    /// before (`None`: nothing, e.g. it was just created) and what it is after.
    pub fn step(
        action: &'static str,
        entity_type: &'static str,
        id: i64,
        summary: String,
        before: Option<Value>,
        after: Value,
    ) -> Self {
        Entry {
            action,
            entity_type: Some(entity_type),
            entity_id: Some(id.to_string()),
            summary,
            before,
            after: Some(after),
        }
    }
}

/// Append `entry` as done by the signed-in `user` of this request (the one way a
/// handler records what it did).
pub async fn by_user(
    tx: &mut Tx,
    user: &crate::web::CurrentUser,
    meta: &crate::web::RequestMeta,
    entry: Entry,
) -> Result<(), sqlx::Error> {
    record(tx, user.tenant_id, &Actor::user(user, meta), entry).await
}

/// Append an entry inside the caller's tenant transaction, so it commits (or
/// rolls back) with the change it describes.
pub async fn record(tx: &mut Tx, tenant_id: i64, actor: &Actor, entry: Entry) -> Result<(), sqlx::Error> {
    repo::insert(tx, tenant_id, actor, entry).await
}

/// Chinese label of an action code, for the log page and its filter.
pub fn action_label(action: &str) -> &'static str {
    ACTIONS.iter().find(|(code, _)| *code == action).map_or("其他", |(_, label)| label)
}

/// The known action codes and their labels.
pub const ACTIONS: &[(&str, &str)] = &[
    ("login.success", "登录成功"),
    ("login.failure", "登录失败"),
    ("login.throttled", "登录被限制"),
    ("logout", "退出登录"),
    ("password.change", "修改密码"),
    ("profile.update", "修改个人资料"),
    ("user.create", "创建用户"),
    ("user.update", "修改用户"),
    ("user.deactivate", "停用用户"),
    ("user.reactivate", "启用用户"),
    ("user.password_reset", "重置密码"),
    ("demo.create", "创建演示数据"),
    ("import.employees", "导入员工"),
    ("import.attendance", "导入考勤"),
    ("import.leave", "导入请假"),
    ("import.scores", "导入绩效"),
    ("import.calendar", "导入日历"),
    ("payroll.download", "下载工资调整表"),
    ("policy.save", "保存制度版本"),
    ("employee.create", "新建员工档案"),
    ("employee.update", "修改员工档案"),
    ("employee.leave_set", "设置离职日期"),
    ("employee.leave_clear", "清除离职日期"),
    ("calendar.set", "设置节假日/调休"),
    ("calendar.delete", "删除日历设置"),
    ("attendance.correct", "更正考勤"),
    ("leave.apply", "提交请假申请"),
    ("leave.cancel", "撤回请假申请"),
    ("leave.approve", "批准请假"),
    ("leave.reject", "驳回请假"),
    ("performance.score", "绩效评分"),
    ("stocktake.open", "开始盘点"),
    ("stocktake.count", "录入盘点数"),
    ("stocktake.submit", "提交盘点"),
    ("stocktake.approve", "批准盘点调整"),
    ("stocktake.reject", "驳回盘点"),
    ("stocktake.cancel", "取消盘点"),
    ("replenishment.raise", "提交补货申请"),
    ("replenishment.approve", "批准补货申请"),
    ("replenishment.reject", "驳回补货申请"),
    ("purchase_order.create", "生成采购单"),
    ("purchase_order.receive", "采购单收货"),
    ("import.partners", "导入合作伙伴"),
    ("import.orders", "导入订单"),
    ("import.campaign_metrics", "导入活动每日数据"),
    ("campaign.metrics", "录入活动每日数据"),
    ("order.hold", "订单挂起"),
    ("order.release", "解除订单挂起"),
    ("order.paid", "登记订单付款"),
    ("order.approve", "审核订单"),
    ("order.allocate", "订单配货"),
    ("order.reassign", "订单改派仓库"),
    ("order.ship", "订单发货"),
    ("order.deliver", "订单签收"),
    ("order.exception", "订单物流异常"),
    ("order.cancel", "取消订单"),
    ("complaint.log", "登记投诉"),
    ("complaint.reply", "回复投诉"),
    ("complaint.note", "记录投诉进展"),
    ("complaint.resolve", "解决投诉"),
    ("complaint.close", "回访关闭投诉"),
    ("complaint.reopen", "重新打开投诉"),
    ("targets.set", "设定销售目标"),
    ("targets.department_set", "设定部门销售目标"),
    ("report.monthly_save", "保存运营月报结论与建议"),
    ("partner.create", "新建合作伙伴"),
    ("partner.update", "修改合作伙伴"),
    ("partner.deactivate", "停用合作伙伴"),
    ("partner.reactivate", "启用合作伙伴"),
    ("contract.create", "起草合同"),
    ("contract.update", "修改合同"),
    ("contract.line_add", "添加合同明细"),
    ("contract.line_remove", "删除合同明细"),
    ("contract.submit", "提交合同审批"),
    ("contract.approve", "批准合同"),
    ("contract.reject", "驳回合同"),
    ("contract.sign", "签订合同"),
    ("product.create", "新建商品"),
    ("product.update", "修改商品"),
    ("product.list", "商品上架"),
    ("product.delist", "商品下架"),
    ("product.eliminate_propose", "提出商品汰换"),
    ("product.eliminate_approve", "批准商品汰换"),
    ("product.eliminate_reject", "驳回商品汰换"),
    ("warehouse.create", "新建仓库"),
    ("warehouse.update", "修改仓库"),
    ("warehouse.deactivate", "停用仓库"),
    ("warehouse.reactivate", "启用仓库"),
    ("stock.levels", "设置库存水位"),
    ("stock.move", "登记库存变动"),
    ("stock.transfer", "库存调拨"),
    ("import.warehouses", "导入仓库"),
    ("import.products", "导入商品"),
    ("import.stock", "导入期初库存"),
];

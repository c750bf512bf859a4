//! HR's CSV upload page: one page type for every upload form (employees, calendar,
//! attendance, leave, scores), the form and, after a refused file, its problems
//! (every error by line and field). What differs by form — its text, its fields,
//! how it names a column — is its [`ImportKind`]'s.

use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use futures_util::future::BoxFuture;

use crate::audit::Actor;
use crate::db::Tx;
use crate::error::AppResult;
use crate::imports::hr::{ATTENDANCE_HEADER, CALENDAR_HEADER, EMPLOYEES_HEADER, LEAVE_HEADER, SCORES_HEADER};
use crate::imports::{ImportErrors, ImportFailure, LineError, Summary};
use crate::web::upload::{ErrorLine, ErrorList};
use crate::web::{Ctx, FieldErrors, RequestMeta};

/// At most this many errors are listed on the employees and calendar pages (the
/// count says how many in all).
const MAX_ERRORS_SHOWN: usize = 1000;

/// Chinese label of an import file's column.
fn field_label(field: &str) -> &'static str {
    match field {
        "employee_no" => "工号",
        "name" => "姓名",
        "department" => "部门",
        "level" => "职级",
        "monthly_salary" => "月薪",
        "bonus_base" => "绩效奖金基数",
        "hired_on" => "入职日期",
        "left_on" => "离职日期",
        "manager_employee_no" => "上级工号",
        "date" => "日期",
        "kind" => "类型",
        "clock_in" => "上班打卡",
        "clock_out" => "下班打卡",
        _ => "",
    }
}

/// Which upload form a page is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportKind {
    Employees,
    Calendar,
    /// Checked, then previewed and confirmed (`hr::attendance::import`).
    Attendance,
    Leave,
    /// For a month (the form's `month` field).
    Scores,
}

impl ImportKind {
    /// The page's title and the navigation entry it sits under.
    fn chrome(self) -> (&'static str, &'static str) {
        match self {
            ImportKind::Employees => ("导入员工档案", "/hr/employees"),
            ImportKind::Calendar => ("导入日历", "/hr/calendar"),
            ImportKind::Attendance => ("导入考勤打卡", "/hr/attendance/import"),
            ImportKind::Leave => ("导入已批准请假", "/leave/all"),
            ImportKind::Scores => ("导入绩效得分", "/hr/performance"),
        }
    }

    /// The exact header line the file must start with.
    fn header(self) -> &'static [&'static str] {
        match self {
            ImportKind::Employees => EMPLOYEES_HEADER,
            ImportKind::Calendar => CALENDAR_HEADER,
            ImportKind::Attendance => ATTENDANCE_HEADER,
            ImportKind::Leave => LEAVE_HEADER,
            ImportKind::Scores => SCORES_HEADER,
        }
    }

    /// Where the form posts.
    pub fn action(self) -> &'static str {
        match self {
            ImportKind::Employees => "/hr/employees/import",
            ImportKind::Calendar => "/hr/calendar/import",
            ImportKind::Attendance => "/hr/attendance/import",
            ImportKind::Leave => "/hr/leave/import",
            ImportKind::Scores => "/hr/performance/import",
        }
    }

    /// Where 取消 goes (employees and calendar).
    pub fn cancel(self) -> &'static str {
        self.chrome().1
    }

    /// The file's rules, below its header (employees and calendar).
    pub fn hint(self) -> &'static str {
        match self {
            ImportKind::Employees => {
                "金额以元为单位、最多两位小数；日期为 YYYY-MM-DD；离职日期和上级工号可留空。部门代码：ops 运营部、marketing 市场部、sales 销售部、service 客服部、warehouse 仓储物流部、hr 人事部、finance 财务部；职级代码：director 总监、manager 经理、specialist 专员。已有工号的员工会被更新。文件有任何错误时不导入任何内容。"
            }
            ImportKind::Calendar => {
                "日期为 YYYY-MM-DD；类型为 holiday（节假日，不上班）或 workday（调休上班）。已设置过的日期会被替换（备注保留）。文件有任何错误时不导入任何内容。"
            }
            // Their pages say it in their own template.
            ImportKind::Attendance | ImportKind::Leave | ImportKind::Scores => "",
        }
    }

    /// What the page says when no file (or an empty one) was chosen.
    fn no_file(self) -> &'static str {
        match self {
            ImportKind::Employees | ImportKind::Calendar => "请选择要上传的 CSV 文件（文件不能为空）。",
            ImportKind::Attendance => "请选择要上传的考勤文件",
            ImportKind::Leave => "请选择要上传的 CSV 文件（不能为空）。",
            ImportKind::Scores => "请选择要上传的 CSV 文件（不能为空）",
        }
    }

    /// Whether the error list names a column by its code, as in the file's header
    /// (leave, scores), rather than by its Chinese label.
    fn lists_codes(self) -> bool {
        matches!(self, ImportKind::Leave | ImportKind::Scores)
    }

    /// Whether the error list carries `data-testid="import-errors"` (the employees
    /// and calendar pages' list never has).
    fn marks_errors(self) -> bool {
        !matches!(self, ImportKind::Employees | ImportKind::Calendar)
    }

    /// How the error list names a column (`None`: the whole line).
    fn field_text(self, field: Option<&str>) -> String {
        match (self, field) {
            (_, f) if self.lists_codes() => f.unwrap_or_default().to_owned(),
            (ImportKind::Attendance, None) => "整行".to_owned(),
            (ImportKind::Attendance, Some(f)) if field_label(f).is_empty() => "字段".to_owned(),
            (_, Some(f)) => format!("{}（{f}）", field_label(f)),
            (_, None) => String::new(),
        }
    }

    fn errors_shown(self) -> usize {
        match self {
            ImportKind::Employees | ImportKind::Calendar => MAX_ERRORS_SHOWN,
            ImportKind::Attendance | ImportKind::Leave | ImportKind::Scores => usize::MAX,
        }
    }
}

/// An upload page: the form, and after a refused file its problems.
#[derive(Template, WebTemplate)]
#[template(path = "hr/import.html")]
pub struct ImportPage {
    pub chrome: crate::web::Chrome,
    pub kind: ImportKind,
    /// The exact header line the file must start with.
    pub header: String,
    /// The form's month (scores).
    pub month: String,
    /// Problems with the form itself: `file` (none chosen), `month`.
    pub form_errors: FieldErrors,
    /// The refused file's errors (as many as the kind lists).
    pub errors: ErrorList,
    /// This user's uploads awaiting confirmation (attendance).
    pub pending: Vec<crate::web::pending::PendingUpload>,
}

impl ImportPage {
    pub fn new(ctx: &mut Ctx, kind: ImportKind) -> Self {
        let (title, path) = kind.chrome();
        Self {
            chrome: ctx.chrome(title, path),
            kind,
            header: kind.header().join(","),
            month: String::new(),
            form_errors: FieldErrors::default(),
            errors: ErrorList::default(),
            pending: Vec::new(),
        }
    }

    /// The form for `month` (scores).
    pub fn for_month(mut self, month: String) -> Self {
        self.month = month;
        self
    }

    /// Say that no file was chosen (or it was empty), beside the file field.
    pub fn add_no_file(&mut self) {
        self.form_errors.add("file", self.kind.no_file());
    }

    /// 422: no file was chosen (or it was empty).
    pub fn no_file(mut self) -> Response {
        self.add_no_file();
        (StatusCode::UNPROCESSABLE_ENTITY, self).into_response()
    }

    /// The sentence above the error list.
    fn refused(&self, file: &str, n: usize) -> String {
        match self.kind {
            ImportKind::Employees | ImportKind::Calendar => {
                format!("文件 {file} 有 {n} 处错误，未导入任何内容。请修改后重新上传。")
            }
            ImportKind::Attendance => format!("文件 {file} 有 {n} 处错误，没有导入任何数据。请修改后重新上传。"),
            ImportKind::Leave | ImportKind::Scores => format!("{file} 有 {n} 处错误，未导入任何数据。"),
        }
    }

    /// 422: the file was refused; every error by line, nothing written.
    pub fn invalid(mut self, file: &str, errors: &[LineError]) -> Response {
        self.errors = ErrorList {
            refused: self.refused(file, errors.len()),
            lines: errors
                .iter()
                .take(self.kind.errors_shown())
                .map(|e| ErrorLine { line: e.line, field: self.kind.field_text(e.field), message: e.message.clone() })
                .collect(),
            total: errors.len(),
            codes: self.kind.lists_codes(),
            marked: self.kind.marks_errors(),
        };
        (StatusCode::UNPROCESSABLE_ENTITY, self).into_response()
    }
}

/// A file an upload form imported: its name, its rows and what was written.
pub struct Imported<R> {
    pub file: String,
    pub rows: Vec<R>,
    pub summary: Summary,
}

/// The rest of a one-step upload (employees, calendar, leave, scores) once its form
/// is checked: `file` is parsed off the async threads, then `apply`'d in the
/// request's tenant transaction as the user of `meta`, and committed. A refused
/// file is `page` again with every error (422), nothing written: `Ok(Err(page))`.
/// (`apply`'s future is boxed: one allocation an upload, and the handler's future
/// stays `Send`, which a generic `AsyncFn` cannot promise.)
pub async fn import<R, A>(
    ctx: &Ctx,
    meta: &RequestMeta,
    page: ImportPage,
    (file, bytes): (String, Vec<u8>),
    parse: fn(&str, &[u8]) -> Result<Vec<R>, ImportErrors>,
    apply: A,
) -> AppResult<Result<Imported<R>, Response>>
where
    R: Send + 'static,
    A: for<'a> Fn(&'a mut Tx, i64, &'a Actor, &'a str, &'a [R]) -> BoxFuture<'a, Result<Summary, ImportFailure>>,
{
    let name = file.clone();
    let rows = match crate::imports::off_thread(move || parse(&name, &bytes)).await {
        Ok(rows) => rows,
        Err(e) => return Ok(Err(page.invalid(&file, &e.errors))),
    };
    let mut tx = ctx.begin().await?;
    match apply(&mut tx, ctx.user.tenant_id, &Actor::user(&ctx.user, meta), &file, &rows).await {
        Ok(summary) => {
            tx.commit().await?;
            Ok(Ok(Imported { file, rows, summary }))
        }
        Err(ImportFailure::Invalid(e)) => {
            tx.rollback().await?;
            Ok(Err(page.invalid(&file, &e.errors)))
        }
        Err(ImportFailure::Database(e)) => Err(e.into()),
    }
}

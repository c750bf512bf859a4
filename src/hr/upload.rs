//! The CSV upload pages' shared parts: the error list (every error by line and field), and the upload page itself.

use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::imports::ImportErrors;
use crate::web::Chrome;

/// One line of an import's error list, as the upload pages show it.
pub struct ErrorLine {
    pub line: u64,
    pub field: String,
    pub message: String,
}

/// At most this many errors are listed on the page (the count says how many in all).
pub const MAX_ERRORS_SHOWN: usize = 1000;

/// Chinese label of an import file's column.
pub fn field_label(field: &str) -> &'static str {
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
        _ => "",
    }
}

pub fn error_lines(errors: &ImportErrors) -> Vec<ErrorLine> {
    errors
        .errors
        .iter()
        .take(MAX_ERRORS_SHOWN)
        .map(|e| ErrorLine {
            line: e.line,
            field: match e.field {
                Some(f) => format!("{}（{f}）", field_label(f)),
                None => String::new(),
            },
            message: e.message.clone(),
        })
        .collect()
}

/// An upload page: the form, and after a refused file its problems.
#[derive(Template, WebTemplate)]
#[template(path = "hr/import.html")]
pub struct ImportPage {
    pub chrome: Chrome,
    /// Where the form posts, and where 取消 goes.
    pub action: &'static str,
    pub cancel: &'static str,
    /// The exact header line the file must start with.
    pub header: String,
    pub hint: &'static str,
    /// A message about the upload itself (no file chosen).
    pub problem: Option<String>,
    pub file: String,
    pub errors: Vec<ErrorLine>,
    pub error_count: usize,
}

impl ImportPage {
    pub fn new(
        chrome: Chrome,
        action: &'static str,
        cancel: &'static str,
        header: &[&str],
        hint: &'static str,
    ) -> Self {
        Self {
            chrome,
            action,
            cancel,
            header: header.join(","),
            hint,
            problem: None,
            file: String::new(),
            errors: Vec::new(),
            error_count: 0,
        }
    }

    /// 422: no file was chosen (or it was empty).
    pub fn no_file(mut self) -> Response {
        self.problem = Some("请选择要上传的 CSV 文件（文件不能为空）。".into());
        (StatusCode::UNPROCESSABLE_ENTITY, self).into_response()
    }

    /// 422: the file was refused; every error by line, nothing written.
    pub fn invalid(mut self, file: &str, errors: &ImportErrors) -> Response {
        self.error_count = errors.errors.len();
        self.errors = error_lines(errors);
        self.file = file.to_owned();
        (StatusCode::UNPROCESSABLE_ENTITY, self).into_response()
    }
}

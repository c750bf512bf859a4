//! The targets page: a rep grid (the manager's, editable; a director's drill into
//! a department, read-only), the department grid (the director's), or the rep's
//! own figure — each line with last month beside it.

use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::attainment;
use crate::rules::Fen;
use crate::web::Chrome;

/// The page's query string.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct PageQuery {
    /// `YYYY-MM`; this month when empty.
    #[serde(default)]
    pub month: String,
    /// A department's code: a director's drill into its reps.
    #[serde(default)]
    pub dept: String,
    /// `1`: only the reps flagged below 30 %.
    #[serde(default)]
    pub below: String,
    /// `1`: the inputs start with last month's targets (nothing is saved).
    #[serde(default)]
    pub copy: String,
}

/// Yuan of a fen amount, e.g. `12800.50`.
pub fn yuan(fen: i64) -> String {
    Fen(fen).to_string()
}

/// One month's figures of a line.
#[derive(Clone, Debug, Default)]
pub struct Figures {
    pub target_fen: Option<i64>,
    pub paid_fen: i64,
    pub refunded_fen: i64,
}

impl Figures {
    pub fn attained_fen(&self) -> i64 {
        self.paid_fen - self.refunded_fen
    }

    pub fn target(&self) -> String {
        self.target_fen.map(yuan).unwrap_or_else(|| "未设定".into())
    }

    pub fn attained(&self) -> String {
        yuan(self.attained_fen())
    }

    pub fn paid(&self) -> String {
        yuan(self.paid_fen)
    }

    pub fn refunded(&self) -> String {
        yuan(self.refunded_fen)
    }

    pub fn percent(&self) -> String {
        attainment::percent_label(self.attained_fen(), self.target_fen)
    }

    pub fn bar(&self) -> i64 {
        attainment::bar(self.attained_fen(), self.target_fen)
    }

    pub fn has_target(&self) -> bool {
        self.target_fen.is_some()
    }

    /// For ranking: hundredths of a percent, lines without a target last.
    pub fn rank_key(&self) -> (bool, i64, i64) {
        let p = attainment::percent_hundredths(self.attained_fen(), self.target_fen);
        (p.is_none(), -p.unwrap_or(0), -self.attained_fen())
    }
}

/// A line of a grid: a rep or a department.
#[derive(Clone, Debug)]
pub struct Line {
    /// The rep's id or the department's code (the form's field is `target_<key>`
    /// or `dept_<key>`).
    pub key: String,
    pub name: String,
    /// The rep's username (empty for a department).
    pub username: String,
    pub rank: usize,
    pub now: Figures,
    pub prev: Figures,
    /// Below 30 % of target with the month over.
    pub flagged: bool,
    /// What the input shows (the target in yuan, last month's when copying, or what
    /// was typed into a refused form).
    pub typed: String,
    pub error: Option<String>,
    /// A director's drill into the department's reps.
    pub drill: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "targets/page.html")]
pub struct TargetsPage {
    pub chrome: Chrome,
    /// `YYYY-MM` of the month shown, the months before and after, and this month.
    pub month: String,
    pub month_label: String,
    pub prev_month: String,
    pub next_month: String,
    pub this_month: String,
    /// `reps`, `departments` or `mine`.
    pub mode: &'static str,
    /// The department of a rep grid (code, label).
    pub dept: String,
    pub dept_label: String,
    /// The inputs are shown and the grid may be saved.
    pub editable: bool,
    /// The month is over (flags apply).
    pub over: bool,
    pub copied: bool,
    pub below_only: bool,
    pub lines: Vec<Line>,
    /// The department's own line above a manager's grid (the director's target).
    pub summary: Option<Line>,
    /// Above the director's department grid: the departments with a target, summed.
    pub total: Option<Figures>,
    pub flagged_count: usize,
    /// A refused save: what is wrong, in a sentence.
    pub error: Option<String>,
    pub csv_href: String,
    /// A director on a drill (links back to the departments).
    pub drilled: bool,
}

impl TargetsPage {
    pub fn is_mine(&self) -> bool {
        self.mode == "mine"
    }

    pub fn is_reps(&self) -> bool {
        self.mode == "reps"
    }

    pub fn is_departments(&self) -> bool {
        self.mode == "departments"
    }

    /// The month query of the page, for links that keep it.
    pub fn month_query(&self) -> String {
        if self.drilled {
            format!("month={}&dept={}", self.month, self.dept)
        } else {
            format!("month={}", self.month)
        }
    }
}

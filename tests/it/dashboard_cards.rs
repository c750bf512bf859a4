//! Every figure equals what the list it links to shows (issue 13): for every KPI
//! of every demo role's dashboard, with a second tenant's data present, the number
//! on the card is the list's count, sum or the rate of two of its lists.

use crate::dashboard::card;
use crate::helpers::{spawn_app, Client, TestApp};

/// Every `data-kpi` card of a page: (id, data-value, href of its link).
fn cards(body: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(at) = rest.find("data-kpi=\"") {
        rest = &rest[at + "data-kpi=\"".len()..];
        let id = rest[..rest.find('"').unwrap()].to_owned();
        let value = card(&format!("data-kpi=\"{id}\"{rest}"), &id).unwrap_or_default();
        let h = rest.find("href=\"").unwrap() + "href=\"".len();
        let href = rest[h..h + rest[h..].find('"').unwrap()].replace("&amp;", "&").replace("&#38;", "&");
        out.push((id, value, href));
    }
    out
}

/// The pager's `data-total` of a list page (its count).
fn total(body: &str) -> i64 {
    attr(body, "data-total=\"").parse().unwrap_or_else(|_| panic!("no data-total on the list"))
}

/// `data-value` of the list's sum `name`, in fen.
fn sum_fen(body: &str, name: &str) -> i64 {
    let at = body.find(&format!("data-list-sum=\"{name}\"")).unwrap_or_else(|| panic!("no sum {name}"));
    fen(&attr(&body[at..], "data-value=\""))
}

fn attr(body: &str, prefix: &str) -> String {
    let at = body.find(prefix).unwrap_or_else(|| panic!("no {prefix}")) + prefix.len();
    body[at..at + body[at..].find('"').unwrap()].to_owned()
}

/// "1234.50" in fen.
fn fen(v: &str) -> i64 {
    let (y, f) = v.split_once('.').unwrap_or((v, "00"));
    let neg = y.starts_with('-');
    let n = y.trim_start_matches('-').parse::<i64>().unwrap() * 100 + f.parse::<i64>().unwrap();
    if neg {
        -n
    } else {
        n
    }
}

/// `num ÷ den` in hundredths of `scale`, half up, as `data-value` writes it.
fn rate(num: i64, den: i64, scale: i128) -> String {
    if den <= 0 {
        return String::new();
    }
    let h = (i128::from(num) * scale * 2 + i128::from(den)) / (2 * i128::from(den));
    format!("{}.{:02}", h / 100, h % 100)
}

async fn list(c: &Client, href: &str) -> String {
    let page = c.get(href).await;
    assert_eq!(page.status, 200, "{href}");
    page.body
}

/// The card `(id, value, href)` against its list, as `c` sees both.
async fn check(
    app: &TestApp,
    c: &Client,
    who: &str,
    (id, value, href): &(String, String, String),
    period: (&str, &str),
) {
    let body = list(c, href).await;
    let expected = match id.as_str() {
        "sales.amount" => format_fen(sum_fen(&body, "paid")),
        "refunds.amount" => format_fen(sum_fen(&body, "refunded")),
        "sales.avg_order" => {
            let n = total(&body);
            if n == 0 {
                String::new()
            } else {
                rate(sum_fen(&body, "paid"), n, 1)
            }
        }
        "orders.shipped_on_time" => {
            let on_time = total(&list(c, &format!("{href}&on_time=1")).await);
            rate(on_time, total(&body), 10_000)
        }
        "refunds.rate" => {
            let paid = sum_fen(&list(c, &format!("/orders?paid_from={}&paid_to={}", period.0, period.1)).await, "paid");
            rate(sum_fen(&body, "refunded"), paid, 10_000)
        }
        "complaints.on_time" => {
            let met = total(&body);
            let missed = total(&list(c, &href.replace("clock=met", "clock=missed")).await);
            let overdue = total(&list(c, &href.replace("clock=met", "clock=overdue")).await);
            rate(met, met + missed + overdue, 10_000)
        }
        "campaigns.roi" => rate(sum_fen(&body, "sales"), sum_fen(&body, "cost"), 100),
        "campaigns.budget_used" => rate(sum_fen(&body, "cost"), sum_fen(&body, "budget"), 10_000),
        "targets.attainment" => attainment(&body),
        "payroll.wage_deduction" => format_fen(sum_fen(&body, "wage_deduction")),
        "payroll.bonus_payable" => format_fen(sum_fen(&body, "bonus_payable")),
        "inventory.turnover" => {
            // Not a list's figure: the cost shipped over the days' closing book
            // values, recounted here from the ledger itself.
            turnover(app, who, period).await
        }
        _ => total(&body).to_string(),
    };
    assert_eq!(value, &expected, "{who}: {id} = {value}, its list {href} shows {expected}");
}

fn format_fen(f: i64) -> String {
    let sign = if f < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", f.unsigned_abs() / 100, f.unsigned_abs() % 100)
}

/// The attainment the targets page shows: its summary line (a manager's
/// department, a director's departments with a target) or else the rep's own card,
/// as data-value writes it ("—" as empty).
fn attainment(body: &str) -> String {
    let shown = if let Some(at) = body.find("data-summary=\"") {
        let text = &body[at..];
        let open = text.find("元（").unwrap() + "元（".len();
        text[open..open + text[open..].find('）').unwrap()].to_owned()
    } else if let Some(at) = body.find("data-percent=\"") {
        let text = &body[at..];
        let open = text.find('>').unwrap() + 1;
        text[open..open + text[open..].find('<').unwrap()].to_owned()
    } else {
        return String::new();
    };
    shown.trim_end_matches('%').replace('—', "")
}

async fn turnover(app: &TestApp, who: &str, (from, to): (&str, &str)) -> String {
    let company = who.split('/').next().unwrap();
    let tenant: i64 =
        sqlx::query_scalar("SELECT id FROM tenants WHERE code = $1").bind(company).fetch_one(&app.owner).await.unwrap();
    let sql = format!(
        "WITH days AS (SELECT d::date AS day FROM generate_series('{from}'::date, '{to}'::date, interval '1 day') d),
              m AS (SELECT (created_at AT TIME ZONE 'Asia/Shanghai')::date AS day, quantity * unit_cost_fen AS v,
                           CASE WHEN kind = 'shipment' THEN -quantity * unit_cost_fen ELSE 0 END AS shipped
                    FROM stock_movements)
         SELECT format('%s %s %s', (SELECT coalesce(sum(shipped), 0) FROM m WHERE day BETWEEN '{from}' AND '{to}'),
                       (SELECT sum((SELECT coalesce(sum(v), 0) FROM m WHERE m.day <= days.day)) FROM days),
                       (SELECT count(*) FROM days))"
    );
    let row = app.strings(tenant, &sql).await.remove(0);
    let v: Vec<i128> = row.split(' ').map(|x| x.parse().unwrap()).collect();
    if v[1] <= 0 {
        return String::new();
    }
    let h = (v[0] * v[2] * 100 * 2 + v[1]) / (2 * v[1]);
    format!("{}.{:02}", h / 100, h % 100)
}

#[tokio::test]
async fn every_card_equals_what_its_list_shows_for_every_role() {
    let app = spawn_app().await;
    crate::helpers::ok(&app.cli(&["demo"], None), "demo");
    let roles = [
        "ops.director",
        "ops.manager",
        "service.manager",
        "marketing.manager",
        "sales.manager",
        "warehouse.manager",
        "hr.manager",
        "finance.manager",
        "sales.specialist",
        "sales.rep2",
    ];
    let mut seen = std::collections::BTreeSet::new();
    for company in ["demo", "demo2"] {
        for who in roles {
            let c = app.client();
            let res = c.login(company, who, yunying::demo::DEMO_PASSWORD).await;
            assert_eq!(res.status, 303, "{who}@{company}");
            for period in ["this_month", "last_month", "90d"] {
                let page = c.get(&format!("/?period={period}")).await;
                assert_eq!(page.status, 200);
                let from = attr(&page.body, "data-from=\"");
                let to = attr(&page.body, "data-to=\"");
                for kpi in cards(&page.body) {
                    check(&app, &c, &format!("{company}/{who}/{period}"), &kpi, (&from, &to)).await;
                    seen.insert(kpi.0.clone());
                }
            }
        }
    }
    // Every figure of the registry was on some dashboard and checked.
    let all: std::collections::BTreeSet<String> =
        yunying::dashboard::kpi::REGISTRY.iter().map(|k| k.id.to_owned()).collect();
    assert_eq!(seen, all);
}

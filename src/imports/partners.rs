//! The partners import: suppliers and customers (`code,kind,name,contact,phone`).
//!
//! Like the HR imports: every error by line and field, all at once; nothing is
//! written unless the whole file is valid; an idempotent upsert by code (the
//! address and the active flag of existing partners are kept); audited as
//! `import.partners`.

use std::collections::HashMap;

use super::{read, required, Collector, ImportErrors};
use super::{record, ImportFailure, Summary};
use crate::audit::Actor;
use crate::db::Tx;
use crate::partners::{check_code, check_kind, check_phone, check_text};

pub const PARTNERS_HEADER: &[&str] = &["code", "kind", "name", "contact", "phone"];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartnerRow {
    pub line: u64,
    pub code: String,
    pub kind: &'static str,
    pub name: String,
    pub contact: String,
    pub phone: String,
}

pub fn parse_partners(file: &str, bytes: &[u8]) -> Result<Vec<PartnerRow>, ImportErrors> {
    let rows = read(file, bytes, PARTNERS_HEADER)?;
    let mut c = Collector::new();
    let mut out = Vec::with_capacity(rows.len());
    let mut seen: HashMap<String, u64> = HashMap::new();
    for row in &rows {
        let code = c.cell(row, 0, "code", |s| {
            if s.is_empty() {
                return Err("不能为空".into());
            }
            check_code(s).map(|()| s.to_owned()).map_err(|e| format!("“{s}”无效：{e}"))
        });
        let kind = c.cell(row, 1, "kind", check_kind);
        let name = c.cell(row, 2, "name", |s| {
            let v = required(s, 100)?;
            check_text(&v, 100, true)?;
            Ok(v)
        });
        let contact = c.cell(row, 3, "contact", |s| check_text(s, 50, false).map(|()| s.to_owned()));
        let phone = c.cell(row, 4, "phone", |s| check_phone(s).map(|()| s.to_owned()));
        if let Some(code) = &code {
            if let Some(first) = seen.insert(code.clone(), row.line) {
                c.add(row.line, Some("code"), format!("编码 {code} 重复（首次出现在第 {first} 行）"));
            }
        }
        if let (Some(code), Some(kind), Some(name), Some(contact), Some(phone)) = (code, kind, name, contact, phone) {
            out.push(PartnerRow { line: row.line, code, kind, name, contact, phone });
        }
    }
    c.finish(file, out)
}

pub async fn apply_partners(
    tx: &mut Tx,
    tenant_id: i64,
    actor: &Actor,
    file: &str,
    rows: &[PartnerRow],
) -> Result<Summary, ImportFailure> {
    let mut summary = Summary::default();
    for chunk in rows.chunks(5000) {
        let col = |f: fn(&PartnerRow) -> String| chunk.iter().map(f).collect::<Vec<_>>();
        let inserted: Vec<bool> = sqlx::query_scalar(
            "INSERT INTO partners (tenant_id, code, kind, name, contact, phone)
             SELECT $1, * FROM UNNEST($2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
             ON CONFLICT (tenant_id, code) DO UPDATE SET
               kind = EXCLUDED.kind, name = EXCLUDED.name, contact = EXCLUDED.contact, phone = EXCLUDED.phone,
               updated_at = EXCLUDED.updated_at
             RETURNING (xmax = 0)",
        )
        .bind(tenant_id)
        .bind(col(|r| r.code.clone()))
        .bind(col(|r| r.kind.to_owned()))
        .bind(col(|r| r.name.clone()))
        .bind(col(|r| r.contact.clone()))
        .bind(col(|r| r.phone.clone()))
        .fetch_all(&mut **tx)
        .await?;
        summary.tally(&inserted);
    }
    record(tx, tenant_id, actor, ("import.partners", "合作伙伴"), file, summary, serde_json::json!({})).await?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_by_line_and_field() {
        let text = "code,kind,name,contact,phone\nS001,supplier,华东供应,王五,021-1234\nS001,vendor,,李四,abc\n-x,customer,客户甲,,\n";
        let err = parse_partners("p.csv", text.as_bytes()).unwrap_err();
        let got: Vec<(u64, Option<&str>)> = err.errors.iter().map(|e| (e.line, e.field)).collect();
        assert!(got.contains(&(3, Some("kind"))), "{err}");
        assert!(got.contains(&(3, Some("name"))), "{err}");
        assert!(got.contains(&(3, Some("phone"))), "{err}");
        assert!(got.contains(&(3, Some("code"))), "duplicate code: {err}");
        assert!(got.contains(&(4, Some("code"))), "{err}");
        let ok = parse_partners("p.csv", "code,kind,name,contact,phone\nC1,customer,客户,,\n".as_bytes()).unwrap();
        assert_eq!(ok[0].kind, "customer");
        assert!(parse_partners("p.csv", b"code,kind,name\n").is_err());
    }
}

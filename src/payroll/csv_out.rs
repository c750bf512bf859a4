//! The payroll-adjustment CSV (CONTRACT.md): UTF-8 with BOM, CRLF, RFC 4180
//! quoting, the exact header, one row per employee; text cells that a spreadsheet
//! would run as a formula are prefixed with `'`; number cells are never altered.

use super::EmployeeMonth;
use crate::rules::PAYROLL_CSV_HEADER;

pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Prefix `'` to a text cell beginning with `=`, `+`, `-`, `@`, tab or CR.
pub fn guard_text(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

fn writer(buf: &mut Vec<u8>) -> csv::Writer<&mut Vec<u8>> {
    csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).quote_style(csv::QuoteStyle::Necessary).from_writer(buf)
}

/// The BOM and the header line.
pub fn header() -> Vec<u8> {
    let mut buf = BOM.to_vec();
    {
        let mut w = writer(&mut buf);
        // Writing to a Vec cannot fail.
        let _ = w.write_record(PAYROLL_CSV_HEADER);
        let _ = w.flush();
    }
    buf
}

/// Append one employee's row to `buf`.
pub fn append_row(buf: &mut Vec<u8>, m: &EmployeeMonth) {
    let cells = m.result.payroll_cells();
    let mut record: Vec<String> = Vec::with_capacity(21);
    record.push(guard_text(&m.employee_no).into_owned());
    record.push(guard_text(&m.name).into_owned());
    record.push(m.dept.label().to_owned());
    record.push(m.level.label().to_owned());
    for (i, cell) in cells.into_iter().enumerate() {
        // Text cells among the 17: 绩效等级 (index 4) and 提示 (index 16).
        if i == 4 || i == 16 {
            record.push(guard_text(&cell).into_owned());
        } else {
            record.push(cell);
        }
    }
    let mut w = writer(buf);
    let _ = w.write_record(&record);
    let _ = w.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard() {
        assert_eq!(guard_text("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(guard_text("+1"), "'+1");
        assert_eq!(guard_text("-x"), "'-x");
        assert_eq!(guard_text("@a"), "'@a");
        assert_eq!(guard_text("\tx"), "'\tx");
        assert_eq!(guard_text("张三"), "张三");
        assert_eq!(guard_text(""), "");
    }

    #[test]
    fn header_bytes() {
        let h = header();
        assert!(h.starts_with(BOM));
        let text = std::str::from_utf8(&h[3..]).unwrap();
        assert_eq!(
            text,
            "工号,姓名,部门,职级,月份,月薪,绩效奖金基数,绩效得分,绩效等级,奖金系数,系数后奖金,轻微迟到早退次数,计罚轻微次数,严重迟到早退次数,旷工半天次数,旷工全天次数,工资扣款,奖金扣款,应发绩效奖金,合计调整,提示\r\n"
        );
    }
}

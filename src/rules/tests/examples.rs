//! RULES.md §7: the worked examples of November 2026, asserted against the exact
//! CSV rows of CONTRACT.md.

use super::super::{Charge, Flag, Grade, Leave, Occurrence, PAYROLL_CSV_HEADER};
use super::{csv_row, d, t, DayFacts, Policy, Scenario};

const HEADER: &str = "工号,姓名,部门,职级,月份,月薪,绩效奖金基数,绩效得分,绩效等级,奖金系数,系数后奖金,轻微迟到早退次数,计罚轻微次数,严重迟到早退次数,旷工半天次数,旷工全天次数,工资扣款,奖金扣款,应发绩效奖金,合计调整,提示";

#[test]
fn header_matches_contract() {
    assert_eq!(PAYROLL_CSV_HEADER.join(","), HEADER);
}

fn e001() -> Scenario {
    (2..=6).fold(Scenario::november("8000.00", "2000.00").score("85"), |s, day| s.late(d(2026, 11, day), t(9, 5)))
}

fn e002() -> Scenario {
    Scenario::november("6525.00", "1000.00")
        .score("92")
        .late(d(2026, 11, 2), t(9, 20))
        .punch(d(2026, 11, 3), Some(t(9, 0)), None)
        .early(d(2026, 11, 4), t(17, 50))
        .early(d(2026, 11, 5), t(17, 45))
}

fn e003() -> Scenario {
    let policy = Policy::seed_default();
    let october = policy.grade(super::score("58"));
    (2..=5)
        .fold(Scenario::november("10000.00", "3000.00").score("55").previous_grade(october), |s, day| {
            s.late(d(2026, 11, day), t(9, 10))
        })
        .absent(d(2026, 11, 9))
        .absent(d(2026, 11, 10))
}

fn e004() -> Scenario {
    let mut s = Scenario::november("5000.00", "800.00").score("75");
    s.employee.hired_on = d(2026, 11, 16);
    s
}

fn e005() -> Scenario {
    Scenario::november("6000.00", "1000.00")
        .score("89.5")
        .facts(d(2026, 11, 2), DayFacts::punched(t(9, 0), t(12, 0)).with_leave(Leave::Pm))
        .facts(d(2026, 11, 3), DayFacts::punched(t(13, 10), t(18, 0)).with_leave(Leave::Am))
        .facts(d(2026, 11, 4), DayFacts::default().with_leave(Leave::Full))
        .facts(d(2026, 11, 5), DayFacts::default().with_leave(Leave::Am))
}

fn e006() -> Scenario {
    Scenario::november("7000.00", "1000.00")
        .score("60")
        .absent(d(2026, 10, 29))
        .absent(d(2026, 10, 30))
        .absent(d(2026, 11, 2))
        .absent(d(2026, 11, 3))
        .late(d(2026, 11, 9), t(10, 0))
}

#[test]
fn e001_five_minor_lates_two_penalised() {
    let r = e001().evaluate();
    assert_eq!(
        csv_row(["E001", "张三", "运营部", "专员"], &r),
        "E001,张三,运营部,专员,2026-11,8000.00,2000.00,85.0,良好,1.2,2400.00,5,2,0,0,0,0.00,240.00,2160.00,2160.00,"
    );
    // The first three (Nov 2, 3, 4) are free, Nov 5 and 6 are penalised.
    let charges: Vec<_> = r.explanations.iter().map(|e| (e.date, e.charge)).collect();
    assert_eq!(
        charges,
        vec![
            (d(2026, 11, 2), Charge::FreeMinor),
            (d(2026, 11, 3), Charge::FreeMinor),
            (d(2026, 11, 4), Charge::FreeMinor),
            (d(2026, 11, 5), Charge::PenalisedMinor),
            (d(2026, 11, 6), Charge::PenalisedMinor),
        ]
    );
    assert_eq!(r.explanations[3].clause_zh, "迟到或早退15分钟以内，当月第4次起每次扣当月绩效奖金的5%");
    assert_eq!(r.explanations[3].bonus_amount.map(|f| f.to_string()), Some("120.00".into()));
}

#[test]
fn e002_serious_missing_clock_out_and_free_minors() {
    let r = e002().evaluate();
    assert_eq!(
        csv_row(["E002", "李四", "销售部", "专员"], &r),
        "E002,李四,销售部,专员,2026-11,6525.00,1000.00,92.0,优秀,1.5,1500.00,2,0,1,1,0,900.00,450.00,1050.00,150.00,"
    );
}

#[test]
fn e003_two_full_days_capped_bonus_and_two_failed_months() {
    let r = e003().evaluate();
    assert_eq!(
        csv_row(["E003", "王五", "市场部", "经理"], &r),
        "E003,王五,市场部,经理,2026-11,10000.00,3000.00,55.0,不合格,0.5,1500.00,4,1,0,0,2,2758.62,1500.00,0.00,-2758.62,连续两月不合格;扣款超过月薪20%"
    );
    assert_eq!(r.bonus_percent.to_string(), "105");
    assert_eq!(r.bonus_percent_applied.to_string(), "100");
    assert_eq!(r.flags, vec![Flag::TwoMonthsFailed, Flag::WageDeductionOverThreshold]);
}

#[test]
fn e004_hired_mid_month() {
    let r = e004().evaluate();
    assert_eq!(
        csv_row(["E004", "赵六", "客服部", "专员"], &r),
        "E004,赵六,客服部,专员,2026-11,5000.00,800.00,75.0,合格,1.0,800.00,0,0,0,0,0,0.00,0.00,800.00,800.00,"
    );
}

#[test]
fn e005_half_day_leave_windows() {
    let r = e005().evaluate();
    assert_eq!(
        csv_row(["E005", "钱七", "仓储物流部", "专员"], &r),
        "E005,钱七,仓储物流部,专员,2026-11,6000.00,1000.00,89.5,良好,1.2,1200.00,1,0,0,1,0,551.72,240.00,960.00,408.28,"
    );
    let lines: Vec<_> = r.explanations.iter().map(|e| e.line_zh()).collect();
    assert_eq!(
        lines,
        vec![
            "2026-11-03 上午请假，上班13:10 下班18:00：轻微迟到10分钟（迟到或早退15分钟以内，当月累计3次以内不处罚）；本次不扣款".to_owned(),
            "2026-11-05 上午请假，上班— 下班—：旷工半天（请半天假，另半天未打卡）（旷工半天，扣当天工资的2倍及当月绩效奖金的20%）；本次计工资扣款2天日工资（551.72元），奖金扣减20%（240.00元）".to_owned(),
        ]
    );
}

#[test]
fn e006_run_reaching_back_into_october() {
    let r = e006().evaluate();
    assert_eq!(
        csv_row(["E006", "孙八", "人事部", "专员"], &r),
        "E006,孙八,人事部,专员,2026-11,7000.00,1000.00,60.0,合格,1.0,1000.00,0,0,1,0,2,2252.87,1000.00,0.00,-2252.87,连续旷工超过3天;扣款超过月薪20%"
    );
    assert_eq!(r.flags_joined(), "连续旷工超过3天;扣款超过月薪20%");
    // Tally: 4 full days + 1 serious = 4.5 days, not more than 5.
    assert_eq!(r.absence_tally_half_days, 9);
    let e = &r.explanations;
    assert_eq!(e.len(), 3);
    assert_eq!(e[0].occurrence, Occurrence::AbsentFullDay);
    assert_eq!(e[0].wage_amount.map(|f| f.to_string()), Some("965.52".into()));
    // 110% is over the cap: no event owns a definite share of the bonus.
    assert_eq!(e[0].bonus_amount, None);
    assert_eq!(e[2].occurrence, Occurrence::SeriousLate(60));
    assert_eq!(
        e[2].line_zh(),
        "2026-11-09 上班10:00 下班18:00：严重迟到60分钟（迟到或早退超过15分钟，按旷工半天处理，扣当天工资及当月绩效奖金的10%）；本次计工资扣款1天日工资（321.84元），奖金扣减10%（当月合计已达上限）"
    );
}

#[test]
fn all_rows_in_contract_order() {
    let rows = [
        (["E001", "张三", "运营部", "专员"], e001()),
        (["E002", "李四", "销售部", "专员"], e002()),
        (["E003", "王五", "市场部", "经理"], e003()),
        (["E004", "赵六", "客服部", "专员"], e004()),
        (["E005", "钱七", "仓储物流部", "专员"], e005()),
        (["E006", "孙八", "人事部", "专员"], e006()),
    ];
    let mut csv = vec![HEADER.to_owned()];
    csv.extend(rows.iter().map(|(id, s)| csv_row(*id, &s.evaluate())));
    let expected = "\
工号,姓名,部门,职级,月份,月薪,绩效奖金基数,绩效得分,绩效等级,奖金系数,系数后奖金,轻微迟到早退次数,计罚轻微次数,严重迟到早退次数,旷工半天次数,旷工全天次数,工资扣款,奖金扣款,应发绩效奖金,合计调整,提示
E001,张三,运营部,专员,2026-11,8000.00,2000.00,85.0,良好,1.2,2400.00,5,2,0,0,0,0.00,240.00,2160.00,2160.00,
E002,李四,销售部,专员,2026-11,6525.00,1000.00,92.0,优秀,1.5,1500.00,2,0,1,1,0,900.00,450.00,1050.00,150.00,
E003,王五,市场部,经理,2026-11,10000.00,3000.00,55.0,不合格,0.5,1500.00,4,1,0,0,2,2758.62,1500.00,0.00,-2758.62,连续两月不合格;扣款超过月薪20%
E004,赵六,客服部,专员,2026-11,5000.00,800.00,75.0,合格,1.0,800.00,0,0,0,0,0,0.00,0.00,800.00,800.00,
E005,钱七,仓储物流部,专员,2026-11,6000.00,1000.00,89.5,良好,1.2,1200.00,1,0,0,1,0,551.72,240.00,960.00,408.28,
E006,孙八,人事部,专员,2026-11,7000.00,1000.00,60.0,合格,1.0,1000.00,0,0,1,0,2,2252.87,1000.00,0.00,-2252.87,连续旷工超过3天;扣款超过月薪20%";
    assert_eq!(csv.join("\n"), expected);
}

#[test]
fn november_2026_has_21_workdays() {
    let r = e004().month(super::ym(2026, 11)).evaluate();
    let workdays = r.days.iter().filter(|day| day.outcome != super::super::DayOutcome::NotWorkday).count();
    assert_eq!(workdays, 21);
    assert_eq!(r.days.len(), 30);
}

#[test]
fn october_58_is_fail() {
    assert_eq!(Policy::seed_default().grade(super::score("58")), Grade::Fail);
}

//! Demo data of this module (`yunying demo`): 20 suppliers (S001…) and 30
//! customers (C001…) with realistic Chinese company names, contacts, phones and
//! addresses. Deterministic (varied by the tenant's index).

use crate::db::Tx;
use crate::demo::ctx::Ctx;

const SUPPLIERS: &[(&str, &str)] = &[
    ("宁波", "华锐塑料制品有限公司"),
    ("东莞", "恒通电子科技有限公司"),
    ("义乌", "佳美日用品有限公司"),
    ("苏州", "瑞丰纺织有限公司"),
    ("佛山", "顺德美家家电有限公司"),
    ("温州", "正泰五金制造有限公司"),
    ("青岛", "海润食品有限公司"),
    ("厦门", "鹭岛包装材料有限公司"),
    ("深圳", "创联数码配件有限公司"),
    ("杭州", "天蓝茶业有限公司"),
    ("泉州", "安踏鞋服供应链有限公司"),
    ("广州", "白云化妆品有限公司"),
    ("无锡", "金鑫不锈钢制品有限公司"),
    ("中山", "灯都照明电器有限公司"),
    ("成都", "蜀香调味品有限公司"),
    ("武汉", "江城物流包装有限公司"),
    ("潮州", "瓷韵陶瓷有限公司"),
    ("嘉兴", "秀洲箱包有限公司"),
    ("金华", "永康厨具有限公司"),
    ("天津", "津滨母婴用品有限公司"),
];

const CUSTOMERS: &[(&str, &str)] = &[
    ("上海", "联华超市股份有限公司"),
    ("北京", "京客隆商业集团有限公司"),
    ("南京", "苏果便利连锁有限公司"),
    ("杭州", "优选生活电子商务有限公司"),
    ("广州", "天河百货有限公司"),
    ("深圳", "南山优品贸易有限公司"),
    ("重庆", "山城惠民商贸有限公司"),
    ("西安", "长安国际商贸有限公司"),
    ("长沙", "星城便利店连锁有限公司"),
    ("郑州", "中原百货集团有限公司"),
    ("合肥", "徽商优选超市有限公司"),
    ("济南", "泉城万家商贸有限公司"),
    ("沈阳", "盛京购物中心有限公司"),
    ("昆明", "春城云品电子商务有限公司"),
    ("福州", "榕城永辉生活超市有限公司"),
    ("南昌", "洪都商贸有限公司"),
    ("石家庄", "北国商城股份有限公司"),
    ("太原", "晋阳好邻居便利店有限公司"),
    ("贵阳", "黔货出山电子商务有限公司"),
    ("南宁", "绿城百佳商贸有限公司"),
    ("哈尔滨", "冰城优购贸易有限公司"),
    ("大连", "滨城百货有限公司"),
    ("苏州", "姑苏母婴连锁有限公司"),
    ("宁波", "甬城家居生活馆有限公司"),
    ("青岛", "海信广场商贸有限公司"),
    ("厦门", "鹭岛优品电子商务有限公司"),
    ("无锡", "太湖便利连锁有限公司"),
    ("珠海", "横琴跨境贸易有限公司"),
    ("武汉", "中百仓储超市有限公司"),
    ("成都", "天府优选网络科技有限公司"),
];

const SURNAMES: &[&str] =
    &["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭"];
const GIVEN: &[&str] =
    &["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明"];
const STREETS: &[&str] = &["人民路", "解放路", "中山路", "建设路", "工业大道", "新华路", "科技园路", "滨江路"];
const AREA_CODES: &[(&str, &str)] = &[
    ("上海", "021"),
    ("北京", "010"),
    ("广州", "020"),
    ("深圳", "0755"),
    ("杭州", "0571"),
    ("南京", "025"),
    ("成都", "028"),
    ("武汉", "027"),
    ("重庆", "023"),
    ("天津", "022"),
    ("西安", "029"),
];

fn contact(i: usize) -> String {
    format!("{}{}", SURNAMES[i % SURNAMES.len()], GIVEN[(i * 7 + 3) % GIVEN.len()])
}

fn phone(city: &str, i: usize) -> String {
    if i.is_multiple_of(3) {
        // A mobile number.
        format!("1{}{:09}", [3, 5, 8, 9][i % 4], (i as u64 * 7_919_993 + 13_579_246) % 1_000_000_000)
    } else {
        let area = AREA_CODES.iter().find(|(c, _)| *c == city).map_or("0571", |(_, a)| a);
        format!("{area}-{:08}", (i as u64 * 3_141_593 + 62_718_281) % 100_000_000)
    }
}

pub async fn seed(tx: &mut Tx, ctx: &Ctx) -> Result<(), sqlx::Error> {
    let mut codes = Vec::new();
    let mut kinds = Vec::new();
    let mut names = Vec::new();
    let mut contacts = Vec::new();
    let mut phones = Vec::new();
    let mut addresses = Vec::new();
    type List = &'static [(&'static str, &'static str)];
    let lists: [(&str, &str, List); 2] = [("S", "supplier", SUPPLIERS), ("C", "customer", CUSTOMERS)];
    for (prefix, kind, list) in lists {
        for (i, (city, company)) in list.iter().enumerate() {
            let k = i + ctx.n * 5 + if kind == "customer" { 40 } else { 0 };
            codes.push(format!("{prefix}{:03}", i + 1));
            kinds.push(kind.to_owned());
            names.push(format!("{city}{company}"));
            contacts.push(contact(k));
            phones.push(phone(city, k));
            addresses.push(format!("{city}市{}{}号", STREETS[(k * 3) % STREETS.len()], (k * 37) % 300 + 1));
        }
    }
    sqlx::query(
        "INSERT INTO partners (tenant_id, code, kind, name, contact, phone, address)
         SELECT $1, * FROM UNNEST($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
         ON CONFLICT (tenant_id, code) DO NOTHING",
    )
    .bind(ctx.tenant_id)
    .bind(codes)
    .bind(kinds)
    .bind(names)
    .bind(contacts)
    .bind(phones)
    .bind(addresses)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

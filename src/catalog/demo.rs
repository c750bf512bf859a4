//! Demo data of the catalog (`yunying demo`): `ctx.products` products across
//! categories with realistic Chinese names, specs, units and prices; mostly listed,
//! some drafts and delisted, two eliminated through an approved proposal, one
//! proposal pending and one rejected. Usual suppliers from the partners seeded
//! before (kind supplier), if any. Bulk inserts (UNNEST), fast for 50,000.

use crate::db::Tx;
use crate::demo::ctx::Ctx;
use crate::people::{Dept, Level};

/// (SKU prefix, brands, items: (noun, specs, unit, price range in yuan)).
type Category =
    (&'static str, &'static [&'static str], &'static [(&'static str, &'static [&'static str], &'static str, u32, u32)]);

const CATEGORIES: &[Category] = &[
    (
        "JD",
        &["美的", "苏泊尔", "九阳", "小熊", "格力", "海尔"],
        &[
            ("电热水壶", &["1.5L", "1.7L", "1.8L 双层防烫"], "台", 79, 199),
            ("空气炸锅", &["3.5L", "5L 可视窗", "6L 双篮"], "台", 199, 599),
            ("电饭煲", &["3L", "4L 球釜", "5L IH"], "台", 169, 899),
            ("电吹风", &["1800W", "2200W 负离子"], "个", 89, 399),
            ("加湿器", &["4L 上加水", "6L 静音"], "台", 99, 329),
            ("破壁料理机", &["1.75L", "1.2L 静音"], "台", 299, 1299),
        ],
    ),
    (
        "RY",
        &["清风", "维达", "蓝月亮", "立白", "云南白药", "膳魔师"],
        &[
            ("抽纸", &["3层120抽×24包", "3层100抽×18包"], "箱", 39, 79),
            ("洗衣液", &["2kg", "3kg 薰衣草香", "1kg×4瓶"], "瓶", 29, 99),
            ("牙膏", &["120g", "180g 美白", "90g×3支"], "支", 12, 49),
            ("保温杯", &["500ml 不锈钢", "350ml 便携", "750ml 运动"], "个", 59, 259),
            ("垃圾袋", &["45×50cm 100只", "60×80cm 50只"], "卷", 9, 29),
            ("洗洁精", &["1.5kg", "1kg 柠檬"], "瓶", 9, 25),
        ],
    ),
    (
        "SP",
        &["金龙鱼", "福临门", "五常", "三只松鼠", "西湖", "良品铺子"],
        &[
            ("东北大米", &["5kg", "10kg", "2.5kg 真空"], "袋", 39, 129),
            ("压榨花生油", &["5L", "1.8L", "4L 一级"], "桶", 59, 169),
            ("龙井绿茶", &["250g 罐装", "100g 礼盒"], "罐", 88, 598),
            ("每日坚果", &["750g 30袋", "525g 21袋"], "盒", 69, 169),
            ("挂面", &["1kg", "900g 鸡蛋"], "袋", 8, 19),
            ("红枣", &["500g 新疆", "1kg 和田"], "袋", 19, 69),
        ],
    ),
    (
        "SM",
        &["小米", "华为", "绿联", "倍思", "罗技", "漫步者"],
        &[
            ("蓝牙耳机", &["入耳式 降噪", "半入耳 续航30小时"], "副", 129, 899),
            ("充电宝", &["10000mAh", "20000mAh 快充"], "个", 79, 259),
            ("数据线", &["Type-C 1m", "Type-C 2m 快充", "Lightning 1m"], "根", 19, 69),
            ("无线鼠标", &["静音 办公", "人体工学"], "个", 49, 399),
            ("机械键盘", &["87键 红轴", "104键 茶轴"], "把", 199, 899),
            ("智能手环", &["标准版", "NFC 版"], "个", 199, 399),
        ],
    ),
    (
        "FS",
        &["李宁", "安踏", "优衣库", "波司登", "南极人", "特步"],
        &[
            ("纯棉T恤", &["M 白色", "L 黑色", "XL 灰色"], "件", 49, 129),
            ("运动袜", &["5双装 均码", "3双装 中筒"], "包", 19, 49),
            ("羽绒服", &["L 藏青", "XL 黑色", "M 米白"], "件", 399, 1299),
            ("跑步鞋", &["40码", "42码", "44码"], "双", 199, 699),
            ("运动短裤", &["L", "XL"], "条", 59, 159),
        ],
    ),
    (
        "MY",
        &["帮宝适", "好奇", "贝亲", "花王", "爱他美"],
        &[
            ("纸尿裤", &["L码 54片", "M码 64片", "XL码 44片"], "包", 89, 199),
            ("婴儿湿巾", &["80抽×6包", "80抽×3包 带盖"], "提", 29, 69),
            ("宽口奶瓶", &["240ml", "160ml"], "个", 69, 169),
            ("婴儿配方奶粉", &["800g 1段", "800g 2段", "800g 3段"], "罐", 199, 399),
        ],
    ),
    (
        "BG",
        &["得力", "晨光", "齐心", "真彩"],
        &[
            ("A4复印纸", &["70g 500张×5包", "80g 500张×5包"], "箱", 109, 189),
            ("中性笔", &["0.5mm 黑色 12支", "0.38mm 蓝色 12支"], "盒", 12, 36),
            ("文件夹", &["A4 双强力夹 10个", "A4 抽杆 20个"], "包", 19, 59),
            ("订书机", &["12号 省力", "24/6 重型"], "个", 15, 89),
        ],
    ),
];

/// A deterministic scramble of `i` (splitmix-style).
fn mix(i: u64) -> u64 {
    let mut z = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// One demo product: (sku, name, spec, unit, price fen, last cost fen, description, status).
pub fn product(i: usize, tenant_n: usize) -> (String, String, String, String, i64, i64, String, &'static str) {
    let h = mix(i as u64 * 31 + tenant_n as u64);
    let (prefix, brands, items) = CATEGORIES[i % CATEGORIES.len()];
    let (noun, specs, unit, lo, hi) = items[(h % items.len() as u64) as usize];
    let brand = brands[((h >> 8) % brands.len() as u64) as usize];
    let spec = specs[((h >> 16) % specs.len() as u64) as usize];
    let yuan = i64::from(lo) + ((h >> 24) % u64::from(hi - lo + 1)) as i64;
    // Prices end in .9 or .0 like a shop's.
    let price = yuan * 100 - if (h >> 40).is_multiple_of(2) { 10 } else { 0 };
    let cost = price * (58 + ((h >> 44) % 15) as i64) / 100;
    let status = match i % 20 {
        3 => "draft",
        9 | 16 => "delisted",
        _ => "listed",
    };
    let description = format!("{brand}{noun}，规格 {spec}，{unit}装。");
    (
        format!("{prefix}{:06}", i + 1),
        format!("{brand}{noun}"),
        spec.to_owned(),
        unit.to_owned(),
        price,
        cost,
        description,
        status,
    )
}

pub async fn seed(tx: &mut Tx, ctx: &Ctx) -> Result<(), sqlx::Error> {
    if ctx.products == 0 {
        return Ok(());
    }
    let suppliers: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM partners WHERE tenant_id = $1 AND kind = 'supplier' AND is_active ORDER BY id",
    )
    .bind(ctx.tenant_id)
    .fetch_all(&mut **tx)
    .await?;
    let specialist = ctx.user(Dept::Ops, Level::Specialist);
    let manager = ctx.user(Dept::Ops, Level::Manager);
    let chunk = 10_000;
    let mut start = 0;
    while start < ctx.products {
        let end = (start + chunk).min(ctx.products);
        let rows: Vec<_> = (start..end).map(|i| product(i, ctx.n)).collect();
        let supplier: Vec<Option<i64>> = (start..end)
            .map(|i| (!suppliers.is_empty()).then(|| suppliers[(mix(i as u64) % suppliers.len() as u64) as usize]))
            .collect();
        sqlx::query(
            "INSERT INTO products (tenant_id, sku, name, spec, unit, price_fen, last_cost_fen, description, status,
                                   default_supplier_id, created_by, created_at)
             SELECT $1, s, n, sp, u, pr, c, d, st, sup, $11, now() - interval '90 days'
             FROM UNNEST($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::text[], $9::text[],
                         $10::bigint[]) AS x(s, n, sp, u, pr, c, d, st, sup)",
        )
        .bind(ctx.tenant_id)
        .bind(rows.iter().map(|r| r.0.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.1.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.2.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.3.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.4).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.5).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.6.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.7.to_owned()).collect::<Vec<_>>())
        .bind(supplier)
        .bind(specialist)
        .execute(&mut **tx)
        .await?;
        start = end;
    }
    // Eliminations: two approved (the products eliminated), one rejected, one pending.
    let (Some(specialist), Some(manager)) = (specialist, manager) else { return Ok(()) };
    let plan: &[(usize, &str, &str, &str, i32)] = &[
        (7, "approved", "厂家停产，改用新款替代", "同意，剩余库存安排清仓", 20),
        (13, "approved", "近半年动销很差，退货率高", "同意汰换", 12),
        (26, "rejected", "包装老旧", "仍是畅销款，暂不汰换", 8),
        (11, "pending", "供应商断货，同类新品已上架", "", 2),
    ];
    for (i, status, reason, comment, days) in plan.iter().copied().filter(|(i, ..)| *i < ctx.products) {
        let sku = product(i, ctx.n).0;
        let decided = status != "pending";
        sqlx::query(
            "INSERT INTO product_eliminations (tenant_id, product_id, reason, status, proposed_by, proposed_at,
                                               decided_by, decided_at, comment)
             SELECT $1, p.id, $3, $4, $5, now() - make_interval(days => $7),
                    CASE WHEN $8 THEN $6::bigint END, CASE WHEN $8 THEN now() - make_interval(days => $7 - 1) END, $9
             FROM products p WHERE p.tenant_id = $1 AND p.sku = $2",
        )
        .bind(ctx.tenant_id)
        .bind(&sku)
        .bind(reason)
        .bind(status)
        .bind(specialist)
        .bind(manager)
        .bind(days)
        .bind(decided)
        .bind(comment)
        .execute(&mut **tx)
        .await?;
        if status == "approved" {
            sqlx::query("UPDATE products SET status = 'eliminated' WHERE tenant_id = $1 AND sku = $2")
                .bind(ctx.tenant_id)
                .bind(&sku)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

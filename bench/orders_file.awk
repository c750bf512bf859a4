# An order file for `yunying import orders` (CONTRACT.md "Orders") and the same
# orders as COPY data for the tables the import writes, for bench/orders_import.sh.
#
# Input: the products to order, one "sku<TAB>id<TAB>price_fen" a line (the ids are
# those of the COPY's tenant; the import finds its own by SKU).
# Variables:
#   lines   rows of the file (order lines)
#   base    the number of the first order (numbers are 2026 + 12 digits), so that
#           files of one run never share an order number
#   csv     the import file (CRLF, the English header)
#   copy    prefix of the COPY files: <copy>orders.tsv, lines.tsv, holds.tsv, events.tsv
#   tenant  the COPY's tenant id
#   first_id the id of the COPY's first order (ids above every existing one)
#   note    the intake event's note, as the import writes it: 导入（<file>）
#
# The orders: 1, 2, 1, 3, 1, 2 lines in turn (1.67 on average), their rows adjacent
# as platform exports give them; five platforms; a third of the numbers in Excel's
# text form ="…", a third after a tab; every 12th order unpaid (an `unpaid` hold),
# every 33rd without a phone (an `address` hold); masked phones on Taobao and Tmall;
# buyer notes on a fifth, a seller note with a comma (a quoted cell) on a twentieth;
# shipping on a quarter, a discount on a fifth; local times (the tenant's zone).
BEGIN { FS = "\t"; n = 0 }
{ sku[n] = $1; pid[n] = $2; price[n] = $3; n++ }
END {
    if (n == 0) { print "orders_file.awk: no products" > "/dev/stderr"; exit 1 }
    split("taobao tmall jd pdd douyin", plat, " ")
    split("淘宝旗舰店 天猫旗舰店 京东自营店 拼多多专营店 抖音小店", shop, " ")
    split("王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡", surname, " ")
    split("伟 芳 娜 敏 静 丽 强 磊 洋 艳 勇 军 杰 娟 涛 明 超 秀英 霞 平", given, " ")
    split("浙江省 广东省 江苏省 上海市 北京市 四川省", prov, " ")
    split("杭州市 广州市 南京市 上海市 北京市 成都市", city, " ")
    split("西湖区 天河区 鼓楼区 浦东新区 朝阳区 武侯区", dist, " ")
    split("文三路 体育西路 中山路 世纪大道 建国路 人民南路", street, " ")
    csv_head = "platform,shop,order_no,ordered_at,paid_at,buyer,receiver,phone,province,city,district,address," \
        "sku,quantity,unit_price,shipping_fee,discount,paid_amount,buyer_note,seller_note"
    printf "%s\r\n", csv_head > csv
    row = 0
    o = 0
    id = first_id
    split("1 2 1 3 1 2", per, " ")
    while (row < lines) {
        k = per[1 + o % 6]
        if (row + k > lines) k = lines - row
        on = base + o
        p = 1 + on % 5
        number = "2026" sprintf("%012d", on)
        if (on % 3 == 0) cell_no = "\"=\"\"" number "\"\"\""
        else if (on % 3 == 1) cell_no = "\t" number
        else cell_no = number
        day = 1 + on % 28; hh = 8 + on % 14; mm = on % 60; ss = (on * 7) % 60
        ordered = sprintf("2026-11-%02d %02d:%02d", day, hh, mm)
        paid_at = (on % 12 == 5) ? "" : sprintf("2026-11-%02d %02d:%02d:%02d", day, hh, mm, ss)
        buyer = "buyer_" on
        receiver = surname[1 + on % 15] given[1 + int(on / 15) % 20]
        if (on % 33 == 7) phone = ""
        else if (p <= 2) phone = sprintf("1%02d****%04d", 30 + on % 60, on % 10000)
        else phone = sprintf("1%02d%04d%04d", 30 + on % 60, int(on / 10000) % 10000, on % 10000)
        r = 1 + on % 6
        address = street[r] " " (1 + on % 999) " 号"
        buyer_note = (on % 5 == 2) ? "请尽快发货" : ""
        seller_note = (on % 20 == 3) ? "含赠品,已备注" : ""
        shipping = (on % 4 == 0) ? 800 : 0
        goods = 0
        for (j = 1; j <= k; j++) {
            idx[j] = (on * 31 + j * 17) % n
            qty[j] = 1 + (on + j) % 3
            goods += qty[j] * price[idx[j]]
        }
        discount = (on % 5 == 0) ? 500 : 0
        if (discount > goods + shipping) discount = goods + shipping
        paid = goods + shipping - discount
        for (j = 1; j <= k; j++) {
            printf "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%d,%s,%s,%s,%s,%s,%s\r\n", plat[p], shop[p], cell_no, ordered,
                paid_at, buyer, receiver, phone, prov[r], city[r], dist[r], address, sku[idx[j]], qty[j],
                yuan(price[idx[j]]), yuan(shipping), yuan(discount), yuan(paid), buyer_note,
                (seller_note == "" ? "" : "\"" seller_note "\"") > csv
            printf "%s\t%d\t%d\t%s\t%d\t%s\n", tenant, id, j, pid[idx[j]], qty[j], price[idx[j]] > (copy "lines.tsv")
        }
        printf "%d\t%s\t%s\t%s\t%s\timport\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\t%s\n", id, tenant,
            plat[p], number, shop[p], buyer, receiver, phone, prov[r], city[r], dist[r], address, buyer_note,
            seller_note, goods, shipping, discount, paid, ordered, (paid_at == "" ? "\\N" : paid_at) > (copy "orders.tsv")
        if (paid_at == "") printf "%s\t%d\tunpaid\t导入时未付款\n", tenant, id > (copy "holds.tsv")
        if (phone == "") printf "%s\t%d\taddress\t缺少手机\n", tenant, id > (copy "holds.tsv")
        printf "%s\t%d\tintake\t\\N\t命令行\t%s\n", tenant, id, note > (copy "events.tsv")
        row += k
        o++
        id++
    }
    # The counts, for the caller's checks: orders, holds.
    printf "%d %d\n", o, holds_of(o) > "/dev/stdout"
}
function yuan(f) { return sprintf("%d.%02d", int(f / 100), f % 100) }
function holds_of(count,   i, h, x) {
    h = 0
    for (i = 0; i < count; i++) { x = base + i; if (x % 12 == 5) h++; if (x % 33 == 7) h++ }
    return h
}

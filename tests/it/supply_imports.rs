//! `yunying import warehouses|products|stock`: success, idempotence, and a file with
//! an error on line N names N and the field and writes nothing.

use crate::catalog::audits;
use crate::helpers::{ok, spawn_app, TestApp};

fn file(name: &str, text: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    (dir, path.display().to_string())
}

fn import(app: &TestApp, kind: &str, text: &str) -> std::process::Output {
    let (_dir, path) = file(&format!("{kind}.csv"), text);
    app.cli(&["import", kind, "--tenant", "acme", &path], None)
}

fn fails_naming(out: &std::process::Output, needles: &[&str]) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "expected failure: {stderr}");
    for n in needles {
        assert!(stderr.contains(n), "{n:?} not in: {stderr}");
    }
}

const WAREHOUSES: &str = "code,name,address\nSH-JD,上海嘉定仓,上海市嘉定区\nGZ-BY,广州白云仓,\n";
const PRODUCTS: &str = "sku,name,spec,unit,price,status\n\
                        CUP-1,保温杯,500ml,个,59.9,listed\n\
                        PEN-1,中性笔,0.5mm 12支,盒,12,draft\n";
const STOCK: &str = "sku,warehouse,on_hand,safety_stock,reorder_point,max_level\n\
                     CUP-1,SH-JD,40,5,10,100\n\
                     CUP-1,GZ-BY,0,0,5,20\n\
                     PEN-1,SH-JD,7,2,8,50\n";

#[tokio::test]
async fn warehouses_products_and_stock_import_idempotently() {
    let app = spawn_app().await;
    let acme = app.tenant("acme").await;
    let out = ok(&import(&app, "warehouses", WAREHOUSES), "import warehouses");
    assert!(out.contains("2 new, 0 updated"), "{out}");
    let out = ok(&import(&app, "warehouses", WAREHOUSES), "import warehouses again");
    assert!(out.contains("0 new, 2 updated"), "{out}");
    assert_eq!(app.scalar_i64(acme, "SELECT count(*) FROM warehouses").await, 2);

    ok(&import(&app, "products", PRODUCTS), "import products");
    ok(&import(&app, "products", PRODUCTS), "import products again");
    assert_eq!(app.scalar_i64(acme, "SELECT count(*) FROM products").await, 2);
    assert_eq!(app.scalar_i64(acme, "SELECT price_fen FROM products WHERE sku = 'CUP-1'").await, 5990);

    let out = ok(&import(&app, "stock", STOCK), "import stock");
    assert!(out.contains("3 new"), "{out}");
    let moves = "SELECT count(*) FROM stock_movements WHERE doc_type = 'import' AND kind = 'adjustment'";
    assert_eq!(app.scalar_i64(acme, moves).await, 2, "no movement for a zero balance");
    ok(&import(&app, "stock", STOCK), "import stock again");
    assert_eq!(app.scalar_i64(acme, moves).await, 2, "idempotent: nothing posted the second time");
    // A changed balance posts the difference; on hand stays the sum of the ledger.
    let changed = STOCK.replace("CUP-1,SH-JD,40,", "CUP-1,SH-JD,25,");
    ok(&import(&app, "stock", &changed), "import changed stock");
    assert_eq!(app.scalar_i64(acme, moves).await, 3);
    assert_eq!(app.scalar_i64(acme, "SELECT min(quantity) FROM stock_movements").await, -15);
    assert_eq!(
        app.scalar_i64(
            acme,
            "SELECT count(*) FROM stock_levels s WHERE on_hand <> (SELECT coalesce(sum(quantity), 0) FROM stock_movements m
             WHERE m.product_id = s.product_id AND m.warehouse_id = s.warehouse_id)"
        )
        .await,
        0
    );
    assert_eq!(app.scalar_i64(acme, "SELECT sum(on_hand)::bigint FROM stock_levels").await, 32);
    assert_eq!(app.scalar_i64(acme, "SELECT reorder_point FROM stock_levels WHERE on_hand = 7").await, 8);
    assert_eq!(audits(&app, acme, "import.stock").await, 3);
    assert_eq!(audits(&app, acme, "import.products").await, 2);
    assert_eq!(audits(&app, acme, "import.warehouses").await, 2);
}

#[tokio::test]
async fn an_error_names_its_line_and_field_and_nothing_is_written() {
    let app = spawn_app().await;
    let acme = app.tenant("acme").await;
    // Products: line 3 has a bad price; nothing of line 2 is written.
    let out =
        import(&app, "products", "sku,name,spec,unit,price,status\nA-1,杯子,,个,10,listed\nA-2,碗,,个,abc,listed\n");
    fails_naming(&out, &["line 3", "price"]);
    assert_eq!(app.scalar_i64(acme, "SELECT count(*) FROM products").await, 0);
    // Warehouses: line 3 has an empty name.
    let out = import(&app, "warehouses", "code,name,address\nW1,一号仓,\nW2,,\n");
    fails_naming(&out, &["line 3", "name"]);
    assert_eq!(app.scalar_i64(acme, "SELECT count(*) FROM warehouses").await, 0);

    ok(&import(&app, "warehouses", WAREHOUSES), "import warehouses");
    ok(&import(&app, "products", PRODUCTS), "import products");
    // Stock: an unknown SKU on line 3 and an unknown warehouse on line 4, safety above
    // the reorder point on line 2 (a file check, reported before the database ones).
    let out = import(
        &app,
        "stock",
        "sku,warehouse,on_hand,safety_stock,reorder_point,max_level\nCUP-1,SH-JD,5,9,8,10\nNOPE,SH-JD,1,0,0,0\n",
    );
    fails_naming(&out, &["line 2", "safety_stock"]);
    let out = import(
        &app,
        "stock",
        "sku,warehouse,on_hand,safety_stock,reorder_point,max_level\nCUP-1,SH-JD,5,1,2,3\nNOPE,SH-JD,1,0,0,0\nPEN-1,XX,1,0,0,0\n",
    );
    fails_naming(&out, &["line 3, field sku", "NOPE", "line 4, field warehouse"]);
    assert_eq!(app.scalar_i64(acme, "SELECT count(*) FROM stock_levels").await, 0);
    assert_eq!(app.scalar_i64(acme, "SELECT count(*) FROM stock_movements").await, 0);
    let out = import(&app, "stock", "sku,warehouse,on_hand\nCUP-1,SH-JD,5\n");
    fails_naming(&out, &["line 1"]);
}

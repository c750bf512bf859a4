// `sqlx::migrate!` embeds migrations/ at compile time; without this, adding a
// migration and nothing else would leave the old set in the binary.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}

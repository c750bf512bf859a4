//! The partners import: suppliers and customers.
//! (Skeleton: the partners/contracts work fills this in.)

use super::hr::{ImportFailure, Summary};
use super::ImportErrors;
use crate::audit::Actor;
use crate::db::Tx;

pub struct PartnerRow {
    pub line: u64,
}

fn not_yet(file: &str) -> ImportErrors {
    let mut c = super::Collector::new();
    c.add(1, None, "not implemented yet");
    c.finish::<()>(file, ()).unwrap_err()
}

pub fn parse_partners(file: &str, _bytes: &[u8]) -> Result<Vec<PartnerRow>, ImportErrors> {
    Err(not_yet(file))
}
pub async fn apply_partners(
    _tx: &mut Tx,
    _tenant_id: i64,
    _actor: &Actor,
    file: &str,
    _rows: &[PartnerRow],
) -> Result<Summary, ImportFailure> {
    Err(ImportFailure::Invalid(not_yet(file)))
}

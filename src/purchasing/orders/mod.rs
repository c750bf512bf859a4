//! Purchase orders (采购单): created from an approved replenishment request,
//! listed, printed and received (in full or in part) into the ledger.

mod handlers;
mod repo;
mod views;

pub use handlers::{create, list, new_form, receive, show};

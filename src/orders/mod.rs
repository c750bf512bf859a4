//! Orders (CONTRACT.md "Orders"): intake from platform exports, by hand and from
//! signed contracts; review and holds; allocation through the stock ledger;
//! printing; parcels; delivery and exceptions.

pub mod codes;

//! Orders (CONTRACT.md "Orders"): intake from platform exports, by hand and from
//! signed contracts; review and holds; allocation through the stock ledger;
//! printing; parcels; delivery and exceptions.

pub mod codes;
pub mod repo;

/// Where an order goes: what the shipping label prints.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ShipTo {
    pub receiver: String,
    pub phone: String,
    pub province: String,
    pub city: String,
    pub district: String,
    pub address: String,
}

impl ShipTo {
    /// What is missing for a parcel to be sent (the `address` hold's reason).
    pub fn missing(&self) -> Vec<&'static str> {
        [("收货人", &self.receiver), ("手机", &self.phone), ("详细地址", &self.address)]
            .into_iter()
            .filter(|(_, v)| v.trim().is_empty())
            .map(|(label, _)| label)
            .collect()
    }
}

//! Dashboards (数据分析, issue 13): each role's figures as numbers and charts, every
//! figure leading to the list of exactly the records it counts.
//!
//! - [`kpi`]: the registry — every figure defined once (id, label, unit, area,
//!   permission, source, rule, list link);
//! - [`measure`]: the numbers for a user and a period, from the daily rollups
//!   (migration 0035: `sales_days`, `campaign_days`, `stock_days`, kept by triggers in
//!   the transaction of every change) and a few live counts;
//! - [`views`]: cards and charts (`web::chart`) as the home page shows them;
//! - [`period`]: the period selector (`?period=`), pure.
//!
//! The home page (`home`) shows a user's dashboard above their queues.

pub mod kpi;
pub mod measure;
pub mod period;
pub mod repo;
pub mod report;
pub mod views;

pub use period::Period;
pub use views::Dashboard;

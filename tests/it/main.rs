//! The one integration-test binary: every test drives the real router over HTTP
//! against a fresh database cloned from a migrated template.

#![allow(clippy::disallowed_methods)]

mod helpers;

mod admin;
mod after_sales;
mod after_sales_demo;
mod auth;
mod backup;
mod browser;
mod browser_complaints;
mod browser_dashboard;
mod browser_leave;
mod browser_orders;
mod browser_replenishment;
mod bulk;
mod campaign_imports;
mod campaign_metrics;
mod campaigns;
mod catalog;
mod citus_router;
mod citus_schema;
mod complaints;
mod complaints_refusals;
mod contracts;
mod dashboard;
mod dashboard_cards;
mod database;
mod faults;
mod home;
mod home_cache;
mod hr_attendance;
mod hr_employees;
mod hr_leave;
mod hr_payroll_pages;
mod hr_performance;
mod inputs;
mod inventory;
mod layering;
mod ledger;
mod list_filters_more;
mod list_filters_orders;
mod monthly_report;
mod order_desk;
mod orders;
mod orders_batch_ship;
mod orders_entry;
mod orders_import;
mod orders_print;
mod orders_resend;
mod orders_upload;
mod pages;
mod partners;
mod payroll;
mod process;
mod purchasing;
mod search;
mod security;
mod session_cache;
mod spawn;
mod stocktake;
mod supply_imports;
mod targets;
mod two_servers;
mod webdriver;

//! Yunying (运营台): a multi-tenant, server-rendered operations back-office.
//!
//! The binary (`src/main.rs`) only parses the command line and calls [`cli::run`].
//! Everything else lives here so integration tests can build the real router.
//!
//! Reading the clock is disallowed in `rules/` (clippy.toml lists the clock
//! functions; `rules/mod.rs` denies them); the rest of the crate may read it.
#![allow(clippy::disallowed_methods)]

pub mod after_sales;
pub mod app;
pub mod audit;
pub mod auth;
pub mod cache;
pub mod campaigns;
pub mod catalog;
pub mod cli;
pub mod codes;
pub mod complaints;
pub mod config;
pub mod contracts;
pub mod dashboard;
pub mod db;
pub mod decision;
pub mod demo;
pub mod error;
pub mod home;
pub mod hr;
pub mod imports;
pub mod input;
pub mod inventory;
pub mod orders;
pub mod partners;
pub mod payroll;
pub mod people;
pub mod purchasing;
pub mod queues;
pub mod rules;
pub mod stocktake;
pub mod targets;
pub mod tz;
pub mod web;

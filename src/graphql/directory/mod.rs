//! The tenant's directory: settings, users, client accounts and services.

pub mod client;
pub mod service;
pub mod tenant;
pub mod user;

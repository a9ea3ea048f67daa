//! Convene's web layer: HTML pages, the JSON API and operations endpoints, over axum.
//!
//! Each capability has a module under `pages` (and `api`) exposing `router()`. Sign-in,
//! sessions, CSRF, the error pages and security headers each live in one module here.

pub mod api;
pub mod application_list;
pub mod assets;
pub mod auth;
pub mod charts;
pub mod config;
pub mod csrf;
pub mod error;
pub mod exports;
pub mod mail;
pub mod notices;
pub mod open_calls;
pub mod ops;
pub mod pages;
pub mod personal_data;
pub mod registration;
pub mod rounds;
pub mod server;
pub mod session_store;
pub mod state;
pub mod views;

pub use config::Config;
pub use server::{build_app, serve};
pub use state::AppState;

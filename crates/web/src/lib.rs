//! Convene's web layer: HTML pages, the JSON API and operations endpoints, over axum.
//!
//! Each capability has a module under `pages` (and `api`) exposing `router()`. Sign-in,
//! sessions, CSRF, the error pages and security headers each live in one module here.

pub mod api;
pub mod applying;
pub mod assets;
pub mod auth;
pub mod catalogue;
pub mod config;
pub mod csrf;
pub mod error;
pub mod exports;
pub mod files;
pub mod mail;
pub mod markdown;
pub mod ops;
pub mod pages;
pub mod registration;
pub mod server;
pub mod session_store;
pub mod state;
pub mod views;

pub use config::Config;
pub use server::{build_app, serve};
pub use state::AppState;

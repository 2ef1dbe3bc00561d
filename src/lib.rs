//! Marquee: a server-rendered community site on actix-web 4, SeaORM 2 and Askama.
//!
//! The binary (`main.rs`) only parses the command line and dispatches; everything a test needs
//! to run the real site lives here, starting with [`startup::Application`].

pub mod api;
pub mod assets;
pub mod auth;
pub mod backup;
pub mod cache;
pub mod cli;
pub mod config;
pub mod db;
pub mod delivery;
pub mod domain;
pub mod flash;
pub mod forms;
pub mod input;
pub mod markdown;
pub mod request;
pub mod routes;
pub mod seed;
pub mod services;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod views;

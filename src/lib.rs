//! stdquiz: a standards-literacy quiz and Q&A chat bot (标准化知识问答机器人).
//!
//! Reading order: `text` and `bank` (the questions), `engine` (pure quiz rules),
//! `qa` (knowledge-base retrieval), `store` (the only sled user), `import` and
//! `export`, `service` (one user request end to end), `chat` (terminal and Telegram
//! adapters, rendering), `config` (the only env reader) and `cli`.

pub mod bank;
pub mod campaign;
pub mod chat;
pub mod cli;
pub mod config;
pub mod engine;
pub mod export;
pub mod graphics;
pub mod import;
pub mod qa;
pub mod results;
pub mod service;
pub mod store;
pub mod text;

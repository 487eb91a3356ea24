//! The chat adapters and what they share: command parsing, callback data, rendering.

pub mod action;
pub mod command;
pub mod render;
pub mod telegram;
pub mod terminal;

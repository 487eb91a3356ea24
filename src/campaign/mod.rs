//! Campaigns (知识竞答活动): a quiz an organizer runs for enterprises within a time
//! window, with invitation codes, boards and a report for scripts.
//!
//! Pure rules only, like `engine/`: no sled, no teloxide, no tokio, no clock, no env.
//! `now` (unix seconds) and the RNG are passed in.
//!
//! - [`definition`]: the campaign TOML parsed into a [`Campaign`].
//! - [`orgs`]: enterprise lists (XLSX, CSV, GBK CSV) into [`Org`]s with invitation codes.
//! - [`attempt`]: drawing questions, one person's [`Attempt`], the window.
//! - [`results`]: the [`Report`] and the boards.

pub mod attempt;
pub mod definition;
pub mod orgs;
pub mod results;

pub use attempt::{availability, draw_questions, Attempt, AttemptAnswer, Availability, Recorded};
pub use definition::{
    parse, parse_start_payload, shanghai_time, valid_id, Campaign, ReminderKind, Reminders,
};
pub use orgs::{fold_code, is_org_list, join, parse_orgs, Join, Org, OrgChange, OrgImport};
pub use results::{
    mask_id, org_boards, people_board, Board, OrgBoards, OrgRow, Participant, PersonRow, Report,
};

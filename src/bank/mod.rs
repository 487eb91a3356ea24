//! The question bank: the validated question model, the canonical record form
//! shared by every file format, and the loaders that turn files into a [`Bank`].

pub mod formats;
pub mod limits;
mod load;
mod model;
pub(crate) mod record;

pub use load::{
    load_dir, load_paths, set_info as set_info_for, topic_key, Bank, BankSummary, LoadReport,
};
pub use model::{AnswerKey, Kind, Question, SetInfo};
pub(crate) use record::{derived_id, stem_derived_id};
pub use record::{
    parse_choice_letters, parse_judge, validate_set, FaqRecord, Problem, QuestionRecord, SetFile,
    SetHeader, MAX_MESSAGE_CHARS,
};

//! The one Q&A path: a question typed in chat, sent with `/ask`, or asked with
//! `stdquiz ask` goes through [`answer`], which says what to reply and what to log.

use crate::qa::KnowledgeBase;
use crate::service::Response;

/// The reply to a question and, when it went unanswered, the text to log for admins.
#[derive(Debug, Clone, PartialEq)]
pub struct Asked {
    pub response: Response,
    pub unanswered: Option<String>,
}

/// Answers a question from the knowledge base, or abstains (perhaps with a pointer).
pub fn answer(kb: &KnowledgeBase, text: &str) -> Asked {
    let query = text.trim();
    let english = crate::qa::is_english_query(query);
    let crate::qa::Answer {
        matches,
        redirect,
        suggestions,
        small_talk,
    } = kb.answer(query);
    if let Some(kind) = small_talk {
        return Asked {
            response: Response::SmallTalk { kind, english },
            unanswered: None,
        };
    }
    if matches.is_empty() {
        return Asked {
            response: Response::Abstain {
                query: query.to_string(),
                redirect,
                suggestions: suggestions.into_iter().map(|m| m.id).collect(),
            },
            unanswered: Some(crate::text::truncate_chars(query, MAX_LOGGED_CHARS)),
        };
    }
    Asked {
        response: Response::Answer { matches, english },
        unanswered: None,
    }
}

/// Unanswered questions are logged up to this many characters.
const MAX_LOGGED_CHARS: usize = 500;

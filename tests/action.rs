//! Button actions: every action the bot can produce fits Telegram's 64 bytes and parses
//! back to itself; anything else parses to "bad data" without panicking.

use proptest::prelude::*;
use stdquiz::chat::action::{Action, Menu, MAX_CALLBACK_BYTES};
use stdquiz::chat::command::parse_callback;
use stdquiz::service::Request;

/// Ids as the question and knowledge validators accept them.
fn id() -> impl Strategy<Value = String> {
    "[A-Za-z0-9._-]{1,40}"
}

fn menu() -> impl Strategy<Value = Menu> {
    prop_oneof![
        Just(Menu::Quiz),
        Just(Menu::Daily),
        Just(Menu::Challenge),
        Just(Menu::Review),
        Just(Menu::Stats),
        Just(Menu::Top),
        Just(Menu::Topics),
    ]
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        (any::<u32>(), id(), 0usize..=255).prop_map(|(session, question, option)| {
            Action::Choose {
                session,
                question,
                option,
            }
        }),
        (any::<u32>(), id(), 0usize..=255).prop_map(|(session, question, option)| {
            Action::Toggle {
                session,
                question,
                option,
            }
        }),
        (any::<u32>(), id()).prop_map(|(session, question)| Action::Submit { session, question }),
        id().prop_map(Action::Faq),
        "[0-9a-f]{8}".prop_map(Action::QuizTopic),
        any::<u16>().prop_map(Action::TopicsPage),
        menu().prop_map(Action::Menu),
        any::<u32>().prop_map(Action::ConfirmImport),
        any::<u32>().prop_map(Action::CancelImport),
        "[a-z0-9-]{1,40}".prop_map(Action::CampaignStart),
        "[a-z0-9-]{1,40}".prop_map(Action::CampaignTop),
        "[A-Z0-9]{4,16}".prop_map(Action::ConfirmJoin),
    ]
}

proptest! {
    #[test]
    fn every_action_fits_and_round_trips(action in action()) {
        let data = action.encode();
        prop_assert!(data.len() <= MAX_CALLBACK_BYTES, "{} bytes: {data}", data.len());
        prop_assert_eq!(Action::parse(&data), Ok(action));
    }

    #[test]
    fn arbitrary_data_never_panics(data in any::<String>()) {
        let request = parse_callback(&data);
        if let Ok(action) = Action::parse(&data) {
            prop_assert_eq!(action.encode(), data);
        } else {
            prop_assert_eq!(request, Request::Forged);
        }
    }

    #[test]
    fn near_misses_of_real_data_never_panic(
        action in action(),
        cut in 0usize..64,
        junk in "[:0-9a-z]{0,4}",
    ) {
        let mut data = action.encode();
        data.truncate(cut.min(data.len()));
        data.push_str(&junk);
        if let Ok(parsed) = Action::parse(&data) {
            prop_assert_eq!(parsed.encode(), data);
        }
    }
}

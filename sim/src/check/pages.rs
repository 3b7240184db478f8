//! Pages of stored messages (HIST, SEARCH): every page a device reports agrees with the rules that made it and with
//! what the device stores.
//!
//! A page is judged on its own, from the event alone: it holds messages of the conversation asked for, at most as
//! many as allowed, each once, on the right side of the anchor and in the order HIST-9 and SEARCH-6 give. It is
//! then held against the database at the end of the run: a message it named by `messageId` that is still stored has
//! the same UID and sent time there (a page shows what is stored, not a copy of its own). A message deleted since is
//! not judged, as deletions are the app's to make (DEL).

use imsim_engine::core::Event;
use imsim_engine::limits::{HISTORY_PAGE_COUNT_MAX, SEARCH_COUNT_MAX};
use imsim_engine::types::TimeOrder;
use imsim_engine::{ConversationType, Message};

use super::{Checker, History, Index};

/// A page that disagrees with its rules or with the database.
pub(super) const PAGES: Checker = Checker {
    name: "pages",
    invariant: "every page of history or search results is of its conversation, in order, within its bounds, and \
                agrees with the stored messages",
    check: pages,
};

/// What a page was asked for, as its event echoes it.
struct Asked<'a> {
    listener: &'static str,
    conversation_type: ConversationType,
    target_id: &'a str,
    /// The order the page must be in: `Before` is newest first.
    order: TimeOrder,
    /// The exclusive anchor, if the page has one (0 is none).
    anchor: Option<i64>,
    /// The inclusive range of a time-range search.
    range: Option<(i64, i64)>,
    max: usize,
}

fn pages(history: &History, _: &Index) -> Vec<String> {
    let mut breaches = Vec::new();
    for (device, events) in &history.events {
        let stored = history.stored.get(device).map(Vec::as_slice).unwrap_or_default();
        for event in events {
            let Some((asked, messages)) = asked(event) else { continue };
            breaches.extend(judge(device, &asked, messages, stored));
        }
    }
    breaches
}

/// The page `event` reports, if it is a successful one.
fn asked(event: &Event) -> Option<(Asked<'_>, &[Message])> {
    let history_max = HISTORY_PAGE_COUNT_MAX as usize;
    let search_max = SEARCH_COUNT_MAX as usize;
    let anchor = |time: i64| (time != 0).then_some(time);
    let (asked, messages) = match event {
        Event::MessagesLoaded { code, conversation_type, target_id, sent_time, order, messages, .. }
            if code.is_success() =>
        {
            let asked = Asked {
                listener: "onMessagesLoaded",
                conversation_type: *conversation_type,
                target_id,
                order: *order,
                anchor: anchor(*sent_time),
                range: None,
                max: history_max,
            };
            (asked, messages)
        }
        Event::MessagesSearched { code, conversation_type, target_id, start_time, messages, .. }
        | Event::MessagesSearchedByUserId { code, conversation_type, target_id, start_time, messages, .. }
            if code.is_success() =>
        {
            let listener = event.listener();
            let asked = Asked {
                listener,
                conversation_type: *conversation_type,
                target_id,
                order: TimeOrder::Before,
                anchor: anchor(*start_time),
                range: None,
                max: search_max,
            };
            (asked, messages)
        }
        Event::MessagesSearchedByTimeRange {
            code,
            conversation_type,
            target_id,
            start_time,
            end_time,
            messages,
            ..
        } if code.is_success() => {
            let asked = Asked {
                listener: "onMessagesSearchedByTimeRange",
                conversation_type: *conversation_type,
                target_id,
                order: TimeOrder::Before,
                anchor: None,
                range: Some((*start_time, *end_time)),
                max: search_max,
            };
            (asked, messages)
        }
        _ => return None,
    };
    Some((asked, messages.as_slice()))
}

fn judge(device: &str, asked: &Asked<'_>, messages: &[Message], stored: &[Message]) -> Vec<String> {
    let mut breaches = Vec::new();
    let listener = asked.listener;
    if messages.len() > asked.max {
        breaches.push(format!("{device}'s {listener} holds {} messages, more than {}", messages.len(), asked.max));
    }
    for message in messages {
        if message.conversation_type != asked.conversation_type || message.target_id != asked.target_id {
            breaches.push(format!(
                "{device}'s {listener} for {:?} {} holds message {} of {:?} {}",
                asked.conversation_type,
                asked.target_id,
                message.message_id,
                message.conversation_type,
                message.target_id
            ));
        }
        let beyond = match (asked.anchor, asked.order) {
            (Some(anchor), TimeOrder::Before) => message.sent_time < anchor,
            (Some(anchor), TimeOrder::After) => message.sent_time > anchor,
            (None, _) => true,
        };
        let in_range = asked.range.is_none_or(|(start, end)| (start..=end).contains(&message.sent_time));
        if !beyond || !in_range {
            breaches.push(format!(
                "{device}'s {listener} holds message {} sent at {}, outside its bounds",
                message.message_id, message.sent_time
            ));
        }
        // A message the page showed still sending gets its UID and the server's sent time later (MSG-22): only one
        // the server had accepted must read the same at the end.
        if message.message_id > 0
            && message.message_uid.is_some()
            && let Some(kept) = stored.iter().find(|kept| kept.message_id == message.message_id)
            && (kept.message_uid != message.message_uid || kept.sent_time != message.sent_time)
        {
            breaches.push(format!(
                "{device}'s {listener} shows message {} as {:?} sent at {}, but it is stored as {:?} sent at {}",
                message.message_id, message.message_uid, message.sent_time, kept.message_uid, kept.sent_time
            ));
        }
    }
    for pair in messages.windows(2) {
        let key = |message: &Message| (message.sent_time, message.message_id);
        let in_order = match asked.order {
            TimeOrder::Before => key(&pair[0]) > key(&pair[1]),
            TimeOrder::After => key(&pair[0]) < key(&pair[1]),
        };
        if !in_order {
            breaches.push(format!(
                "{device}'s {listener} lists message {} (sent at {}) before message {} (sent at {}): not {}",
                pair[0].message_id,
                pair[0].sent_time,
                pair[1].message_id,
                pair[1].sent_time,
                if asked.order == TimeOrder::Before { "newest first" } else { "oldest first" }
            ));
        }
    }
    breaches
}

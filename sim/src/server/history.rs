//! The server's history of private, group and system conversations (HIST-1, HIST-14, DEL-3 to DEL-6, DEL-10 to
//! DEL-14), kept only while the App Key's cloud storage is on (CFG-1).
//!
//! Each user has their own view of each conversation, so that a deletion touches the caller's history only
//! (DEL-13): a message is recorded once per recipient, with the conversation as that recipient sees it, and once for
//! the sending user (a device's send). Only the stored types are kept (HIST-14, MTYPE-2, MTYPE-7): no command or
//! status message. A message is kept for [`CLOUD_HISTORY_RETENTION_MS`] after its sent time. Messages sent while
//! cloud storage was off are not in it: the switch decides what is recorded, as it decides what is answered.
//!
//! Every request is answered with 33007 while cloud storage is off, and then changes nothing (DEL-14).

use std::collections::BTreeMap;
use std::ops::Bound;

use imsim_engine::content::decode_flagged_content;
use imsim_engine::error::ErrorCode;
use imsim_engine::limits::HISTORY_PAGE_COUNT_MAX;
use imsim_engine::proto::{self, response};
use imsim_engine::types::{ConversationType, TimeOrder};

use super::App;

/// CFG-1, DEL-3: the server keeps a message in its cloud history for 6 months (taken as 180 days) by default.
pub const CLOUD_HISTORY_RETENTION_MS: i64 = 180 * 24 * 60 * 60 * 1_000;

/// One user's view of one conversation: (user, type ordinal, target as the user sees it, channel).
type ConversationKey = (String, u32, String, String);

/// The messages of one conversation, by (sent time, UID): the server's sent times are strictly increasing, so this is
/// the order they were sent in.
type Messages = BTreeMap<(i64, String), proto::DeliveredMessage>;

/// Every user's history, per conversation.
#[derive(Debug, Default)]
pub(super) struct Histories {
    conversations: BTreeMap<ConversationKey, Messages>,
}

/// Whether `conversation_type` (an ordinal) has a cloud history: private, group and system (HIST-1, DEL-3).
fn kept_type(conversation_type: u32) -> bool {
    [ConversationType::Private, ConversationType::Group, ConversationType::System]
        .iter()
        .any(|kept| kept.ordinal() == conversation_type)
}

impl Histories {
    /// Forgets every conversation of `user_id`'s history (USER-6).
    pub(super) fn forget_user(&mut self, user_id: &str) {
        self.conversations.retain(|(owner, ..), _| owner != user_id);
    }

    /// Records `message` in `user_id`'s history, as `message.target_id` names the conversation for them, if its
    /// type has a history and its content is of a stored type (HIST-14). Status messages never come here: the
    /// fan-out leaves them out.
    pub(super) fn record(&mut self, user_id: &str, message: &proto::DeliveredMessage) {
        if !kept_type(message.conversation_type) {
            return;
        }
        // MTYPE-9: a type the server does not know is kept as its persistence flags say.
        let stored = message.content.as_ref().is_some_and(|content| {
            decode_flagged_content(content, message.not_stored, message.not_counted).policy().stored
        });
        if !stored {
            return;
        }
        imsim_engine::mark!("HIST-14");
        let key =
            (user_id.to_owned(), message.conversation_type, message.target_id.clone(), message.channel_id.clone());
        let kept =
            proto::DeliveredMessage { seq: 0, client_message_id: String::new(), retrieved: false, ..message.clone() };
        self.conversations.entry(key).or_default().insert((message.sent_time, message.message_uid.clone()), kept);
    }

    /// GRP-14: gives `new_members` of group `group_id` the group's history from before they joined: every group
    /// message (directed ones excepted, GRP-19) that a current member's history holds, as that member's history
    /// holds it (recalls and expansion changes applied), added to each new member's own history.
    pub(super) fn share_group_history(&mut self, group_id: &str, members: &[&str], new_members: &[&str]) {
        let group = ConversationType::Group.ordinal();
        let mut shared = Messages::new();
        for member in members.iter().filter(|member| !new_members.contains(member)) {
            let key = ((*member).to_owned(), group, group_id.to_owned(), String::new());
            for (at, message) in self.conversations.get(&key).into_iter().flatten() {
                if message.directed_user_ids.is_empty() {
                    shared.entry(at.clone()).or_insert_with(|| message.clone());
                }
            }
        }
        if shared.is_empty() {
            return;
        }
        imsim_engine::mark!("GRP-14");
        for member in new_members {
            let key = ((*member).to_owned(), group, group_id.to_owned(), String::new());
            let history = self.conversations.entry(key).or_default();
            for (at, message) in &shared {
                history.entry(at.clone()).or_insert_with(|| message.clone());
            }
        }
    }

    /// Applies `change` to message `message_uid`, sent at `sent_time` in the conversation `user_id` sees as
    /// (`conversation_type`, `target_id`), if the history holds it: a recall (RECALL-5) or an expansion change (EXP-12).
    pub(super) fn change(
        &mut self,
        user_id: &str,
        (conversation_type, target_id): (u32, &str),
        (sent_time, message_uid): (i64, &str),
        change: impl FnOnce(&mut proto::DeliveredMessage),
    ) {
        let key = (user_id.to_owned(), conversation_type, target_id.to_owned(), String::new());
        let kept = self
            .conversations
            .get_mut(&key)
            .and_then(|messages| messages.get_mut(&(sent_time, message_uid.to_owned())));
        if let Some(kept) = kept {
            change(kept);
        }
    }

    /// The messages of one conversation of `user_id`, the expired ones dropped first.
    fn conversation(&mut self, user_id: &str, query: (u32, &str, &str), now_ms: i64) -> Option<&mut Messages> {
        let (conversation_type, target_id, channel_id) = query;
        let key = (user_id.to_owned(), conversation_type, target_id.to_owned(), channel_id.to_owned());
        let messages = self.conversations.get_mut(&key)?;
        let oldest_kept = now_ms.saturating_sub(CLOUD_HISTORY_RETENTION_MS);
        // Kept while `now − sentTime ≤ retention`, as offline messages are (OFFLINE-6).
        let kept = messages.split_off(&(oldest_kept, String::new()));
        *messages = kept;
        Some(messages)
    }
}

/// HIST-1, HIST-11: a page of `user_id`'s history, as `HistoryQuery` describes it, or why not.
pub(super) fn page(
    app: &mut App,
    user_id: &str,
    query: &proto::HistoryQuery,
    now_ms: i64,
) -> Result<response::Body, ErrorCode> {
    cloud_storage(app)?;
    let order = TimeOrder::from_ordinal(query.order).ok_or(ErrorCode::PROTOCOL_MALFORMED_FRAME)?;
    if !(1..=HISTORY_PAGE_COUNT_MAX).contains(&query.count) {
        return Err(ErrorCode::PROTOCOL_MALFORMED_FRAME);
    }
    let count = query.count as usize;
    let conversation = (query.conversation_type, query.target_id.as_str(), query.channel_id.as_str());
    let Some(messages) = app.histories.conversation(user_id, conversation, now_ms) else {
        return Ok(response::Body::History(proto::History { messages: Vec::new() }));
    };
    let anchor = query.sent_time;
    let page: Vec<proto::DeliveredMessage> = match order {
        TimeOrder::Before => {
            let upper = if anchor == 0 { Bound::Unbounded } else { Bound::Excluded((anchor, String::new())) };
            messages.range((Bound::Unbounded, upper)).rev().take(count).map(|(_, message)| message.clone()).collect()
        }
        TimeOrder::After => {
            // Every UID sorts after "", so `(anchor + 1, "")` is the first key past the anchor's instant.
            let lower = Bound::Included((anchor.saturating_add(1), String::new()));
            messages.range((lower, Bound::Unbounded)).take(count).map(|(_, message)| message.clone()).collect()
        }
    };
    imsim_engine::mark!("HIST-1");
    Ok(response::Body::History(proto::History { messages: page }))
}

/// DEL-5, DEL-10, DEL-13: deletes the messages with these UIDs from `user_id`'s history of one conversation and from
/// their inbox (the offline-compensation copies), or refuses (33007) and deletes nothing.
pub(super) fn delete(
    app: &mut App,
    user_id: &str,
    request: &proto::HistoryDelete,
    now_ms: i64,
) -> Result<(), ErrorCode> {
    cloud_storage(app)?;
    imsim_engine::mark!("DEL-13");
    let conversation = (request.conversation_type, request.target_id.as_str(), request.channel_id.as_str());
    if let Some(messages) = app.histories.conversation(user_id, conversation, now_ms) {
        messages.retain(|(_, uid), _| !request.message_uids.contains(uid));
    }
    imsim_engine::mark!("DEL-5");
    if let Some(inbox) = app.inboxes.get_mut(user_id) {
        inbox.remove_where(|message| {
            in_conversation(message, conversation) && request.message_uids.contains(&message.message_uid)
        });
    }
    Ok(())
}

/// DEL-4, DEL-6, DEL-11, DEL-13: deletes the messages of `user_id`'s history of one conversation sent at or before
/// `sent_up_to`, and their offline-compensation copies only with `deleteCompensationOnTimestampDelete` (CFG-4); or
/// refuses (33007) and deletes nothing.
pub(super) fn clear(app: &mut App, user_id: &str, request: &proto::HistoryClear, now_ms: i64) -> Result<(), ErrorCode> {
    cloud_storage(app)?;
    imsim_engine::mark!("DEL-13");
    let conversation = (request.conversation_type, request.target_id.as_str(), request.channel_id.as_str());
    if let Some(messages) = app.histories.conversation(user_id, conversation, now_ms) {
        messages.retain(|(sent_time, _), _| *sent_time > request.sent_up_to);
    }
    if app.config.delete_compensation_on_timestamp_delete {
        imsim_engine::mark!("DEL-6");
        imsim_engine::mark!("CFG-4");
        if let Some(inbox) = app.inboxes.get_mut(user_id) {
            inbox.remove_where(|message| {
                in_conversation(message, conversation) && message.sent_time <= request.sent_up_to
            });
        }
    } else {
        imsim_engine::mark!("DEL-4");
    }
    Ok(())
}

/// Whether an inbox entry belongs to the conversation (type, target as the owner sees it, channel).
fn in_conversation(
    message: &proto::DeliveredMessage,
    (conversation_type, target_id, channel_id): (u32, &str, &str),
) -> bool {
    message.conversation_type == conversation_type && message.target_id == target_id && message.channel_id == channel_id
}

/// CFG-1, HIST-12, DEL-14: 33007 while the App Key's cloud storage is off.
fn cloud_storage(app: &App) -> Result<(), ErrorCode> {
    if app.config.cloud_storage {
        imsim_engine::mark!("CFG-1");
        Ok(())
    } else {
        imsim_engine::mark!("HIST-12");
        imsim_engine::mark!("DEL-14");
        Err(ErrorCode::MSG_ROAMING_SERVICE_UNAVAILABLE)
    }
}

//! The conversation list agrees with the messages it is made of (CONV-1, CONV-2, CONV-5, CONV-7, CTYPE-9, UNREAD-6,
//! MENTION-6, MENTION-7, DEL-15): after every run, each conversation of each device's list has the newest stored
//! message of its conversation as `lastMessage`, the unread and mentioned counts its stored messages imply, an
//! operation time no older than that message, and the list is in CONV-7's order with no chatroom in it. An ultra
//! group's conversation is one channel (CTYPE-5, UG-4): its fields come from that channel's messages only.
//!
//! The store reads these fields through SQL over its indexes; this recomputes them in Rust from every stored message,
//! so a query that drifts from the rules (a wrong partial index, a wrong bound) is caught by any run that exercises it.

use imsim_engine::types::MentionedType;
use imsim_engine::{ConversationType, Message, MessageDirection, ReceivedStatus};

use super::{Checker, History, Index};

/// A conversation whose fields disagree with its stored messages, or a list out of order.
pub(super) const CONVERSATIONS: Checker = Checker {
    name: "conversations",
    invariant: "every conversation's last message, unread and mentioned counts and operation time agree with its \
                stored messages, and the list is pinned first, then newest first, with no chatroom",
    check: conversations,
};

/// Whether a stored message counts as unread (UNREAD-6, SYNC-12).
fn counts_as_unread(message: &Message) -> bool {
    message.direction == MessageDirection::Receive
        && message.content.policy().counted
        && matches!(message.received_status, ReceivedStatus::Unread | ReceivedStatus::Retrieved)
}

/// Whether an unread message mentions `user_id` (MENTION-6).
fn mentions(message: &Message, user_id: &str) -> bool {
    message.mentioned_info.as_ref().is_some_and(|info| match info.mentioned_type {
        MentionedType::All => true,
        MentionedType::Part => info.user_id_list.iter().any(|id| id == user_id),
    })
}

fn conversations(history: &History, _: &Index) -> Vec<String> {
    let mut breaches = Vec::new();
    for (device, list) in &history.conversations {
        let user_id = history.users.get(device).map(String::as_str).unwrap_or_default();
        let stored = history.stored.get(device).map(Vec::as_slice).unwrap_or_default();
        for pair in list.windows(2) {
            let key = |conversation: &imsim_engine::conversation::Conversation| {
                let channel = conversation.channel_id.clone().unwrap_or_default();
                (
                    std::cmp::Reverse((conversation.top, conversation.operation_time)),
                    conversation.conversation_type,
                    conversation.target_id.clone(),
                    channel,
                )
            };
            if key(&pair[0]) >= key(&pair[1]) {
                breaches.push(format!(
                    "{device}'s list puts {} {} before {} {} (CONV-7)",
                    pair[0].conversation_type, pair[0].target_id, pair[1].conversation_type, pair[1].target_id
                ));
            }
        }
        for conversation in list {
            let channel = conversation.channel_id.as_deref().map(|channel| format!(" channel {channel}"));
            let name = format!(
                "{device}'s {} {}{}",
                conversation.conversation_type,
                conversation.target_id,
                channel.unwrap_or_default()
            );
            if conversation.conversation_type == ConversationType::Chatroom {
                breaches.push(format!("{name} is in the list (CTYPE-9)"));
                continue;
            }
            let own: Vec<&Message> = stored
                .iter()
                .filter(|message| {
                    message.conversation_type == conversation.conversation_type
                        && message.target_id == conversation.target_id
                        && (conversation.conversation_type != ConversationType::UltraGroup
                            || message.channel_id == conversation.channel_id)
                })
                .collect();
            let newest = own.iter().copied().max_by_key(|message| (message.sent_time, message.message_id));
            if conversation.last_message.as_ref() != newest {
                let shown = |message: Option<&Message>| message.map_or("none".to_owned(), |m| m.message_id.to_string());
                breaches.push(format!(
                    "{name} shows last message {} where its newest stored is {}",
                    shown(conversation.last_message.as_ref()),
                    shown(newest)
                ));
            }
            let unread: Vec<&&Message> = own.iter().filter(|message| counts_as_unread(message)).collect();
            if usize::try_from(conversation.unread_count).ok() != Some(unread.len()) {
                breaches.push(format!(
                    "{name} shows {} unread where its stored messages imply {}",
                    conversation.unread_count,
                    unread.len()
                ));
            }
            let mentioned = if conversation.conversation_type == ConversationType::Group {
                unread.iter().filter(|message| mentions(message, user_id)).count()
            } else {
                0
            };
            if usize::try_from(conversation.mentioned_count).ok() != Some(mentioned) {
                breaches.push(format!(
                    "{name} shows {} mentions where its stored messages imply {mentioned}",
                    conversation.mentioned_count
                ));
            }
            if let Some(newest) = newest
                && conversation.operation_time < newest.sent_time
            {
                breaches.push(format!(
                    "{name}'s operation time {} is older than its newest message's {} (CONV-2)",
                    conversation.operation_time, newest.sent_time
                ));
            }
        }
    }
    breaches
}

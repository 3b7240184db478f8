//! The private and group messages the server delivered, by UID: what recall (RECALL) and expansion (EXP) need to
//! know of a message after it was sent: who took part in its conversation and how each of them sees it, whether it
//! was recalled, its expansion as it stands, and the answers to a request for read receipts (GRCPT).
//!
//! The fan-out records every message it delivers, except status messages (which no one may recall or expand) and
//! signals (RC:RcCmd, RC:MsgExMsg), which change other messages and are not messages one can act on.

use std::collections::BTreeMap;

use imsim_engine::content::is_signal;
use imsim_engine::proto;
use imsim_engine::types::{ConversationType, Expansion};

use super::fanout::SenderCopy;

/// A participant of a conversation and the conversation as they see it: (user ID, the peer or the group).
pub(super) type View = (String, String);

/// What the server remembers of a message it delivered.
#[derive(Debug)]
pub(super) struct Sent {
    pub(super) conversation_type: u32,
    pub(super) sender_user_id: String,
    pub(super) sent_time: i64,
    /// Each participant (the sender included) with the conversation as they see it: the peer, or the group.
    pub(super) views: Vec<View>,
    pub(super) recalled: bool,
    /// The expansion as it stands: `None` when the message was sent without expansion (EXP-5).
    pub(super) expansion: Option<Expansion>,
    /// The answers to the sender's request for read receipts, by user ID with the server's time of each: `None`
    /// until receipts are asked for (GRCPT-9).
    pub(super) receipts: Option<BTreeMap<String, i64>>,
}

impl Sent {
    /// Whether `user_id` took part in the message's conversation.
    pub(super) fn view_of(&self, user_id: &str) -> Option<&View> {
        self.views.iter().find(|(participant, _)| participant == user_id)
    }
}

/// The private and group messages delivered so far, by UID.
#[derive(Debug, Default)]
pub(super) struct SentMessages {
    messages: BTreeMap<String, Sent>,
}

impl SentMessages {
    /// Remembers `message` as the fan-out delivers it to `recipients` (and the sender's own copy), if it is a
    /// private or group message and not a signal.
    pub(super) fn record(
        &mut self,
        message: &proto::DeliveredMessage,
        recipients: &[(String, String)],
        sender_copy: Option<&SenderCopy>,
    ) {
        let kept_type = [ConversationType::Private, ConversationType::Group]
            .iter()
            .any(|kept| kept.ordinal() == message.conversation_type);
        if !kept_type || message.content.as_ref().is_some_and(is_signal) {
            return;
        }
        let mut views = recipients.to_vec();
        if let Some(copy) = sender_copy
            && !views.iter().any(|(user_id, _)| *user_id == copy.user_id)
        {
            views.push((copy.user_id.clone(), copy.target_id.clone()));
        }
        let sent = Sent {
            conversation_type: message.conversation_type,
            sender_user_id: message.sender_user_id.clone(),
            sent_time: message.sent_time,
            views,
            recalled: false,
            expansion: message.expansion.as_ref().map(|expansion| expansion.entries.clone().into_iter().collect()),
            receipts: None,
        };
        self.messages.insert(message.message_uid.clone(), sent);
    }

    pub(super) fn get_mut(&mut self, message_uid: &str) -> Option<&mut Sent> {
        self.messages.get_mut(message_uid)
    }
}

//! Ultra groups on the client (UG, CTYPE-5): their messages, which arrive only while the device is online (UG-36),
//! the read-status sync of one channel (UG-31, RSYNC-4), and the local list of one ultra group's channels (UG-12).
//!
//! An ultra group message is stored with its channel (MSG-3), and every query by conversation of an ultra group
//! (history, unread counts, clearing) takes one channel, `None` being the messages in no channel (UG-4): channels
//! are independent of each other. The store keeps that rule; this module only receives and syncs.

use crate::error::{ErrorCode, ImError};
use crate::proto::{self, request};
use crate::store::ConversationQuery;
use crate::types::ConversationType;

use super::messages::{native_error, validate_conversation};
use super::receipts::ReceiptRequest;
use super::requests::RequestKind;
use super::{Core, Event, Now};

impl Core {
    /// `getConversationsForAllChannel(type, targetId)` → `onConversationsLoadedForAllChannel` (UG-11, UG-12): the
    /// ultra group's local conversations, one per channel, those with a stored message only, newest message first
    /// (ties by channel, the messages in no channel first). The list is built from the messages this device sent
    /// and received, so it may lack channels the server has (UG-11). -101 for a type other than `ultraGroup` or an
    /// invalid target, -102 once destroyed, -103 before any `connect`.
    pub fn get_conversations_for_all_channel(
        &mut self,
        conversation_type: ConversationType,
        target_id: &str,
    ) -> Result<(), ImError> {
        self.check_store_call()?;
        validate_conversation(conversation_type, target_id, None)?;
        if conversation_type != ConversationType::UltraGroup {
            return Err(ImError::param("getConversationsForAllChannel lists an ultra group's channels (UG-12)"));
        }
        let query = ConversationQuery {
            conversation_types: &[ConversationType::UltraGroup],
            operation_time_before: i64::MAX,
            only_top: false,
            only_unread: false,
            limit: None,
            ultra_group_channel: None,
        };
        let user_id = self.current_user_id().unwrap_or_default();
        let store = self.database()?;
        let mut conversations = Vec::new();
        for state in store.conversation_states(&query).map_err(native_error)? {
            if state.target_id == target_id {
                let conversation = store.conversation_of(state, user_id).map_err(native_error)?;
                if let Some(newest) = conversation.last_message.as_ref().map(|message| message.sent_time) {
                    conversations.push((newest, conversation));
                }
            }
        }
        conversations.sort_by(|(left_time, left), (right_time, right)| {
            right_time.cmp(left_time).then_with(|| left.channel_id.cmp(&right.channel_id))
        });
        crate::mark!("UG-11");
        crate::mark!("UG-12");
        self.emit(Event::ConversationsLoadedForAllChannel {
            code: ErrorCode::SUCCESS,
            conversation_type,
            target_id: target_id.to_owned(),
            conversations: conversations.into_iter().map(|(_, conversation)| conversation).collect(),
        });
        Ok(())
    }

    /// An ultra group message to this device, online when it was sent (UG-4, UG-36): stored if its type is stored
    /// (a repeat of a stored UID is dropped) and reported with `left` 0, offline false. It is not in the inbox, so
    /// nothing is acknowledged.
    pub(super) fn handle_ultra_group_delivery(&mut self, now: Now, delivery: proto::UltraGroupDelivery) {
        let Some(delivered) = delivery.message else { return };
        if delivered.conversation_type != ConversationType::UltraGroup.ordinal() {
            return;
        }
        crate::mark!("CTYPE-5");
        crate::mark!("MSG-3");
        for message in self.persist_outside_inbox(now, std::slice::from_ref(&delivered)) {
            self.emit(Event::MessageReceived { message, left: 0, offline: false, has_package: false });
        }
    }

    /// `syncUltraGroupReadStatus(targetId, channelId, timestamp)` (UG-31, UG-32) → `onUltraGroupReadStatusSynced`:
    /// every message of the channel (`None`: the messages in no channel) becomes read, here once the server accepted
    /// the sync, and on this user's other devices, which get `onConversationReadStatusSyncMessageReceived` (RSYNC-4).
    /// `timestamp` is unused and may be any number (UG-32); it is echoed, and the other devices are told it, or 0
    /// when negative. -101 for an invalid target or a channel over 20 characters, -102 once destroyed, -103 while not
    /// connected; a non-member gets 24406 from the server.
    pub fn sync_ultra_group_read_status(
        &mut self,
        now: Now,
        target_id: &str,
        channel_id: Option<&str>,
        timestamp: i64,
    ) -> Result<(), ImError> {
        if self.destroyed {
            return Err(ImError::destroyed());
        }
        validate_conversation(ConversationType::UltraGroup, target_id, channel_id)?;
        self.check_server_call()?;
        let body = request::Body::ReadStatusSync(proto::ReadStatusSync {
            conversation_type: ConversationType::UltraGroup.ordinal(),
            target_id: target_id.to_owned(),
            timestamp: timestamp.max(0),
            channel_id: channel_id.unwrap_or_default().to_owned(),
        });
        let request = ReceiptRequest::UltraGroupReadStatus {
            target_id: target_id.to_owned(),
            channel_id: channel_id.map(str::to_owned),
            timestamp,
        };
        self.send_request(now, body, RequestKind::Receipt(request));
        Ok(())
    }

    /// The server accepted (or refused, `code`) a `syncUltraGroupReadStatus`: on acceptance the channel's messages
    /// become read here (UG-31: "locally and on the server"), then the result is reported.
    pub(super) fn ultra_group_read_status_settled(
        &mut self,
        mut code: ErrorCode,
        target_id: String,
        channel_id: Option<String>,
        timestamp: i64,
    ) -> Event {
        if code.is_success() {
            crate::mark!("UG-31");
            crate::mark!("UG-32");
            let conversation = (ConversationType::UltraGroup, target_id.as_str(), channel_id.as_deref());
            let marked = self
                .database_mut()
                .and_then(|store| store.mark_read_sent_up_to(conversation, i64::MAX).map_err(native_error));
            if let Err(error) = marked {
                code = error.code;
            }
        }
        Event::UltraGroupReadStatusSynced { code, target_id, channel_id, timestamp }
    }
}

//! Read receipts: private (RCPT) and group (GRCPT), and the read-status sync between a user's devices (RSYNC).
//!
//! A private receipt tells the peer "read up to the message sent at this time": the peer's device marks its sent
//! messages up to then `read` (RCPT-5). A group sender asks for receipts for one of its messages; every other member
//! is told (GRCPT-8); a member answers for several messages at once, and the sender's devices get every answer so
//! far each time (GRCPT-9). All three go through the server as requests, and reach the others as signals (RC:ReadNtf,
//! RC:RRReqMsg, RC:RRRspMsg) through the inboxes, kept for offline devices (RCPT-7, GRCPT-8) and applied with the
//! inbox cursor (`signals`). None reaches the caller's other devices (RCPT-9: that is read-status sync, RSYNC).

use super::messages::{native_error, validate_conversation};
use super::requests::RequestKind;
use super::{Core, Event, Now};
use crate::error::{ErrorCode, ImError};
use crate::limits::GROUP_RECEIPT_RESPONSE_MESSAGES_MAX;
use crate::proto::{self, request};
use crate::store::ReceiptChange;
use crate::types::{ConversationType, Message, MessageDirection};

/// A receipt request in flight, as the app passed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum ReceiptRequest {
    /// `sendPrivateReadReceiptMessage`.
    Private { target_id: String, channel_id: Option<String>, timestamp: i64 },
    /// `sendGroupReadReceiptRequest`.
    Request(Box<Message>),
    /// `sendGroupReadReceiptResponse`.
    Response { target_id: String, channel_id: Option<String>, messages: Vec<Message> },
    /// `syncConversationReadStatus`.
    ReadStatus { conversation_type: ConversationType, target_id: String, channel_id: Option<String>, timestamp: i64 },
    /// `syncUltraGroupReadStatus` (UG-31).
    UltraGroupReadStatus { target_id: String, channel_id: Option<String>, timestamp: i64 },
}

impl Core {
    /// `syncConversationReadStatus(type, targetId, channelId, timestamp)` (RSYNC-1, RSYNC-5, RSYNC-8) →
    /// `onConversationReadStatusSynced`: tells this user's other devices that the conversation was read up to the
    /// message sent at `timestamp`. It changes nothing here (RSYNC-7). -101 for a chatroom, an invalid conversation
    /// or a negative time; -102 once destroyed; -103 while not connected.
    pub fn sync_conversation_read_status(
        &mut self,
        now: Now,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
        timestamp: i64,
    ) -> Result<(), ImError> {
        if self.destroyed {
            return Err(ImError::destroyed());
        }
        if conversation_type == ConversationType::Chatroom {
            crate::mark!("RSYNC-8");
            return Err(ImError::param("a chatroom has no read status to sync (RSYNC-8)"));
        }
        validate_conversation(conversation_type, target_id, channel_id)?;
        if timestamp < 0 {
            return Err(ImError::param("timestamp is a send time, never negative (RSYNC-1)"));
        }
        self.check_server_call()?;
        let body = request::Body::ReadStatusSync(proto::ReadStatusSync {
            conversation_type: conversation_type.ordinal(),
            target_id: target_id.to_owned(),
            timestamp,
            channel_id: channel_id
                .filter(|_| conversation_type == ConversationType::UltraGroup)
                .unwrap_or_default()
                .to_owned(),
        });
        let request = ReceiptRequest::ReadStatus {
            conversation_type,
            target_id: target_id.to_owned(),
            channel_id: channel_id.map(str::to_owned),
            timestamp,
        };
        self.send_request(now, body, RequestKind::Receipt(request));
        Ok(())
    }

    /// `sendPrivateReadReceiptMessage(targetId, channelId, timestamp)` (RCPT-2, RCPT-8) →
    /// `onPrivateReadReceiptMessageSent`: tells the peer of the private conversation with `targetId` that this user
    /// read it up to the message sent at `timestamp`. It changes nothing here (RCPT-6: unread counts are cleared
    /// apart). -101 for an invalid target or a negative time, -102 once destroyed, -103 while not connected.
    pub fn send_private_read_receipt_message(
        &mut self,
        now: Now,
        target_id: &str,
        channel_id: Option<&str>,
        timestamp: i64,
    ) -> Result<(), ImError> {
        if self.destroyed {
            return Err(ImError::destroyed());
        }
        validate_conversation(ConversationType::Private, target_id, None)?;
        if timestamp < 0 {
            return Err(ImError::param("timestamp is a send time, never negative (RCPT-2)"));
        }
        self.check_server_call()?;
        crate::mark!("RCPT-8");
        let body =
            request::Body::PrivateReadReceipt(proto::PrivateReadReceipt { target_id: target_id.to_owned(), timestamp });
        let request = ReceiptRequest::Private {
            target_id: target_id.to_owned(),
            channel_id: channel_id.map(str::to_owned),
            timestamp,
        };
        self.send_request(now, body, RequestKind::Receipt(request));
        Ok(())
    }

    /// `sendGroupReadReceiptRequest(message)` (GRCPT-2, GRCPT-7) → `onGroupReadReceiptRequestSent`: asks the other
    /// members for read receipts for a group message this user sent and the server accepted; -101 for any other
    /// message, -102 once destroyed, -103 while not connected.
    pub fn send_group_read_receipt_request(&mut self, now: Now, message: &Message) -> Result<(), ImError> {
        if self.destroyed {
            return Err(ImError::destroyed());
        }
        let own = message.direction == MessageDirection::Send
            && self.current_user_id().is_some_and(|user_id| user_id == message.sender_user_id);
        let Some(message_uid) = message.message_uid.clone().filter(|uid| !uid.is_empty()) else {
            return Err(ImError::param("receipts are asked for a message the server accepted (it has a messageUId)"));
        };
        if message.conversation_type != ConversationType::Group || !own {
            crate::mark!("GRCPT-7");
            return Err(ImError::param("receipts are asked only for one's own group messages (GRCPT-7)"));
        }
        self.check_server_call()?;
        let body = request::Body::GroupReceiptRequest(proto::GroupReceiptRequest { message_uid });
        self.send_request(now, body, RequestKind::Receipt(ReceiptRequest::Request(Box::new(message.clone()))));
        Ok(())
    }

    /// `sendGroupReadReceiptResponse(targetId, channelId, messages)` (GRCPT-4) → `onGroupReadReceiptResponseSent`:
    /// answers requests for read receipts for messages of group `targetId`. -101 for an invalid group, no messages,
    /// more than `GROUP_RECEIPT_RESPONSE_MESSAGES_MAX`, or one that is not a message of that group with a UID; -102
    /// once destroyed; -103 while not connected.
    pub fn send_group_read_receipt_response(
        &mut self,
        now: Now,
        target_id: &str,
        channel_id: Option<&str>,
        messages: Vec<Message>,
    ) -> Result<(), ImError> {
        if self.destroyed {
            return Err(ImError::destroyed());
        }
        validate_conversation(ConversationType::Group, target_id, None)?;
        if messages.is_empty() || messages.len() > GROUP_RECEIPT_RESPONSE_MESSAGES_MAX {
            return Err(ImError::param(format!(
                "a response answers 1 to {GROUP_RECEIPT_RESPONSE_MESSAGES_MAX} messages, not {}",
                messages.len()
            )));
        }
        let message_uids: Option<Vec<String>> = messages
            .iter()
            .map(|message| {
                let of_the_group =
                    message.conversation_type == ConversationType::Group && message.target_id == target_id;
                message.message_uid.clone().filter(|uid| of_the_group && !uid.is_empty())
            })
            .collect();
        let Some(message_uids) = message_uids else {
            return Err(ImError::param("each message must be a message of the group that the server accepted"));
        };
        self.check_server_call()?;
        let body = request::Body::GroupReceiptResponse(proto::GroupReceiptResponse {
            group_id: target_id.to_owned(),
            message_uids,
        });
        let request = ReceiptRequest::Response {
            target_id: target_id.to_owned(),
            channel_id: channel_id.map(str::to_owned),
            messages,
        };
        self.send_request(now, body, RequestKind::Receipt(request));
        Ok(())
    }

    /// The server's answer to a receipt request: on success the caller's own copies take the change (GRCPT-10), then
    /// the result is reported.
    pub(super) fn receipt_settled(&mut self, request: ReceiptRequest, code: ErrorCode) {
        let event = match request {
            ReceiptRequest::ReadStatus { conversation_type, target_id, channel_id, timestamp } => {
                crate::mark!("RSYNC-1");
                crate::mark!("RSYNC-2");
                Event::ConversationReadStatusSynced { code, conversation_type, target_id, channel_id, timestamp }
            }
            ReceiptRequest::UltraGroupReadStatus { target_id, channel_id, timestamp } => {
                self.ultra_group_read_status_settled(code, target_id, channel_id, timestamp)
            }
            ReceiptRequest::Private { target_id, channel_id, timestamp } => {
                crate::mark!("RCPT-2");
                Event::PrivateReadReceiptMessageSent { code, target_id, channel_id, timestamp }
            }
            ReceiptRequest::Request(message) => {
                crate::mark!("GRCPT-2");
                let (code, message) = if code.is_success() {
                    crate::mark!("GRCPT-1");
                    crate::mark!("GRCPT-10");
                    self.change_own_receipt(*message, &ReceiptChange::Requested)
                } else {
                    (code, *message)
                };
                Event::GroupReadReceiptRequestSent { code, message }
            }
            ReceiptRequest::Response { target_id, channel_id, messages } => {
                crate::mark!("GRCPT-4");
                let mut code = code;
                let messages = if code.is_success() {
                    let mut answered = Vec::with_capacity(messages.len());
                    for message in messages {
                        let (change_code, message) = self.change_own_receipt(message, &ReceiptChange::Responded);
                        if !change_code.is_success() {
                            code = change_code;
                        }
                        answered.push(message);
                    }
                    answered
                } else {
                    messages
                };
                Event::GroupReadReceiptResponseSent { code, target_id, channel_id, messages }
            }
        };
        self.emit(event);
    }

    /// Applies `change` to this device's copy of `message`; the code to report and the message as now stored (as
    /// passed, with the change, when this device does not hold it).
    fn change_own_receipt(&mut self, message: Message, change: &ReceiptChange) -> (ErrorCode, Message) {
        let uid = message.message_uid.clone().unwrap_or_default();
        let changed =
            self.database_mut().and_then(|store| store.change_group_receipt(&uid, change).map_err(native_error));
        match changed {
            Ok(Some(stored)) => (ErrorCode::SUCCESS, stored),
            Ok(None) => {
                let mut passed = message;
                change.apply(&mut passed.group_read_receipt_info);
                (ErrorCode::SUCCESS, passed)
            }
            Err(error) => (error.code, message),
        }
    }
}

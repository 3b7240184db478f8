//! The methods that reach the server's history (HIST-1, HIST-6, HIST-11, HIST-12, DEL-3, DEL-10 to DEL-14):
//! `getMessages` with every policy, `deleteMessages` and `clearMessages`.
//!
//! The server keeps a user's history only while the App Key's cloud storage is on (CFG-1) and answers 33007
//! otherwise. A remote deletion deletes locally only once the server has said yes, so a refused one deletes nothing
//! at all (DEL-14). Remote messages a fetch brings are stored locally as read, without `onMessageReceived`
//! (HIST-11).

use super::message_store::ConversationKey;
use super::messages::{native_error, received_message, validate_conversation};
use super::requests::RequestKind;
use super::{Core, Event, Now};
use crate::error::{ErrorCode, ImError};
use crate::proto::{self, request, response};
use crate::store::Received;
use crate::types::{ConversationType, Message, MessageOperationPolicy, ReceivedStatus, TimeOrder};

/// A conversation a request in flight is about: type, target and channel, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Conversation {
    conversation_type: ConversationType,
    target_id: String,
    channel_id: Option<String>,
}

impl Conversation {
    fn new((conversation_type, target_id, channel_id): ConversationKey<'_>) -> Conversation {
        Conversation { conversation_type, target_id: target_id.to_owned(), channel_id: channel_id.map(str::to_owned) }
    }

    fn key(&self) -> ConversationKey<'_> {
        (self.conversation_type, &self.target_id, self.channel_id.as_deref())
    }
}

/// A history request in flight: what its answer completes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum HistoryRequest {
    /// `getMessages` with `remote` (`local` is `None`) or `localRemote` (`local` holds the local page already
    /// read, HIST-11).
    Load { conversation: Conversation, sent_time: i64, order: TimeOrder, count: u32, local: Option<Vec<Message>> },
    /// `deleteMessages`: these go locally once the server deleted them (DEL-10).
    Delete { conversation: Conversation, messages: Vec<Message> },
    /// `clearMessages` with `remote` or `localRemote` (`and_local`).
    Clear { conversation: Conversation, timestamp: i64, and_local: bool },
}

impl Core {
    /// `getMessages(type, targetId, channelId, sentTime, order, policy, count)` → `onMessagesLoaded` (HIST-3 to
    /// HIST-13).
    ///
    /// - `local`: the local page, at once.
    /// - `remote`: the server's page; -103 while not connected (HIST-12); 33007 in the result without cloud storage.
    /// - `localRemote`: the local page, completed from the server when it holds fewer than `count`, continuing past
    ///   its last message, if connected (HIST-11); the merge drops repeated UIDs, is sorted as HIST-9 says and cut
    ///   to `count`. Without a connection or cloud storage it is the local page, with code 0 (HIST-12).
    ///
    /// -101 for a bad conversation, a negative `sentTime` or a `count` outside 1 to 20 (HIST-13).
    #[allow(clippy::too_many_arguments)] // the manual's parameters, one for one
    pub fn get_messages(
        &mut self,
        now: Now,
        conversation: ConversationKey<'_>,
        sent_time: i64,
        order: TimeOrder,
        policy: MessageOperationPolicy,
        count: i32,
    ) -> Result<(), ImError> {
        let count = self.check_history_call(conversation, sent_time, count)?;
        crate::mark!("HIST-3");
        crate::mark!("HIST-6");
        let conversation = Conversation::new(conversation);
        match policy {
            MessageOperationPolicy::Local => {
                let page = self.local_history_page(conversation.key(), sent_time, order, count)?;
                self.emit_page(ErrorCode::SUCCESS, conversation, sent_time, order, page);
            }
            MessageOperationPolicy::Remote => {
                self.check_server_call()?;
                self.request_page(now, (conversation, sent_time), sent_time, order, count, None);
            }
            MessageOperationPolicy::LocalRemote => {
                let page = self.local_history_page(conversation.key(), sent_time, order, count)?;
                if page.len() >= count as usize || !self.is_established() {
                    crate::mark!("HIST-12");
                    self.emit_page(ErrorCode::SUCCESS, conversation, sent_time, order, page);
                } else {
                    crate::mark!("HIST-11");
                    let from = page.last().map_or(sent_time, |message| message.sent_time);
                    self.request_page(now, (conversation, sent_time), from, order, count, Some(page));
                }
            }
        }
        Ok(())
    }

    /// Asks the server for a page from `from`: the anchor passed (`sent_time`, which the result reports), or past
    /// the last message of the local page.
    fn request_page(
        &mut self,
        now: Now,
        (conversation, sent_time): (Conversation, i64),
        from: i64,
        order: TimeOrder,
        count: u32,
        local: Option<Vec<Message>>,
    ) {
        let body = request::Body::History(proto::HistoryQuery {
            conversation_type: conversation.conversation_type.ordinal(),
            target_id: conversation.target_id.clone(),
            channel_id: conversation.channel_id.clone().unwrap_or_default(),
            sent_time: from,
            order: order.ordinal(),
            count,
        });
        let kind = HistoryRequest::Load { conversation, sent_time, order, count, local };
        self.send_request(now, body, RequestKind::History(kind));
    }

    /// `deleteMessages(type, targetId, channelId, messages)` → `onMessagesDeleted` (DEL-10, DEL-13, DEL-14): deletes
    /// the messages from the caller's server history and, once the server has, from the local database (by ID).
    /// -101 for a bad conversation or an empty list; -103 while not connected; 33007 in the result without cloud
    /// storage, and then nothing is deleted.
    pub fn delete_messages(
        &mut self,
        now: Now,
        conversation: ConversationKey<'_>,
        messages: Vec<Message>,
    ) -> Result<(), ImError> {
        self.check_remote_deletion(conversation)?;
        if messages.is_empty() {
            return Err(ImError::param("there are no messages to delete"));
        }
        self.check_server_call()?;
        let conversation = Conversation::new(conversation);
        let body = request::Body::HistoryDelete(proto::HistoryDelete {
            conversation_type: conversation.conversation_type.ordinal(),
            target_id: conversation.target_id.clone(),
            channel_id: conversation.channel_id.clone().unwrap_or_default(),
            message_uids: messages.iter().filter_map(|message| message.message_uid.clone()).collect(),
        });
        self.send_request(now, body, RequestKind::History(HistoryRequest::Delete { conversation, messages }));
        Ok(())
    }

    /// `clearMessages(type, targetId, channelId, timestamp, policy)` → `onMessagesCleared` (DEL-11, DEL-12, DEL-14):
    /// deletes the conversation's messages sent at or before `timestamp` (0: all of them) locally, on the server, or
    /// both; with a remote policy, the local ones go only once the server has cleared its own. -101 for a bad
    /// conversation or a negative timestamp (DEL-12); -103 for a remote policy while not connected.
    pub fn clear_messages(
        &mut self,
        now: Now,
        conversation: ConversationKey<'_>,
        timestamp: i64,
        policy: MessageOperationPolicy,
    ) -> Result<(), ImError> {
        self.check_remote_deletion(conversation)?;
        if timestamp < 0 {
            crate::mark!("DEL-12");
            return Err(ImError::param("timestamp must not be negative (DEL-12)"));
        }
        let conversation = Conversation::new(conversation);
        if policy == MessageOperationPolicy::Local {
            self.clear_local(&conversation, timestamp)?;
            self.emit_cleared(ErrorCode::SUCCESS, conversation, timestamp);
            return Ok(());
        }
        self.check_server_call()?;
        let body = request::Body::HistoryClear(proto::HistoryClear {
            conversation_type: conversation.conversation_type.ordinal(),
            target_id: conversation.target_id.clone(),
            channel_id: conversation.channel_id.clone().unwrap_or_default(),
            sent_up_to: sent_up_to(timestamp),
        });
        let and_local = policy == MessageOperationPolicy::LocalRemote;
        self.send_request(
            now,
            body,
            RequestKind::History(HistoryRequest::Clear { conversation, timestamp, and_local }),
        );
        Ok(())
    }

    /// The checks of `deleteMessages` and `clearMessages`: -102 once destroyed, -103 without a database, -101 for a
    /// bad conversation or a chatroom (DEL-8: no client API deletes chatroom messages).
    fn check_remote_deletion(&self, conversation: ConversationKey<'_>) -> Result<(), ImError> {
        if self.destroyed {
            return Err(ImError::destroyed());
        }
        self.database()?;
        let (conversation_type, target_id, channel_id) = conversation;
        validate_conversation(conversation_type, target_id, channel_id)?;
        if conversation_type == ConversationType::Chatroom {
            crate::mark!("DEL-8");
            return Err(ImError::param("chatroom messages cannot be deleted by the client (DEL-8)"));
        }
        Ok(())
    }

    /// DEL-10: the IDs of those of `messages` stored in `conversation`: a message of another conversation, or not
    /// stored at all, is not this call's to delete (DEL-16 ignores what is not stored).
    fn message_ids_in(&self, conversation: &Conversation, messages: &[Message]) -> Result<Vec<i64>, ImError> {
        let store = self.database()?;
        let (conversation_type, target_id, channel_id) = conversation.key();
        let mut message_ids = Vec::new();
        for message in messages {
            let Some(stored) = store.message(message.message_id).map_err(native_error)? else { continue };
            let same_channel =
                conversation_type != ConversationType::UltraGroup || stored.channel_id.as_deref() == channel_id;
            if stored.conversation_type == conversation_type && stored.target_id == target_id && same_channel {
                message_ids.push(stored.message_id);
            }
        }
        Ok(message_ids)
    }

    /// DEL-11: deletes the local messages sent at or before `timestamp` (0: all).
    fn clear_local(&mut self, conversation: &Conversation, timestamp: i64) -> Result<(), ImError> {
        crate::mark!("DEL-11");
        self.database_mut()?
            .delete_messages_sent_up_to(conversation.key(), sent_up_to(timestamp))
            .map_err(native_error)?;
        Ok(())
    }

    /// Reports a history request's outcome: `code`, and the server's answer when it sent one.
    pub(super) fn history_settled(
        &mut self,
        now: Now,
        request: HistoryRequest,
        code: ErrorCode,
        body: Option<response::Body>,
    ) {
        match request {
            HistoryRequest::Load { conversation, sent_time, order, count, local } => {
                self.page_settled(now, conversation, sent_time, order, count, local, code, body);
            }
            HistoryRequest::Delete { conversation, messages } => {
                crate::mark!("DEL-10");
                crate::mark!("DEL-14");
                let code = if code.is_success() {
                    let deleted = self.message_ids_in(&conversation, &messages).and_then(|message_ids| {
                        let store = self.database_mut()?;
                        store.delete_messages(&message_ids).map(|_| ()).map_err(native_error)
                    });
                    code_of(deleted)
                } else {
                    code
                };
                let Conversation { conversation_type, target_id, channel_id } = conversation;
                self.emit(Event::MessagesDeleted { code, conversation_type, target_id, channel_id, messages });
            }
            HistoryRequest::Clear { conversation, timestamp, and_local } => {
                crate::mark!("DEL-14");
                let code = if code.is_success() && and_local {
                    code_of(self.clear_local(&conversation, timestamp))
                } else {
                    code
                };
                self.emit_cleared(code, conversation, timestamp);
            }
        }
    }

    /// A page from the server: stored locally where new (as read, HIST-11), merged with the local page if any,
    /// reported. A failure reports the local page with 0 for `localRemote`, the code for `remote` (HIST-12).
    #[allow(clippy::too_many_arguments)] // one request's record
    fn page_settled(
        &mut self,
        now: Now,
        conversation: Conversation,
        sent_time: i64,
        order: TimeOrder,
        count: u32,
        local: Option<Vec<Message>>,
        code: ErrorCode,
        body: Option<response::Body>,
    ) {
        let remote = match (code.is_success(), body) {
            (true, Some(response::Body::History(history))) => history.messages,
            (true, _) => Vec::new(),
            (false, _) => {
                crate::mark!("HIST-12");
                match local {
                    Some(page) => self.emit_page(ErrorCode::SUCCESS, conversation, sent_time, order, page),
                    None => self.emit_page(code, conversation, sent_time, order, Vec::new()),
                }
                return;
            }
        };
        crate::mark!("HIST-1");
        crate::mark!("HIST-11");
        let stored = match self.store_remote_page(now, &remote) {
            Ok(stored) => stored,
            Err(error) => {
                self.emit_page(error.code, conversation, sent_time, order, Vec::new());
                return;
            }
        };
        let mut page = local.unwrap_or_default();
        for message in stored {
            let repeated =
                page.iter().any(|kept| kept.message_uid.is_some() && kept.message_uid == message.message_uid);
            if !repeated {
                page.push(message);
            }
        }
        page.sort_by_key(|message| (message.sent_time, message.message_id));
        if order == TimeOrder::Before {
            page.reverse();
        }
        page.truncate(count as usize);
        self.emit_page(ErrorCode::SUCCESS, conversation, sent_time, order, page);
    }

    /// Stores the messages of a remote page that are not stored yet, as read, and returns each as now stored.
    fn store_remote_page(&mut self, now: Now, remote: &[proto::DeliveredMessage]) -> Result<Vec<Message>, ImError> {
        let user_id = self.current_user_id().unwrap_or_default().to_owned();
        // Stored oldest first, whichever way the page goes, so local IDs follow the sent times.
        let mut messages: Vec<Message> = remote
            .iter()
            .map(|wire| Message {
                received_status: ReceivedStatus::Read,
                ..received_message(wire, now, false, &user_id)
            })
            .filter(|message| message.content.policy().stored)
            .collect();
        messages.sort_by_key(|message| message.sent_time);
        let store = self.database_mut()?;
        let outcomes = store.insert_received_outside_inbox(&messages).map_err(native_error)?;
        let mut stored = Vec::with_capacity(messages.len());
        for (message, outcome) in messages.into_iter().zip(outcomes) {
            match outcome {
                Received::Stored(message_id) => stored.push(Message { message_id, ..message }),
                Received::Duplicate => {
                    let uid = message.message_uid.as_deref().unwrap_or_default();
                    if let Some(local) = store.message_by_uid(uid).map_err(native_error)? {
                        stored.push(local);
                    }
                }
            }
        }
        Ok(stored)
    }

    fn emit_page(
        &mut self,
        code: ErrorCode,
        conversation: Conversation,
        sent_time: i64,
        order: TimeOrder,
        messages: Vec<Message>,
    ) {
        crate::mark!("HIST-8");
        let Conversation { conversation_type, target_id, channel_id } = conversation;
        self.emit(Event::MessagesLoaded { code, conversation_type, target_id, channel_id, sent_time, order, messages });
    }

    fn emit_cleared(&mut self, code: ErrorCode, conversation: Conversation, timestamp: i64) {
        let Conversation { conversation_type, target_id, channel_id } = conversation;
        self.emit(Event::MessagesCleared { code, conversation_type, target_id, channel_id, timestamp });
    }
}

/// The code of a local deletion that follows the server's: 0, or -103 when the database failed.
fn code_of(outcome: Result<(), ImError>) -> ErrorCode {
    match outcome {
        Ok(()) => ErrorCode::SUCCESS,
        Err(error) => error.code,
    }
}

/// DEL-11: the last sent time a clear deletes: `timestamp`, or every message for 0.
fn sent_up_to(timestamp: i64) -> i64 {
    if timestamp == 0 { i64::MAX } else { timestamp }
}

//! The local message store's methods (issue 14): history (HIST), get (GET), insert (INS), delete and clear (DEL)
//! and search (SEARCH).
//!
//! Everything local answers synchronously after the call returns: the store is read or written inside the call,
//! then the result event is queued. What involves the server's history (`getMessages` with `remote` or
//! `localRemote`, `deleteMessages`, `clearMessages` with a remote policy) is a request in `history.rs`; its
//! local half is done here, after the server said yes, so a refused remote deletion deletes nothing (DEL-14).

use super::messages::{native_error, validate_conversation};
use super::{Core, Event, Now};
use crate::error::{ErrorCode, ImError};
use crate::limits::{HISTORY_PAGE_COUNT_MAX, SEARCH_COUNT_MAX};
use crate::store::MessageFilter;
use crate::types::{
    ConversationType, Message, MessageContent, MessageDirection, ReceivedStatus, SentStatus, TimeOrder,
};

/// A conversation as the store's queries take it: type, target and (ultra groups only) channel.
pub(super) type ConversationKey<'a> = (ConversationType, &'a str, Option<&'a str>);

impl Core {
    /// The checks every message store method makes first: -102 once destroyed, and the database must be open
    /// (-103 before the first `connect`).
    pub(super) fn check_store_call(&self) -> Result<(), ImError> {
        if self.destroyed {
            return Err(ImError::destroyed());
        }
        self.database().map(|_| ())
    }

    /// `getMessageById(messageId)` → `IRCIMIWGetMessageCallback` (GET-1, GET-4, GET-5): the stored message, or
    /// 34204 and `null` when none has this ID. A `messageId` that is not positive is refused with -101.
    pub fn get_message_by_id(&mut self, message_id: i64) -> Result<(), ImError> {
        self.check_store_call()?;
        if message_id <= 0 {
            return Err(ImError::param("messageId must be a stored message's positive ID"));
        }
        let message = self.database()?.message(message_id).map_err(native_error)?;
        crate::mark!("GET-1");
        self.emit_loaded(message);
        Ok(())
    }

    /// `getMessageByUid(messageUid)` → `IRCIMIWGetMessageCallback` (GET-2, GET-3, GET-5): the stored message with
    /// this UID (only a message the server accepted has one), or 34204 and `null`. An empty UID is refused with
    /// -101.
    pub fn get_message_by_uid(&mut self, message_uid: &str) -> Result<(), ImError> {
        self.check_store_call()?;
        if message_uid.is_empty() {
            return Err(ImError::param("messageUid must not be empty"));
        }
        let message = self.database()?.message_by_uid(message_uid).map_err(native_error)?;
        crate::mark!("GET-2");
        crate::mark!("GET-3");
        self.emit_loaded(message);
        Ok(())
    }

    /// GET-5: a lookup looks in the local database only; a miss is an error with no message.
    fn emit_loaded(&mut self, message: Option<Message>) {
        crate::mark!("GET-5");
        let code = if message.is_some() { ErrorCode::SUCCESS } else { ErrorCode::INVALID_PARAMETER_MESSAGEID };
        self.emit(Event::MessageLoaded { code, message });
    }

    /// `getMessages(type, targetId, channelId, sentTime, order, policy, count)` with the `local` policy →
    /// `onMessagesLoaded` (HIST-3 to HIST-10): a page of the local history, strictly before `sent_time` newest
    /// first or strictly after it oldest first; 0 starts from the newest (`before`) or the oldest (`after`).
    pub(super) fn local_history_page(
        &self,
        conversation: ConversationKey<'_>,
        sent_time: i64,
        order: TimeOrder,
        count: u32,
    ) -> Result<Vec<Message>, ImError> {
        crate::mark!("HIST-5");
        crate::mark!("HIST-9");
        crate::mark!("HIST-10");
        self.database()?.history_page(conversation, sent_time, order, count).map_err(native_error)
    }

    /// The checks of `getMessages` (HIST-7, HIST-13): -101 for a bad conversation, a negative `sentTime` or a
    /// `count` outside 1 to 20. Returns the count.
    pub(super) fn check_history_call(
        &self,
        conversation: ConversationKey<'_>,
        sent_time: i64,
        count: i32,
    ) -> Result<u32, ImError> {
        self.check_store_call()?;
        let (conversation_type, target_id, channel_id) = conversation;
        validate_conversation(conversation_type, target_id, channel_id)?;
        if sent_time < 0 {
            return Err(ImError::param("sentTime must not be negative"));
        }
        match u32::try_from(count) {
            Ok(count) if (1..=HISTORY_PAGE_COUNT_MAX).contains(&count) => Ok(count),
            _ => {
                crate::mark!("HIST-7");
                crate::mark!("HIST-13");
                Err(ImError::param(format!("count must be 1 to {HISTORY_PAGE_COUNT_MAX} (HIST-7)")))
            }
        }
    }

    /// `insertMessage(message)` → `onMessageInserted` (INS-1 to INS-4, INS-9), and `insertMessages(messages)` →
    /// `onMessagesInserted` (INS-5 to INS-7): each message is checked and completed (`inserted_message`), then all
    /// are stored in one transaction, or none (INS-6). -101 for an empty list or for any message that is refused
    /// (INS-8: one refused element refuses the whole call); more than 10 are accepted (INS-7).
    pub fn insert_messages(&mut self, now: Now, messages: Vec<Message>, one: bool) -> Result<(), ImError> {
        self.check_store_call()?;
        if messages.is_empty() {
            return Err(ImError::param("there are no messages to insert"));
        }
        let user_id = self.current_user_id().unwrap_or_default().to_owned();
        let messages = messages
            .into_iter()
            .map(|message| inserted_message(message, now, &user_id))
            .collect::<Result<Vec<Message>, ImError>>()?;
        let message_ids = self.database_mut()?.insert_local(&messages).map_err(native_error)?;
        crate::mark!("INS-6");
        crate::mark!("INS-9");
        let mut stored: Vec<Message> = messages
            .into_iter()
            .zip(message_ids)
            .map(|(message, message_id)| Message { message_id, ..message })
            .collect();
        if one {
            crate::mark!("INS-1");
            let message = stored.remove(0);
            self.emit(Event::MessageInserted { code: ErrorCode::SUCCESS, message });
        } else {
            crate::mark!("INS-5");
            crate::mark!("INS-7");
            self.emit(Event::MessagesInserted { code: ErrorCode::SUCCESS, messages: stored });
        }
        Ok(())
    }

    /// `deleteLocalMessages(messages)` → `onLocalMessagesDeleted` (DEL-2, DEL-9, DEL-16): deletes the messages with
    /// these IDs from the local database only, whatever their conversation; those not stored (no ID, an unknown
    /// one) are ignored. The result carries the messages as passed. -101 for an empty list.
    pub fn delete_local_messages(&mut self, messages: Vec<Message>) -> Result<(), ImError> {
        self.check_store_call()?;
        if messages.is_empty() {
            return Err(ImError::param("there are no messages to delete"));
        }
        let message_ids: Vec<i64> = messages.iter().map(|message| message.message_id).collect();
        self.database_mut()?.delete_messages(&message_ids).map_err(native_error)?;
        crate::mark!("DEL-2");
        crate::mark!("DEL-9");
        crate::mark!("DEL-16");
        self.emit(Event::LocalMessagesDeleted { code: ErrorCode::SUCCESS, messages });
        Ok(())
    }

    /// `searchMessages(type, targetId, channelId, keyword, startTime, count)` → `onMessagesSearched` (SEARCH-2,
    /// SEARCH-5, SEARCH-6): the messages whose searchable text contains the keyword, ignoring case, sent strictly
    /// before `startTime` (0: no bound), newest first. -101 as `check_search_call` says, and for an empty keyword.
    pub fn search_messages(
        &mut self,
        conversation: ConversationKey<'_>,
        keyword: &str,
        start_time: i64,
        count: i32,
    ) -> Result<(), ImError> {
        let limit = self.check_search_call(conversation, start_time, count)?;
        check_keyword(keyword)?;
        let filter = MessageFilter { keyword: Some(keyword), sender_user_id: None, sent_time: before(start_time) };
        let messages = self.database()?.search_messages(conversation, &filter, 0, limit).map_err(native_error)?;
        crate::mark!("SEARCH-2");
        crate::mark!("SEARCH-6");
        let (conversation_type, target_id, channel_id) = conversation;
        self.emit(Event::MessagesSearched {
            code: ErrorCode::SUCCESS,
            conversation_type,
            target_id: target_id.to_owned(),
            channel_id: channel_id.map(str::to_owned),
            keyword: keyword.to_owned(),
            start_time,
            count,
            messages,
        });
        Ok(())
    }

    /// `searchMessagesByTimeRange(type, targetId, channelId, keyword, startTime, endTime, offset, count)` →
    /// `onMessagesSearchedByTimeRange` (SEARCH-3, SEARCH-7): the keyword's matches sent from `startTime` to
    /// `endTime`, both included, newest first, the first `offset` skipped. -101 also for `startTime > endTime` or
    /// a negative offset.
    #[allow(clippy::too_many_arguments)] // the manual's parameters, one for one
    pub fn search_messages_by_time_range(
        &mut self,
        conversation: ConversationKey<'_>,
        keyword: &str,
        start_time: i64,
        end_time: i64,
        offset: i32,
        count: i32,
    ) -> Result<(), ImError> {
        let limit = self.check_search_call(conversation, start_time, count)?;
        check_keyword(keyword)?;
        if start_time > end_time {
            crate::mark!("SEARCH-7");
            return Err(ImError::param("startTime must not be after endTime (SEARCH-7)"));
        }
        let Ok(skip) = u32::try_from(offset) else {
            crate::mark!("SEARCH-7");
            return Err(ImError::param("offset must not be negative (SEARCH-7)"));
        };
        let filter = MessageFilter { keyword: Some(keyword), sender_user_id: None, sent_time: start_time..=end_time };
        let messages = self.database()?.search_messages(conversation, &filter, skip, limit).map_err(native_error)?;
        crate::mark!("SEARCH-3");
        crate::mark!("SEARCH-7");
        let (conversation_type, target_id, channel_id) = conversation;
        self.emit(Event::MessagesSearchedByTimeRange {
            code: ErrorCode::SUCCESS,
            conversation_type,
            target_id: target_id.to_owned(),
            channel_id: channel_id.map(str::to_owned),
            keyword: keyword.to_owned(),
            start_time,
            end_time,
            offset,
            count,
            messages,
        });
        Ok(())
    }

    /// `searchMessagesByUserId(userId, type, targetId, channelId, startTime, count)` →
    /// `onMessagesSearchedByUserId` (SEARCH-4, SEARCH-6): the messages `userId` sent in the conversation, of every
    /// type, strictly before `startTime` (0: no bound), newest first. -101 also for an empty user ID.
    pub fn search_messages_by_user_id(
        &mut self,
        user_id: &str,
        conversation: ConversationKey<'_>,
        start_time: i64,
        count: i32,
    ) -> Result<(), ImError> {
        let limit = self.check_search_call(conversation, start_time, count)?;
        if user_id.is_empty() {
            return Err(ImError::param("userId must not be empty"));
        }
        let filter = MessageFilter { keyword: None, sender_user_id: Some(user_id), sent_time: before(start_time) };
        let messages = self.database()?.search_messages(conversation, &filter, 0, limit).map_err(native_error)?;
        crate::mark!("SEARCH-4");
        crate::mark!("SEARCH-6");
        let (conversation_type, target_id, channel_id) = conversation;
        self.emit(Event::MessagesSearchedByUserId {
            code: ErrorCode::SUCCESS,
            user_id: user_id.to_owned(),
            conversation_type,
            target_id: target_id.to_owned(),
            channel_id: channel_id.map(str::to_owned),
            start_time,
            count,
            messages,
        });
        Ok(())
    }

    /// The checks every search makes (SEARCH-1, SEARCH-2, SEARCH-8): -102 once destroyed, -103 before any
    /// `connect`; -101 for a bad conversation, a chatroom, a negative `startTime` or a `count` outside 1 to 50.
    /// Returns the count.
    fn check_search_call(
        &self,
        conversation: ConversationKey<'_>,
        start_time: i64,
        count: i32,
    ) -> Result<u32, ImError> {
        self.check_store_call()?;
        let (conversation_type, target_id, channel_id) = conversation;
        validate_conversation(conversation_type, target_id, channel_id)?;
        if conversation_type == ConversationType::Chatroom {
            crate::mark!("SEARCH-1");
            crate::mark!("SEARCH-8");
            return Err(ImError::param("chatrooms cannot be searched (SEARCH-1, SEARCH-8)"));
        }
        if start_time < 0 {
            return Err(ImError::param("startTime must not be negative"));
        }
        match u32::try_from(count) {
            Ok(count) if (1..=SEARCH_COUNT_MAX).contains(&count) => Ok(count),
            _ => Err(ImError::param(format!("count must be 1 to {SEARCH_COUNT_MAX} (SEARCH-2)"))),
        }
    }
}

/// SEARCH-5: an empty keyword is refused with -101.
fn check_keyword(keyword: &str) -> Result<(), ImError> {
    if keyword.is_empty() {
        crate::mark!("SEARCH-5");
        return Err(ImError::param("the keyword must not be empty (SEARCH-5)"));
    }
    Ok(())
}

/// SEARCH-2, SEARCH-4, SEARCH-6: the sent times strictly before `start_time`; 0 is no bound (from the newest).
fn before(start_time: i64) -> std::ops::RangeInclusive<i64> {
    if start_time == 0 { i64::MIN..=i64::MAX } else { i64::MIN..=start_time - 1 }
}

/// The message `insertMessage` stores for `message` (INS-2 to INS-4, INS-9, INS-10), or -101.
///
/// Only the conversation, the direction, the sent time and the content are read (INS-3). A message sent by the
/// current user (`send`, the default, INS-4) is sent, not unread; a received one is unread and counts by its type's
/// rule, its sender the target of a private or system conversation, empty in a group. A `sentTime` of 0 is now;
/// `receivedTime` is now. It gets no UID and never reaches the server. A chatroom is refused: its local messages
/// are only the cache of a room joined (CR-21).
fn inserted_message(message: Message, now: Now, user_id: &str) -> Result<Message, ImError> {
    let Message { conversation_type, target_id, channel_id, direction, sent_time, content, .. } = message;
    validate_conversation(conversation_type, &target_id, channel_id.as_deref())?;
    if conversation_type == ConversationType::Chatroom {
        return Err(ImError::param("a chatroom has no local conversation to insert into"));
    }
    if matches!(content, MessageContent::RecallNotification { .. } | MessageContent::Unknown { .. }) {
        crate::mark!("INS-10");
        return Err(ImError::param("a recall notification or an unknown message cannot be inserted (INS-10)"));
    }
    if !content.policy().stored {
        crate::mark!("INS-2");
        crate::mark!("INS-8");
        return Err(ImError::param("only a message of a stored type can be inserted (INS-2)"));
    }
    if sent_time < 0 {
        return Err(ImError::param("sentTime must not be negative"));
    }
    crate::mark!("INS-3");
    crate::mark!("INS-4");
    let sent = direction == MessageDirection::Send;
    let sender_user_id = match (sent, conversation_type) {
        (true, _) => user_id.to_owned(),
        (false, ConversationType::Private | ConversationType::System) => target_id.clone(),
        (false, _) => String::new(),
    };
    Ok(Message {
        conversation_type,
        target_id,
        channel_id: channel_id.filter(|_| conversation_type == ConversationType::UltraGroup),
        message_id: 0,
        message_uid: None,
        direction,
        received_time: now.unix_ms,
        sent_time: if sent_time == 0 { now.unix_ms } else { sent_time },
        received_status: if sent { ReceivedStatus::Read } else { ReceivedStatus::Unread },
        sent_status: if sent { SentStatus::Sent } else { SentStatus::Received },
        sender_user_id,
        offline: false,
        extra: None,
        mentioned_info: None,
        user_info: None,
        expansion: None,
        push_options: None,
        group_read_receipt_info: None,
        content,
    })
}

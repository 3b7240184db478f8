//! The methods that read or overwrite stored messages locally, with no server (the mapping table's XAPI-2 to
//! XAPI-5): `getFirstUnreadMessage`, `getUnreadMentionedMessages`, `searchConversations`, `changeMessageSentStatus`
//! and `changeMessageReceiveStatus`. Each answers through its listener, synchronously after the call returns.

use super::Core;
use super::Event;
use super::messages::{native_error, no_database, validate_conversation};
use crate::conversation::SearchConversationResult;
use crate::error::{ErrorCode, ImError};
use crate::limits::CHANNEL_ID_CHARS_MAX;
use crate::store::StoreError;
use crate::types::{ConversationType, MessageType, ReceivedStatus, SentStatus};

impl Core {
    /// `getFirstUnreadMessage(type, targetId, channelId)` → `onFirstUnreadMessageLoaded` (XAPI-2): the oldest received
    /// message of the conversation that counts as unread (UNREAD-6), or `null`. Refused with -101 for a bad
    /// conversation or a chatroom (no unread state, UNREAD-10), -102 once destroyed, -103 before any `connect`.
    pub fn load_first_unread_message(
        &mut self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
    ) -> Result<(), ImError> {
        if self.destroyed {
            return Err(ImError::destroyed());
        }
        validate_conversation(conversation_type, target_id, channel_id)?;
        if conversation_type == ConversationType::Chatroom {
            crate::mark!("UNREAD-10");
            return Err(ImError::param("chatrooms have no unread messages (UNREAD-10)"));
        }
        let conversation = (conversation_type, target_id, channel_id);
        let message = self.database()?.first_unread_message(conversation).map_err(native_error)?;
        crate::mark!("XAPI-2");
        crate::mark!("UNREAD-6");
        self.emit(Event::FirstUnreadMessageLoaded {
            code: ErrorCode::SUCCESS,
            conversation_type,
            target_id: target_id.to_owned(),
            channel_id: channel_id.map(str::to_owned),
            message,
        });
        Ok(())
    }

    /// `getUnreadMentionedMessages(type, targetId, channelId)` → `onUnreadMentionedMessagesLoaded` (XAPI-3): the
    /// unread received messages of the conversation that mention the current user (MENTION-6), oldest first.
    /// Mentions count in groups only (MENTION-7): any other type answers with an empty list. Refused like
    /// `getFirstUnreadMessage`: -101 for a bad conversation or a chatroom, -102 once destroyed, -103 before any
    /// `connect`.
    pub fn load_unread_mentioned_messages(
        &mut self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
    ) -> Result<(), ImError> {
        if self.destroyed {
            return Err(ImError::destroyed());
        }
        validate_conversation(conversation_type, target_id, channel_id)?;
        if conversation_type == ConversationType::Chatroom {
            crate::mark!("UNREAD-10");
            return Err(ImError::param("chatrooms have no unread messages (UNREAD-10)"));
        }
        let Some((user_id, store)) = self.store.as_ref() else { return Err(no_database()) };
        let messages = if conversation_type == ConversationType::Group {
            store
                .unread_mentioned_messages((conversation_type, target_id, channel_id), user_id)
                .map_err(native_error)?
        } else {
            crate::mark!("MENTION-7");
            Vec::new()
        };
        crate::mark!("XAPI-3");
        crate::mark!("MENTION-6");
        self.emit(Event::UnreadMentionedMessagesLoaded {
            code: ErrorCode::SUCCESS,
            conversation_type,
            target_id: target_id.to_owned(),
            channel_id: channel_id.map(str::to_owned),
            messages,
        });
        Ok(())
    }

    /// `searchConversations(conversationTypes, channelId, messageTypes, keyword)` → `onConversationsSearched`
    /// (XAPI-4): every conversation of the given types holding stored messages of the given types whose searchable
    /// text contains the keyword, ignoring case (SEARCH-5), each with how many; sorted as the conversation list is
    /// (pinned first, then newest operation time first: CONV-6). Refused with -101 for an empty type list, the
    /// reserved type `invalid`, a chatroom (SEARCH-1, SEARCH-8), an empty keyword (SEARCH-5) or a channel over 20
    /// characters; -102 once destroyed, -103 before any `connect`.
    pub fn search_conversations(
        &mut self,
        conversation_types: &[ConversationType],
        channel_id: Option<&str>,
        message_types: &[MessageType],
        keyword: &str,
    ) -> Result<(), ImError> {
        if self.destroyed {
            return Err(ImError::destroyed());
        }
        if conversation_types.is_empty() || message_types.is_empty() {
            return Err(ImError::param("conversationTypes and messageTypes must each name at least one type"));
        }
        if conversation_types.contains(&ConversationType::Invalid) {
            return Err(ImError::param("conversation type invalid is reserved"));
        }
        if conversation_types.contains(&ConversationType::Chatroom) {
            return Err(ImError::param("chatrooms cannot be searched (SEARCH-1, SEARCH-8)"));
        }
        if keyword.is_empty() {
            return Err(ImError::param("the keyword must not be empty (SEARCH-5)"));
        }
        if channel_id.is_some_and(|id| id.chars().count() > CHANNEL_ID_CHARS_MAX) {
            return Err(ImError::param(format!("channel id has more than {CHANNEL_ID_CHARS_MAX} characters")));
        }
        let Some((user_id, store)) = self.store.as_ref() else { return Err(no_database()) };
        let found =
            store.search_conversations(conversation_types, channel_id, message_types, keyword).map_err(native_error)?;
        let mut conversations = Vec::with_capacity(found.len());
        for matches in found {
            let conversation = (matches.conversation_type, matches.target_id.as_str(), matches.channel_id.as_deref());
            let conversation = store.conversation(conversation, user_id).map_err(native_error)?;
            // A conversation with a matching message has a last message, so this is never `None`.
            if let Some(conversation) = conversation {
                conversations.push(SearchConversationResult { conversation, count: matches.count });
            }
        }
        conversations.sort_by_key(|found| {
            let conversation = &found.conversation;
            let last_message_id = conversation.last_message.as_ref().map_or(0, |message| message.message_id);
            std::cmp::Reverse((conversation.top, conversation.operation_time, last_message_id))
        });
        crate::mark!("XAPI-4");
        crate::mark!("SEARCH-5");
        self.emit(Event::ConversationsSearched {
            code: ErrorCode::SUCCESS,
            conversation_types: conversation_types.to_vec(),
            channel_id: channel_id.map(str::to_owned),
            message_types: message_types.to_vec(),
            keyword: keyword.to_owned(),
            conversations,
        });
        Ok(())
    }

    /// `changeMessageSentStatus(messageId, sentStatus)` → `onMessageSentStatusChanged` (XAPI-5): overwrites the
    /// stored message's sent status. A `messageId` that is not stored reports 34204; one that is not positive is
    /// refused with -101.
    pub fn change_message_sent_status(&mut self, message_id: i64, sent_status: SentStatus) -> Result<(), ImError> {
        let outcome = self.overwrite_status(message_id, |store| {
            let Some(message) = store.message(message_id)? else { return Err(StoreError::NoSuchMessage(message_id)) };
            store.update_send_result(message_id, sent_status, None, message.sent_time)
        })?;
        crate::mark!("XAPI-5");
        self.emit(Event::MessageSentStatusChanged { code: outcome, message_id });
        Ok(())
    }

    /// `changeMessageReceiveStatus(messageId, receivedStatus)` → `onMessageReceiveStatusChanged` (XAPI-5):
    /// overwrites the stored message's received status, and with it the unread counts (UNREAD-6). A `messageId`
    /// that is not stored reports 34204; one that is not positive is refused with -101.
    pub fn change_message_receive_status(
        &mut self,
        message_id: i64,
        received_status: ReceivedStatus,
    ) -> Result<(), ImError> {
        let outcome =
            self.overwrite_status(message_id, |store| store.set_received_status(message_id, received_status))?;
        crate::mark!("XAPI-5");
        self.emit(Event::MessageReceiveStatusChanged { code: outcome, message_id });
        Ok(())
    }

    /// Runs `overwrite` on the open database: the code to report (0, or 34204 for an unknown message), or the
    /// call's refusal.
    fn overwrite_status(
        &mut self,
        message_id: i64,
        overwrite: impl FnOnce(&mut dyn crate::store::Store) -> Result<(), StoreError>,
    ) -> Result<ErrorCode, ImError> {
        if self.destroyed {
            return Err(ImError::destroyed());
        }
        if message_id <= 0 {
            return Err(ImError::param("messageId must be a stored message's positive ID"));
        }
        match overwrite(self.database_mut()?) {
            Ok(()) => Ok(ErrorCode::SUCCESS),
            Err(StoreError::NoSuchMessage(_)) => Ok(ErrorCode::INVALID_PARAMETER_MESSAGEID),
            Err(error) => Err(native_error(error)),
        }
    }
}

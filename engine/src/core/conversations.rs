//! The conversation list (issue 15): lists and pages (CONV), unread counts by conversation (UNREAD-4, UNREAD-5),
//! removal (CREM), drafts (DRAFT) and pinning (TOP).
//!
//! Everything but pinning is local: the store is read or written inside the call, and the result event follows.
//! Pinning is kept by the server (TOP-1, TOP-8): `changeConversationTopStatus` is a request, and the local flag
//! changes only once the server has said yes, so a refused or lost change leaves the device as it was. The server
//! tells the user's other devices at once, and a device that connects gets every state (TOP-9); a state that differs
//! from the local one is applied and reported through `onConversationTopStatusSynced` (TOP-5).

use super::messages::{native_error, validate_conversation};
use super::requests::RequestKind;
use super::{Core, Event, Now};
use crate::error::{ErrorCode, ImError};
use crate::limits::CONVERSATION_PAGE_COUNT_MAX;
use crate::proto::{self, request, response};
use crate::store::{ConversationQuery, channel_from_list, list_channel};
use crate::types::ConversationType;

/// A pinning request in flight: what to apply locally once the server says yes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TopRequest {
    conversation_type: ConversationType,
    target_id: String,
    channel_id: Option<String>,
    top: bool,
}

/// The types a conversation list holds: every type but chatroom (CTYPE-9) and invalid.
fn listed(conversation_type: ConversationType) -> bool {
    !matches!(conversation_type, ConversationType::Chatroom | ConversationType::Invalid)
}

/// CONV-13, CTYPE-8: the type list of a list call must name at least one type and never `invalid`.
pub(super) fn check_types(conversation_types: &[ConversationType]) -> Result<(), ImError> {
    if conversation_types.is_empty() {
        crate::mark!("CONV-13");
        return Err(ImError::param("conversationTypes must list at least one type (CONV-13)"));
    }
    if conversation_types.contains(&ConversationType::Invalid) {
        crate::mark!("CTYPE-8");
        return Err(ImError::param("the invalid conversation type is reserved (CTYPE-8)"));
    }
    Ok(())
}

/// UNREAD-10 and the like: a chatroom has no conversation entry, so a call about one conversation refuses it.
fn refuse_chatroom(conversation_type: ConversationType, rule: &'static str) -> Result<(), ImError> {
    if conversation_type == ConversationType::Chatroom {
        return Err(ImError::param(format!("chatrooms have no conversation entry ({rule})")));
    }
    Ok(())
}

impl Core {
    /// The checks of a call about one conversation that a chatroom, which has no entry in the list, cannot be the
    /// subject of: those of `check_store_call`, a valid conversation, and -101 for a chatroom (`rule` says why).
    fn check_conversation_call(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
        rule: &'static str,
    ) -> Result<(), ImError> {
        self.check_store_call()?;
        validate_conversation(conversation_type, target_id, channel_id)?;
        refuse_chatroom(conversation_type, rule)
    }

    /// The conversations `query` selects, for the current user.
    fn read_conversations(
        &self,
        query: &ConversationQuery<'_>,
    ) -> Result<Vec<crate::conversation::Conversation>, ImError> {
        let user_id = self.current_user_id().unwrap_or_default();
        self.database()?.conversations(query, user_id).map_err(native_error)
    }

    /// `getConversations(types, channelId, startTime, count)` → `onConversationsLoaded` (CONV-6, CONV-7, TOP-6):
    /// pinned first, then newest operation time first, strictly before `startTime` (0: from the newest). A chatroom
    /// in the list adds nothing (CTYPE-9). -101 for an empty or invalid type list, a negative `startTime` or a
    /// `count` outside 1 to 50.
    pub fn get_conversations(
        &mut self,
        conversation_types: &[ConversationType],
        channel_id: Option<&str>,
        start_time: i64,
        count: i32,
    ) -> Result<(), ImError> {
        self.check_store_call()?;
        check_types(conversation_types)?;
        if start_time < 0 {
            return Err(ImError::param("startTime must not be negative"));
        }
        let page = match u32::try_from(count) {
            Ok(page) if (1..=CONVERSATION_PAGE_COUNT_MAX).contains(&page) => page,
            _ => {
                crate::mark!("CONV-6");
                return Err(ImError::param(format!("count must be 1 to {CONVERSATION_PAGE_COUNT_MAX} (CONV-6)")));
            }
        };
        let types: Vec<ConversationType> = conversation_types.iter().copied().filter(|kind| listed(*kind)).collect();
        if types.len() < conversation_types.len() {
            crate::mark!("CTYPE-9");
        }
        let query = ConversationQuery {
            conversation_types: &types,
            operation_time_before: if start_time == 0 { i64::MAX } else { start_time },
            only_top: false,
            only_unread: false,
            limit: Some(page),
            ultra_group_channel: channel_id,
        };
        let conversations = self.read_conversations(&query)?;
        crate::mark!("CONV-5");
        crate::mark!("CONV-6");
        crate::mark!("CONV-7");
        crate::mark!("TOP-6");
        self.emit(Event::ConversationsLoaded {
            code: ErrorCode::SUCCESS,
            conversation_types: conversation_types.to_vec(),
            channel_id: channel_id.map(str::to_owned),
            start_time,
            count,
            conversations,
        });
        Ok(())
    }

    /// `getConversation(type, targetId, channelId)` → `onConversationLoaded` (CONV-8, CONV-9): the conversation, or
    /// `null` with code 0 when the list does not hold it (a chatroom never is: CTYPE-9).
    pub fn get_conversation(
        &mut self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
    ) -> Result<(), ImError> {
        self.check_store_call()?;
        validate_conversation(conversation_type, target_id, channel_id)?;
        let user_id = self.current_user_id().unwrap_or_default();
        let conversation =
            self.database()?.conversation((conversation_type, target_id, channel_id), user_id).map_err(native_error)?;
        if conversation.is_none() {
            crate::mark!("CONV-9");
        }
        crate::mark!("CONV-8");
        let (target_id, channel_id) = (target_id.to_owned(), channel_id.map(str::to_owned));
        let code = ErrorCode::SUCCESS;
        self.emit(Event::ConversationLoaded { code, conversation_type, target_id, channel_id, conversation });
        Ok(())
    }

    /// `getUnreadConversations(types)` → `IRCIMIWGetUnreadConversationsCallback` (CONV-10, CONV-11): every
    /// conversation of the private, group and system types asked for that holds an unread message, in the list's
    /// order, unpaged. Other types are ignored; -101 for an empty or invalid list.
    pub fn get_unread_conversations(&mut self, conversation_types: &[ConversationType]) -> Result<(), ImError> {
        self.check_store_call()?;
        check_types(conversation_types)?;
        let supported = [ConversationType::Private, ConversationType::Group, ConversationType::System];
        let types: Vec<ConversationType> =
            conversation_types.iter().copied().filter(|kind| supported.contains(kind)).collect();
        if types.len() < conversation_types.len() {
            crate::mark!("CONV-11");
        }
        let query = ConversationQuery {
            conversation_types: &types,
            operation_time_before: i64::MAX,
            only_top: false,
            only_unread: true,
            limit: None,
            ultra_group_channel: None,
        };
        let conversations = self.read_conversations(&query)?;
        crate::mark!("CONV-10");
        self.emit(Event::UnreadConversationsLoaded { code: ErrorCode::SUCCESS, conversations });
        Ok(())
    }

    /// `clearUnreadCount(type, targetId, channelId, timestamp)` → `onUnreadCountCleared` (UNREAD-4, UNREAD-7,
    /// UNREAD-11): marks as read every received message sent at or before `timestamp`, on this device only. -101 for
    /// a chatroom (UNREAD-10) or a negative timestamp.
    pub fn clear_unread_count(
        &mut self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
        timestamp: i64,
    ) -> Result<(), ImError> {
        if conversation_type == ConversationType::Chatroom {
            crate::mark!("UNREAD-10");
        }
        self.check_conversation_call(conversation_type, target_id, channel_id, "UNREAD-10")?;
        if timestamp < 0 {
            return Err(ImError::param("timestamp must not be negative"));
        }
        self.database_mut()?
            .mark_read_sent_up_to((conversation_type, target_id, channel_id), timestamp)
            .map_err(native_error)?;
        crate::mark!("UNREAD-4");
        crate::mark!("UNREAD-7");
        crate::mark!("UNREAD-11");
        let (target_id, channel_id) = (target_id.to_owned(), channel_id.map(str::to_owned));
        let code = ErrorCode::SUCCESS;
        self.emit(Event::UnreadCountCleared { code, conversation_type, target_id, channel_id, timestamp });
        Ok(())
    }

    /// `getUnreadMentionedCount(type, targetId, channelId)` → `onUnreadMentionedCountLoaded` (UNREAD-5): the
    /// conversation's `mentionedCount` (MENTION-6; groups only, MENTION-7). -101 for a chatroom (UNREAD-10).
    pub fn get_unread_mentioned_count(
        &mut self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
    ) -> Result<(), ImError> {
        self.check_conversation_call(conversation_type, target_id, channel_id, "UNREAD-10")?;
        let count = if conversation_type == ConversationType::Group {
            crate::mark!("MENTION-6");
            let user_id = self.current_user_id().unwrap_or_default();
            let store = self.database()?;
            let mentioned = store.unread_mentioned_messages((conversation_type, target_id, channel_id), user_id);
            u32::try_from(mentioned.map_err(native_error)?.len()).unwrap_or(u32::MAX)
        } else {
            crate::mark!("MENTION-7");
            0
        };
        crate::mark!("UNREAD-5");
        let (target_id, channel_id) = (target_id.to_owned(), channel_id.map(str::to_owned));
        let code = ErrorCode::SUCCESS;
        self.emit(Event::UnreadMentionedCountLoaded { code, conversation_type, target_id, channel_id, count });
        Ok(())
    }

    /// `removeConversation(type, targetId, channelId)` → `onConversationRemoved` (CREM-1, CREM-4, CREM-6): out of
    /// the list with its draft and its local pinned flag (not sent to the server); its messages stay. Removing one
    /// that is not there succeeds.
    pub fn remove_conversation(
        &mut self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
    ) -> Result<(), ImError> {
        self.check_store_call()?;
        validate_conversation(conversation_type, target_id, channel_id)?;
        let removed = self
            .database_mut()?
            .remove_conversation((conversation_type, target_id, channel_id))
            .map_err(native_error)?;
        if removed {
            crate::mark!("CREM-4");
        } else {
            crate::mark!("CREM-6");
        }
        crate::mark!("CREM-1");
        let (target_id, channel_id) = (target_id.to_owned(), channel_id.map(str::to_owned));
        self.emit(Event::ConversationRemoved { code: ErrorCode::SUCCESS, conversation_type, target_id, channel_id });
        Ok(())
    }

    /// `removeConversations(types, channelId)` → `onConversationsRemoved` (CREM-2, CREM-3, CREM-5): every
    /// conversation of those types out of the list, and their messages deleted, locally only. A chatroom in the list
    /// is ignored (its messages go when the user leaves: DEL-8). -101 for an empty or invalid list.
    pub fn remove_conversations(
        &mut self,
        conversation_types: &[ConversationType],
        channel_id: Option<&str>,
    ) -> Result<(), ImError> {
        self.check_store_call()?;
        check_types(conversation_types)?;
        let types: Vec<ConversationType> = conversation_types.iter().copied().filter(|kind| listed(*kind)).collect();
        self.database_mut()?.remove_conversations_of_types(&types).map_err(native_error)?;
        crate::mark!("CREM-2");
        crate::mark!("CREM-3");
        crate::mark!("CREM-5");
        self.emit(Event::ConversationsRemoved {
            code: ErrorCode::SUCCESS,
            conversation_types: conversation_types.to_vec(),
            channel_id: channel_id.map(str::to_owned),
        });
        Ok(())
    }

    /// `saveDraftMessage(type, targetId, channelId, draft)` → `onDraftMessageSaved` (DRAFT-1, DRAFT-4, DRAFT-5,
    /// DRAFT-7): the draft, with the operation time set to now, the conversation created if needed; an empty draft
    /// clears it (DRAFT-6). Local only. -101 for a chatroom.
    pub fn save_draft_message(
        &mut self,
        now: Now,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
        draft: &str,
    ) -> Result<(), ImError> {
        self.check_conversation_call(conversation_type, target_id, channel_id, "CTYPE-9")?;
        let store = self.database_mut()?;
        if draft.is_empty() {
            crate::mark!("DRAFT-6");
            store.clear_draft((conversation_type, target_id, channel_id)).map_err(native_error)?;
        } else {
            crate::mark!("DRAFT-4");
            crate::mark!("DRAFT-5");
            store.save_draft((conversation_type, target_id, channel_id), draft, now.unix_ms).map_err(native_error)?;
        }
        crate::mark!("DRAFT-1");
        crate::mark!("DRAFT-7");
        let (target_id, channel_id, draft) = (target_id.to_owned(), channel_id.map(str::to_owned), draft.to_owned());
        let code = ErrorCode::SUCCESS;
        self.emit(Event::DraftMessageSaved { code, conversation_type, target_id, channel_id, draft });
        Ok(())
    }

    /// `getDraftMessage(type, targetId, channelId)` → `onDraftMessageLoaded` (DRAFT-2, DRAFT-6): `""` when there is
    /// none.
    pub fn get_draft_message(
        &mut self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
    ) -> Result<(), ImError> {
        self.check_conversation_call(conversation_type, target_id, channel_id, "CTYPE-9")?;
        let state =
            self.database()?.conversation_state((conversation_type, target_id, channel_id)).map_err(native_error)?;
        let draft = state.map(|state| state.draft).unwrap_or_default();
        crate::mark!("DRAFT-2");
        let (target_id, channel_id) = (target_id.to_owned(), channel_id.map(str::to_owned));
        let code = ErrorCode::SUCCESS;
        self.emit(Event::DraftMessageLoaded { code, conversation_type, target_id, channel_id, draft });
        Ok(())
    }

    /// `clearDraftMessage(type, targetId, channelId)` → `onDraftMessageCleared` (DRAFT-3, DRAFT-6): the draft
    /// emptied, the operation time unchanged.
    pub fn clear_draft_message(
        &mut self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
    ) -> Result<(), ImError> {
        self.check_conversation_call(conversation_type, target_id, channel_id, "CTYPE-9")?;
        self.database_mut()?.clear_draft((conversation_type, target_id, channel_id)).map_err(native_error)?;
        crate::mark!("DRAFT-3");
        let (target_id, channel_id) = (target_id.to_owned(), channel_id.map(str::to_owned));
        self.emit(Event::DraftMessageCleared { code: ErrorCode::SUCCESS, conversation_type, target_id, channel_id });
        Ok(())
    }

    /// `changeConversationTopStatus(type, targetId, channelId, top)` → `onConversationTopStatusChanged` (TOP-1,
    /// TOP-2, TOP-7): a request to the server, which keeps the state and tells the user's other devices; the local
    /// flag changes once it says yes. -103 while not connected, -101 for a chatroom.
    pub fn change_conversation_top_status(
        &mut self,
        now: Now,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
        top: bool,
    ) -> Result<(), ImError> {
        self.check_server_call()?;
        validate_conversation(conversation_type, target_id, channel_id)?;
        refuse_chatroom(conversation_type, "CTYPE-9")?;
        let body = request::Body::ConversationTopSet(proto::ConversationTop {
            conversation_type: conversation_type.ordinal(),
            target_id: target_id.to_owned(),
            channel_id: list_channel(conversation_type, channel_id).to_owned(),
            top,
        });
        let request = TopRequest {
            conversation_type,
            target_id: target_id.to_owned(),
            channel_id: channel_id.map(str::to_owned),
            top,
        };
        self.send_request(now, body, RequestKind::Top(request));
        Ok(())
    }

    /// The server's answer to a pinning request: on success the local flag follows (a pin creates a missing
    /// conversation, TOP-7); either way the result is reported.
    pub(super) fn top_settled(
        &mut self,
        now: Now,
        request: TopRequest,
        code: ErrorCode,
        _body: Option<response::Body>,
    ) {
        let TopRequest { conversation_type, target_id, channel_id, top } = request;
        if code.is_success()
            && let Ok(store) = self.database_mut()
            && store.set_top((conversation_type, &target_id, channel_id.as_deref()), top, now.unix_ms).is_err()
        {
            let code = ErrorCode::NATIVE_OPERATION_ERROR;
            self.emit(Event::ConversationTopStatusChanged { code, conversation_type, target_id, channel_id, top });
            return;
        }
        crate::mark!("TOP-2");
        crate::mark!("TOP-7");
        self.emit(Event::ConversationTopStatusChanged { code, conversation_type, target_id, channel_id, top });
    }

    /// `getConversationTopStatus(type, targetId, channelId)` → `onConversationTopStatusLoaded` (TOP-3): the local
    /// flag; `false` for a conversation the list does not hold.
    pub fn get_conversation_top_status(
        &mut self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
    ) -> Result<(), ImError> {
        self.check_conversation_call(conversation_type, target_id, channel_id, "CTYPE-9")?;
        let state =
            self.database()?.conversation_state((conversation_type, target_id, channel_id)).map_err(native_error)?;
        let top = state.is_some_and(|state| state.top);
        crate::mark!("TOP-3");
        let (target_id, channel_id) = (target_id.to_owned(), channel_id.map(str::to_owned));
        let code = ErrorCode::SUCCESS;
        self.emit(Event::ConversationTopStatusLoaded { code, conversation_type, target_id, channel_id, top });
        Ok(())
    }

    /// `getTopConversations(types, channelId)` → `onTopConversationsLoaded` (TOP-4, TOP-10): the pinned
    /// conversations of those types, newest operation time first. -101 for an empty or invalid list.
    pub fn get_top_conversations(
        &mut self,
        conversation_types: &[ConversationType],
        channel_id: Option<&str>,
    ) -> Result<(), ImError> {
        self.check_store_call()?;
        check_types(conversation_types)?;
        let types: Vec<ConversationType> = conversation_types.iter().copied().filter(|kind| listed(*kind)).collect();
        let query = ConversationQuery {
            conversation_types: &types,
            operation_time_before: i64::MAX,
            only_top: true,
            only_unread: false,
            limit: None,
            ultra_group_channel: channel_id,
        };
        let conversations = self.read_conversations(&query)?;
        crate::mark!("TOP-4");
        crate::mark!("TOP-10");
        self.emit(Event::TopConversationsLoaded {
            code: ErrorCode::SUCCESS,
            conversation_types: conversation_types.to_vec(),
            channel_id: channel_id.map(str::to_owned),
            conversations,
        });
        Ok(())
    }

    /// `ConversationStates` from the server (TOP-5, TOP-9): its do-not-disturb levels go to
    /// `apply_notification_levels`; each pinned state that differs from the local one is applied
    /// (a pin creates a missing conversation, TOP-7) and reported through `onConversationTopStatusSynced`. A state
    /// the device cannot read (an unknown type) is skipped; one the store fails to write is not reported.
    pub(super) fn handle_conversation_states(&mut self, now: Now, states: proto::ConversationStates) {
        let proto::ConversationStates { tops, levels, type_levels } = states;
        self.apply_notification_levels(levels, type_levels);
        for state in tops {
            let Some(conversation_type) = ConversationType::from_ordinal(state.conversation_type) else { continue };
            if !listed(conversation_type) {
                continue;
            }
            // CALL-11: only an ultra group has channels.
            let channel_id = channel_from_list(&state.channel_id)
                .filter(|_| conversation_type == ConversationType::UltraGroup)
                .map(str::to_owned);
            let key = (conversation_type, state.target_id.as_str(), channel_id.as_deref());
            let Ok(store) = self.database_mut() else { return };
            if matches!(store.set_top(key, state.top, now.unix_ms), Ok(true)) {
                crate::mark!("TOP-5");
                crate::mark!("TOP-9");
                self.emit(Event::ConversationTopStatusSynced {
                    conversation_type,
                    target_id: state.target_id,
                    channel_id,
                    top: state.top,
                });
            }
        }
    }
}

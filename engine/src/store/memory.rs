//! `MemoryStore`: an in-memory twin of `SqliteStore`, for core tests that want no files.
//!
//! It passes the same conformance suite as `SqliteStore` (`store/tests`), so a test written against it holds for
//! the real database too. To that end it mirrors SQLite's observable behaviour, not just the trait's prose:
//! message IDs start at 1 and are never reused (SQLite's `AUTOINCREMENT`), content reads back as it would after
//! the round trip through the stored (object name, payload) pair, and the values SQLite refuses (a UID stored twice
//! by `update_send_result`, a cursor above `i64::MAX`) are refused with the same errors. Ordered maps keep every
//! answer deterministic. Every method checks before it changes anything, so a failed call changes nothing, like a
//! rolled-back transaction.

use std::collections::BTreeMap;

use super::sqlite::cursor_to_sql;
use super::{
    ConversationKey, ConversationMatches, ConversationQuery, ConversationState, MessageFilter, ReceiptChange, Received,
    SignalChange, Store, StoreError, channel_from_list, list_channel, merge_expansion,
};
use crate::content::{decode_content, encode_content};
use crate::types::{
    ConversationType, Expansion, Message, MessageContent, MessageDirection, MessageType, PushNotificationLevel,
    ReceivedStatus, SentStatus, TimeOrder, fold_for_search,
};

/// A user's message database held in ordered maps. See the module documentation.
#[derive(Clone, Debug)]
pub struct MemoryStore {
    /// Every message by `message_id`, with `message_id` filled in.
    messages: BTreeMap<i64, Message>,
    /// The `message_id` of every message that has a UID: the twin of SQLite's unique index on `message_uid`.
    message_ids_by_uid: BTreeMap<String, i64>,
    /// The `message_id` the next stored message gets.
    next_message_id: i64,
    /// The designated users of directed group messages, by `message_id` (SQLite's `directed_recipients`).
    directed_user_ids: BTreeMap<i64, Vec<String>>,
    /// The highest inbox sequence number persisted.
    inbox_cursor: u64,
    /// The database's random ID, once one was asked for.
    database_id: Option<u64>,
    /// The conversation list's own states (SQLite's `conversations`), kept as its triggers keep it, by `ListKey`.
    conversations: BTreeMap<ListKey, ConversationState>,
    /// The do-not-disturb levels, by type and target (`""` for the per-type level).
    notification_levels: BTreeMap<(ConversationType, String), PushNotificationLevel>,
}

impl MemoryStore {
    /// An empty store: no messages, inbox cursor 0.
    pub fn new() -> Self {
        MemoryStore {
            messages: BTreeMap::new(),
            message_ids_by_uid: BTreeMap::new(),
            next_message_id: 1,
            directed_user_ids: BTreeMap::new(),
            inbox_cursor: 0,
            database_id: None,
            conversations: BTreeMap::new(),
            notification_levels: BTreeMap::new(),
        }
    }

    /// Stores `message` under the next `message_id` and returns that ID. The caller has checked that its UID, if
    /// any, is not stored yet.
    fn insert(&mut self, mut message: Message) -> i64 {
        let message_id = self.next_message_id;
        self.next_message_id += 1;
        message.message_id = message_id;
        message.content = as_stored(&message.content);
        if let Some(message_uid) = &message.message_uid {
            self.message_ids_by_uid.insert(message_uid.clone(), message_id);
        }
        let key = list_key(message_key(&message));
        let listed = message.conversation_type != ConversationType::Chatroom;
        self.messages.insert(message_id, message);
        if listed {
            // Migration 0010's trigger: the newest stored message's time, never moving backwards.
            let newest = self.newest_sent_time(as_conversation(&key));
            self.conversations
                .entry(key.clone())
                .and_modify(|state| state.operation_time = state.operation_time.max(newest))
                .or_insert_with(|| new_state(&key, newest));
        }
        message_id
    }

    /// The newest sent time among one conversation's stored messages (`i64::MIN` for none).
    fn newest_sent_time(&self, conversation: ConversationKey<'_>) -> i64 {
        self.messages
            .values()
            .filter(|message| in_conversation(message, conversation))
            .map(|message| message.sent_time)
            .max()
            .unwrap_or(i64::MIN)
    }

    /// The messages of one conversation.
    fn of_conversation<'a>(&'a self, conversation: ConversationKey<'a>) -> impl Iterator<Item = &'a Message> + 'a {
        self.messages.values().filter(move |message| in_conversation(message, conversation))
    }

    /// Deletes every message `doomed` selects, with its UID, and returns how many. IDs are not reused.
    fn delete_where(&mut self, doomed: impl Fn(&Message) -> bool) -> u64 {
        let before = self.messages.len();
        let uids = &mut self.message_ids_by_uid;
        let directed = &mut self.directed_user_ids;
        self.messages.retain(|&message_id, message| {
            if !doomed(message) {
                return true;
            }
            if let Some(message_uid) = &message.message_uid {
                uids.remove(message_uid);
            }
            directed.remove(&message_id);
            false
        });
        (before - self.messages.len()) as u64
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore::new()
    }
}

impl Store for MemoryStore {
    fn insert_outgoing_directed(&mut self, message: &Message, directed_user_ids: &[String]) -> Result<i64, StoreError> {
        // Stored as "sending, no UID" whatever the caller passed, as `SqliteStore` does.
        let outgoing = Message { sent_status: SentStatus::Sending, message_uid: None, ..message.clone() };
        let message_id = self.insert(outgoing);
        if !directed_user_ids.is_empty() {
            self.directed_user_ids.insert(message_id, directed_user_ids.to_vec());
        }
        Ok(message_id)
    }

    fn directed_user_ids(&self, message_id: i64) -> Result<Vec<String>, StoreError> {
        Ok(self.directed_user_ids.get(&message_id).cloned().unwrap_or_default())
    }

    fn update_send_result(
        &mut self,
        message_id: i64,
        sent_status: SentStatus,
        message_uid: Option<&str>,
        sent_time: i64,
    ) -> Result<(), StoreError> {
        let uid_held_by_another = message_uid
            .and_then(|message_uid| self.message_ids_by_uid.get(message_uid))
            .is_some_and(|&holder| holder != message_id);
        let Some(message) = self.messages.get_mut(&message_id) else {
            return Err(StoreError::NoSuchMessage(message_id));
        };
        if uid_held_by_another {
            return Err(uid_already_stored());
        }
        message.sent_status = sent_status;
        // No UID: the send did not succeed, so the provisional sent time stays.
        if let Some(message_uid) = message_uid {
            if let Some(previous_uid) = message.message_uid.replace(message_uid.to_owned()) {
                self.message_ids_by_uid.remove(&previous_uid);
            }
            self.message_ids_by_uid.insert(message_uid.to_owned(), message_id);
            message.sent_time = sent_time;
            let key = list_key(message_key(message));
            if let Some(state) = self.conversations.get_mut(&key) {
                state.operation_time = state.operation_time.max(sent_time);
            }
        }
        Ok(())
    }

    fn insert_received(&mut self, messages: &[Message], inbox_cursor: u64) -> Result<Vec<Received>, StoreError> {
        cursor_to_sql(inbox_cursor)?;
        let mut results = Vec::with_capacity(messages.len());
        for message in messages {
            let already_stored = message
                .message_uid
                .as_ref()
                .is_some_and(|message_uid| self.message_ids_by_uid.contains_key(message_uid));
            results.push(if already_stored {
                Received::Duplicate
            } else {
                Received::Stored(self.insert(message.clone()))
            });
        }
        self.inbox_cursor = self.inbox_cursor.max(inbox_cursor);
        Ok(results)
    }

    fn insert_received_outside_inbox(&mut self, messages: &[Message]) -> Result<Vec<Received>, StoreError> {
        Ok(messages
            .iter()
            .map(|message| {
                let already_stored = message
                    .message_uid
                    .as_ref()
                    .is_some_and(|message_uid| self.message_ids_by_uid.contains_key(message_uid));
                if already_stored { Received::Duplicate } else { Received::Stored(self.insert(message.clone())) }
            })
            .collect())
    }

    fn delete_conversation_messages(
        &mut self,
        conversation_type: ConversationType,
        target_id: &str,
    ) -> Result<u64, StoreError> {
        Ok(self
            .delete_where(|message| message.conversation_type == conversation_type && message.target_id == target_id))
    }

    fn insert_local(&mut self, messages: &[Message]) -> Result<Vec<i64>, StoreError> {
        Ok(messages.iter().map(|message| self.insert(Message { message_uid: None, ..message.clone() })).collect())
    }

    fn delete_messages(&mut self, message_ids: &[i64]) -> Result<Vec<Message>, StoreError> {
        // A set: each ID once, in order, and a lookup per message rather than a scan of the list.
        let message_ids: std::collections::BTreeSet<i64> = message_ids.iter().copied().collect();
        let deleted = message_ids.iter().filter_map(|message_id| self.messages.get(message_id)).cloned().collect();
        self.delete_where(|message| message_ids.contains(&message.message_id));
        Ok(deleted)
    }

    fn delete_messages_sent_up_to(
        &mut self,
        conversation: ConversationKey<'_>,
        sent_up_to: i64,
    ) -> Result<u64, StoreError> {
        Ok(self.delete_where(|message| in_conversation(message, conversation) && message.sent_time <= sent_up_to))
    }

    fn delete_conversation_type_messages(&mut self, conversation_type: ConversationType) -> Result<u64, StoreError> {
        Ok(self.delete_where(|message| message.conversation_type == conversation_type))
    }

    fn inbox_cursor(&self) -> Result<u64, StoreError> {
        Ok(self.inbox_cursor)
    }

    fn message(&self, message_id: i64) -> Result<Option<Message>, StoreError> {
        Ok(self.messages.get(&message_id).cloned())
    }

    fn conversation_message_count(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
    ) -> Result<u64, StoreError> {
        let count = self
            .messages
            .values()
            .filter(|message| message.conversation_type == conversation_type && message.target_id == target_id)
            .count();
        Ok(count as u64)
    }

    fn conversation_messages(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
    ) -> Result<Vec<Message>, StoreError> {
        // Collected in `message_id` order; the stable sort then orders by sent time, ties kept by ID.
        let mut conversation: Vec<Message> = self
            .messages
            .values()
            .filter(|message| message.conversation_type == conversation_type && message.target_id == target_id)
            .cloned()
            .collect();
        conversation.sort_by_key(|message| message.sent_time);
        Ok(conversation)
    }

    fn message_by_uid(&self, message_uid: &str) -> Result<Option<Message>, StoreError> {
        Ok(self.messages.values().find(|message| message.message_uid.as_deref() == Some(message_uid)).cloned())
    }

    fn history_page(
        &self,
        (conversation_type, target_id, channel_id): ConversationKey<'_>,
        sent_time: i64,
        order: TimeOrder,
        count: u32,
    ) -> Result<Vec<Message>, StoreError> {
        let in_page = |message: &&Message| {
            in_conversation(message, (conversation_type, target_id, channel_id))
                && match order {
                    TimeOrder::Before => sent_time == 0 || message.sent_time < sent_time,
                    TimeOrder::After => message.sent_time > sent_time,
                }
        };
        let mut page: Vec<Message> = self.messages.values().filter(in_page).cloned().collect();
        // Collected in `message_id` order; the stable sort then orders by sent time, ties kept by ID.
        page.sort_by_key(|message| message.sent_time);
        if order == TimeOrder::Before {
            page.reverse();
        }
        page.truncate(usize::try_from(count).unwrap_or(usize::MAX));
        Ok(page)
    }

    fn search_messages(
        &self,
        conversation: ConversationKey<'_>,
        filter: &MessageFilter<'_>,
        offset: u32,
        count: u32,
    ) -> Result<Vec<Message>, StoreError> {
        let keyword = filter.keyword.map(fold_for_search);
        let kept = |message: &&Message| {
            in_conversation(message, conversation)
                && filter.sent_time.contains(&message.sent_time)
                && keyword.as_deref().is_none_or(|keyword| {
                    message.content.searchable_text().is_some_and(|text| fold_for_search(text).contains(keyword))
                })
                && filter.sender_user_id.is_none_or(|sender| message.sender_user_id == sender)
        };
        let mut found: Vec<Message> = self.messages.values().filter(kept).cloned().collect();
        // Collected in `message_id` order; the stable sort by sent time, reversed, is newest first, ties by ID.
        found.sort_by_key(|message| message.sent_time);
        found.reverse();
        let skip = usize::try_from(offset).unwrap_or(usize::MAX);
        Ok(found.into_iter().skip(skip).take(usize::try_from(count).unwrap_or(usize::MAX)).collect())
    }

    fn database_id(&mut self, candidate: u64) -> Result<u64, StoreError> {
        Ok(*self.database_id.get_or_insert(candidate))
    }

    fn messages_with_sent_status(&self, sent_status: SentStatus) -> Result<Vec<Message>, StoreError> {
        Ok(self.messages.values().filter(|message| message.sent_status == sent_status).cloned().collect())
    }

    fn all_messages(&self) -> Result<Vec<Message>, StoreError> {
        Ok(self.messages.values().cloned().collect())
    }

    fn unread_count(&self, conversation: ConversationKey<'_>) -> Result<u32, StoreError> {
        Ok(count(self.of_conversation(conversation).filter(|message| counts_as_unread(message))))
    }

    fn unread_count_of_target(&self, conversation_type: ConversationType, target_id: &str) -> Result<u32, StoreError> {
        Ok(count(self.messages.values().filter(|message| {
            message.conversation_type == conversation_type
                && message.target_id == target_id
                && counts_as_unread(message)
        })))
    }

    fn total_unread_count(&self) -> Result<u32, StoreError> {
        Ok(count(
            self.messages
                .values()
                .filter(|message| message.conversation_type != ConversationType::Chatroom && counts_as_unread(message)),
        ))
    }

    fn update_content(&mut self, message_id: i64, content: &MessageContent) -> Result<(), StoreError> {
        let message = self.messages.get_mut(&message_id).ok_or(StoreError::NoSuchMessage(message_id))?;
        message.content = content.clone();
        Ok(())
    }

    fn apply_signals(
        &mut self,
        signals: &[(String, SignalChange)],
        inbox_cursor: u64,
    ) -> Result<Vec<Option<Message>>, StoreError> {
        cursor_to_sql(inbox_cursor)?;
        let mut applied = Vec::with_capacity(signals.len());
        for (message_uid, change) in signals {
            let message_id = self.message_ids_by_uid.get(message_uid).copied();
            let outcome = match change {
                SignalChange::Recall(content) => {
                    let recallable = message_id.filter(|message_id| {
                        self.messages.get(message_id).is_some_and(|message| {
                            !matches!(message.content, MessageContent::RecallNotification { .. })
                        })
                    });
                    recallable.map(|message_id| self.recall(message_id, content)).transpose()?
                }
                SignalChange::Expansion { updated, removed_keys } => {
                    self.change_expansion(message_uid, updated, removed_keys)?
                }
                SignalChange::PrivateReadReceipt { peer, up_to } => {
                    let read = self.messages.values_mut().filter(|message| {
                        message.conversation_type == ConversationType::Private
                            && message.target_id == *peer
                            && message.direction == MessageDirection::Send
                            && message.sent_status == SentStatus::Sent
                            && message.sent_time <= *up_to
                    });
                    read.for_each(|message| message.sent_status = SentStatus::Read);
                    None
                }
                SignalChange::GroupReceipt(change) => self.change_group_receipt(message_uid, change)?,
                SignalChange::ReadStatus { conversation_type, target_id, channel_id, up_to } => {
                    self.mark_read_sent_up_to((*conversation_type, target_id, channel_id.as_deref()), *up_to)?;
                    None
                }
                SignalChange::Nothing => None,
            };
            applied.push(outcome);
        }
        self.inbox_cursor = self.inbox_cursor.max(inbox_cursor);
        Ok(applied)
    }

    fn change_group_receipt(
        &mut self,
        message_uid: &str,
        change: &ReceiptChange,
    ) -> Result<Option<Message>, StoreError> {
        let message = self.message_ids_by_uid.get(message_uid).and_then(|message_id| self.messages.get_mut(message_id));
        let Some(message) = message else { return Ok(None) };
        change.apply(&mut message.group_read_receipt_info);
        Ok(Some(message.clone()))
    }

    fn change_expansion(
        &mut self,
        message_uid: &str,
        updated: &Expansion,
        removed_keys: &[String],
    ) -> Result<Option<Message>, StoreError> {
        let message = self.message_ids_by_uid.get(message_uid).and_then(|message_id| self.messages.get_mut(message_id));
        let Some(message) = message else { return Ok(None) };
        let Some(expansion) = message.expansion.as_mut() else { return Ok(None) };
        merge_expansion(expansion, updated, removed_keys);
        Ok(Some(message.clone()))
    }

    fn recall(&mut self, message_id: i64, content: &MessageContent) -> Result<Message, StoreError> {
        let message = self.messages.get_mut(&message_id).ok_or(StoreError::NoSuchMessage(message_id))?;
        message.content = as_stored(content);
        message.mentioned_info = None;
        message.expansion = None;
        Ok(message.clone())
    }

    fn set_received_status(&mut self, message_id: i64, received_status: ReceivedStatus) -> Result<(), StoreError> {
        let message = self.messages.get_mut(&message_id).ok_or(StoreError::NoSuchMessage(message_id))?;
        message.received_status = received_status;
        Ok(())
    }

    fn first_unread_message(&self, conversation: ConversationKey<'_>) -> Result<Option<Message>, StoreError> {
        Ok(self
            .of_conversation(conversation)
            .filter(|message| counts_as_unread(message))
            .min_by_key(|message| (message.sent_time, message.message_id))
            .cloned())
    }

    fn unread_count_of_type(&self, conversation_type: ConversationType) -> Result<u32, StoreError> {
        Ok(count(
            self.messages
                .values()
                .filter(|message| message.conversation_type == conversation_type && counts_as_unread(message)),
        ))
    }

    fn unread_mentioned_messages(
        &self,
        conversation: ConversationKey<'_>,
        user_id: &str,
    ) -> Result<Vec<Message>, StoreError> {
        let mut mentioned: Vec<Message> = self
            .of_conversation(conversation)
            .filter(|message| {
                counts_as_unread(message) && message.mentioned_info.as_ref().is_some_and(|info| info.mentions(user_id))
            })
            .cloned()
            .collect();
        mentioned.sort_by_key(|message| (message.sent_time, message.message_id));
        Ok(mentioned)
    }

    fn last_message(&self, conversation: ConversationKey<'_>) -> Result<Option<Message>, StoreError> {
        Ok(self.of_conversation(conversation).max_by_key(|message| (message.sent_time, message.message_id)).cloned())
    }

    fn conversation_state(&self, conversation: ConversationKey<'_>) -> Result<Option<ConversationState>, StoreError> {
        Ok(self.conversations.get(&list_key(conversation)).cloned())
    }

    fn conversation_states(&self, query: &ConversationQuery<'_>) -> Result<Vec<ConversationState>, StoreError> {
        let mut states: Vec<ConversationState> = self
            .conversations
            .values()
            .filter(|state| {
                let key = (state.conversation_type, state.target_id.as_str(), state.channel_id.as_deref());
                query.conversation_types.contains(&state.conversation_type)
                    && state.operation_time < query.operation_time_before
                    && (!query.only_top || state.top)
                    && (state.conversation_type != ConversationType::UltraGroup
                        || query.ultra_group_channel.is_none_or(|channel| channel == list_channel(key.0, key.2)))
                    && (!query.only_unread || self.of_conversation(key).any(counts_as_unread))
            })
            .cloned()
            .collect();
        states.sort_by(|a, b| {
            let order = |state: &ConversationState| {
                let channel = list_channel(state.conversation_type, state.channel_id.as_deref()).to_owned();
                (state.conversation_type, state.target_id.clone(), channel)
            };
            (b.top, b.operation_time).cmp(&(a.top, a.operation_time)).then_with(|| order(a).cmp(&order(b)))
        });
        if let Some(limit) = query.limit {
            states.truncate(limit as usize);
        }
        Ok(states)
    }

    fn save_draft(&mut self, conversation: ConversationKey<'_>, draft: &str, now: i64) -> Result<(), StoreError> {
        let key = list_key(conversation);
        let state = self.conversations.entry(key.clone()).or_insert_with(|| new_state(&key, now));
        state.draft = draft.to_owned();
        state.operation_time = now;
        Ok(())
    }

    fn clear_draft(&mut self, conversation: ConversationKey<'_>) -> Result<(), StoreError> {
        if let Some(state) = self.conversations.get_mut(&list_key(conversation)) {
            state.draft.clear();
        }
        Ok(())
    }

    fn set_top(&mut self, conversation: ConversationKey<'_>, top: bool, now: i64) -> Result<bool, StoreError> {
        let key = list_key(conversation);
        match self.conversations.get_mut(&key) {
            Some(state) if state.top == top => Ok(false),
            Some(state) => {
                state.top = top;
                Ok(true)
            }
            None if top => {
                let state = ConversationState { top: true, ..new_state(&key, now) };
                self.conversations.insert(key, state);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    fn set_notification_level(
        &mut self,
        conversation_type: ConversationType,
        target_id: &str,
        level: PushNotificationLevel,
    ) -> Result<bool, StoreError> {
        let held = self.notification_levels.insert((conversation_type, target_id.to_owned()), level);
        Ok(held != Some(level))
    }

    fn notification_level(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
    ) -> Result<PushNotificationLevel, StoreError> {
        let key = (conversation_type, target_id.to_owned());
        Ok(self.notification_levels.get(&key).copied().unwrap_or(PushNotificationLevel::None))
    }

    fn conversation_notification_levels(
        &self,
        conversation_type: ConversationType,
    ) -> Result<BTreeMap<String, PushNotificationLevel>, StoreError> {
        Ok(self
            .notification_levels
            .iter()
            .filter(|((kind, target_id), _)| *kind == conversation_type && !target_id.is_empty())
            .map(|((_, target_id), &level)| (target_id.clone(), level))
            .collect())
    }

    fn remove_conversation(&mut self, conversation: ConversationKey<'_>) -> Result<bool, StoreError> {
        Ok(self.conversations.remove(&list_key(conversation)).is_some())
    }

    fn remove_conversations_of_types(&mut self, conversation_types: &[ConversationType]) -> Result<u64, StoreError> {
        self.conversations.retain(|(conversation_type, _, _), _| !conversation_types.contains(conversation_type));
        Ok(self.delete_where(|message| conversation_types.contains(&message.conversation_type)))
    }

    fn mark_read_sent_up_to(&mut self, conversation: ConversationKey<'_>, sent_up_to: i64) -> Result<u64, StoreError> {
        let mut marked = 0;
        for message in self.messages.values_mut() {
            if in_conversation(message, conversation)
                && message.sent_time <= sent_up_to
                && message.direction == MessageDirection::Receive
                && matches!(message.received_status, ReceivedStatus::Unread | ReceivedStatus::Retrieved)
            {
                message.received_status = ReceivedStatus::Read;
                marked += 1;
            }
        }
        Ok(marked)
    }

    fn search_conversations(
        &self,
        conversation_types: &[ConversationType],
        channel_id: Option<&str>,
        message_types: &[MessageType],
        keyword: &str,
    ) -> Result<Vec<ConversationMatches>, StoreError> {
        let keyword = fold_for_search(keyword);
        let mut counts: BTreeMap<(ConversationType, &str, Option<&str>), u32> = BTreeMap::new();
        for message in self.messages.values() {
            let in_channel = message.conversation_type != ConversationType::UltraGroup
                || channel_id.is_none()
                || message.channel_id.as_deref() == channel_id;
            let matches = conversation_types.contains(&message.conversation_type)
                && in_channel
                && message_types.contains(&message.content.message_type())
                && message.content.searchable_text().is_some_and(|text| fold_for_search(text).contains(&keyword));
            if matches {
                let channel =
                    message.channel_id.as_deref().filter(|_| message.conversation_type == ConversationType::UltraGroup);
                *counts.entry((message.conversation_type, &message.target_id, channel)).or_default() += 1;
            }
        }
        // `ConversationType` orders by ordinal, as SQLite's `ORDER BY conversation_type` does, and `None` before any
        // channel, as SQLite's NULL.
        Ok(counts
            .into_iter()
            .map(|((conversation_type, target_id, channel_id), count)| ConversationMatches {
                conversation_type,
                target_id: target_id.to_owned(),
                channel_id: channel_id.map(str::to_owned),
                count,
            })
            .collect())
    }
}

/// The key of a row of SQLite's `conversations` (migration 0010): type, target and list channel (`list_channel`).
type ListKey = (ConversationType, String, String);

/// The list's key of one conversation.
fn list_key((conversation_type, target_id, channel_id): ConversationKey<'_>) -> ListKey {
    (conversation_type, target_id.to_owned(), list_channel(conversation_type, channel_id).to_owned())
}

/// The conversation a list key stands for: its `""` channel is the messages in no channel.
fn as_conversation((conversation_type, target_id, channel_id): &ListKey) -> ConversationKey<'_> {
    (*conversation_type, target_id, channel_from_list(channel_id))
}

/// The conversation `message` belongs to.
fn message_key(message: &Message) -> ConversationKey<'_> {
    (message.conversation_type, &message.target_id, message.channel_id.as_deref())
}

/// A conversation's own state as a new row of SQLite's `conversations` has it: unpinned, no draft.
fn new_state(key: &ListKey, operation_time: i64) -> ConversationState {
    let (conversation_type, target_id, channel_id) = as_conversation(key);
    ConversationState {
        conversation_type,
        target_id: target_id.to_owned(),
        channel_id: channel_id.map(str::to_owned),
        operation_time,
        top: false,
        draft: String::new(),
    }
}

/// Whether `message` is one of the conversation's: in an ultra group, of the channel (`None`: no channel); in the
/// other types, whatever its channel (CALL-11).
fn in_conversation(message: &Message, (conversation_type, target_id, channel_id): ConversationKey<'_>) -> bool {
    message.conversation_type == conversation_type
        && message.target_id == target_id
        && (conversation_type != ConversationType::UltraGroup || message.channel_id.as_deref() == channel_id)
}

/// The twin of `SqliteStore`'s unread condition (UNREAD-6, SYNC-12). `content` is already as stored.
fn counts_as_unread(message: &Message) -> bool {
    message.direction == MessageDirection::Receive
        && message.content.policy().counted
        && matches!(message.received_status, ReceivedStatus::Unread | ReceivedStatus::Retrieved)
}

fn count<'a>(messages: impl Iterator<Item = &'a Message>) -> u32 {
    u32::try_from(messages.count()).unwrap_or(u32::MAX)
}

/// `content` as it reads back from `SqliteStore`, which keeps the encoded (object name, payload) pair: an
/// `Unknown` whose object name and payload are a valid known type reads back as that type; one that stays unknown
/// keeps how it counts (MTYPE-9, the row's unread flag).
fn as_stored(content: &MessageContent) -> MessageContent {
    match (decode_content(&encode_content(content)), content) {
        (MessageContent::Unknown { object_name, raw_data, .. }, MessageContent::Unknown { policy, .. }) => {
            MessageContent::Unknown { object_name, raw_data, policy: *policy }
        }
        (stored, _) => stored,
    }
}

/// The error SQLite gives when `update_send_result` would store a UID that another message holds.
fn uid_already_stored() -> StoreError {
    StoreError::Sqlite(rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE),
        Some("UNIQUE constraint failed: messages.message_uid".to_owned()),
    ))
}

//! Rows of `messages` to and from [`Message`]: the one insert every write path uses, and the checked read back that
//! turns a value out of its domain into `StoreError::Corrupt` instead of a panic.

use rusqlite::{Row, Transaction, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{INSERT_MESSAGE, UID_IS_STORED};
use crate::content::{decode_content, encode_content};
use crate::proto;
use crate::store::StoreError;
use crate::types::{
    ConversationType, MentionedInfo, MentionedType, Message, MessageContent, MessageDirection, MessagePolicy,
    ReceivedStatus, SentStatus, fold_for_search,
};

/// A `COUNT(*)` as the API's `u32`. Four billion messages do not fit in a phone's database, so saturating is only
/// a guard.
pub(super) fn count_to_u32(count: i64) -> Result<u32, StoreError> {
    Ok(u32::try_from(count).unwrap_or(u32::MAX))
}

/// Inserts `message` with the given send state, ignoring `message.message_id`. Returns the new `messageId`, or
/// `None` if a message with this UID is already stored (and nothing was written).
pub(super) fn insert_message(
    transaction: &Transaction<'_>,
    message: &Message,
    sent_status: SentStatus,
    message_uid: Option<&str>,
) -> Result<Option<i64>, StoreError> {
    if let Some(message_uid) = message_uid {
        let stored: bool = transaction.prepare_cached(UID_IS_STORED)?.query_row([message_uid], |row| row.get(0))?;
        if stored {
            return Ok(None);
        }
    }
    let wire = encode_content(&message.content);
    // Decided on the content as it will read back (an `Unknown` holding a valid known type reads back typed); an
    // unknown message keeps the policy its persistence flags gave it (MTYPE-9), which the row's flag then holds.
    let stored_content = decode_content(&wire);
    let counts_unread = match stored_content {
        MessageContent::Unknown { .. } => message.content.policy().counted,
        _ => stored_content.policy().counted,
    };
    let proto::MessageContent { object_name, payload } = wire;
    let mentioned = message.mentioned_info.as_ref();
    let mentioned_user_ids = mentioned
        .map(|info| serde_json::to_string(&info.user_id_list))
        .transpose()
        .map_err(|error| StoreError::Corrupt(format!("mentioned users: {error}")))?;
    let message_id = transaction.prepare_cached(INSERT_MESSAGE)?.insert(params![
        message.conversation_type.ordinal(),
        message.target_id,
        message.channel_id,
        object_name,
        payload,
        message.direction.ordinal(),
        message.sender_user_id,
        sent_status.ordinal(),
        message.received_status.ordinal(),
        message.sent_time,
        message.received_time,
        message_uid,
        message.offline,
        message.extra,
        counts_unread,
        mentioned.map(|info| info.mentioned_type.ordinal()),
        mentioned_user_ids,
        mentioned.and_then(|info| info.mentioned_content.as_deref()),
        search_text(&stored_content),
        to_json(message.user_info.as_ref(), "user info")?,
        to_json(message.expansion.as_ref(), "expansion")?,
        to_json(message.push_options.as_ref(), "push options")?,
        to_json(message.group_read_receipt_info.as_ref(), "group read receipt info")?,
    ])?;
    Ok(Some(message_id))
}

/// A field of the message as its JSON column holds it (migration 0008), NULL for `None`.
pub(super) fn to_json<T: Serialize>(value: Option<&T>, what: &str) -> Result<Option<String>, StoreError> {
    value.map(serde_json::to_string).transpose().map_err(|error| StoreError::Corrupt(format!("{what}: {error}")))
}

/// A JSON column of message `message_id` read back, or `Corrupt` if it does not hold a `T`.
pub(super) fn from_json<T: DeserializeOwned>(
    message_id: i64,
    column: &str,
    text: Option<String>,
) -> Result<Option<T>, StoreError> {
    text.map(|text| serde_json::from_str(&text))
        .transpose()
        .map_err(|error| StoreError::Corrupt(format!("message {message_id}: {column}: {error}")))
}

/// Classifies an error from reading a row: a value of the wrong type or range is the file's fault (`Corrupt`),
/// anything else is SQLite's.
pub(super) fn unreadable(error: rusqlite::Error) -> StoreError {
    match error {
        rusqlite::Error::InvalidColumnType(..)
        | rusqlite::Error::FromSqlConversionFailure(..)
        | rusqlite::Error::IntegralValueOutOfRange(..)
        | rusqlite::Error::Utf8Error(..) => StoreError::Corrupt(error.to_string()),
        other => StoreError::Sqlite(other),
    }
}

/// One row of `messages` as SQLite holds it, before its values are checked.
pub(super) struct MessageRow {
    message_id: i64,
    conversation_type: i64,
    target_id: String,
    channel_id: Option<String>,
    object_name: String,
    payload: Vec<u8>,
    direction: i64,
    sender_user_id: String,
    sent_status: i64,
    received_status: i64,
    sent_time: i64,
    received_time: i64,
    message_uid: Option<String>,
    offline: i64,
    extra: Option<String>,
    mentioned_type: Option<i64>,
    mentioned_user_ids: Option<String>,
    mentioned_content: Option<String>,
    counts_unread: bool,
    user_info: Option<String>,
    expansion: Option<String>,
    push_options: Option<String>,
    group_read_receipt_info: Option<String>,
}

impl MessageRow {
    /// Reads a row selected with `message_columns!()`, by position in that list (a lookup by column name compares
    /// strings for every value of every row).
    pub(super) fn read(row: &Row<'_>) -> rusqlite::Result<MessageRow> {
        Ok(MessageRow {
            message_id: row.get(0)?,
            conversation_type: row.get(1)?,
            target_id: row.get(2)?,
            channel_id: row.get(3)?,
            object_name: row.get(4)?,
            payload: row.get(5)?,
            direction: row.get(6)?,
            sender_user_id: row.get(7)?,
            sent_status: row.get(8)?,
            received_status: row.get(9)?,
            sent_time: row.get(10)?,
            received_time: row.get(11)?,
            message_uid: row.get(12)?,
            offline: row.get(13)?,
            extra: row.get(14)?,
            mentioned_type: row.get(15)?,
            mentioned_user_ids: row.get(16)?,
            mentioned_content: row.get(17)?,
            counts_unread: row.get(18)?,
            user_info: row.get(19)?,
            expansion: row.get(20)?,
            push_options: row.get(21)?,
            group_read_receipt_info: row.get(22)?,
        })
    }

    /// The message this row holds, or `Corrupt` if a value is out of its domain.
    pub(super) fn into_message(self) -> Result<Message, StoreError> {
        let message_id = self.message_id;
        let offline = match self.offline {
            0 => false,
            1 => true,
            other => {
                return Err(StoreError::Corrupt(format!("message {message_id}: offline is {other}, not 0 or 1")));
            }
        };
        let content =
            match decode_content(&proto::MessageContent { object_name: self.object_name, payload: self.payload }) {
                // MTYPE-9: only a stored unknown message can have been stored without being counted.
                MessageContent::Unknown { object_name, raw_data, .. } => MessageContent::Unknown {
                    object_name,
                    raw_data,
                    policy: MessagePolicy { counted: self.counts_unread, ..MessagePolicy::STORED_COUNTED },
                },
                known => known,
            };
        let mentioned_info = match self.mentioned_type {
            None => None,
            Some(mentioned_type) => Some(MentionedInfo {
                mentioned_type: enum_value(message_id, "mentioned_type", mentioned_type, MentionedType::from_ordinal)?,
                user_id_list: serde_json::from_str(self.mentioned_user_ids.as_deref().unwrap_or("[]")).map_err(
                    |error| StoreError::Corrupt(format!("message {message_id}: mentioned_user_ids: {error}")),
                )?,
                mentioned_content: self.mentioned_content,
            }),
        };
        Ok(Message {
            conversation_type: enum_value(
                message_id,
                "conversation_type",
                self.conversation_type,
                ConversationType::from_ordinal,
            )?,
            target_id: self.target_id,
            channel_id: self.channel_id,
            message_id,
            message_uid: self.message_uid,
            direction: enum_value(message_id, "direction", self.direction, MessageDirection::from_ordinal)?,
            received_time: self.received_time,
            sent_time: self.sent_time,
            received_status: enum_value(
                message_id,
                "received_status",
                self.received_status,
                ReceivedStatus::from_ordinal,
            )?,
            sent_status: enum_value(message_id, "sent_status", self.sent_status, SentStatus::from_ordinal)?,
            sender_user_id: self.sender_user_id,
            offline,
            extra: self.extra,
            mentioned_info,
            user_info: from_json(message_id, "user_info", self.user_info)?,
            expansion: from_json(message_id, "expansion", self.expansion)?,
            push_options: from_json(message_id, "push_options", self.push_options)?,
            group_read_receipt_info: from_json(message_id, "group_read_receipt_info", self.group_read_receipt_info)?,
            content,
        })
    }
}

/// The enum value with ordinal `value` in column `column` of message `message_id`, or `Corrupt`.
pub(super) fn enum_value<T>(
    message_id: i64,
    column: &str,
    value: i64,
    from_ordinal: fn(u32) -> Option<T>,
) -> Result<T, StoreError> {
    u32::try_from(value)
        .ok()
        .and_then(from_ordinal)
        .ok_or_else(|| StoreError::Corrupt(format!("message {message_id}: unknown {column} ordinal {value}")))
}

/// What the `search_text` column holds for `content`: its searchable text, folded (migration 0006).
pub(super) fn search_text(content: &MessageContent) -> Option<String> {
    content.searchable_text().map(fold_for_search)
}

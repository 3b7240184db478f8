//! What signals do to stored rows (`Store::apply_signals`): a recall turns the row into its recall notification, an
//! expansion change merges into the row's expansion (EXP-12). Each runs inside the caller's transaction, so a batch
//! of signals and the inbox cursor that acknowledges them commit together.

use rusqlite::{OptionalExtension, Transaction, params};

use super::rows::{from_json, search_text, to_json};
use crate::content::{RECALL_NOTIFICATION_OBJECT_NAME, encode_content};
use crate::proto;
use crate::store::{ReceiptChange, SignalChange, StoreError, merge_expansion};
use crate::types::{ConversationType, Expansion, GroupReadReceiptInfo, MessageContent, MessageDirection, SentStatus};

/// Applies `change` to the row with UID `message_uid`; the ID of the row it changed, or `None` when it changed
/// nothing.
pub(super) fn apply(
    transaction: &Transaction<'_>,
    message_uid: &str,
    change: &SignalChange,
) -> Result<Option<i64>, StoreError> {
    match change {
        SignalChange::Recall(content) => {
            let message_id: Option<i64> = transaction
                .prepare_cached("SELECT message_id FROM messages WHERE message_uid = ?1 AND object_name <> ?2")?
                .query_row(params![message_uid, RECALL_NOTIFICATION_OBJECT_NAME], |row| row.get(0))
                .optional()?;
            match message_id {
                Some(message_id) => Ok(recall_row(transaction, message_id, content)?.then_some(message_id)),
                None => Ok(None),
            }
        }
        SignalChange::Expansion { updated, removed_keys } => {
            change_expansion(transaction, message_uid, updated, removed_keys)
        }
        SignalChange::PrivateReadReceipt { peer, up_to } => {
            transaction
                .prepare_cached(
                    "UPDATE messages SET sent_status = ?1
                     WHERE conversation_type = ?2 AND target_id = ?3 AND direction = ?4 AND sent_status = ?5
                       AND sent_time <= ?6",
                )?
                .execute(params![
                    SentStatus::Read.ordinal(),
                    ConversationType::Private.ordinal(),
                    peer,
                    MessageDirection::Send.ordinal(),
                    SentStatus::Sent.ordinal(),
                    up_to
                ])?;
            Ok(None)
        }
        SignalChange::GroupReceipt(change) => change_group_receipt(transaction, message_uid, change),
        SignalChange::ReadStatus { conversation_type, target_id, channel_id, up_to } => {
            super::conversations::mark_read(
                transaction,
                (*conversation_type, target_id, channel_id.as_deref()),
                *up_to,
            )?;
            Ok(None)
        }
        SignalChange::Nothing => Ok(None),
    }
}

/// Merges `updated` and `removed_keys` into the expansion of the row with UID `message_uid`, if it has expansion
/// on; the row's ID, or `None`.
pub(super) fn change_expansion(
    transaction: &Transaction<'_>,
    message_uid: &str,
    updated: &Expansion,
    removed_keys: &[String],
) -> Result<Option<i64>, StoreError> {
    let row: Option<(i64, String)> = transaction
        .prepare_cached("SELECT message_id, expansion FROM messages WHERE message_uid = ?1 AND expansion IS NOT NULL")?
        .query_row(params![message_uid], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    let Some((message_id, stored)) = row else { return Ok(None) };
    let mut expansion: Expansion = from_json(message_id, "expansion", Some(stored))?.unwrap_or_default();
    merge_expansion(&mut expansion, updated, removed_keys);
    transaction
        .prepare_cached("UPDATE messages SET expansion = ?2 WHERE message_id = ?1")?
        .execute(params![message_id, to_json(Some(&expansion), "expansion")?])?;
    Ok(Some(message_id))
}

/// Applies `change` to the group read-receipt status of the row with UID `message_uid`; the row's ID, or `None`.
pub(super) fn change_group_receipt(
    transaction: &Transaction<'_>,
    message_uid: &str,
    change: &ReceiptChange,
) -> Result<Option<i64>, StoreError> {
    let row: Option<(i64, Option<String>)> = transaction
        .prepare_cached("SELECT message_id, group_read_receipt_info FROM messages WHERE message_uid = ?1")?
        .query_row(params![message_uid], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    let Some((message_id, stored)) = row else { return Ok(None) };
    let mut info: Option<GroupReadReceiptInfo> = from_json(message_id, "group_read_receipt_info", stored)?;
    change.apply(&mut info);
    transaction
        .prepare_cached("UPDATE messages SET group_read_receipt_info = ?2 WHERE message_id = ?1")?
        .execute(params![message_id, to_json(info.as_ref(), "group read receipt info")?])?;
    Ok(Some(message_id))
}

/// Turns row `message_id` into the recall notification `content` (`Store::recall`); whether the row exists.
pub(super) fn recall_row(
    transaction: &Transaction<'_>,
    message_id: i64,
    content: &MessageContent,
) -> Result<bool, StoreError> {
    let proto::MessageContent { object_name, payload } = encode_content(content);
    let changed = transaction
        .prepare_cached(
            "UPDATE messages SET object_name = ?2, payload = ?3, search_text = ?4, counts_unread = ?5,
                mentioned_type = NULL, mentioned_user_ids = NULL, mentioned_content = NULL, expansion = NULL
             WHERE message_id = ?1",
        )?
        .execute(params![message_id, object_name, payload, search_text(content), content.policy().counted])?;
    Ok(changed > 0)
}

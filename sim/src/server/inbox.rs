//! A user's inbox: every message for the user, numbered by `seq` (1, 2, …), kept until it expires (DESIGN.md, "The
//! wire protocol"; OFFLINE-2, OFFLINE-6).
//!
//! The inbox is per user, not per device: each device resumes from its own cursor, so an entry cannot be dropped
//! when one device acknowledges it. Entries leave only by expiry. Entries are appended in `sentTime` order (the
//! server assigns strictly increasing sent times), so the oldest are always at the front and both "after this
//! cursor" and "expired" are prefix/suffix splits found by binary search.

use std::collections::VecDeque;

use imsim_engine::codec::framed_len;
use imsim_engine::limits::{FRAME_HEADER_BYTES, OFFLINE_PACKAGE_BYTES_MAX, OFFLINE_PACKAGE_MESSAGES_MAX};
use imsim_engine::proto;
use prost::encoding::{encoded_len_varint, key_len};

/// The field number of `Frame.inbox_package` in `imsim.proto`, for sizing a package before building its frame.
const FRAME_INBOX_PACKAGE_FIELD: u32 = 18;
/// The field number of `InboxPackage.messages`.
const PACKAGE_MESSAGES_FIELD: u32 = 1;
/// `InboxPackage.has_package = true`: one key byte and one value byte (counted even when false, to stay safe).
const HAS_PACKAGE_FIELD_BYTES: usize = 2;

#[derive(Debug)]
pub(super) struct Inbox {
    /// The `seq` the next entry gets. Starts at 1, so a cursor of 0 means "nothing yet".
    next_seq: u64,
    /// Unexpired (or not yet swept) entries, by ascending `seq` and `sent_time`.
    entries: VecDeque<proto::DeliveredMessage>,
}

impl Default for Inbox {
    fn default() -> Inbox {
        Inbox { next_seq: 1, entries: VecDeque::new() }
    }
}

impl Inbox {
    /// The `seq` of the newest entry ever appended, or 0.
    pub(super) fn last_seq(&self) -> u64 {
        self.next_seq - 1
    }

    /// Appends `message` with the next `seq`, which it returns.
    pub(super) fn append(&mut self, mut message: proto::DeliveredMessage) -> u64 {
        debug_assert!(
            self.entries.back().is_none_or(|last| last.sent_time < message.sent_time),
            "inbox entries must be appended in sentTime order"
        );
        message.seq = self.next_seq;
        self.next_seq += 1;
        self.entries.push_back(message);
        self.next_seq - 1
    }

    /// Drops the entries expired at `now_ms` (OFFLINE-6: `now − sentTime > retention`).
    pub(super) fn expire(&mut self, now_ms: i64, retention_ms: i64) {
        let expired = self.entries.partition_point(|entry| is_expired(entry, now_ms, retention_ms));
        self.entries.drain(..expired);
    }

    /// How many entries are unexpired at `now_ms`, whether or not swept yet.
    pub(super) fn unexpired_len(&self, now_ms: i64, retention_ms: i64) -> usize {
        self.entries.len() - self.entries.partition_point(|entry| is_expired(entry, now_ms, retention_ms))
    }

    /// The entries with `seq > cursor`, oldest first.
    pub(super) fn after(&self, cursor: u64) -> impl Iterator<Item = &proto::DeliveredMessage> {
        self.entries.range(self.entries.partition_point(|entry| entry.seq <= cursor)..)
    }

    /// The next offline package for a device whose cursor is `cursor`: the oldest entries after it (RECV-15), at
    /// most `OFFLINE_PACKAGE_MESSAGES_MAX` of them (RECV-3) and no more than fit in `OFFLINE_PACKAGE_BYTES_MAX`
    /// framed (but always at least one), with `has_package` telling whether entries remain after it (RECV-5).
    /// Empty, with `has_package == false`, when there is nothing after the cursor. Expire the inbox first.
    pub(super) fn package_after(&self, cursor: u64) -> proto::InboxPackage {
        let mut messages = Vec::new();
        let mut messages_bytes = 0;
        let mut remaining = self.after(cursor).peekable();
        while let Some(entry) = remaining.peek() {
            if messages.len() == OFFLINE_PACKAGE_MESSAGES_MAX {
                break;
            }
            let entry_bytes = prost::encoding::message::encoded_len(PACKAGE_MESSAGES_FIELD, *entry);
            if !messages.is_empty() && package_framed_len(messages_bytes + entry_bytes) > OFFLINE_PACKAGE_BYTES_MAX {
                break;
            }
            messages_bytes += entry_bytes;
            messages.push((*entry).clone());
            remaining.next();
        }
        let package = proto::InboxPackage { messages, has_package: remaining.peek().is_some() };
        debug_assert!(
            package.messages.len() <= 1
                || framed_len(&proto::Frame { body: Some(proto::frame::Body::InboxPackage(package.clone())) })
                    <= OFFLINE_PACKAGE_BYTES_MAX
        );
        package
    }
}

fn is_expired(entry: &proto::DeliveredMessage, now_ms: i64, retention_ms: i64) -> bool {
    now_ms.saturating_sub(entry.sent_time) > retention_ms
}

/// The framed size (header included) of an `InboxPackage` frame whose messages encode to `messages_bytes`, counting
/// `has_package` as present.
fn package_framed_len(messages_bytes: usize) -> usize {
    let package_bytes = messages_bytes + HAS_PACKAGE_FIELD_BYTES;
    FRAME_HEADER_BYTES + key_len(FRAME_INBOX_PACKAGE_FIELD) + encoded_len_varint(package_bytes as u64) + package_bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(sent_time: i64, payload_bytes: usize) -> proto::DeliveredMessage {
        proto::DeliveredMessage {
            message_uid: format!("UID-{sent_time}"),
            conversation_type: 1,
            target_id: "alice".to_owned(),
            sender_user_id: "alice".to_owned(),
            sent_time,
            content: Some(proto::MessageContent {
                object_name: "App:Blob".to_owned(),
                payload: vec![7; payload_bytes],
            }),
            ..proto::DeliveredMessage::default()
        }
    }

    #[test]
    fn sequence_numbers_start_at_one() {
        let mut inbox = Inbox::default();
        assert_eq!(inbox.last_seq(), 0);
        assert_eq!(inbox.append(message(10, 1)), 1);
        assert_eq!(inbox.append(message(11, 1)), 2);
        assert_eq!(inbox.last_seq(), 2);
        assert_eq!(inbox.after(1).map(|m| m.seq).collect::<Vec<_>>(), vec![2]);
    }

    #[test]
    fn size_estimate_matches_the_real_frame() {
        let mut inbox = Inbox::default();
        for i in 0..3 {
            inbox.append(message(i, 1000 * usize::try_from(i).unwrap()));
        }
        let package = proto::InboxPackage { messages: inbox.after(0).cloned().collect(), has_package: true };
        let bytes: usize =
            package.messages.iter().map(|m| prost::encoding::message::encoded_len(PACKAGE_MESSAGES_FIELD, m)).sum();
        let frame = proto::Frame { body: Some(proto::frame::Body::InboxPackage(package)) };
        assert_eq!(package_framed_len(bytes), framed_len(&frame));
    }

    #[test]
    fn large_messages_make_smaller_packages() {
        let mut inbox = Inbox::default();
        // 100 KB each: 7 fit in 768 KB, the 8th would not.
        for i in 0..20 {
            inbox.append(message(i, 100 * 1024));
        }
        let first = inbox.package_after(0);
        assert_eq!(first.messages.len(), 7);
        assert!(first.has_package);
        let frame = proto::Frame { body: Some(proto::frame::Body::InboxPackage(first)) };
        assert!(framed_len(&frame) <= OFFLINE_PACKAGE_BYTES_MAX);
        let last = inbox.package_after(14);
        assert_eq!((last.messages.len(), last.has_package), (6, false));
    }

    #[test]
    fn expiry_is_strictly_after_the_retention() {
        let mut inbox = Inbox::default();
        inbox.append(message(1_000, 1));
        inbox.append(message(2_000, 1));
        assert_eq!(inbox.unexpired_len(1_100, 100), 2);
        assert_eq!(inbox.unexpired_len(1_101, 100), 1);
        inbox.expire(1_101, 100);
        assert_eq!(inbox.after(0).map(|m| m.seq).collect::<Vec<_>>(), vec![2]);
        assert_eq!(inbox.last_seq(), 2);
    }
}

//! Publishing messages: private conversations (CTYPE), idempotent retries (DESIGN.md), message UIDs (MSG-6) and
//! sent times (MSG-22), and the limits a publish can break: content size (SEND-19) and send rate (SEND-2).
//!
//! A publish is checked in this order, and the first rule it breaks answers its `PublishAck`:
//!
//! 1. A `client_message_id` already accepted from the same (user, device) gets the original acknowledgement again,
//!    and nothing else happens: a retry after a lost ack never duplicates a message.
//! 2. The conversation type must be private; the others are **not yet supported** by the fake server and answer as
//!    if the sender had not joined any: group and ultra group 22406 (`NOT_IN_GROUP`), chatroom 23406
//!    (`NOT_IN_CHATROOM`); the system conversation, which only the Server API sends into, 39003
//!    (`PROTOCOL_UNEXPECTED_FRAME`); an ordinal outside the enum (including `invalid`), 39001
//!    (`PROTOCOL_MALFORMED_FRAME`).
//! 3. The target ID must have 1 to `TARGET_ID_CHARS_MAX` characters, else 39001 (the engine refuses such IDs
//!    locally with -101, so only a broken client gets here).
//! 4. The content's object name plus payload must be at most `MESSAGE_CONTENT_BYTES_MAX` bytes, else 30016
//!    (SEND-19).
//! 5. The connection must have had fewer than `client_send_rate` publishes accepted in the last
//!    `SEND_RATE_WINDOW_MS`, else 20604 (SEND-2, BIZ-25).
//!
//! Only accepted publishes are remembered for retries and counted by the rate limit ("a 6th send *accepted* within
//! any 1000 ms window is rejected", BIZ-25): a refused publish retried later is judged afresh.
//!
//! A private message to any user ID is accepted, registered or not, and waits in that user's inbox, as RongCloud's
//! private-message API does. A message to oneself goes to one's own inbox like any other.

use std::collections::{BTreeMap, VecDeque};

use imsim_engine::limits::{MESSAGE_CONTENT_BYTES_MAX, TARGET_ID_CHARS_MAX};
use imsim_engine::proto::{self, frame::Body};
use imsim_engine::{ConversationType, ErrorCode};

use super::{Conn, ConnId, SEND_RATE_WINDOW_MS, Server};

/// Idempotent publishes (DESIGN.md): the server remembers the acknowledgements of this many accepted publishes per
/// (user, device), dropping the oldest first. A client retries only while a publish is unacknowledged, which lasts
/// at most `PUBLISH_ACK_TIMEOUT_MS` (30 s) per attempt; at the SEND-1 rate of 5 messages a second that is 150
/// publishes, so 1024 leaves ample room for retries across reconnects while bounding the memory of each device.
pub const PUBLISH_ACKS_REMEMBERED_PER_DEVICE: usize = 1024;

/// imsim's own bound, not a spec rule: a longer `client_message_id` (or an empty one) is a malformed publish. The
/// IDs key the idempotence memory above, so a hostile client must not be able to make them large.
pub const CLIENT_MESSAGE_ID_BYTES_MAX: usize = 128;

/// Message UIDs: Crockford's base32 (no I, L, O, U), so a UID reads like RongCloud's `BJ5H-SQ5R-3KC4-8K7S`.
const UID_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The acknowledgements one device's accepted publishes got, by client message ID, bounded by
/// `PUBLISH_ACKS_REMEMBERED_PER_DEVICE`.
#[derive(Debug, Default)]
pub(super) struct AckCache {
    /// Client message IDs, oldest first.
    order: VecDeque<String>,
    acks: BTreeMap<String, proto::PublishAck>,
}

impl AckCache {
    fn get(&self, client_message_id: &str) -> Option<&proto::PublishAck> {
        self.acks.get(client_message_id)
    }

    fn insert(&mut self, ack: proto::PublishAck) {
        if self.order.len() == PUBLISH_ACKS_REMEMBERED_PER_DEVICE
            && let Some(oldest) = self.order.pop_front()
        {
            self.acks.remove(&oldest);
        }
        self.order.push_back(ack.client_message_id.clone());
        self.acks.insert(ack.client_message_id.clone(), ack);
    }
}

impl Server {
    pub(super) fn handle_publish(&mut self, conn: ConnId, publish: proto::Publish, now_ms: i64) {
        let rate = self.config.client_send_rate;
        let retention_ms = self.private_retention_ms();
        let Some(Conn::Open(session)) = self.conns.get_mut(&conn) else {
            return;
        };
        let id = &publish.client_message_id;
        if id.is_empty() || id.len() > CLIENT_MESSAGE_ID_BYTES_MAX {
            let reason = format!("Publish client_message_id must have 1 to {CLIENT_MESSAGE_ID_BYTES_MAX} bytes");
            self.close_with_error(conn, ErrorCode::PROTOCOL_MALFORMED_FRAME, reason);
            return;
        }
        let app = self.apps.get_mut(&session.app_key).expect("invariant: a session's app exists");
        let device_key = (session.user_id.clone(), session.device_id.clone());
        if let Some(ack) = app.devices.get(&device_key).and_then(|device| device.acks.get(id)) {
            let ack = ack.clone();
            self.send(conn, Body::PublishAck(ack));
            return;
        }

        let window = &mut session.accepted_publishes;
        while window.front().is_some_and(|&accepted| accepted <= now_ms.saturating_sub(SEND_RATE_WINDOW_MS)) {
            window.pop_front();
        }
        let rate_exceeded = rate.is_some_and(|rate| window.len() >= rate as usize);
        if let Some(code) = refusal(&publish, rate_exceeded) {
            let ack = proto::PublishAck {
                client_message_id: publish.client_message_id,
                code: code.to_wire(),
                message_uid: String::new(),
                sent_time: 0,
            };
            self.send(conn, Body::PublishAck(ack));
            return;
        }
        window.push_back(now_ms);

        app.last_uid += 1;
        let message_uid = message_uid(app.last_uid);
        let sent_time = app.last_sent_time_ms.map_or(now_ms, |last| now_ms.max(last.saturating_add(1)));
        app.last_sent_time_ms = Some(sent_time);
        let sender = session.user_id.clone();
        let ack = proto::PublishAck {
            client_message_id: publish.client_message_id,
            code: ErrorCode::SUCCESS.to_wire(),
            message_uid: message_uid.clone(),
            sent_time,
        };
        app.devices.entry(device_key).or_default().acks.insert(ack.clone());

        // Private: the conversation, seen from the recipient's side, is the sender (MSG-2, CONV-1). The channel ID is
        // ignored outside ultra groups (CALL-11, MSG-20).
        let recipient = publish.target_id;
        let message = proto::DeliveredMessage {
            seq: 0,
            message_uid,
            conversation_type: ConversationType::Private.ordinal(),
            target_id: sender.clone(),
            channel_id: String::new(),
            sender_user_id: sender,
            sent_time,
            content: Some(publish.content.unwrap_or_default()),
            extra: publish.extra,
            ..Default::default()
        };
        let app_key = session.app_key.clone();
        let inbox = app.inboxes.entry(recipient.clone()).or_default();
        inbox.expire(now_ms, retention_ms);
        inbox.append(message);

        // The sender learns the UID before any delivery of the same message, even one to itself.
        self.send(conn, Body::PublishAck(ack));
        self.deliver_to_live_sessions(&app_key, &recipient, now_ms);
    }
}

/// The code refusing `publish`, or `None` to accept it. See the module documentation for the order.
fn refusal(publish: &proto::Publish, rate_exceeded: bool) -> Option<ErrorCode> {
    match ConversationType::from_ordinal(publish.conversation_type) {
        Some(ConversationType::Private) => {}
        Some(ConversationType::Group | ConversationType::UltraGroup) => {
            return Some(ErrorCode::NOT_IN_GROUP);
        }
        Some(ConversationType::Chatroom) => return Some(ErrorCode::NOT_IN_CHATROOM),
        Some(ConversationType::System) => return Some(ErrorCode::PROTOCOL_UNEXPECTED_FRAME),
        Some(ConversationType::Invalid) | None => return Some(ErrorCode::PROTOCOL_MALFORMED_FRAME),
    }
    let target_chars = publish.target_id.chars().count();
    if target_chars == 0 || target_chars > TARGET_ID_CHARS_MAX {
        return Some(ErrorCode::PROTOCOL_MALFORMED_FRAME);
    }
    if publish.content.as_ref().map_or(0, content_bytes) > MESSAGE_CONTENT_BYTES_MAX {
        return Some(ErrorCode::MSG_SIZE_OUT_OF_LIMIT);
    }
    if rate_exceeded {
        return Some(ErrorCode::SEND_MSG_FREQUENCY_OVERRUN);
    }
    None
}

/// SEND-19: the serialised size of a message's content, its object name plus its encoded payload.
pub(super) fn content_bytes(content: &proto::MessageContent) -> usize {
    content.object_name.len() + content.payload.len()
}

/// The UID of an app's `n`th message: 16 base32 digits of `n` in four groups, e.g. `0000-0000-0000-001Z`. Unique
/// within the app (MSG-6) because `n` is, and deterministic.
pub(super) fn message_uid(n: u64) -> String {
    let mut digits = [b'0'; 16];
    let mut rest = n;
    for digit in digits.iter_mut().rev() {
        *digit = UID_ALPHABET[(rest % 32) as usize];
        rest /= 32;
    }
    let groups: Vec<&str> =
        digits.chunks(4).map(|group| std::str::from_utf8(group).expect("invariant: base32 is ASCII")).collect();
    groups.join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uids_are_grouped_base32() {
        assert_eq!(message_uid(1), "0000-0000-0000-0001");
        assert_eq!(message_uid(63), "0000-0000-0000-001Z");
        assert_eq!(message_uid(u64::MAX), "000F-ZZZZ-ZZZZ-ZZZZ");
    }

    #[test]
    fn the_ack_cache_forgets_the_oldest_first() {
        let mut cache = AckCache::default();
        for i in 0..=PUBLISH_ACKS_REMEMBERED_PER_DEVICE {
            cache.insert(proto::PublishAck { client_message_id: format!("m{i}"), ..proto::PublishAck::default() });
        }
        assert!(cache.get("m0").is_none());
        assert!(cache.get("m1").is_some());
        assert!(cache.get(&format!("m{PUBLISH_ACKS_REMEMBERED_PER_DEVICE}")).is_some());
        assert_eq!(cache.acks.len(), PUBLISH_ACKS_REMEMBERED_PER_DEVICE);
    }
}

//! Publishing messages: private, group and chatroom conversations (CTYPE, GRP, CR), idempotent retries (DESIGN.md),
//! message UIDs (MSG-6) and sent times (MSG-22), the limits a publish can break: content size (SEND-19) and send rate
//! (SEND-2, counting every conversation type, BIZ-8), and who may send: blacklists (BLACK-2), group membership and
//! mutes (GRP-22) and chatroom membership and mutes (23406 and 23408 in the spec README's codes; CR-31 to CR-33).
//!
//! A publish is checked in this order, and the first rule it breaks answers its `PublishAck`:
//!
//! 1. A `client_message_id` already accepted from the same (user, device) gets the original acknowledgement again,
//!    and nothing else happens: a retry after a lost ack never duplicates a message. A publish marked
//!    `only_if_accepted` (an engine asking after a send a crash interrupted) that was not accepted before gets 30003
//!    and is not delivered: there is no automatic resend (SEND-14).
//! 2. The conversation type must be private, group, chatroom or ultra group; the system conversation, which only the
//!    Server API sends into, 90003 (`PROTOCOL_UNEXPECTED_FRAME`); an ordinal outside the enum (including `invalid`),
//!    90001 (`PROTOCOL_MALFORMED_FRAME`).
//! 3. The target ID must have 1 to `TARGET_ID_CHARS_MAX` characters, else 90001 (the engine refuses such IDs
//!    locally with -101, so only a broken client gets here). So must every `directed_user_ids` entry, and directed
//!    user IDs are only for group messages (GRP-21: the engine refuses other types with -101), else 90001. A channel
//!    ID has at most `CHANNEL_ID_CHARS_MAX` characters (MSG-3), else 90001.
//! 4. The content's object name plus payload must be at most `MESSAGE_CONTENT_BYTES_MAX` bytes, else 30016
//!    (SEND-19).
//! 5. The connection must have had fewer than `client_send_rate` publishes accepted in the last
//!    `SEND_RATE_WINDOW_MS`, else 20604 (SEND-2, BIZ-25). Status messages are exempt (TYPING-8).
//! 6. Private: the recipient must not have the sender on their blacklist, else 405 (BLACK-2). Group: the group must
//!    exist with the sender as a member, else 22406; the sender must not be muted, else 22408 (GRP-9, GRP-10,
//!    GRP-22; the `groups` module). Chatroom: the room must exist with the sender as a member, else 23406; the
//!    sender must not be muted there (member mute, mute all, global mute), else 23408 (CR-31 to CR-33; the
//!    `chatroom` module). Ultra group: the group must exist with the sender as a member, else 24406; a channel, if
//!    given, must exist, else 24414 (the `ultra_groups` module).
//!
//! Only accepted publishes are remembered for retries and counted by the rate limit ("a 6th send *accepted* within
//! any 1000 ms window is rejected", BIZ-25, decision 5): a refused publish retried later is judged afresh. Status
//! messages (`status_message`) are neither limited nor counted: TYPING-8 says typing status does not count toward
//! the 5 messages/second limit, and every status message is treated alike; the engine throttles typing itself.
//!
//! Delivery (the `fanout` and `sync` modules):
//!
//! - Private: a message to any user ID is accepted, registered or not, and waits in that user's inbox, as
//!   RongCloud's private-message API does. A message to oneself goes to one's own inbox like any other. The
//!   recipient sees the sender as the conversation (`target_id`).
//! - Group: one copy per member other than the sender, with `target_id` the group. With `directed_user_ids`
//!   (GRP-16), only those of the listed users who are members (other than the sender) get it: the others are
//!   skipped silently and the send still succeeds (GRP-21), and each copy carries the members it went to, in the
//!   order listed, without duplicates. A directed message none of whose users is a member reaches nobody, not even
//!   the sender's other devices (an empty `directed_user_ids` would read as "everyone").
//! - With multi-device sync on, the sender's other devices get a copy with `target_id` the peer or the group.
//! - Chatroom: no inbox. After its `PublishAck`, the message (`seq` 0, `target_id` the room) goes through the room's
//!   load shedding, and if delivered, to every connection that joined the room but the sender's (the `chatroom`
//!   module).
//! - Ultra group: no inbox either. After its `PublishAck`, the message (`seq` 0, `target_id` the ultra group,
//!   `channel_id` its channel) goes to the members' devices online now (the `ultra_groups` module).

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use imsim_engine::limits::{CHANNEL_ID_CHARS_MAX, MESSAGE_CONTENT_BYTES_MAX, TARGET_ID_CHARS_MAX};
use imsim_engine::proto::{self, frame::Body};
use imsim_engine::{ConversationType, ErrorCode};

use super::blacklist::is_blacklisted;
use super::chatroom;
use super::fanout::{Fanout, SenderCopy};
use super::groups::{self, Group};
use super::ultra_groups;
use super::whitelist;
use super::{App, Conn, ConnId, SEND_RATE_WINDOW_MS, Server};

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
        let private_retention_ms = self.private_retention_ms();
        let group_retention_ms = self.group_retention_ms();
        let Some(Conn::Open(session)) = self.conns.get_mut(&conn) else {
            return;
        };
        let id = &publish.client_message_id;
        if id.is_empty() || id.len() > CLIENT_MESSAGE_ID_BYTES_MAX {
            let reason = format!("Publish client_message_id must have 1 to {CLIENT_MESSAGE_ID_BYTES_MAX} bytes");
            self.close_with_error(conn, ErrorCode::PROTOCOL_MALFORMED_FRAME, reason, now_ms);
            return;
        }
        let app = self.apps.get_mut(&session.app_key).expect("invariant: a session's app exists");
        let device_key = (session.user_id.clone(), session.device_id.clone());
        if let Some(ack) = app.devices.get(&device_key).and_then(|device| device.acks.get(id)) {
            let ack = ack.clone();
            self.send(conn, Body::PublishAck(ack));
            return;
        }
        if publish.only_if_accepted {
            // SEND-14: an earlier process's publish that never arrived is not sent now; the message fails.
            let ack = proto::PublishAck {
                client_message_id: publish.client_message_id,
                code: ErrorCode::MSG_RESPONSE_TIMEOUT.to_wire(),
                message_uid: String::new(),
                sent_time: 0,
            };
            self.send(conn, Body::PublishAck(ack));
            return;
        }

        let window = &mut session.accepted_publishes;
        let rate_exceeded = !publish.status_message && send_rate_exceeded(window, rate, now_ms);
        let sender = session.user_id.clone();
        let refusal = refusal(&publish, rate_exceeded).or_else(|| permission_refusal(app, &sender, &publish, now_ms));
        if let Some(code) = refusal {
            let ack = proto::PublishAck {
                client_message_id: publish.client_message_id,
                code: code.to_wire(),
                message_uid: String::new(),
                sent_time: 0,
            };
            self.send(conn, Body::PublishAck(ack));
            return;
        }
        if !publish.status_message {
            window.push_back(now_ms);
        }

        let (message_uid, sent_time) = app.stamp(now_ms);
        let ack = proto::PublishAck {
            client_message_id: publish.client_message_id.clone(),
            code: ErrorCode::SUCCESS.to_wire(),
            message_uid: message_uid.clone(),
            sent_time,
        };
        app.devices.entry(device_key).or_default().acks.insert(ack.clone());

        // The channel ID is ignored outside ultra groups (CALL-11, MSG-20); an ultra group's is set below (MSG-3).
        let message = proto::DeliveredMessage {
            seq: 0,
            message_uid,
            conversation_type: publish.conversation_type,
            target_id: String::new(),
            channel_id: String::new(),
            sender_user_id: sender.clone(),
            sent_time,
            content: Some(publish.content.unwrap_or_default()),
            extra: publish.extra,
            status_message: publish.status_message,
            retrieved: false,
            directed_user_ids: Vec::new(),
            mentioned_info: publish.mentioned_info,
            // Kept only on the copies for the sender's own inbox (`fanout`).
            client_message_id: publish.client_message_id.clone(),
            user_info: publish.user_info,
            expansion: publish.expansion,
            not_stored: publish.not_stored,
            not_counted: publish.not_counted,
        };
        if publish.conversation_type == ConversationType::Chatroom.ordinal() {
            let message =
                proto::DeliveredMessage { target_id: publish.target_id, client_message_id: String::new(), ..message };
            let mut notices = Vec::new();
            chatroom::publish(app, Some(conn), message, now_ms, &mut notices);
            self.send(conn, Body::PublishAck(ack));
            for (to, body) in notices {
                self.send(to, body);
            }
            return;
        }
        if publish.conversation_type == ConversationType::UltraGroup.ordinal() {
            let message =
                proto::DeliveredMessage { target_id: publish.target_id, channel_id: publish.channel_id, ..message };
            let (app_key, device_id) = (session.app_key.clone(), session.device_id.clone());
            self.fan_out_ultra_group(&app_key, message, (conn, ack), &device_id);
            return;
        }
        let target_id = publish.target_id;
        let sender_copy = SenderCopy { user_id: sender.clone(), device_id: Some(session.device_id.clone()), target_id };
        let fanout = if publish.conversation_type == ConversationType::Group.ordinal() {
            let group = app.groups.get(&sender_copy.target_id).expect("invariant: the permission check found it");
            group_fanout(group, message, &publish.directed_user_ids, sender_copy, group_retention_ms)
        } else {
            // Private: the conversation, seen from the recipient's side, is the sender (MSG-2, CONV-1).
            let recipient = sender_copy.target_id.clone();
            let sender_copy = (recipient != sender).then_some(sender_copy);
            Fanout { message, recipients: vec![(recipient, sender)], sender_copy, retention_ms: private_retention_ms }
        };
        let app_key = session.app_key.clone();
        self.fan_out(&app_key, fanout, Some((conn, ack)), now_ms);
    }
}

/// Whether one more message now would pass `rate` messages within the sliding window of `SEND_RATE_WINDOW_MS`
/// (SEND-2), given the times of the connection's messages accepted so far in `window`, whose expired times it drops.
/// A message that counts is pushed onto `window` by the caller once accepted.
pub(super) fn send_rate_exceeded(window: &mut VecDeque<i64>, rate: Option<u32>, now_ms: i64) -> bool {
    while window.front().is_some_and(|&accepted| accepted <= now_ms.saturating_sub(SEND_RATE_WINDOW_MS)) {
        window.pop_front();
    }
    rate.is_some_and(|rate| window.len() >= rate as usize)
}

impl App {
    /// The UID (MSG-6) and sent time (MSG-22, strictly later than the app's previous one) of a new message.
    pub(super) fn stamp(&mut self, now_ms: i64) -> (String, i64) {
        imsim_engine::mark!("MSG-6");
        imsim_engine::mark!("MSG-22");
        self.last_uid += 1;
        let sent_time = self.last_sent_time_ms.map_or(now_ms, |last| now_ms.max(last.saturating_add(1)));
        self.last_sent_time_ms = Some(sent_time);
        (message_uid(self.last_uid), sent_time)
    }
}

/// The recipients of a group message (see the module documentation).
fn group_fanout(
    group: &Group,
    mut message: proto::DeliveredMessage,
    directed_user_ids: &[String],
    sender_copy: SenderCopy,
    retention_ms: i64,
) -> Fanout {
    let sender = &sender_copy.user_id;
    let group_id = &sender_copy.target_id;
    let is_recipient = |user_id: &String| user_id != sender && group.members.contains(user_id);
    let recipients: Vec<String> = if directed_user_ids.is_empty() {
        imsim_engine::mark!("GRP-1");
        imsim_engine::mark!("GRP-6");
        group.members.iter().filter(|user_id| is_recipient(user_id)).cloned().collect()
    } else {
        let mut seen = BTreeSet::new();
        directed_user_ids.iter().filter(|user_id| is_recipient(user_id) && seen.insert(*user_id)).cloned().collect()
    };
    if !directed_user_ids.is_empty() {
        imsim_engine::mark!("GRP-16");
        imsim_engine::mark!("GRP-21");
        if recipients.is_empty() {
            return Fanout { message, recipients: Vec::new(), sender_copy: None, retention_ms };
        }
        message.directed_user_ids.clone_from(&recipients);
    }
    let recipients = recipients.into_iter().map(|user_id| (user_id, group_id.clone())).collect();
    Fanout { message, recipients, sender_copy: Some(sender_copy), retention_ms }
}

/// The code refusing `publish` by its form and the rate limit, or `None`. See the module documentation for the order.
fn refusal(publish: &proto::Publish, rate_exceeded: bool) -> Option<ErrorCode> {
    let conversation_type = ConversationType::from_ordinal(publish.conversation_type);
    match conversation_type {
        Some(
            ConversationType::Private
            | ConversationType::Group
            | ConversationType::Chatroom
            | ConversationType::UltraGroup,
        ) => {}
        Some(ConversationType::System) => return Some(ErrorCode::PROTOCOL_UNEXPECTED_FRAME),
        Some(ConversationType::Invalid) | None => return Some(ErrorCode::PROTOCOL_MALFORMED_FRAME),
    }
    let valid_id = |id: &str| (1..=TARGET_ID_CHARS_MAX).contains(&id.chars().count());
    if !valid_id(&publish.target_id) {
        return Some(ErrorCode::PROTOCOL_MALFORMED_FRAME);
    }
    if publish.channel_id.chars().count() > CHANNEL_ID_CHARS_MAX {
        return Some(ErrorCode::PROTOCOL_MALFORMED_FRAME);
    }
    let directed = &publish.directed_user_ids;
    if !directed.is_empty()
        && (conversation_type != Some(ConversationType::Group) || !directed.iter().all(|id| valid_id(id)))
    {
        return Some(ErrorCode::PROTOCOL_MALFORMED_FRAME);
    }
    if publish.content.as_ref().map_or(0, content_bytes) > MESSAGE_CONTENT_BYTES_MAX {
        imsim_engine::mark!("SEND-19");
        return Some(ErrorCode::MSG_SIZE_OUT_OF_LIMIT);
    }
    if rate_exceeded {
        imsim_engine::mark!("SEND-2");
        imsim_engine::mark!("CFG-11");
        imsim_engine::mark!("SEND-1");
        imsim_engine::mark!("BIZ-8");
        imsim_engine::mark!("BIZ-25");
        return Some(ErrorCode::SEND_MSG_FREQUENCY_OVERRUN);
    }
    None
}

/// The code refusing `sender`'s well-formed `publish` for who they are, or `None` (BLACK-2, GRP-22; a chatroom's
/// non-member 23406 and mutes 23408, CR-31 to CR-33).
fn permission_refusal(app: &App, sender: &str, publish: &proto::Publish, now_ms: i64) -> Option<ErrorCode> {
    if publish.conversation_type == ConversationType::Group.ordinal() {
        groups::send_refusal(app, &publish.target_id, sender, now_ms)
    } else if publish.conversation_type == ConversationType::UltraGroup.ordinal() {
        ultra_groups::send_refusal(app, &publish.target_id, &publish.channel_id, sender)
    } else if publish.conversation_type == ConversationType::Chatroom.ordinal() {
        imsim_engine::mark!("CR-37");
        chatroom::send_refusal(app, &publish.target_id, sender, now_ms)
    } else if is_blacklisted(app, &publish.target_id, sender) {
        imsim_engine::mark!("BLACK-1");
        imsim_engine::mark!("BLACK-2");
        imsim_engine::mark!("BLACK-10");
        Some(ErrorCode::REJECTED_BY_BLACKLIST)
    } else if whitelist::refuses(app, &publish.target_id, sender) {
        imsim_engine::mark!("USER-11");
        imsim_engine::mark!("USER-12");
        Some(ErrorCode::NOT_IN_WHITELIST)
    } else {
        None
    }
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

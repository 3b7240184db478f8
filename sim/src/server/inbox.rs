//! A user's inbox: every message for the user, numbered by `seq` (1, 2, …), kept until it expires (DESIGN.md, "The
//! wire protocol"; OFFLINE-2, OFFLINE-6).
//!
//! # Design
//!
//! The inbox is per user, not per device, and each device reads it from its own cursor: a session remembers how far
//! it has scanned, and a device's `ConnectRequest` carries the last `seq` it persisted. Entries leave only by expiry.
//! Which device may read which entry is written in the entry itself, so that both multi-device sync modes (SYNC-17)
//! are exact whatever happens between the devices:
//!
//! - [`Route::OneDevice`] (the message was sent while multi-device sync was off): exactly one device of the user
//!   gets it. Its `device` is chosen when the entry is appended (the online device that connected most recently) or,
//!   if the user had no device online, by the first device to connect afterwards ([`Inbox::claim`]). If the owner's
//!   session ends before the entry was ever sent to it (kicked or cut off while catching up), the entry is unowned
//!   again ([`Inbox::release`]). Once its owner has acknowledged it, it is *consumed*: even a reinstall of the owner
//!   (cursor 0) does not get it again (the server keeps each device's highest acknowledgement).
//! - [`Route::AllDevices`] (multi-device sync was on): every device of the user gets it, except `origin`, the device
//!   that sent it, when the entry is the sender's own copy.
//! - `first_sent_login` records when any device was first sent the entry, as the server's login count at the time.
//!   A session opened later (a larger login number) knows the entry was already received elsewhere: that is what
//!   offline compensation and the `retrieved` flag need (SYNC-12, the `sync` module).
//!
//! The rules that read these fields are in `sync` ([`Reader`](super::sync::Reader)); the inbox only applies a
//! reader's verdict while it builds packages and deliveries, and marks what it hands out.
//!
//! Entries are appended in `sentTime` order (the server assigns strictly increasing sent times), and kept by `seq`.
//! Retention depends on the kind of message (private, group, system: CFG-8), so expiry has its own index.

use std::collections::{BTreeMap, BTreeSet};

use imsim_engine::codec::framed_len;
use imsim_engine::limits::{FRAME_HEADER_BYTES, OFFLINE_PACKAGE_BYTES_MAX, OFFLINE_PACKAGE_MESSAGES_MAX};
use imsim_engine::proto;
use imsim_engine::types::ConversationType;
use prost::encoding::{encoded_len_varint, key_len};

/// The field number of `Frame.inbox_package` in `imsim.proto`, for sizing a package before building its frame.
const FRAME_INBOX_PACKAGE_FIELD: u32 = 18;
/// The field number of `InboxPackage.messages`.
const PACKAGE_MESSAGES_FIELD: u32 = 1;
/// `InboxPackage.has_package = true`: one key byte and one value byte (counted even when false, to stay safe).
const HAS_PACKAGE_FIELD_BYTES: usize = 2;

/// Which devices of the user may read an entry. See the module documentation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Route {
    /// Sent with multi-device sync off: only `device` gets it, once chosen.
    OneDevice {
        /// The device ID of the one device that gets the entry, or `None` until a device connects.
        device: Option<String>,
    },
    /// Sent with multi-device sync on: every device of the user gets it, except `origin`.
    AllDevices {
        /// For the sender's own copy of a message, the device that sent it; `None` for a received message.
        origin: Option<String>,
    },
}

/// One message in the inbox.
#[derive(Debug)]
pub(super) struct Entry {
    /// The message as every reader gets it (`seq` set), except for the per-reader `retrieved` flag.
    pub(super) message: proto::DeliveredMessage,
    /// Who may read it.
    pub(super) route: Route,
    /// The server's login count when a device was first sent the entry, if one was.
    pub(super) first_sent_login: Option<u64>,
    /// The last instant it is kept: its key in `Inbox::by_expiry`.
    expires_at_ms: i64,
}

/// Forgets entry `seq` (holding `message`) as queued for its group (OFFLINE-7): it was sent to a device, or it left
/// the inbox.
fn dequeue(queued_by_group: &mut BTreeMap<String, BTreeSet<u64>>, seq: u64, message: &proto::DeliveredMessage) {
    if let Some(queued) = queued_by_group.get_mut(&message.target_id) {
        queued.remove(&seq);
        if queued.is_empty() {
            queued_by_group.remove(&message.target_id);
        }
    }
}

/// What a reader makes of an entry: `None` to skip it, or `Some(retrieved)` to hand it out with that flag.
pub(super) type Verdict = Option<bool>;

#[derive(Debug)]
pub(super) struct Inbox {
    /// The `seq` the next entry gets. Starts at 1, so a cursor of 0 means "nothing yet".
    next_seq: u64,
    /// Unexpired (or not yet swept) entries by `seq`, which is also ascending `sent_time`.
    entries: BTreeMap<u64, Entry>,
    /// `(expires_at_ms, seq)` of every entry: the last instant it is kept (it expires once `now > expires_at_ms`,
    /// OFFLINE-6), and which it is.
    by_expiry: BTreeSet<(i64, u64)>,
    /// The group messages no device has been sent yet, by group: what `groupOfflineMaxCount` caps (OFFLINE-7).
    /// An entry leaves its set when it is first sent to a device, expires, or is dropped by the cap.
    queued_by_group: BTreeMap<String, BTreeSet<u64>>,
}

impl Default for Inbox {
    fn default() -> Inbox {
        Inbox { next_seq: 1, entries: BTreeMap::new(), by_expiry: BTreeSet::new(), queued_by_group: BTreeMap::new() }
    }
}

impl Inbox {
    /// The `seq` of the newest entry ever appended, or 0.
    pub(super) fn last_seq(&self) -> u64 {
        self.next_seq - 1
    }

    /// Appends `message` with the next `seq`, which it returns. It is kept for `retention_ms` after its `sent_time`.
    pub(super) fn append(&mut self, mut message: proto::DeliveredMessage, retention_ms: i64, route: Route) -> u64 {
        debug_assert!(
            self.entries.last_key_value().is_none_or(|(_, last)| last.message.sent_time < message.sent_time),
            "inbox entries must be appended in sentTime order"
        );
        let seq = self.next_seq;
        self.next_seq += 1;
        message.seq = seq;
        let expires_at_ms = message.sent_time.saturating_add(retention_ms);
        self.by_expiry.insert((expires_at_ms, seq));
        if message.conversation_type == ConversationType::Group.ordinal() {
            self.queued_by_group.entry(message.target_id.clone()).or_default().insert(seq);
        }
        self.entries.insert(seq, Entry { message, route, first_sent_login: None, expires_at_ms });
        seq
    }

    /// OFFLINE-7: drops the oldest group messages of `group_id` that no device has been sent yet, beyond the newest
    /// `max_count`. Entries already sent to a device are not counted and never dropped: the cap thins a queue, it
    /// does not take back what a device is reading.
    pub(super) fn cap_queued_group(&mut self, group_id: &str, max_count: u32) {
        let Some(queued) = self.queued_by_group.get_mut(group_id) else { return };
        let keep = usize::try_from(max_count).unwrap_or(usize::MAX);
        while queued.len() > keep {
            let Some(seq) = queued.pop_first() else { break };
            imsim_engine::mark!("OFFLINE-7");
            imsim_engine::mark!("OFFLINE-4");
            imsim_engine::mark!("CFG-8");
            if let Some(entry) = self.entries.remove(&seq) {
                self.by_expiry.remove(&(entry.expires_at_ms, seq));
            }
        }
    }

    /// RECALL-11: every entry holding message `message_uid` now holds its recall notification `content` instead,
    /// for every device that has not read it yet.
    pub(super) fn recall(&mut self, message_uid: &str, content: &proto::MessageContent) {
        for entry in self.entries.values_mut().filter(|entry| entry.message.message_uid == message_uid) {
            entry.message = super::recall::as_recalled(&entry.message, content);
        }
    }

    /// DEL-5, DEL-6: removes every entry whose message `doomed` selects (a deletion of the owner's history that
    /// takes its offline-compensation copies with it). Devices not yet sent them never will be.
    pub(super) fn remove_where(&mut self, doomed: impl Fn(&proto::DeliveredMessage) -> bool) {
        let seqs: Vec<u64> =
            self.entries.iter().filter(|(_, entry)| doomed(&entry.message)).map(|(seq, _)| *seq).collect();
        for seq in seqs {
            if let Some(entry) = self.entries.remove(&seq) {
                self.by_expiry.remove(&(entry.expires_at_ms, seq));
                dequeue(&mut self.queued_by_group, seq, &entry.message);
            }
        }
    }

    /// Drops the entries expired at `now_ms` (OFFLINE-6: `now − sentTime > retention`).
    pub(super) fn expire(&mut self, now_ms: i64) {
        while let Some(&(expires_at_ms, seq)) = self.by_expiry.first()
            && expires_at_ms < now_ms
        {
            imsim_engine::mark!("OFFLINE-6");
            imsim_engine::mark!("OFFLINE-1");
            imsim_engine::mark!("OFFLINE-4");
            imsim_engine::mark!("CFG-8");
            self.by_expiry.pop_first();
            if let Some(entry) = self.entries.remove(&seq) {
                dequeue(&mut self.queued_by_group, seq, &entry.message);
            }
        }
    }

    /// How many entries are unexpired at `now_ms`, whether or not swept yet.
    pub(super) fn unexpired_len(&self, now_ms: i64) -> usize {
        self.by_expiry.len() - self.by_expiry.range(..(now_ms, 0)).count()
    }

    /// The entries with `seq > cursor`, oldest first, whoever may read them.
    #[cfg(test)]
    pub(super) fn after(&self, cursor: u64) -> impl Iterator<Item = &Entry> {
        self.entries.range(cursor.saturating_add(1)..).map(|(_, entry)| entry)
    }

    /// SYNC-17: `device` is the first device to connect since the entries after `cursor` that no device owns were
    /// appended, so they are all its own.
    pub(super) fn claim(&mut self, cursor: u64, device: &str) {
        for entry in self.entries.range_mut(cursor.saturating_add(1)..).map(|(_, entry)| entry) {
            if let Route::OneDevice { device: owner @ None } = &mut entry.route {
                *owner = Some(device.to_owned());
            }
        }
    }

    /// SYNC-17: `device`'s session ended; the entries routed to it alone that no device was ever sent (it was
    /// kicked or went away while catching up) are unowned again, for the next device to connect.
    pub(super) fn release(&mut self, device: &str) {
        for entry in self.entries.values_mut().filter(|entry| entry.first_sent_login.is_none()) {
            if let Route::OneDevice { device: owner } = &mut entry.route
                && owner.as_deref() == Some(device)
            {
                *owner = None;
            }
        }
    }

    /// The next offline package for a reader that has scanned up to `cursor`: the oldest entries after it that
    /// `view` lets through (RECV-15), at most `OFFLINE_PACKAGE_MESSAGES_MAX` of them (RECV-3) and no more than fit in
    /// `OFFLINE_PACKAGE_BYTES_MAX` framed (but always at least one), with `has_package` telling whether more such
    /// entries remain after it (RECV-5). Empty, with `has_package == false`, when there is none. Also returns how far
    /// the reader has now scanned: the entries it skipped are never looked at again. Every entry handed out is
    /// marked sent at `login` (see [`Entry::first_sent_login`]). Expire the inbox first.
    pub(super) fn package_after(
        &mut self,
        cursor: u64,
        login: u64,
        view: impl Fn(&Entry) -> Verdict,
    ) -> (proto::InboxPackage, u64) {
        let mut messages = Vec::new();
        let mut messages_bytes = 0;
        let mut scanned = cursor;
        let mut has_package = false;
        for (&seq, entry) in self.entries.range_mut(cursor.saturating_add(1)..) {
            if let Some(retrieved) = view(entry) {
                if messages.len() == OFFLINE_PACKAGE_MESSAGES_MAX {
                    has_package = true;
                    break;
                }
                let message = proto::DeliveredMessage { retrieved, ..entry.message.clone() };
                let entry_bytes = prost::encoding::message::encoded_len(PACKAGE_MESSAGES_FIELD, &message);
                if !messages.is_empty() && package_framed_len(messages_bytes + entry_bytes) > OFFLINE_PACKAGE_BYTES_MAX
                {
                    has_package = true;
                    break;
                }
                messages_bytes += entry_bytes;
                messages.push(message);
                if entry.first_sent_login.is_none() {
                    dequeue(&mut self.queued_by_group, seq, &entry.message);
                }
                entry.first_sent_login.get_or_insert(login);
            }
            scanned = seq;
        }
        if !messages.is_empty() {
            // RECV-3: what a device missed goes to it in packages.
            imsim_engine::mark!("RECV-3");
            imsim_engine::mark!("RECV-15");
        }
        let package = proto::InboxPackage { messages, has_package };
        debug_assert!(
            package.messages.len() <= 1
                || framed_len(&proto::Frame { body: Some(proto::frame::Body::InboxPackage(package.clone())) })
                    <= OFFLINE_PACKAGE_BYTES_MAX
        );
        (package, scanned)
    }

    /// Every entry after `cursor` that `view` lets through, for live delivery, with how far the reader has now
    /// scanned (the last entry). Marks them as [`Inbox::package_after`] does. Expire the inbox first.
    pub(super) fn deliveries_after(
        &mut self,
        cursor: u64,
        login: u64,
        view: impl Fn(&Entry) -> Verdict,
    ) -> (Vec<proto::DeliveredMessage>, u64) {
        let mut messages = Vec::new();
        let mut scanned = cursor;
        for (&seq, entry) in self.entries.range_mut(cursor.saturating_add(1)..) {
            if let Some(retrieved) = view(entry) {
                messages.push(proto::DeliveredMessage { retrieved, ..entry.message.clone() });
                if entry.first_sent_login.is_none() {
                    dequeue(&mut self.queued_by_group, seq, &entry.message);
                }
                entry.first_sent_login.get_or_insert(login);
            }
            scanned = seq;
        }
        (messages, scanned)
    }
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

    const SHARED: Route = Route::AllDevices { origin: None };

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

    fn everything(_: &Entry) -> Verdict {
        Some(false)
    }

    fn seqs(inbox: &Inbox, cursor: u64) -> Vec<u64> {
        inbox.after(cursor).map(|entry| entry.message.seq).collect()
    }

    #[test]
    fn sequence_numbers_start_at_one() {
        let mut inbox = Inbox::default();
        assert_eq!(inbox.last_seq(), 0);
        assert_eq!(inbox.append(message(10, 1), 100, SHARED), 1);
        assert_eq!(inbox.append(message(11, 1), 100, SHARED), 2);
        assert_eq!(inbox.last_seq(), 2);
        assert_eq!(seqs(&inbox, 1), vec![2]);
    }

    #[test]
    fn size_estimate_matches_the_real_frame() {
        // Packages whose length prefix takes one, two and three bytes.
        for payload_sizes in [&[0][..], &[0, 1000, 2000], &[10_000, 20_000]] {
            let mut inbox = Inbox::default();
            for (sent_time, &size) in (0..).zip(payload_sizes) {
                inbox.append(message(sent_time, size), 100, SHARED);
            }
            let package = proto::InboxPackage {
                messages: inbox.after(0).map(|entry| entry.message.clone()).collect(),
                has_package: true,
            };
            let bytes: usize =
                package.messages.iter().map(|m| prost::encoding::message::encoded_len(PACKAGE_MESSAGES_FIELD, m)).sum();
            let frame = proto::Frame { body: Some(proto::frame::Body::InboxPackage(package)) };
            assert_eq!(package_framed_len(bytes), framed_len(&frame), "payloads of {payload_sizes:?} bytes");
        }
    }

    #[test]
    fn large_messages_make_smaller_packages() {
        let mut inbox = Inbox::default();
        // 100 KB each: 7 fit in 768 KB, the 8th would not.
        for i in 0..20 {
            inbox.append(message(i, 100 * 1024), 100, SHARED);
        }
        let (first, scanned) = inbox.package_after(0, 1, everything);
        assert_eq!((first.messages.len(), scanned), (7, 7));
        assert!(first.has_package);
        let frame = proto::Frame { body: Some(proto::frame::Body::InboxPackage(first)) };
        assert!(framed_len(&frame) <= OFFLINE_PACKAGE_BYTES_MAX);
        let (last, scanned) = inbox.package_after(14, 1, everything);
        assert_eq!((last.messages.len(), last.has_package, scanned), (6, false, 20));
    }

    /// Skipped entries do not count, and the scan passes them; `has_package` looks for the next entry let through.
    #[test]
    fn packages_skip_what_the_reader_does_not_get() {
        let mut inbox = Inbox::default();
        for i in 0..500 {
            inbox.append(message(i, 1), 100, SHARED);
        }
        let odd = |entry: &Entry| (entry.message.seq % 2 == 1).then_some(entry.message.seq > 400);
        let (first, scanned) = inbox.package_after(0, 3, odd);
        assert_eq!((first.messages.len(), first.has_package, scanned), (200, true, 400));
        assert_eq!(first.messages[199].seq, 399);
        let (second, scanned) = inbox.package_after(scanned, 3, odd);
        assert_eq!((second.messages.len(), second.has_package, scanned), (50, false, 500));
        assert!(second.messages.iter().all(|m| m.retrieved), "the reader's flag");
        assert_eq!(inbox.after(0).filter(|entry| entry.first_sent_login == Some(3)).count(), 250);
        assert_eq!(inbox.after(0).filter(|entry| entry.message.retrieved).count(), 0, "the stored copy is unchanged");
        let (none, scanned) = inbox.package_after(scanned, 3, odd);
        assert_eq!((none, scanned), (proto::InboxPackage::default(), 500));
    }

    #[test]
    fn expiry_is_strictly_after_the_retention() {
        let mut inbox = Inbox::default();
        inbox.append(message(1_000, 1), 100, SHARED);
        inbox.append(message(2_000, 1), 100, SHARED);
        assert_eq!(inbox.unexpired_len(1_100), 2);
        assert_eq!(inbox.unexpired_len(1_101), 1);
        inbox.expire(1_101);
        assert_eq!(seqs(&inbox, 0), vec![2]);
        assert_eq!(inbox.last_seq(), 2);
    }

    /// Retention is per entry: a short-lived newer entry may expire before a long-lived older one.
    #[test]
    fn each_entry_has_its_own_retention() {
        let mut inbox = Inbox::default();
        inbox.append(message(1_000, 1), 500, SHARED);
        inbox.append(message(1_100, 1), 100, SHARED);
        inbox.append(message(1_200, 1), 500, SHARED);
        assert_eq!(inbox.unexpired_len(1_201), 2);
        inbox.expire(1_201);
        assert_eq!(seqs(&inbox, 0), vec![1, 3]);
    }

    #[test]
    fn claiming_takes_only_unowned_entries_after_the_cursor() {
        let mut inbox = Inbox::default();
        inbox.append(message(1, 1), 100, Route::OneDevice { device: None });
        inbox.append(message(2, 1), 100, Route::OneDevice { device: Some("laptop".to_owned()) });
        inbox.append(message(3, 1), 100, Route::OneDevice { device: None });
        inbox.append(message(4, 1), 100, SHARED);
        inbox.claim(0, "phone");
        let routes: Vec<Route> = inbox.after(0).map(|entry| entry.route.clone()).collect();
        let one = |device: &str| Route::OneDevice { device: Some(device.to_owned()) };
        assert_eq!(routes, vec![one("phone"), one("laptop"), one("phone"), SHARED]);
    }

    #[test]
    fn releasing_frees_only_what_was_never_sent() {
        let mut inbox = Inbox::default();
        for i in 0..3 {
            inbox.append(message(i, 1), 100, Route::OneDevice { device: Some("phone".to_owned()) });
        }
        let (package, _) = inbox.package_after(0, 1, |entry| (entry.message.seq == 1).then_some(false));
        assert_eq!(package.messages.len(), 1);
        inbox.release("laptop");
        inbox.release("phone");
        let owners: Vec<Option<String>> = inbox
            .after(0)
            .map(|entry| match &entry.route {
                Route::OneDevice { device } => device.clone(),
                Route::AllDevices { .. } => unreachable!(),
            })
            .collect();
        assert_eq!(owners, vec![Some("phone".to_owned()), None, None]);
    }
}

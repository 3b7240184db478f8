//! The contract of `Store`: every function here runs against each implementation (see `store_conformance_tests!`
//! in `store/tests.rs`), starting from an empty store.

pub(super) use super::conversations::*;
pub(super) use super::message_store::*;
use super::{outgoing, received, stored_as};
use crate::content::encode_content;
use crate::content::tests::every_type;
use crate::store::{ConversationMatches, Received, Store, StoreError};
use std::collections::BTreeMap;

use crate::types::{
    AndroidPushOptions, ConversationType, CustomMessagePolicy, Degrees, GroupReadReceiptInfo, ImportanceHw,
    IosPushOptions, Media, MentionedInfo, MentionedType, Message, MessageContent, MessageDirection, MessagePolicy,
    MessagePushOptions, MessageType, PushNotificationLevel, ReceivedStatus, SentStatus, TimeOrder, UserInfo,
    VivoPushType,
};

pub(super) fn insert_outgoing_assigns_increasing_ids(store: &mut impl Store) {
    let mut message = outgoing("bob", 1_000, "hello");
    // The caller's ID is ignored.
    message.message_id = 42;
    let ids: Vec<i64> = (0..3).map(|_| store.insert_outgoing(&message).unwrap()).collect();
    assert_eq!(ids, [1, 2, 3]);
    // IDs keep increasing across received messages too.
    let results = store.insert_received(&[received("bob", "uid-1", 1_001, "hi")], 1).unwrap();
    assert_eq!(results, [Received::Stored(4)]);
    assert_eq!(store.insert_outgoing(&message).unwrap(), 5);
}

pub(super) fn insert_outgoing_round_trips_every_field(store: &mut impl Store) {
    let unicode = Message {
        conversation_type: ConversationType::UltraGroup,
        target_id: "群组-🚀".to_owned(),
        channel_id: Some("频道 1".to_owned()),
        received_status: ReceivedStatus::Read,
        received_time: -1,
        offline: true,
        extra: Some("{\"mood\":\"☕\"}".to_owned()),
        ..outgoing("", i64::MAX, "你好, мир, 👋🏽\0 and a NUL")
    };
    let unknown = Message {
        conversation_type: ConversationType::Group,
        content: MessageContent::unknown("App:Custom".to_owned(), vec![0, 1, 0xfe, 0xff]),
        ..outgoing("team", i64::MIN, "")
    };
    let empty_unknown = Message {
        channel_id: Some(String::new()),
        extra: Some(String::new()),
        content: MessageContent::unknown(String::new(), Vec::new()),
        ..outgoing("bob", 0, "")
    };
    let empty_text = outgoing("bob", 1, "");
    for message in [unicode, unknown, empty_unknown, empty_text] {
        let message_id = store.insert_outgoing(&message).unwrap();
        assert_eq!(store.message(message_id).unwrap(), Some(stored_as(&message, message_id)));
    }
}

pub(super) fn message_fields_round_trip(store: &mut impl Store) {
    // MSG-13, MSG-15, MSG-16, MSG-18: the fields beside the content, every one set, and an expansion that is on with
    // no entries (EXP-5), which must not read back as off.
    let full = Message {
        user_info: Some(UserInfo {
            user_id: "alice".to_owned(),
            name: Some("爱丽丝".to_owned()),
            portrait: Some("https://p/a.png".to_owned()),
            alias: Some("A".to_owned()),
            extra: Some("{}".to_owned()),
        }),
        expansion: Some(BTreeMap::from([("gift".to_owned(), "claimed".to_owned()), ("k-2".to_owned(), String::new())])),
        push_options: Some(MessagePushOptions {
            push_title: Some("title".to_owned()),
            force_show_detail_content: true,
            ios_push_options: Some(IosPushOptions { thread_id: Some("t".to_owned()), ..Default::default() }),
            android_push_options: Some(AndroidPushOptions {
                importance_hw: Some(ImportanceHw::Low),
                push_type_vivo: Some(VivoPushType::System),
                ..Default::default()
            }),
            voip_push: true,
            ..Default::default()
        }),
        group_read_receipt_info: Some(GroupReadReceiptInfo {
            read_receipt_message: true,
            has_respond: false,
            respond_user_ids: BTreeMap::from([("bob".to_owned(), 1_234)]),
        }),
        ..outgoing("bob", 1_000, "with everything")
    };
    let empty_expansion = Message { expansion: Some(BTreeMap::new()), ..outgoing("bob", 2_000, "expansion on") };
    for message in [full, empty_expansion] {
        let message_id = store.insert_outgoing(&message).unwrap();
        assert_eq!(store.message(message_id).unwrap(), Some(stored_as(&message, message_id)));
    }
    let received = Message { user_info: Some(UserInfo::default()), ..received("bob", "uid-1", 3_000, "hi") };
    store.insert_received(std::slice::from_ref(&received), 1).unwrap();
    assert_eq!(store.message_by_uid("uid-1").unwrap().map(|m| m.user_info), Some(Some(UserInfo::default())));
}

pub(super) fn an_unknown_message_counts_as_its_flags_say(store: &mut impl Store) {
    // MTYPE-9: an unknown type stored but not counted keeps that through the store; one without flags counts.
    let unknown = |uid: &str, counted: bool| Message {
        content: MessageContent::Unknown {
            object_name: "App:Poll".to_owned(),
            raw_data: vec![1, 2],
            policy: MessagePolicy { counted, ..MessagePolicy::STORED_COUNTED },
        },
        ..received("bob", uid, 1_000, "")
    };
    store.insert_received(&[unknown("uid-1", false), unknown("uid-2", true)], 2).unwrap();
    assert_eq!(store.unread_count((ConversationType::Private, "bob", None)).unwrap(), 1);
    let read_back: Vec<bool> = ["uid-1", "uid-2"]
        .map(|uid| store.message_by_uid(uid).unwrap().expect("stored").content.policy().counted)
        .to_vec();
    assert_eq!(read_back, [false, true]);
}

pub(super) fn insert_outgoing_stores_sending_without_uid(store: &mut impl Store) {
    let message = Message {
        sent_status: SentStatus::Sent,
        message_uid: Some("uid-1".to_owned()),
        ..outgoing("bob", 1_000, "hello")
    };
    let message_id = store.insert_outgoing(&message).unwrap();
    let stored = store.message(message_id).unwrap().unwrap();
    assert_eq!((stored.sent_status, stored.message_uid), (SentStatus::Sending, None));
    // The UID was not stored, so a received message may have it.
    let results = store.insert_received(&[received("bob", "uid-1", 1_001, "hi")], 1).unwrap();
    assert!(matches!(results[..], [Received::Stored(_)]));
}

pub(super) fn content_reads_back_as_its_wire_pair(store: &mut impl Store) {
    // An `Unknown` that is really a valid text message is stored as the pair the wire would carry, and so reads
    // back typed.
    let wire = encode_content(&MessageContent::Text { text: "hi".to_owned() });
    let message =
        Message { content: MessageContent::unknown(wire.object_name, wire.payload), ..outgoing("bob", 1_000, "") };
    let message_id = store.insert_outgoing(&message).unwrap();
    let stored = store.message(message_id).unwrap().unwrap();
    assert_eq!(stored.content, MessageContent::Text { text: "hi".to_owned() });
}

pub(super) fn update_send_result_records_a_success(store: &mut impl Store) {
    let message = outgoing("bob", 1_000, "hello");
    let message_id = store.insert_outgoing(&message).unwrap();
    store.update_send_result(message_id, SentStatus::Sent, Some("uid-1"), 1_234).unwrap();
    let expected = Message {
        sent_status: SentStatus::Sent,
        message_uid: Some("uid-1".to_owned()),
        sent_time: 1_234,
        ..stored_as(&message, message_id)
    };
    assert_eq!(store.message(message_id).unwrap(), Some(expected));
    // The UID is now stored: the same message coming back through the inbox is a duplicate.
    let results = store.insert_received(&[received("bob", "uid-1", 1_234, "hello")], 1).unwrap();
    assert_eq!(results, [Received::Duplicate]);
}

pub(super) fn update_send_result_records_a_failure_without_uid(store: &mut impl Store) {
    let message = outgoing("bob", 1_000, "hello");
    let message_id = store.insert_outgoing(&message).unwrap();
    store.update_send_result(message_id, SentStatus::Failed, None, 9_999).unwrap();
    // The provisional sent time stays: only a success carries an authoritative one.
    let expected = Message { sent_status: SentStatus::Failed, ..stored_as(&message, message_id) };
    assert_eq!(store.message(message_id).unwrap(), Some(expected));
}

pub(super) fn update_send_result_of_an_unknown_id_is_no_such_message(store: &mut impl Store) {
    for message_id in [0, -1, 1] {
        let error = store.update_send_result(message_id, SentStatus::Sent, Some("uid-1"), 1).unwrap_err();
        assert!(matches!(error, StoreError::NoSuchMessage(id) if id == message_id), "{error:?}");
    }
    let message_id = store.insert_outgoing(&outgoing("bob", 1_000, "hello")).unwrap();
    let error = store.update_send_result(message_id + 1, SentStatus::Failed, None, 1).unwrap_err();
    assert!(matches!(error, StoreError::NoSuchMessage(id) if id == message_id + 1), "{error:?}");
    assert_eq!(store.all_messages().unwrap().len(), 1);
}

pub(super) fn update_send_result_refuses_a_uid_another_message_holds(store: &mut impl Store) {
    store.insert_received(&[received("bob", "uid-1", 900, "hi")], 1).unwrap();
    let message = outgoing("bob", 1_000, "hello");
    let message_id = store.insert_outgoing(&message).unwrap();
    let error = store.update_send_result(message_id, SentStatus::Sent, Some("uid-1"), 1_234).unwrap_err();
    assert!(
        matches!(
            &error,
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(failure, _))
                if failure.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
        ),
        "{error:?}"
    );
    assert_eq!(store.message(message_id).unwrap(), Some(stored_as(&message, message_id)));
    // Setting a message's own UID again is no conflict.
    store.update_send_result(message_id, SentStatus::Sent, Some("uid-2"), 1_234).unwrap();
    store.update_send_result(message_id, SentStatus::Read, Some("uid-2"), 1_234).unwrap();
    assert_eq!(store.message(message_id).unwrap().unwrap().sent_status, SentStatus::Read);
}

pub(super) fn insert_received_stores_each_message_in_order(store: &mut impl Store) {
    let batch = [
        received("bob", "uid-1", 100, "one"),
        Message { conversation_type: ConversationType::Group, ..received("team", "uid-2", 50, "two") },
        Message {
            received_status: ReceivedStatus::Retrieved,
            offline: false,
            ..received("carol", "uid-3", 200, "three")
        },
    ];
    let results = store.insert_received(&batch, 3).unwrap();
    assert_eq!(results, [Received::Stored(1), Received::Stored(2), Received::Stored(3)]);
    for (message, message_id) in batch.iter().zip(1..) {
        assert_eq!(store.message(message_id).unwrap(), Some(stored_as(message, message_id)));
    }
}

pub(super) fn insert_received_skips_a_uid_already_stored(store: &mut impl Store) {
    let first = received("bob", "uid-1", 100, "first copy");
    assert_eq!(store.insert_received(std::slice::from_ref(&first), 1).unwrap(), [Received::Stored(1)]);
    let batch = [received("bob", "uid-1", 100, "second copy"), received("bob", "uid-2", 101, "next")];
    let results = store.insert_received(&batch, 2).unwrap();
    assert_eq!(results, [Received::Duplicate, Received::Stored(2)]);
    assert_eq!(store.all_messages().unwrap(), [stored_as(&first, 1), stored_as(&batch[1], 2)]);
    assert_eq!(store.inbox_cursor().unwrap(), 2);
}

pub(super) fn insert_received_skips_a_uid_repeated_within_a_batch(store: &mut impl Store) {
    let batch = [
        received("bob", "uid-1", 100, "first copy"),
        received("bob", "uid-1", 100, "second copy"),
        received("bob", "uid-2", 101, "next"),
        received("bob", "uid-2", 101, "next again"),
    ];
    let results = store.insert_received(&batch, 4).unwrap();
    assert_eq!(results, [Received::Stored(1), Received::Duplicate, Received::Stored(2), Received::Duplicate]);
    assert_eq!(store.all_messages().unwrap(), [stored_as(&batch[0], 1), stored_as(&batch[2], 2)]);
}

pub(super) fn insert_received_stores_every_message_without_uid(store: &mut impl Store) {
    // No UID, no identity to compare: nothing is a duplicate (SQLite's unique index lets NULL repeat).
    let message = Message { message_uid: None, ..received("bob", "unused", 100, "hi") };
    let results = store.insert_received(&[message.clone(), message.clone()], 1).unwrap();
    assert_eq!(results, [Received::Stored(1), Received::Stored(2)]);
    assert_eq!(store.insert_received(&[message], 2).unwrap(), [Received::Stored(3)]);
}

pub(super) fn inbox_cursor_starts_at_zero_and_never_moves_backwards(store: &mut impl Store) {
    assert_eq!(store.inbox_cursor().unwrap(), 0);
    store.insert_received(&[], 10).unwrap();
    assert_eq!(store.inbox_cursor().unwrap(), 10);
    // A smaller cursor leaves it unchanged, but the batch is still stored.
    let results = store.insert_received(&[received("bob", "uid-1", 100, "late")], 5).unwrap();
    assert_eq!(results, [Received::Stored(1)]);
    assert_eq!(store.inbox_cursor().unwrap(), 10);
    store.insert_received(&[], 10).unwrap();
    assert_eq!(store.inbox_cursor().unwrap(), 10);
    store.insert_received(&[], 11).unwrap();
    assert_eq!(store.inbox_cursor().unwrap(), 11);
    // The largest cursor SQLite holds.
    store.insert_received(&[], i64::MAX as u64).unwrap();
    assert_eq!(store.inbox_cursor().unwrap(), i64::MAX as u64);
    store.insert_received(&[], 0).unwrap();
    assert_eq!(store.inbox_cursor().unwrap(), i64::MAX as u64);
}

pub(super) fn insert_received_with_an_unstorable_cursor_writes_nothing(store: &mut impl Store) {
    store.insert_received(&[], 7).unwrap();
    let message = received("bob", "uid-1", 100, "hi");
    let error = store.insert_received(std::slice::from_ref(&message), u64::MAX).unwrap_err();
    assert!(matches!(error, StoreError::Sqlite(rusqlite::Error::ToSqlConversionFailure(_))), "{error:?}");
    // The whole call is undone: no message, no cursor, and the UID is still free.
    assert_eq!(store.all_messages().unwrap(), []);
    assert_eq!(store.inbox_cursor().unwrap(), 7);
    let results = store.insert_received(&[message], 8).unwrap();
    assert!(matches!(results[..], [Received::Stored(_)]));
}

pub(super) fn conversation_messages_are_ordered_by_sent_time_then_message_id(store: &mut impl Store) {
    let late = store.insert_outgoing(&outgoing("bob", 300, "late")).unwrap();
    let tie_first = store.insert_outgoing(&outgoing("bob", 200, "tie, stored first")).unwrap();
    let results = store
        .insert_received(
            &[received("bob", "uid-1", 200, "tie, stored second"), received("bob", "uid-2", 100, "early")],
            2,
        )
        .unwrap();
    let [Received::Stored(tie_second), Received::Stored(early)] = results[..] else {
        panic!("both received messages are new: {results:?}");
    };
    // The server's sent time replaces the provisional one and moves the message.
    let moved = store.insert_outgoing(&outgoing("bob", 50, "acknowledged late")).unwrap();
    store.update_send_result(moved, SentStatus::Sent, Some("uid-3"), 250).unwrap();

    let order: Vec<i64> = store
        .conversation_messages(ConversationType::Private, "bob")
        .unwrap()
        .iter()
        .map(|message| message.message_id)
        .collect();
    assert_eq!(order, [early, tie_first, tie_second, moved, late]);
}

/// HIST-5, HIST-9, HIST-10: pages go strictly before or after the anchor, newest or oldest first, ties by ID; 0
/// starts from an end; `count` bounds the page; an ultra group pages one channel.
pub(super) fn history_pages_go_either_way_from_the_anchor(store: &mut impl Store) {
    for (sent_time, text) in [(100, "a"), (200, "b"), (200, "c"), (300, "d"), (400, "e")] {
        store.insert_outgoing(&outgoing("bob", sent_time, text)).unwrap();
    }
    store.insert_outgoing(&outgoing("carol", 250, "elsewhere")).unwrap();
    let page = |store: &mut dyn Store, sent_time, order, count| -> Vec<String> {
        let page = store.history_page((ConversationType::Private, "bob", None), sent_time, order, count).unwrap();
        page.iter().map(|message| text_of(message).to_owned()).collect()
    };
    assert_eq!(page(store, 300, TimeOrder::Before, 20), ["c", "b", "a"], "strictly before, newest first");
    assert_eq!(page(store, 200, TimeOrder::After, 20), ["d", "e"], "strictly after, oldest first");
    assert_eq!(page(store, 0, TimeOrder::Before, 2), ["e", "d"], "0 starts from the newest");
    assert_eq!(page(store, 0, TimeOrder::After, 3), ["a", "b", "c"], "0 starts from the oldest");
    assert_eq!(page(store, 100, TimeOrder::Before, 20), Vec::<String>::new());
    assert_eq!(page(store, 400, TimeOrder::After, 20), Vec::<String>::new());
    assert_eq!(page(store, 0, TimeOrder::Before, 0), Vec::<String>::new());

    let in_channel = |channel: Option<&str>, sent_time, text: &str| Message {
        conversation_type: ConversationType::UltraGroup,
        channel_id: channel.map(str::to_owned),
        ..outgoing("guild", sent_time, text)
    };
    for message in [in_channel(Some("c1"), 10, "one"), in_channel(Some("c2"), 20, "two"), in_channel(None, 30, "none")]
    {
        store.insert_outgoing(&message).unwrap();
    }
    let channel = |store: &mut dyn Store, channel| -> Vec<String> {
        let page = store.history_page((ConversationType::UltraGroup, "guild", channel), 0, TimeOrder::After, 20);
        page.unwrap().iter().map(|message| text_of(message).to_owned()).collect()
    };
    assert_eq!(channel(store, Some("c1")), ["one"]);
    assert_eq!(channel(store, None), ["none"], "no channel is a channel of its own");
    // Other types ignore the channel (CALL-11).
    let ignoring = store.history_page((ConversationType::Private, "bob", Some("c1")), 0, TimeOrder::After, 20);
    assert_eq!(ignoring.unwrap().len(), 5);
}

fn text_of(message: &Message) -> &str {
    match &message.content {
        MessageContent::Text { text } => text,
        other => panic!("not a text message: {other:?}"),
    }
}

pub(super) fn conversation_messages_are_filtered_by_type_and_target(store: &mut impl Store) {
    let private_bob = outgoing("bob", 100, "private to bob");
    let group_bob = Message { conversation_type: ConversationType::Group, ..outgoing("bob", 101, "group bob") };
    let private_carol = outgoing("carol", 102, "private to carol");
    let from_bob = received("bob", "uid-1", 103, "from bob");
    let private_bob_id = store.insert_outgoing(&private_bob).unwrap();
    let group_bob_id = store.insert_outgoing(&group_bob).unwrap();
    let private_carol_id = store.insert_outgoing(&private_carol).unwrap();
    let results = store.insert_received(std::slice::from_ref(&from_bob), 1).unwrap();
    assert_eq!(results, [Received::Stored(4)]);

    assert_eq!(
        store.conversation_messages(ConversationType::Private, "bob").unwrap(),
        [stored_as(&private_bob, private_bob_id), stored_as(&from_bob, 4)]
    );
    assert_eq!(
        store.conversation_messages(ConversationType::Group, "bob").unwrap(),
        [stored_as(&group_bob, group_bob_id)]
    );
    assert_eq!(
        store.conversation_messages(ConversationType::Private, "carol").unwrap(),
        [stored_as(&private_carol, private_carol_id)]
    );
    assert_eq!(store.conversation_messages(ConversationType::Private, "Bob").unwrap(), []);
    assert_eq!(store.conversation_messages(ConversationType::System, "bob").unwrap(), []);
    assert_eq!(store.conversation_message_count(ConversationType::Private, "bob").unwrap(), 2);
    assert_eq!(store.conversation_message_count(ConversationType::Group, "bob").unwrap(), 1);
    assert_eq!(store.conversation_message_count(ConversationType::Private, "Bob").unwrap(), 0);
}

pub(super) fn all_messages_lists_every_message_by_id(store: &mut impl Store) {
    assert_eq!(store.all_messages().unwrap(), []);
    let first = outgoing("bob", 300, "first");
    let second = received("carol", "uid-1", 100, "second");
    let third = Message { conversation_type: ConversationType::Group, ..outgoing("team", 200, "third") };
    store.insert_outgoing(&first).unwrap();
    store.insert_received(std::slice::from_ref(&second), 1).unwrap();
    store.insert_outgoing(&third).unwrap();
    assert_eq!(store.all_messages().unwrap(), [stored_as(&first, 1), stored_as(&second, 2), stored_as(&third, 3)]);
}

/// GET-2, GET-3: a message is found by its UID once it has one; a message still sending has none.
pub(super) fn message_by_uid_finds_only_a_message_with_that_uid(store: &mut impl Store) {
    let sending = store.insert_outgoing(&outgoing("bob", 100, "sending")).unwrap();
    let sent = store.insert_outgoing(&outgoing("bob", 200, "sent")).unwrap();
    store.update_send_result(sent, SentStatus::Sent, Some("uid-sent"), 201).unwrap();
    store.insert_received(&[received("bob", "uid-in", 300, "in")], 1).unwrap();
    assert_eq!(store.message_by_uid("uid-sent").unwrap().map(|message| message.message_id), Some(sent));
    assert_eq!(store.message_by_uid("uid-in").unwrap().map(|message| text_of(&message).to_owned()), Some("in".into()));
    assert_eq!(store.message_by_uid("uid-none").unwrap(), None);
    assert_eq!(store.message_by_uid("").unwrap(), None, "a message still sending has no UID to be found by");
    assert!(store.message(sending).unwrap().is_some());
}

pub(super) fn message_of_an_unknown_id_is_none(store: &mut impl Store) {
    assert_eq!(store.message(1).unwrap(), None);
    let message_id = store.insert_outgoing(&outgoing("bob", 1, "hi")).unwrap();
    for unknown in [0, -1, message_id + 1, i64::MAX, i64::MIN] {
        assert_eq!(store.message(unknown).unwrap(), None);
    }
}

pub(super) fn every_content_type_round_trips(store: &mut impl Store) {
    // MTYPE-10 to MTYPE-21: the store keeps whatever type it is given (what is stored at all is the core's call).
    for (index, (content, _)) in every_type().into_iter().enumerate() {
        let sent = Message { content: content.clone(), ..outgoing("bob", 1_000, "") };
        let message_id = store.insert_outgoing(&sent).unwrap();
        assert_eq!(store.message(message_id).unwrap(), Some(stored_as(&sent, message_id)));
        let arrived = Message { content, ..received("bob", &format!("uid-{index}"), 2_000, "") };
        let [Received::Stored(message_id)] = store.insert_received(std::slice::from_ref(&arrived), 1).unwrap()[..]
        else {
            panic!("a new UID is stored")
        };
        assert_eq!(store.message(message_id).unwrap(), Some(stored_as(&arrived, message_id)));
    }
}

pub(super) fn unread_count_counts_received_messages_of_counted_types(store: &mut impl Store) {
    // UNREAD-6, MTYPE-2 to MTYPE-9: one unread received message of every type, and one sent message of every type.
    let batch: Vec<Message> = every_type()
        .into_iter()
        .enumerate()
        .map(|(index, (content, _))| Message { content, ..received("bob", &format!("uid-{index}"), 100, "") })
        .collect();
    store.insert_received(&batch, 1).unwrap();
    for (content, _) in every_type() {
        store.insert_outgoing(&Message { content, ..outgoing("bob", 200, "") }).unwrap();
    }
    // Text, voice, image, file, sight, GIF, reference, location and unknown count; recall notification, command,
    // command notification and the storage-policy custom message do not; sent messages never do.
    assert_eq!(store.unread_count((ConversationType::Private, "bob", None)).unwrap(), 9);
    assert_eq!(store.total_unread_count().unwrap(), 9);
    // Each custom policy (MTYPE-7): only `normal` counts.
    for (index, &policy) in CustomMessagePolicy::ALL.iter().enumerate() {
        let custom = MessageContent::Custom { identifier: "App:X".to_owned(), policy, fields: Default::default() };
        let message = Message { content: custom, ..received("carol", &format!("custom-{index}"), 100, "") };
        store.insert_received(&[message], 2).unwrap();
    }
    assert_eq!(store.unread_count((ConversationType::Private, "carol", None)).unwrap(), 1);
    assert_eq!(store.total_unread_count().unwrap(), 10);
}

pub(super) fn unread_count_counts_unread_and_retrieved_only(store: &mut impl Store) {
    // UNREAD-6, SYNC-12: retrieved (compensation) still counts; any other received status does not.
    let batch: Vec<Message> = ReceivedStatus::ALL
        .iter()
        .enumerate()
        .map(|(index, &received_status)| Message {
            received_status,
            ..received("bob", &format!("uid-{index}"), 100, "hi")
        })
        .collect();
    store.insert_received(&batch, 1).unwrap();
    assert_eq!(ReceivedStatus::ALL.len(), 6);
    assert_eq!(store.unread_count((ConversationType::Private, "bob", None)).unwrap(), 2);
    // A received-direction message that this user stored through insert_outgoing (never the core's doing) counts
    // by its fields alike: what counts is the row, not the call that wrote it.
    let odd = Message { direction: MessageDirection::Receive, ..outgoing("bob", 100, "odd") };
    store.insert_outgoing(&odd).unwrap();
    assert_eq!(store.unread_count((ConversationType::Private, "bob", None)).unwrap(), 3);
}

pub(super) fn unread_counts_are_per_conversation_and_the_total_skips_chatrooms(store: &mut impl Store) {
    // UNREAD-1, UNREAD-2, UNREAD-9
    let in_conversation = |conversation_type, target_id: &str, uid: &str| Message {
        conversation_type,
        ..received(target_id, uid, 100, "hi")
    };
    let batch = [
        in_conversation(ConversationType::Private, "bob", "u1"),
        in_conversation(ConversationType::Private, "bob", "u2"),
        in_conversation(ConversationType::Group, "bob", "u3"),
        in_conversation(ConversationType::Chatroom, "room", "u4"),
        in_conversation(ConversationType::Chatroom, "room", "u5"),
        in_conversation(ConversationType::System, "news", "u6"),
        in_conversation(ConversationType::UltraGroup, "ug", "u7"),
    ];
    store.insert_received(&batch, 7).unwrap();
    let counts: Vec<u32> = [
        (ConversationType::Private, "bob"),
        (ConversationType::Group, "bob"),
        (ConversationType::Chatroom, "room"),
        (ConversationType::System, "news"),
        (ConversationType::UltraGroup, "ug"),
        (ConversationType::Private, "carol"),
        (ConversationType::Private, "Bob"),
    ]
    .into_iter()
    .map(|(conversation_type, target_id)| store.unread_count((conversation_type, target_id, None)).unwrap())
    .collect();
    assert_eq!(counts, [2, 1, 2, 1, 1, 0, 0]);
    assert_eq!(store.total_unread_count().unwrap(), 5, "every conversation but the chatroom");
}

pub(super) fn an_unknown_holding_a_known_type_counts_as_that_type(store: &mut impl Store) {
    // The rule is taken from the content as stored: an `Unknown` whose pair is a valid command notification reads
    // back as one, and so does not count (MTYPE-5).
    let wire = encode_content(&MessageContent::CommandNotification { name: "n".to_owned(), data: "d".to_owned() });
    let content = MessageContent::unknown(wire.object_name, wire.payload);
    store.insert_received(&[Message { content, ..received("bob", "uid-1", 100, "") }], 1).unwrap();
    assert_eq!(store.unread_count((ConversationType::Private, "bob", None)).unwrap(), 0);
}

pub(super) fn the_database_id_is_chosen_once(store: &mut impl Store) {
    assert_eq!(store.database_id(0xdead_beef_0000_0001).unwrap(), 0xdead_beef_0000_0001);
    assert_eq!(store.database_id(7).unwrap(), 0xdead_beef_0000_0001, "the first candidate stays");
    assert_eq!(store.database_id(u64::MAX).unwrap(), 0xdead_beef_0000_0001);
}

pub(super) fn messages_with_sent_status_finds_interrupted_sends(store: &mut impl Store) {
    let first = store.insert_outgoing(&outgoing("bob", 1_000, "one")).unwrap();
    let second = store.insert_outgoing(&outgoing("bob", 1_001, "two")).unwrap();
    let third = store.insert_outgoing(&outgoing("carol", 1_002, "three")).unwrap();
    store.update_send_result(second, SentStatus::Sent, Some("uid-2"), 2_000).unwrap();
    store.insert_received(&[received("bob", "uid-9", 1_003, "hi")], 1).unwrap();
    let sending: Vec<i64> =
        store.messages_with_sent_status(SentStatus::Sending).unwrap().iter().map(|m| m.message_id).collect();
    assert_eq!(sending, [first, third], "the received message and the settled send are not interrupted sends");
}

/// A chatroom text message from bob in `room`, as the core hands it to `insert_received_outside_inbox`.
fn in_room(room: &str, uid: &str, sent_time: i64) -> Message {
    Message {
        conversation_type: ConversationType::Chatroom,
        target_id: room.to_owned(),
        offline: false,
        ..received("bob", uid, sent_time, "in the room")
    }
}

pub(super) fn insert_received_outside_inbox_dedupes_and_keeps_the_cursor(store: &mut impl Store) {
    // CR-22: chatroom messages are not in the inbox; RECV-13, CR-41: a UID is stored once.
    store.insert_received(&[received("bob", "uid-1", 100, "hi")], 5).unwrap();
    let batch = [in_room("room", "uid-2", 200), in_room("room", "uid-1", 201), in_room("room", "uid-2", 202)];
    let results = store.insert_received_outside_inbox(&batch).unwrap();
    assert_eq!(results, [Received::Stored(2), Received::Duplicate, Received::Duplicate]);
    assert_eq!(store.inbox_cursor().unwrap(), 5, "the cursor stays where it was");
    assert_eq!(store.message(2).unwrap(), Some(stored_as(&batch[0], 2)));
    // Fetched again (a rejoin): nothing new; a message without a UID is always stored.
    let again = [in_room("room", "uid-2", 200), Message { message_uid: None, ..in_room("room", "", 203) }];
    assert_eq!(store.insert_received_outside_inbox(&again).unwrap(), [Received::Duplicate, Received::Stored(3)]);
    assert_eq!(store.insert_received_outside_inbox(&[]).unwrap(), []);
    assert_eq!(store.inbox_cursor().unwrap(), 5);
}

pub(super) fn chatroom_messages_never_count_in_the_total(store: &mut impl Store) {
    // UNREAD-10: a chatroom contributes 0 to the total.
    store.insert_received(&[received("bob", "uid-1", 100, "hi")], 1).unwrap();
    store.insert_received_outside_inbox(&[in_room("room", "uid-2", 200), in_room("room", "uid-3", 201)]).unwrap();
    assert_eq!(store.total_unread_count().unwrap(), 1);
}

pub(super) fn delete_conversation_messages_deletes_one_conversation_only(store: &mut impl Store) {
    // CR-21, BIZ-26: leaving a room purges its cache, and nothing else.
    store.insert_received(&[received("room", "uid-1", 100, "a private chat with a user named room")], 1).unwrap();
    store
        .insert_received_outside_inbox(&[
            in_room("room", "uid-2", 200),
            in_room("other", "uid-3", 201),
            in_room("room", "uid-4", 202),
        ])
        .unwrap();
    let sent = store
        .insert_outgoing(&Message { conversation_type: ConversationType::Chatroom, ..outgoing("room", 203, "mine") })
        .unwrap();
    assert_eq!(store.delete_conversation_messages(ConversationType::Chatroom, "room").unwrap(), 3);
    let left: Vec<i64> = store.all_messages().unwrap().iter().map(|message| message.message_id).collect();
    assert_eq!(left, [1, 3]);
    assert_eq!(store.message(sent).unwrap(), None);
    assert_eq!(store.delete_conversation_messages(ConversationType::Chatroom, "room").unwrap(), 0);
    assert_eq!(store.inbox_cursor().unwrap(), 1);
    // A deleted message's UID may be stored again (a rejoin fetches it anew), under a new ID.
    assert_eq!(store.insert_received_outside_inbox(&[in_room("room", "uid-2", 200)]).unwrap(), [Received::Stored(6)]);
}

pub(super) fn delete_conversation_type_messages_deletes_every_room(store: &mut impl Store) {
    store.insert_received(&[received("bob", "uid-1", 100, "hi")], 1).unwrap();
    store.insert_received_outside_inbox(&[in_room("room", "uid-2", 200), in_room("other", "uid-3", 201)]).unwrap();
    assert_eq!(store.delete_conversation_type_messages(ConversationType::Chatroom).unwrap(), 2);
    let left: Vec<i64> = store.all_messages().unwrap().iter().map(|message| message.message_id).collect();
    assert_eq!(left, [1]);
    assert_eq!(store.delete_conversation_type_messages(ConversationType::Chatroom).unwrap(), 0);
    assert_eq!(store.insert_received_outside_inbox(&[in_room("room", "uid-3", 201)]).unwrap(), [Received::Stored(4)]);
}

pub(super) fn directed_user_ids_are_stored_with_the_message_and_go_with_it(store: &mut impl Store) {
    // GRP-16: a directed group message keeps its designated users, in order, so a resumed send reaches only them.
    let group = |text: &str| Message { conversation_type: ConversationType::Group, ..outgoing("team", 100, text) };
    let designated = ["carol".to_owned(), "bob".to_owned()];
    let directed = store.insert_outgoing_directed(&group("for two"), &designated).unwrap();
    let ordinary = store.insert_outgoing(&group("for all")).unwrap();
    assert_eq!(store.directed_user_ids(directed).unwrap(), designated);
    assert_eq!(store.directed_user_ids(ordinary).unwrap(), Vec::<String>::new());
    assert_eq!(store.directed_user_ids(999).unwrap(), Vec::<String>::new(), "an unknown ID");
    assert_eq!(store.message(directed).unwrap().map(|m| m.message_id), Some(directed), "an ordinary message row");

    assert_eq!(store.delete_conversation_messages(ConversationType::Group, "team").unwrap(), 2);
    assert_eq!(store.directed_user_ids(directed).unwrap(), Vec::<String>::new(), "gone with the message");
}

pub(super) fn counts_by_type_first_unread_and_received_status_overwrites(store: &mut impl Store) {
    // UNREAD-3, XAPI-2, XAPI-5
    let in_conversation = |conversation_type, target_id: &str, uid: &str, sent_time| Message {
        conversation_type,
        ..received(target_id, uid, sent_time, uid)
    };
    let batch = [
        in_conversation(ConversationType::Private, "bob", "late", 300),
        in_conversation(ConversationType::Private, "bob", "early", 100),
        in_conversation(ConversationType::Private, "carol", "other", 50),
        in_conversation(ConversationType::Group, "team", "g1", 200),
        in_conversation(ConversationType::Chatroom, "room", "c1", 10),
    ];
    store.insert_received(&batch, 5).unwrap();
    assert_eq!(store.unread_count_of_type(ConversationType::Private).unwrap(), 3);
    assert_eq!(store.unread_count_of_type(ConversationType::Group).unwrap(), 1);
    assert_eq!(store.unread_count_of_type(ConversationType::System).unwrap(), 0);
    let first =
        store.first_unread_message((ConversationType::Private, "bob", None)).unwrap().expect("an unread message");
    assert_eq!(first.message_uid.as_deref(), Some("early"), "the oldest by sent time");
    store.set_received_status(first.message_id, ReceivedStatus::Read).unwrap();
    assert_eq!(store.unread_count((ConversationType::Private, "bob", None)).unwrap(), 1);
    assert_eq!(
        store.message(first.message_id).unwrap().map(|message| message.received_status),
        Some(ReceivedStatus::Read)
    );
    let next = store.first_unread_message((ConversationType::Private, "bob", None)).unwrap().expect("one left");
    assert_eq!(next.message_uid.as_deref(), Some("late"));
    store.set_received_status(next.message_id, ReceivedStatus::Listened).unwrap();
    assert_eq!(store.first_unread_message((ConversationType::Private, "bob", None)).unwrap(), None);
    assert!(matches!(store.set_received_status(9_999, ReceivedStatus::Read), Err(StoreError::NoSuchMessage(9_999))));
}

pub(super) fn unread_mentioned_messages_are_the_unread_ones_that_mention_the_user(store: &mut impl Store) {
    // XAPI-3, MENTION-6: everyone, or a list naming the user; unread only; oldest first; the alert reads back whole.
    let mention = |uid: &str, sent_time, mentioned_type, users: &[&str]| Message {
        conversation_type: ConversationType::Group,
        mentioned_info: Some(MentionedInfo {
            mentioned_type,
            user_id_list: users.iter().map(|user| (*user).to_owned()).collect(),
            mentioned_content: Some(format!("@ {uid}")),
        }),
        ..received("team", uid, sent_time, uid)
    };
    let batch = [
        mention("all-late", 400, MentionedType::All, &[]),
        mention("me-early", 100, MentionedType::Part, &["carol", "me"]),
        mention("not-me", 200, MentionedType::Part, &["carol"]),
        mention("prefix", 250, MentionedType::Part, &["mee", "m"]),
        Message { conversation_type: ConversationType::Group, ..received("team", "plain", 300, "plain") },
        Message { target_id: "other".to_owned(), ..mention("elsewhere", 50, MentionedType::All, &[]) },
    ];
    store.insert_received(&batch, 6).unwrap();
    let found = store.unread_mentioned_messages((ConversationType::Group, "team", None), "me").unwrap();
    let uids: Vec<_> = found.iter().map(|message| message.message_uid.as_deref().unwrap_or_default()).collect();
    assert_eq!(uids, ["me-early", "all-late"]);
    assert_eq!(found[0].mentioned_info, batch[1].mentioned_info, "the alert reads back as stored");
    store.set_received_status(found[0].message_id, ReceivedStatus::Read).unwrap();
    let found = store.unread_mentioned_messages((ConversationType::Group, "team", None), "me").unwrap();
    assert_eq!(found.len(), 1, "a read message no longer counts");
    assert_eq!(found[0].message_uid.as_deref(), Some("all-late"));
    assert_eq!(store.unread_mentioned_messages((ConversationType::Group, "team", None), "carol").unwrap().len(), 2);
}

/// A received message of `conversation_type` in `target_id` with `content`.
fn received_content(
    conversation_type: ConversationType,
    target_id: &str,
    message_uid: &str,
    sent_time: i64,
    content: MessageContent,
) -> Message {
    Message { conversation_type, content, ..received(target_id, message_uid, sent_time, "") }
}

/// The matches of a search as `(conversation type, target, count)`.
fn found(matches: Vec<ConversationMatches>) -> Vec<(ConversationType, String, u32)> {
    matches
        .into_iter()
        .map(|found| {
            // CTYPE-5: an ultra group's channels are found as conversations of their own.
            let target = match found.channel_id {
                Some(channel_id) => format!("{}/{channel_id}", found.target_id),
                None => found.target_id,
            };
            (found.conversation_type, target, found.count)
        })
        .collect()
}

pub(super) fn search_conversations_counts_matches_per_conversation_ignoring_case(store: &mut impl Store) {
    // XAPI-4, SEARCH-5: a case-insensitive substring of the text, counted per conversation, either direction.
    let text = |text: &str| MessageContent::Text { text: text.to_owned() };
    let batch = [
        received("bob", "b1", 100, "Hello World"),
        received("bob", "b2", 300, "bye"),
        received("carol", "c1", 150, "hellO"),
        received_content(ConversationType::Group, "team", "t1", 120, text("ÜNÏCODE hello")),
        received("dave", "d1", 130, "nothing here"),
    ];
    store.insert_received(&batch, 5).unwrap();
    store.insert_outgoing(&outgoing("bob", 200, "say HELLO")).unwrap();
    let private_and_group = [ConversationType::Private, ConversationType::Group];
    let search = |store: &dyn Store, keyword: &str| {
        found(store.search_conversations(&private_and_group, None, &[MessageType::Text], keyword).unwrap())
    };
    let entry = |conversation_type, target_id: &str, count| (conversation_type, target_id.to_owned(), count);
    assert_eq!(
        search(store, "HELLO"),
        [
            entry(ConversationType::Private, "bob", 2),
            entry(ConversationType::Private, "carol", 1),
            entry(ConversationType::Group, "team", 1),
        ]
    );
    assert_eq!(search(store, "lo wo"), [entry(ConversationType::Private, "bob", 1)], "a substring mid-text");
    assert_eq!(search(store, "ünïc"), [entry(ConversationType::Group, "team", 1)], "case folded beyond ASCII");
    assert_eq!(search(store, "hello world!"), [], "longer than any text");
    assert_eq!(search(store, "xyz"), []);
}

pub(super) fn search_conversations_searches_only_the_types_asked_for(store: &mut impl Store) {
    // SEARCH-5: text and reference text and a file's name are searchable; nothing else is, a location's name
    // included. The conversation types filter; a channel narrows an ultra group only (CALL-11).
    let file = MessageContent::File {
        media: Media::default(),
        name: "Report.PDF".to_owned(),
        file_type: "pdf".to_owned(),
        size: 10,
    };
    let reference = MessageContent::Reference { text: "about the report".to_owned(), reference_message: None };
    let location = MessageContent::Location {
        longitude: Degrees(1.0),
        latitude: Degrees(2.0),
        poi_name: "report street".to_owned(),
        thumbnail_path: String::new(),
    };
    let text = |text: &str| MessageContent::Text { text: text.to_owned() };
    let in_channel =
        |message: Message, channel_id: &str| Message { channel_id: Some(channel_id.to_owned()), ..message };
    let batch = [
        received_content(ConversationType::Private, "bob", "f", 100, file),
        received_content(ConversationType::Private, "bob", "r", 110, reference),
        received_content(ConversationType::Private, "bob", "l", 120, location),
        received_content(ConversationType::Group, "team", "t", 130, text("report")),
        in_channel(received_content(ConversationType::UltraGroup, "ug", "u1", 140, text("report")), "c1"),
        in_channel(received_content(ConversationType::UltraGroup, "ug", "u2", 150, text("report")), "c2"),
    ];
    store.insert_received(&batch, 6).unwrap();
    let all = [ConversationType::Private, ConversationType::Group, ConversationType::UltraGroup];
    let search = |store: &dyn Store, types: &[ConversationType], channel: Option<&str>, messages: &[MessageType]| {
        found(store.search_conversations(types, channel, messages, "REPORT").unwrap())
    };
    let bob = |count| (ConversationType::Private, "bob".to_owned(), count);
    let team = || (ConversationType::Group, "team".to_owned(), 1);
    let ug = |channel: &str| (ConversationType::UltraGroup, format!("ug/{channel}"), 1);
    assert_eq!(search(store, &all, None, &[MessageType::File]), [bob(1)]);
    assert_eq!(search(store, &all, None, &[MessageType::Reference]), [bob(1)]);
    assert_eq!(search(store, &all, None, &[MessageType::File, MessageType::Reference]), [bob(2)]);
    assert_eq!(search(store, &all, None, &[MessageType::Location, MessageType::Image]), []);
    assert_eq!(search(store, &all, None, &[MessageType::Text]), [team(), ug("c1"), ug("c2")]);
    assert_eq!(search(store, &all, Some("c1"), &[MessageType::Text]), [team(), ug("c1")]);
    assert_eq!(search(store, &all, Some("c3"), &[MessageType::Text]), [team()]);
    assert_eq!(search(store, &[ConversationType::Group], None, &[MessageType::Text, MessageType::File]), [team()]);
}

pub(super) fn conversation_is_made_from_its_stored_messages(store: &mut impl Store) {
    // CONV-1, CONV-2, CONV-3, MENTION-6, MENTION-7: the last message, the counts, the operation time.
    assert_eq!(store.conversation((ConversationType::Group, "team", None), "me").unwrap(), None);
    let mention_all = |message: Message| Message {
        mentioned_info: Some(MentionedInfo {
            mentioned_type: MentionedType::All,
            user_id_list: Vec::new(),
            mentioned_content: None,
        }),
        ..message
    };
    let group = |uid: &str, sent_time| Message {
        conversation_type: ConversationType::Group,
        ..received("team", uid, sent_time, uid)
    };
    let ultra = |uid: &str, sent_time| Message {
        conversation_type: ConversationType::UltraGroup,
        ..received("ug", uid, sent_time, uid)
    };
    let batch = [
        mention_all(group("g1", 100)),
        group("g2", 200),
        mention_all(received("bob", "p1", 150, "p1")),
        ultra("u1", 400),
        ultra("u2", 500),
    ];
    store.insert_received(&batch, 5).unwrap();
    let own = Message { conversation_type: ConversationType::Group, ..outgoing("team", 300, "mine") };
    let own_id = store.insert_outgoing(&own).unwrap();

    let team = store.conversation((ConversationType::Group, "team", None), "me").unwrap().unwrap();
    assert_eq!(team.last_message, Some(stored_as(&own, own_id)), "the newest message, sent or received");
    assert_eq!((team.unread_count, team.mentioned_count), (2, 1));
    assert_eq!((team.operation_time, team.first_unread_msg_send_time), (300, 0));
    assert_eq!((team.top, team.draft.as_str(), team.channel_id.as_deref()), (false, "", None));
    assert_eq!(team.notification_level, PushNotificationLevel::None);

    let bob = store.conversation((ConversationType::Private, "bob", None), "me").unwrap().unwrap();
    assert_eq!((bob.unread_count, bob.mentioned_count), (1, 0), "mentions count in groups only");

    let ug = store.conversation((ConversationType::UltraGroup, "ug", None), "me").unwrap().unwrap();
    assert_eq!((ug.first_unread_msg_send_time, ug.operation_time), (400, 500));
    let first = ug.last_message.as_ref().map(|message| message.message_id - 1).unwrap();
    store.set_received_status(first, ReceivedStatus::Read).unwrap();
    let ug = store.conversation((ConversationType::UltraGroup, "ug", None), "me").unwrap().unwrap();
    assert_eq!(ug.first_unread_msg_send_time, 500, "the first unread, once the older one is read");
}

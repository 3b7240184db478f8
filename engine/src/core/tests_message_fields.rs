//! Tier-1 tests of the fields of a message beside its content (MSG-13, MSG-16, MSG-18, MSG-3) and of the
//! persistence flags it travels with (MTYPE-9): what a send checks and publishes, and what a delivery becomes.

use std::collections::BTreeMap;

use super::tests::{Harness, delivered};
use super::*;
use crate::limits::{EXPANSION_ENTRIES_PER_UPDATE_MAX, EXPANSION_KEY_CHARS_MAX, EXPANSION_VALUE_CHARS_MAX};
use crate::proto::{self, frame::Body};
use crate::types::{ConversationType, Expansion, MessageContent, MessagePushOptions, UserInfo};

/// A text message from alice to `target` of `conversation_type`, with `expansion`.
fn with_expansion(harness: &Harness, conversation_type: ConversationType, expansion: Expansion) -> Message {
    let created = harness.core.create_text_message(conversation_type, "bob", None, "hi").expect("valid");
    Message { expansion: Some(expansion), ..created }
}

/// An expansion of `count` entries `k0`, `k1`, ….
fn entries(count: usize) -> Expansion {
    (0..count).map(|i| (format!("k{i}"), "v".to_owned())).collect()
}

#[test]
fn an_expansion_is_checked_on_send_against_every_limit() {
    crate::checks!(unit: "MSG-13");
    let mut harness = Harness::connected("alice");
    let key_at_most = "k".repeat(EXPANSION_KEY_CHARS_MAX);
    let value_at_most = "值".repeat(EXPANSION_VALUE_CHARS_MAX);
    let refused = [
        (ConversationType::Private, entries(EXPANSION_ENTRIES_PER_UPDATE_MAX + 1)),
        (ConversationType::Private, BTreeMap::from([(format!("{key_at_most}k"), "v".to_owned())])),
        (ConversationType::Private, BTreeMap::from([(String::new(), "v".to_owned())])),
        (ConversationType::Private, BTreeMap::from([("键".to_owned(), "v".to_owned())])),
        (ConversationType::Private, BTreeMap::from([("a b".to_owned(), "v".to_owned())])),
        (ConversationType::Private, BTreeMap::from([("k".to_owned(), format!("{value_at_most}!"))])),
        (ConversationType::Chatroom, BTreeMap::new()),
        (ConversationType::System, entries(1)),
        (ConversationType::UltraGroup, entries(1)),
    ];
    for (conversation_type, expansion) in refused {
        let message = with_expansion(&harness, conversation_type, expansion);
        let code = harness.core.send_message(harness.now, &message).map_err(|error| error.code);
        assert_eq!(code, Err(ErrorCode::PARAM_ERROR), "{conversation_type} {:?}", message.expansion);
    }
    assert_eq!(harness.events(), [], "a refused send attaches nothing");
    assert!(harness.frames().is_empty(), "and publishes nothing");
    assert_eq!(harness.core.store().expect("open").all_messages().expect("read"), []);

    // Each limit itself is allowed, and so is every key character of EXP-6, in private and group messages.
    let allowed = [
        (ConversationType::Private, entries(EXPANSION_ENTRIES_PER_UPDATE_MAX)),
        (ConversationType::Group, BTreeMap::from([(key_at_most, value_at_most)])),
        (ConversationType::Private, BTreeMap::from([("Az09+=-_".to_owned(), "with spaces ok".to_owned())])),
        (ConversationType::Group, BTreeMap::new()),
    ];
    for (conversation_type, expansion) in allowed {
        let message = with_expansion(&harness, conversation_type, expansion.clone());
        harness.core.send_message(harness.now, &message).expect("accepted");
        let frames = harness.frames();
        let [Body::Publish(publish)] = frames.as_slice() else { panic!("{frames:?}") };
        let published: Expansion = publish.expansion.clone().expect("on").entries.into_iter().collect();
        assert_eq!(published, expansion);
    }
}

#[test]
fn user_info_and_expansion_travel_and_push_options_stay_with_the_sender() {
    crate::checks!(unit: "MSG-16", "MSG-18");
    let mut harness = Harness::connected("alice");
    let user_info = UserInfo {
        user_id: "alice".to_owned(),
        name: Some("Alice".to_owned()),
        portrait: None,
        alias: Some("A".to_owned()),
        extra: None,
    };
    let push_options = MessagePushOptions { push_title: Some("T".to_owned()), voip_push: true, ..Default::default() };
    let created = harness.core.create_text_message(ConversationType::Private, "bob", Some("c1"), "hi").expect("ok");
    let message = Message {
        user_info: Some(user_info.clone()),
        push_options: Some(push_options.clone()),
        expansion: None,
        ..created
    };
    harness.core.send_message(harness.now, &message).expect("accepted");
    let events = harness.events();
    let [Event::MessageAttached { message: attached }] = events.as_slice() else { panic!("{events:?}") };
    assert_eq!(attached.user_info.as_ref(), Some(&user_info));
    assert_eq!(attached.push_options.as_ref(), Some(&push_options), "the sender's copy keeps its push options");
    assert_eq!(attached.channel_id, None, "MSG-3: a private message keeps no channel");
    let stored = harness.core.store().expect("open").message(attached.message_id).expect("read").expect("stored");
    assert_eq!(&stored, attached);
    let frames = harness.frames();
    let [Body::Publish(publish)] = frames.as_slice() else { panic!("{frames:?}") };
    assert_eq!(publish.expansion, None, "expansion off travels as absent");
    let wire_user = publish.user_info.clone().expect("carried");
    assert_eq!((wire_user.name.as_str(), wire_user.portrait.as_str()), ("Alice", ""));
    assert_eq!((publish.not_stored, publish.not_counted), (false, false), "a text is stored and counted");

    // The recipient's copy: the user information and the expansion as sent, no push options.
    let mut receiver = Harness::connected("bob");
    let delivery = proto::DeliveredMessage {
        user_info: publish.user_info.clone(),
        expansion: Some(proto::Expansion { entries: [("gift".to_owned(), "unclaimed".to_owned())].into() }),
        ..delivered(1, "U1", "alice", "hi")
    };
    receiver.server_sends(Body::InboxDelivery(proto::InboxDelivery { message: Some(delivery) }));
    let events = receiver.events();
    let [Event::MessageReceived { message: received, .. }] = events.as_slice() else { panic!("{events:?}") };
    assert_eq!(received.user_info.as_ref(), Some(&user_info), "an empty portrait reads back as none");
    assert_eq!(received.expansion, Some(BTreeMap::from([("gift".to_owned(), "unclaimed".to_owned())])));
    assert_eq!((received.push_options.as_ref(), received.group_read_receipt_info.as_ref()), (None, None));
}

#[test]
fn persistence_flags_decide_for_an_unknown_type_only() {
    crate::checks!(unit: "MTYPE-9");
    let mut receiver = Harness::connected("bob");
    let unknown = proto::MessageContent { object_name: "App:Poll".to_owned(), payload: vec![1] };
    let flagged = [(1, false, false), (2, false, true), (3, true, false), (4, true, true)];
    for (seq, not_stored, not_counted) in flagged {
        let delivery = proto::DeliveredMessage {
            content: Some(unknown.clone()),
            not_stored,
            not_counted,
            ..delivered(seq, &format!("U{seq}"), "alice", "")
        };
        receiver.server_sends(Body::InboxDelivery(proto::InboxDelivery { message: Some(delivery) }));
    }
    // A known type with every flag set is a text all the same.
    let text = proto::DeliveredMessage { not_stored: true, not_counted: true, ..delivered(5, "U5", "alice", "t") };
    receiver.server_sends(Body::InboxDelivery(proto::InboxDelivery { message: Some(text) }));
    let ids: Vec<i64> = receiver
        .events()
        .into_iter()
        .filter_map(|event| match event {
            Event::MessageReceived { message, .. } => Some(message.message_id),
            _ => None,
        })
        .collect();
    // Stored: no flags, and not counted only; not stored (with or without not counted): messageId 0.
    assert_eq!(ids, [1, 2, 0, 0, 3]);
    let store = receiver.core.store().expect("open");
    assert_eq!(store.unread_count((ConversationType::Private, "alice", None)).expect("count"), 2);
    let kinds: Vec<bool> = store
        .all_messages()
        .expect("read")
        .iter()
        .map(|message| matches!(message.content, MessageContent::Unknown { .. }))
        .collect();
    assert_eq!(kinds, [true, true, false]);
}

#[test]
fn an_expansion_assigned_after_sending_changes_nothing_stored_or_sent() {
    crate::checks!(unit: "EXP-16");
    let mut harness = Harness::connected("alice");
    let at_send = BTreeMap::from([("k".to_owned(), "v".to_owned())]);
    harness
        .core
        .send_message(harness.now, &with_expansion(&harness, ConversationType::Private, at_send.clone()))
        .expect("ok");
    let events = harness.events();
    let [Event::MessageAttached { message: attached }] = events.as_slice() else { panic!("{events:?}") };
    harness.frames();

    // The app assigns another expansion to the sent message and sends that object again: a new message, and the
    // first keeps what it was sent with.
    let assigned = BTreeMap::from([("k".to_owned(), "changed".to_owned()), ("extra".to_owned(), "x".to_owned())]);
    let reassigned = Message { expansion: Some(assigned), ..attached.clone() };
    harness.core.send_message(harness.now, &reassigned).expect("ok");
    let events = harness.events();
    let [Event::MessageAttached { message: second }] = events.as_slice() else { panic!("{events:?}") };
    assert_ne!(second.message_id, attached.message_id, "a send never rewrites a stored message");
    let store = harness.core.store().expect("open");
    let first = store.message(attached.message_id).expect("read").expect("stored");
    assert_eq!(first.expansion, Some(at_send), "the stored expansion is the one fixed at send time");
    harness.frames();

    // A later update carries its own entries only, never what was assigned locally.
    let update = BTreeMap::from([("k2".to_owned(), "v2".to_owned())]);
    harness.core.update_message_expansion(harness.now, "U1", update).expect("ok");
    let frames = harness.frames();
    let [Body::Request(proto::Request { body: Some(proto::request::Body::ExpansionChange(change)), .. })] =
        frames.as_slice()
    else {
        panic!("{frames:?}")
    };
    let sent: Expansion = change.updated.clone().into_iter().collect();
    assert_eq!(sent, BTreeMap::from([("k2".to_owned(), "v2".to_owned())]));
    assert!(change.removed_keys.is_empty());
}

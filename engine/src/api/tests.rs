//! The API table: names, parameters and the serialised forms of calls, events and messages.

use std::collections::BTreeMap;

use super::*;
use crate::core::Event;
use crate::error::ErrorCode;
use crate::types::{ConversationType, MessageContent, MessageDirection, ReceivedStatus, SentStatus, TimeOrder};

fn text_message() -> Message {
    Message {
        conversation_type: ConversationType::Private,
        target_id: "lisi".into(),
        channel_id: None,
        message_id: 3,
        message_uid: Some("uid-1".into()),
        direction: MessageDirection::Send,
        received_time: 0,
        sent_time: 1_725_000_000_000,
        received_status: ReceivedStatus::Unread,
        sent_status: SentStatus::Sent,
        sender_user_id: "zhangsan".into(),
        offline: false,
        extra: None,
        mentioned_info: None,
        user_info: None,
        expansion: None,
        push_options: None,
        group_read_receipt_info: None,
        content: MessageContent::Text { text: "hi".into() },
    }
}

#[test]
fn every_method_has_a_distinct_manual_name_and_round_trips() {
    let mut names = std::collections::BTreeSet::new();
    for &method in Method::ALL {
        assert!(names.insert(method.name()), "{} twice", method.name());
        assert_eq!(Method::from_name(method.name()), Some(method));
        assert!(method.name().chars().next().is_some_and(|c| c.is_ascii_lowercase()), "{}", method.name());
    }
    assert_eq!(Method::from_name("getMessage"), None);
}

#[test]
fn parameters_are_the_manual_names_in_order() {
    assert_eq!(
        Method::from_name("joinChatRoom").map(Method::parameters),
        Some(&["targetId", "messageCount", "autoCreate"][..])
    );
    assert_eq!(Method::from_name("connect").map(Method::parameters), Some(&["token", "timeout"][..]));
    assert_eq!(
        Method::from_name("createTextMessage").map(Method::parameters),
        Some(&["conversationType", "targetId", "channelId", "text"][..])
    );
    assert_eq!(Method::from_name("getBlacklist").map(Method::parameters), Some(&[][..]));
}

#[test]
fn a_call_serialises_flat_under_its_method_and_comes_back() {
    let call = Call::GetChatRoomMessages(GetChatRoomMessages {
        target_id: "r1".into(),
        timestamp: 0,
        order: TimeOrder::Before,
        count: 20,
    });
    let json = serde_json::to_string(&call).expect("serialises");
    assert_eq!(json, r#"{"method":"getChatRoomMessages","targetId":"r1","timestamp":0,"order":"before","count":20}"#);
    assert_eq!(serde_json::from_str::<Call>(&json).expect("deserialises"), call);
    let by_name = Call::from_parameters(
        Method::GetChatRoomMessages,
        serde_json::json!({ "targetId": "r1", "timestamp": 0, "order": "before", "count": 20 }),
    );
    assert_eq!(by_name.expect("deserialises"), call);
}

#[test]
fn a_call_refuses_unknown_missing_and_mistyped_parameters() {
    let unknown = Call::from_parameters(Method::LeaveChatRoom, serde_json::json!({ "targetId": "r1", "room": "r1" }));
    assert!(unknown.expect_err("unknown").to_string().contains("unknown field `room`, expected `targetId`"));
    let missing = Call::from_parameters(Method::LeaveChatRoom, serde_json::json!({}));
    assert!(missing.expect_err("missing").to_string().contains("missing field `targetId`"));
    let mistyped = Call::from_parameters(
        Method::JoinChatRoom,
        serde_json::json!({ "targetId": "r1", "messageCount": "ten", "autoCreate": false }),
    );
    assert!(mistyped.expect_err("mistyped").to_string().contains("expected i32"));
    let enum_value = Call::from_parameters(
        Method::GetChatRoomMessages,
        serde_json::json!({ "targetId": "r1", "timestamp": 0, "order": "later", "count": 1 }),
    );
    assert!(
        enum_value.expect_err("bad enum").to_string().contains("unknown variant `later`, expected `before` or `after`")
    );
}

#[test]
fn a_message_serialises_as_rcimiw_message_with_its_content_beside_it() {
    let value = serde_json::to_value(text_message()).expect("serialises");
    assert_eq!(
        value,
        serde_json::json!({
            "conversationType": "private", "targetId": "lisi", "messageId": 3, "messageUId": "uid-1",
            "direction": "send", "receivedTime": 0, "sentTime": 1_725_000_000_000_i64, "receivedStatus": "unread",
            "sentStatus": "sent", "senderUserId": "zhangsan", "offLine": false, "messageType": "text", "text": "hi"
        })
    );
    assert_eq!(serde_json::from_value::<Message>(value).expect("deserialises"), text_message());
    let literal: Message = serde_json::from_value(serde_json::json!({
        "conversationType": "group", "targetId": "g1", "messageType": "text", "text": "yo"
    }))
    .expect("a literal with the defaults");
    assert_eq!(
        (literal.message_id, literal.direction, literal.sent_status),
        (0, MessageDirection::Send, SentStatus::Sending)
    );
}

#[test]
fn an_event_serialises_as_its_listener_with_the_listeners_parameter_names() {
    let event = Event::MessageReceived { message: text_message(), left: 2, offline: true, has_package: false };
    let value = serde_json::to_value(&event).expect("serialises");
    assert_eq!(value["event"], "onMessageReceived");
    assert_eq!(
        (value["left"].clone(), value["offline"].clone(), value["hasPackage"].clone()),
        (2.into(), true.into(), false.into())
    );
    assert_eq!(value["message"]["text"], "hi");
    let added = Event::ChatRoomEntriesAdded {
        code: ErrorCode::SUCCESS,
        target_id: "r1".into(),
        entries: BTreeMap::from([("k".to_owned(), "v".to_owned())]),
        error_entries: BTreeMap::from([("x".to_owned(), ErrorCode::KV_OVERWRITE_DENIED)]),
    };
    assert_eq!(
        serde_json::to_value(&added).expect("serialises"),
        serde_json::json!({ "event": "onChatRoomEntriesAdded", "code": 0, "targetId": "r1", "entries": { "k": "v" }, "errorEntries": { "x": 23424 } })
    );
    for event in [event, added, Event::OfflineMessageSyncCompleted] {
        let value = serde_json::to_value(&event).expect("serialises");
        assert_eq!(value["event"], event.listener());
    }
}

#[test]
fn completions_name_real_listeners() {
    let schema = schemars::schema_for!(Event);
    let text = serde_json::to_string(&schema).expect("a schema serialises");
    for &method in Method::ALL {
        for listener in method.completion().listeners() {
            assert!(text.contains(&format!("\"{listener}\"")), "{}: {listener} is no listener", method.name());
        }
    }
}

#[test]
fn the_push_notification_levels_are_the_manuals_six_names_and_numbers() {
    crate::checks!(unit: "DND-6");
    use crate::types::PushNotificationLevel;
    let expected = [
        (PushNotificationLevel::AllMessage, "allMessage", 0),
        (PushNotificationLevel::None, "none", 1),
        (PushNotificationLevel::Mention, "mention", 2),
        (PushNotificationLevel::MentionUsers, "mentionUsers", 3),
        (PushNotificationLevel::MentionAll, "mentionAll", 4),
        (PushNotificationLevel::Blocked, "blocked", 5),
    ];
    assert_eq!(PushNotificationLevel::ALL.len(), expected.len(), "six values");
    for (level, name, ordinal) in expected {
        assert_eq!(serde_json::to_value(level).unwrap(), serde_json::json!(name));
        assert_eq!((level.ordinal(), PushNotificationLevel::from_ordinal(ordinal)), (ordinal, Some(level)));
    }
    assert_eq!(PushNotificationLevel::from_ordinal(6), None, "no other level");
}

#[test]
fn the_conversation_types_are_the_manuals_names_and_ordinals() {
    crate::checks!(unit: "CTYPE-2");
    let expected = [
        (ConversationType::Invalid, "invalid", 0),
        (ConversationType::Private, "private", 1),
        (ConversationType::Group, "group", 2),
        (ConversationType::Chatroom, "chatroom", 3),
        (ConversationType::System, "system", 4),
        (ConversationType::UltraGroup, "ultraGroup", 5),
    ];
    for (conversation_type, name, ordinal) in expected {
        assert_eq!(serde_json::to_value(conversation_type).unwrap(), serde_json::json!(name));
        assert_eq!(serde_json::from_value::<ConversationType>(serde_json::json!(name)).unwrap(), conversation_type);
        assert_eq!(
            (conversation_type.ordinal(), ConversationType::from_ordinal(ordinal)),
            (ordinal, Some(conversation_type))
        );
    }
    assert_eq!(ConversationType::from_ordinal(6), None, "no other type");
    assert!(serde_json::from_value::<ConversationType>(serde_json::json!("ultragroup")).is_err(), "names are exact");
}

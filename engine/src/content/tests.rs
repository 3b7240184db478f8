//! Round trips of every content type, the object names of MTYPE-27, and what becomes `Unknown` (MTYPE-8).

use super::*;
use crate::types::{MessagePolicy, MessageType};

/// A quoted message, itself holding media with a local path.
fn embedded(content: MessageContent) -> Box<EmbeddedMessage> {
    Box::new(EmbeddedMessage {
        conversation_type: ConversationType::Group,
        target_id: "team".to_owned(),
        channel_id: Some("general".to_owned()),
        message_uid: Some("UID-7".to_owned()),
        sender_user_id: "bob".to_owned(),
        sent_time: 1_700_000_000_123,
        extra: Some("{\"k\":1}".to_owned()),
        content,
    })
}

fn media(local: &str, remote: &str) -> Media {
    Media { local: Some(local.to_owned()), remote: Some(remote.to_owned()) }
}

/// One content of every type, with every field set to something other than its default, and its object name.
pub(crate) fn every_type() -> Vec<(MessageContent, &'static str)> {
    vec![
        (MessageContent::Text { text: "你好, world".to_owned() }, "RC:TxtMsg"),
        (MessageContent::Voice { media: media("/a/v.aac", "https://f/v.aac"), duration: 12 }, "RC:HQVCMsg"),
        (
            MessageContent::Image {
                media: media("/a/i.jpg", "https://f/i.jpg"),
                thumbnail_base64_string: "aGk=".to_owned(),
                original: true,
            },
            "RC:ImgMsg",
        ),
        (
            MessageContent::File {
                media: Media { local: Some("/a/r.pdf".to_owned()), remote: None },
                name: "r.pdf".to_owned(),
                file_type: "pdf".to_owned(),
                size: 5_000_000_000,
            },
            "RC:FileMsg",
        ),
        (
            MessageContent::Sight {
                media: media("/a/s.mp4", "https://f/s.mp4"),
                duration: 9,
                size: 123_456,
                name: "s.mp4".to_owned(),
                thumbnail_base64_string: "dGh1bWI=".to_owned(),
            },
            "RC:SightMsg",
        ),
        (
            MessageContent::Gif {
                media: media("/a/g.gif", "https://f/g.gif"),
                data_size: 2_048,
                width: 320,
                height: 240,
            },
            "RC:GIFMsg",
        ),
        (
            MessageContent::RecallNotification {
                admin: true,
                deleted: true,
                recall_time: 1_700_000_000_000,
                recall_action_time: 1_700_000_060_000,
                original_message: Some(embedded(MessageContent::Text { text: "oops".to_owned() })),
                operator_id: "admin".to_owned(),
            },
            "RC:RcNtf",
        ),
        (
            MessageContent::Reference {
                text: "agreed".to_owned(),
                reference_message: Some(embedded(MessageContent::Image {
                    media: media("/b/i.jpg", "https://f/b.jpg"),
                    thumbnail_base64_string: String::new(),
                    original: false,
                })),
            },
            "RC:ReferenceMsg",
        ),
        (
            MessageContent::Location {
                longitude: Degrees(116.397_128),
                latitude: Degrees(-39.916_527),
                poi_name: "天安门".to_owned(),
                thumbnail_path: "/a/map.png".to_owned(),
            },
            "RC:LBSMsg",
        ),
        (MessageContent::Command { name: "refresh".to_owned(), data: "{\"all\":true}".to_owned() }, "RC:CmdMsg"),
        (MessageContent::CommandNotification { name: "joined".to_owned(), data: "bob".to_owned() }, "RC:CmdNtf"),
        (
            MessageContent::Custom {
                identifier: "App:Card".to_owned(),
                policy: CustomMessagePolicy::Storage,
                fields: BTreeMap::from([
                    ("title".to_owned(), "Hi".to_owned()),
                    ("body".to_owned(), String::new()),
                    ("".to_owned(), "empty key".to_owned()),
                ]),
            },
            "App:Card",
        ),
        (MessageContent::unknown("RC:InfoNtf".to_owned(), vec![0, 1, 0xfe, 0xff]), "RC:InfoNtf"),
    ]
}

#[test]
fn every_type_round_trips_under_its_object_name() {
    // MTYPE-10 to MTYPE-21, MTYPE-25, MTYPE-27
    let contents = every_type();
    let types: Vec<MessageType> = contents.iter().map(|(content, _)| content.message_type()).collect();
    assert_eq!(
        types,
        [
            MessageType::Text,
            MessageType::Voice,
            MessageType::Image,
            MessageType::File,
            MessageType::Sight,
            MessageType::Gif,
            MessageType::Recall,
            MessageType::Reference,
            MessageType::Location,
            MessageType::Command,
            MessageType::CommandNotification,
            MessageType::Custom,
            MessageType::Unknown,
        ]
    );
    for (content, object_name) in contents {
        let wire = encode_content(&content);
        assert_eq!(wire.object_name, object_name);
        assert_eq!(content.object_name(), object_name);
        assert_eq!(decode_content(&wire), content, "{object_name}");
        // And the bytes are stable: encoding the decoded content again gives the same pair.
        assert_eq!(encode_content(&decode_content(&wire)), wire, "{object_name}");
    }
}

#[test]
fn default_valued_fields_round_trip_too() {
    let contents = [
        MessageContent::Text { text: String::new() },
        MessageContent::Voice { media: Media::default(), duration: 0 },
        MessageContent::Image { media: Media::default(), thumbnail_base64_string: String::new(), original: false },
        MessageContent::File { media: Media::default(), name: String::new(), file_type: String::new(), size: 0 },
        // `Some("")` is not `None`: the manual's `String?` keeps the difference.
        MessageContent::Gif {
            media: Media { local: Some(String::new()), remote: Some(String::new()) },
            data_size: 0,
            width: 0,
            height: 0,
        },
        MessageContent::RecallNotification {
            admin: false,
            deleted: false,
            recall_time: 0,
            recall_action_time: 0,
            original_message: None,
            operator_id: String::new(),
        },
        MessageContent::Reference { text: String::new(), reference_message: None },
        MessageContent::Location {
            longitude: Degrees(0.0),
            latitude: Degrees(f64::MIN_POSITIVE),
            poi_name: String::new(),
            thumbnail_path: String::new(),
        },
        MessageContent::Custom {
            identifier: "x".to_owned(),
            policy: CustomMessagePolicy::Command,
            fields: BTreeMap::new(),
        },
        MessageContent::unknown(String::new(), Vec::new()),
    ];
    for content in contents {
        assert_eq!(decode_content(&encode_content(&content)), content);
    }
}

#[test]
fn every_custom_policy_round_trips() {
    for &policy in CustomMessagePolicy::ALL {
        let content = MessageContent::Custom {
            identifier: "App:Poll".to_owned(),
            policy,
            fields: BTreeMap::from([("q".to_owned(), "?".to_owned())]),
        };
        assert_eq!(decode_content(&encode_content(&content)), content);
    }
}

#[test]
fn custom_fields_encode_in_key_order_whatever_the_insertion_order() {
    let mut forwards = BTreeMap::new();
    let mut backwards = BTreeMap::new();
    for key in ["a", "b", "c", "d"] {
        forwards.insert(key.to_owned(), key.to_uppercase());
    }
    for key in ["d", "c", "b", "a"] {
        backwards.insert(key.to_owned(), key.to_uppercase());
    }
    let custom =
        |fields| MessageContent::Custom { identifier: "App:X".to_owned(), policy: CustomMessagePolicy::Normal, fields };
    assert_eq!(encode_content(&custom(forwards)), encode_content(&custom(backwards)));
}

#[test]
fn unknown_object_names_are_kept() {
    // MTYPE-8
    let wire = proto::MessageContent { object_name: "App:Custom".to_owned(), payload: vec![1, 2, 3] };
    let content = decode_content(&wire);
    assert_eq!(content, MessageContent::unknown("App:Custom".to_owned(), vec![1, 2, 3]));
    assert_eq!(encode_content(&content), wire);
}

#[test]
fn an_undecodable_payload_of_every_known_name_becomes_unknown() {
    // MTYPE-8: never a panic, never an error; the bytes are kept as they arrived.
    for (_, object_name) in every_type() {
        for payload in [vec![0xff, 0xff], vec![0x0a], vec![0x0a, 0x05, 0x01], vec![0x80; 11]] {
            let wire = proto::MessageContent { object_name: object_name.to_owned(), payload: payload.clone() };
            assert_eq!(
                decode_content(&wire),
                MessageContent::unknown(object_name.to_owned(), payload),
                "{object_name}"
            );
        }
    }
}

#[test]
fn a_payload_is_custom_only_when_it_names_its_own_object_name() {
    // MTYPE-25: the identifier is the object name; anything else is unknown (MTYPE-8).
    let payload = |identifier: &str, policy: u32| {
        proto::CustomContent { identifier: identifier.to_owned(), policy, fields: Vec::new() }.encode_to_vec()
    };
    let cases = [
        ("App:Card", payload("App:Other", 1)),
        ("App:Card", payload("App:Card", 4)),
        ("App:Card", Vec::new()),
        ("", payload("", 1)),
        ("RC:Card", payload("RC:Card", 1)),
    ];
    for (object_name, payload) in cases {
        let wire = proto::MessageContent { object_name: object_name.to_owned(), payload: payload.clone() };
        assert_eq!(decode_content(&wire), MessageContent::unknown(object_name.to_owned(), payload), "{object_name}");
    }
    let wire = proto::MessageContent { object_name: "App:Card".to_owned(), payload: payload("App:Card", 2) };
    assert_eq!(
        decode_content(&wire),
        MessageContent::Custom {
            identifier: "App:Card".to_owned(),
            policy: CustomMessagePolicy::Status,
            fields: BTreeMap::new()
        }
    );
}

#[test]
fn an_embedded_message_with_an_unknown_conversation_type_makes_the_content_unknown() {
    let mut quoted = embedded_to_wire(&embedded(MessageContent::Text { text: "hi".to_owned() }));
    quoted.conversation_type = 99;
    let payload = proto::ReferenceContent { text: "re".to_owned(), reference_message: Some(quoted) }.encode_to_vec();
    let wire = proto::MessageContent { object_name: REFERENCE_OBJECT_NAME.to_owned(), payload: payload.clone() };
    assert_eq!(decode_content(&wire), MessageContent::unknown(REFERENCE_OBJECT_NAME.to_owned(), payload));
}

#[test]
fn messages_nested_past_the_depth_limit_are_kept_undecoded() {
    let mut content = MessageContent::Text { text: "bottom".to_owned() };
    for level in 0..EMBEDDED_DEPTH_MAX + 2 {
        content =
            MessageContent::Reference { text: format!("level {level}"), reference_message: Some(embedded(content)) };
    }
    let wire = encode_content(&content);
    let decoded = decode_content(&wire);
    // Nothing is lost: the bytes are the same.
    assert_eq!(encode_content(&decoded), wire);
    // Walk down: EMBEDDED_DEPTH_MAX embedded levels are decoded, the next is kept as it arrived.
    let mut current = &decoded;
    for _ in 0..=EMBEDDED_DEPTH_MAX {
        let MessageContent::Reference { reference_message: Some(quoted), .. } = current else {
            panic!("a decoded reference: {current:?}")
        };
        current = &quoted.content;
    }
    // `current` is the content of the embedded message EMBEDDED_DEPTH_MAX + 1 levels down.
    assert!(matches!(current, MessageContent::Unknown { object_name, .. } if object_name == REFERENCE_OBJECT_NAME));
}

#[test]
fn local_paths_are_not_published() {
    let (image, _) = every_type().swap_remove(2);
    let MessageContent::Image { media, .. } = without_local_paths(&image) else { panic!() };
    assert_eq!(media, Media { local: None, remote: Some("https://f/i.jpg".to_owned()) });
    let (reference, _) = every_type().swap_remove(7);
    let MessageContent::Reference { reference_message: Some(quoted), .. } = without_local_paths(&reference) else {
        panic!()
    };
    assert_eq!(quoted.content.media(), Some(&Media { local: None, remote: Some("https://f/b.jpg".to_owned()) }));
    let text = MessageContent::Text { text: "t".to_owned() };
    assert_eq!(without_local_paths(&text), text);
}

#[test]
fn the_policy_table_follows_mtype() {
    // MTYPE-2 to MTYPE-9: (type, stored, counted, status).
    let table: Vec<(MessageType, bool, bool, bool)> = every_type()
        .iter()
        .map(|(content, _)| {
            let MessagePolicy { stored, counted, status } = content.policy();
            (content.message_type(), stored, counted, status)
        })
        .collect();
    assert_eq!(
        table,
        [
            (MessageType::Text, true, true, false),
            (MessageType::Voice, true, true, false),
            (MessageType::Image, true, true, false),
            (MessageType::File, true, true, false),
            (MessageType::Sight, true, true, false),
            (MessageType::Gif, true, true, false),
            (MessageType::Recall, true, false, false),
            (MessageType::Reference, true, true, false),
            (MessageType::Location, true, true, false),
            (MessageType::Command, false, false, false),
            (MessageType::CommandNotification, true, false, false),
            // every_type's custom message has the storage policy.
            (MessageType::Custom, true, false, false),
            (MessageType::Unknown, true, true, false),
        ]
    );
    let custom: Vec<(CustomMessagePolicy, MessagePolicy)> =
        CustomMessagePolicy::ALL.iter().map(|&policy| (policy, policy.message_policy())).collect();
    assert_eq!(
        custom,
        [
            (CustomMessagePolicy::Command, MessagePolicy { stored: false, counted: false, status: false }),
            (CustomMessagePolicy::Normal, MessagePolicy { stored: true, counted: true, status: false }),
            (CustomMessagePolicy::Status, MessagePolicy { stored: false, counted: false, status: true }),
            (CustomMessagePolicy::Storage, MessagePolicy { stored: true, counted: false, status: false }),
        ]
    );
    // The spec's ordinals and manual names.
    let names: Vec<(u32, &str)> =
        CustomMessagePolicy::ALL.iter().map(|policy| (policy.ordinal(), policy.manual_name())).collect();
    assert_eq!(names, [(0, "command"), (1, "normal"), (2, "status"), (3, "storage")]);
}

#[test]
fn degrees_compare_as_numbers_with_nan_equal_to_itself() {
    assert_eq!(Degrees(-0.0), Degrees(0.0));
    assert_eq!(Degrees(f64::NAN), Degrees(f64::NAN));
    assert_ne!(Degrees(f64::NAN), Degrees(0.0));
    assert_ne!(Degrees(1.0), Degrees(1.0 + f64::EPSILON));
    // Both survive the wire as such.
    for value in [-0.0, f64::NAN, f64::INFINITY, 180.0] {
        let content = MessageContent::Location {
            longitude: Degrees(value),
            latitude: Degrees(value),
            poi_name: String::new(),
            thumbnail_path: String::new(),
        };
        assert_eq!(decode_content(&encode_content(&content)), content);
    }
}

#[test]
fn old_and_new_custom_messages_cannot_read_each_other() {
    crate::checks!(unit: "MTYPE-28", "API-13");
    // API-13: an old SDK's custom message (below Flutter 5.2.4: a JSON object under the app's object name) is not a
    // custom message here; it arrives as `Unknown` with its bytes kept, so the app sees what it cannot parse.
    let old_payload = br#"{"content":"poll","extra":""}"#.to_vec();
    let wire = proto::MessageContent { object_name: "App:Poll".to_owned(), payload: old_payload.clone() };
    assert_eq!(decode_content(&wire), MessageContent::unknown("App:Poll".to_owned(), old_payload));
    // And the other way: the new custom payload is not the JSON an old SDK reads.
    let new = MessageContent::Custom {
        identifier: "App:Poll".to_owned(),
        policy: CustomMessagePolicy::Normal,
        fields: BTreeMap::from([("content".to_owned(), "poll".to_owned())]),
    };
    let encoded = encode_content(&new);
    assert_eq!(encoded.object_name, "App:Poll");
    assert!(serde_json::from_slice::<serde_json::Value>(&encoded.payload).is_err(), "API-13: the payload is not JSON");
}

/// MTYPE-27: each signal travels under RongCloud's object name, decodes back to itself, and is never a message
/// content a device would store or report; a malformed payload under a signal's name changes nothing.
#[test]
fn signals_travel_under_their_object_names() {
    crate::checks!(unit: "MTYPE-27");
    let signals = [
        (Signal::Recall(proto::RecallCommandContent { message_uid: "U1".into(), ..Default::default() }), "RC:RcCmd"),
        (
            Signal::Expansion(proto::ExpansionCommandContent { message_uid: "U1".into(), ..Default::default() }),
            "RC:MsgExMsg",
        ),
        (Signal::PrivateReadReceipt(proto::PrivateReadReceiptContent { timestamp: 5 }), "RC:ReadNtf"),
        (Signal::GroupReceiptRequest(proto::GroupReceiptRequestContent { message_uid: "U1".into() }), "RC:RRReqMsg"),
        (
            Signal::GroupReceiptResponse(proto::GroupReceiptResponseContent {
                message_uid: "U1".into(),
                respond_user_ids: [("lisi".to_owned(), 7)].into(),
            }),
            "RC:RRRspMsg",
        ),
        (Signal::ReadStatusSync(proto::ReadStatusSyncContent { timestamp: 9, channel_id: String::new() }), "RC:SRSMsg"),
    ];
    for (sent, object_name) in signals {
        let wire = encode_signal(&sent);
        assert_eq!(wire.object_name, object_name);
        assert!(is_signal(&wire), "{object_name}");
        assert_eq!(signal(&wire), Some(sent), "{object_name}");
        let malformed = proto::MessageContent { object_name: object_name.to_owned(), payload: vec![0xff, 0xff] };
        assert_eq!(signal(&malformed), None, "{object_name}: a malformed signal changes nothing");
    }
    assert!(!is_signal(&encode_content(&MessageContent::Text { text: "hi".into() })));
}

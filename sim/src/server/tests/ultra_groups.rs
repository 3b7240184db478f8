//! Ultra groups through the App Server API's table (UG-2, UG-6, UG-8, UG-10): memberships, channels and their
//! answers. Delivery and the absence of offline storage are in `scenarios/ultra-groups/`.

use imsim_engine::{ConversationType, checks};
use serde_json::json;

use super::users::call;
use super::*;
use crate::server::{DEFAULT_CHANNEL_ID, ULTRA_GROUPS_PER_USER_MAX};

/// UG-2: a user may be in at most 100 ultra groups. The 101st join, and a creation that would make the user the
/// member of a 101st, are refused and change nothing; leaving one makes room again.
#[test]
fn a_user_is_in_at_most_100_ultra_groups() {
    checks!(unit: "UG-2");
    let mut h = Harness::new();
    for i in 0..ULTRA_GROUPS_PER_USER_MAX {
        let created = json!({ "userId": "owner", "groupId": format!("g{i}"), "groupName": "G" });
        assert_eq!(call(&mut h, "/ultragroup/create", created)["code"], 200);
        assert_eq!(
            call(&mut h, "/ultragroup/join", json!({ "userId": "fan", "groupId": format!("g{i}") }))["code"],
            200
        );
    }
    let created = json!({ "userId": "other", "groupId": "g100", "groupName": "G" });
    assert_eq!(call(&mut h, "/ultragroup/create", created)["code"], 200);
    let refused = call(&mut h, "/ultragroup/join", json!({ "userId": "fan", "groupId": "g100" }));
    assert_eq!(refused, json!({ "code": 1002, "errorMessage": "user \"fan\" is already in 100 ultra groups" }));
    let refused = call(&mut h, "/ultragroup/create", json!({ "userId": "fan", "groupId": "g101", "groupName": "G" }));
    assert_eq!(refused["code"], 1002);
    let unknown = call(&mut h, "/ultragroup/join", json!({ "userId": "other", "groupId": "g101" }));
    assert_eq!(unknown["errorMessage"], "no ultra group has the ID \"g101\"", "the refused creation left nothing");
    assert_eq!(call(&mut h, "/ultragroup/join", json!({ "userId": "fan", "groupId": "g5" }))["code"], 200, "a member");

    assert_eq!(call(&mut h, "/ultragroup/quit", json!({ "userId": "fan", "groupId": "g0" }))["code"], 200);
    assert_eq!(call(&mut h, "/ultragroup/join", json!({ "userId": "fan", "groupId": "g100" }))["code"], 200);
}

/// UG-6, UG-8, UG-10: every ultra group has `RCDefault`, listed first and never deleted; the app creates and
/// deletes the others; a channel ID has 1 to 20 characters (MSG-3); a dismissed group has no channels.
#[test]
fn channels_are_created_listed_and_deleted() {
    checks!(unit: "UG-6", "UG-8", "UG-10");
    let mut h = Harness::new();
    assert_eq!(
        call(&mut h, "/ultragroup/create", json!({ "userId": "u", "groupId": "g", "groupName": "G" }))["code"],
        200
    );
    let list = |h: &mut Harness| call(h, "/ultragroup/channel/get", json!({ "groupId": "g" }));
    assert_eq!(list(&mut h), json!({ "code": 200, "channelList": [ { "channelId": DEFAULT_CHANNEL_ID } ] }));

    for channel in ["news", "alerts", "news", DEFAULT_CHANNEL_ID] {
        let answer = call(&mut h, "/ultragroup/channel/create", json!({ "groupId": "g", "busChannel": channel }));
        assert_eq!(answer["code"], 200, "creating {channel} again changes nothing");
    }
    let channels = json!([ { "channelId": "RCDefault" }, { "channelId": "alerts" }, { "channelId": "news" } ]);
    assert_eq!(list(&mut h)["channelList"], channels);

    for channel in ["", "123456789012345678901"] {
        let refused = call(&mut h, "/ultragroup/channel/create", json!({ "groupId": "g", "busChannel": channel }));
        assert_eq!(refused["code"], 1002, "{channel:?}");
    }
    let twenty =
        call(&mut h, "/ultragroup/channel/create", json!({ "groupId": "g", "busChannel": "12345678901234567890" }));
    assert_eq!(twenty["code"], 200);

    let default = call(&mut h, "/ultragroup/channel/del", json!({ "groupId": "g", "busChannel": DEFAULT_CHANNEL_ID }));
    assert_eq!(default["code"], 1002, "the default channel cannot be deleted");
    assert_eq!(call(&mut h, "/ultragroup/channel/del", json!({ "groupId": "g", "busChannel": "news" }))["code"], 200);
    assert_eq!(call(&mut h, "/ultragroup/channel/del", json!({ "groupId": "g", "busChannel": "news" }))["code"], 1002);
    let channels =
        json!([ { "channelId": "RCDefault" }, { "channelId": "12345678901234567890" }, { "channelId": "alerts" } ]);
    assert_eq!(list(&mut h)["channelList"], channels);

    assert_eq!(call(&mut h, "/ultragroup/dis", json!({ "groupId": "g" }))["code"], 200);
    assert_eq!(list(&mut h)["code"], 1002);
    assert_eq!(call(&mut h, "/ultragroup/dis", json!({ "groupId": "g" }))["code"], 1002);
}

/// UG-8: a deleted channel can no longer receive sends (24414), a quitter's send is refused (24406), and a
/// deactivated user is in no ultra group (USER-6).
#[test]
fn sends_need_membership_and_an_existing_channel() {
    checks!(unit: "UG-8");
    let mut h = Harness::new();
    call(&mut h, "/ultragroup/create", json!({ "userId": "alice", "groupId": "g", "groupName": "G" }));
    call(&mut h, "/ultragroup/join", json!({ "userId": "bob", "groupId": "g" }));
    call(&mut h, "/ultragroup/channel/create", json!({ "groupId": "g", "busChannel": "news" }));
    let alice = h.connect_live("alice", "laptop-a");
    let publish = |id: &str, channel: &str| proto::Publish {
        client_message_id: id.to_owned(),
        conversation_type: ConversationType::UltraGroup.ordinal(),
        target_id: "g".to_owned(),
        channel_id: channel.to_owned(),
        content: Some(text_content("hi")),
        ..Default::default()
    };
    let ack_code = |h: &mut Harness, conn, publish| {
        h.publish_with(conn, publish).into_iter().find_map(|output| match output {
            ServerOutput::Send { frame: proto::Frame { body: Some(Body::PublishAck(ack)) }, .. } => Some(ack.code),
            _ => None,
        })
    };
    assert_eq!(ack_code(&mut h, alice, publish("m1", "news")), Some(0));
    call(&mut h, "/ultragroup/channel/del", json!({ "groupId": "g", "busChannel": "news" }));
    assert_eq!(
        ack_code(&mut h, alice, publish("m2", "news")),
        Some(ErrorCode::ULTRA_GROUP_CHANNEL_ID_NOT_EXIST.to_wire())
    );
    assert_eq!(ack_code(&mut h, alice, publish("m3", "")), Some(0), "no channel");
    assert_eq!(ack_code(&mut h, alice, publish("m4", DEFAULT_CHANNEL_ID)), Some(0));
    call(&mut h, "/ultragroup/quit", json!({ "userId": "alice", "groupId": "g" }));
    assert_eq!(ack_code(&mut h, alice, publish("m5", "")), Some(ErrorCode::NOT_IN_ULTRA_GROUP.to_wire()));

    let bob = h.connect_live("bob", "laptop-b");
    assert_eq!(ack_code(&mut h, bob, publish("b1", "")), Some(0));
    h.server.deactivate_users(APP, &["bob"], h.now).expect("deactivated");
    h.outputs();
    call(&mut h, "/user/reactivate", json!({ "userId": ["bob"] }));
    h.tokens.remove("bob");
    let bob = h.connect_live("bob", "laptop-b");
    assert_eq!(ack_code(&mut h, bob, publish("b2", "")), Some(ErrorCode::NOT_IN_ULTRA_GROUP.to_wire()));
}

//! Chatroom moderation as the core sees it (CR-15, CR-30, BIZ-26): a kick by a ban, and a rejoin refused while
//! banned. Mutes (CR-31 to CR-33) reach the core only as a `PublishAck` code (23408), like any refused send.

use super::tests::Harness;
use super::tests_chatroom::{
    ROOM, cached_uids, holds, join, notice, reconnect, respond, room_message, sent_request, start_join,
};
use super::*;
use crate::proto::{self, chatroom_notice};

fn kicked() -> chatroom_notice::Body {
    chatroom_notice::Body::Kicked(proto::ChatroomKicked { code: ErrorCode::KICKED_FROM_CHATROOM.to_wire() })
}

#[test]
fn a_kick_forgets_and_purges_the_room_without_an_event() {
    // CR-15, CR-30, BIZ-26: no listener exists for a kick, so nothing is reported.
    let mut harness = Harness::connected("alice");
    join(&mut harness, ROOM, vec![room_message(ROOM, "R1", "bob", 10)], vec![]);
    assert_eq!(cached_uids(&harness, ROOM), ["R1"]);
    notice(&mut harness, ROOM, kicked());
    assert!(harness.events().is_empty());
    assert!(cached_uids(&harness, ROOM).is_empty());
    assert!(!holds(&harness, ROOM));
    // Not held any more: its deliveries are ignored, and a reconnection does not rejoin it.
    harness.server_sends(proto::frame::Body::ChatroomDelivery(proto::ChatroomDelivery {
        message: Some(room_message(ROOM, "R2", "bob", 11)),
    }));
    assert!(harness.events().is_empty());
    assert!(cached_uids(&harness, ROOM).is_empty());
    let events = reconnect(&mut harness);
    assert!(!events.contains(&Event::ChatRoomJoining { target_id: ROOM.into() }));
    assert!(harness.frames().is_empty());
}

#[test]
fn a_join_refused_while_banned_is_reported_and_forgets_the_room() {
    // CR-30: an app join refused with 23409.
    let mut harness = Harness::connected("alice");
    let request_id = start_join(&mut harness, ROOM);
    respond(&mut harness, request_id, ErrorCode::KICKED_FROM_CHATROOM.to_wire(), None);
    assert_eq!(
        harness.events(),
        [Event::ChatRoomJoined { code: ErrorCode::KICKED_FROM_CHATROOM, target_id: ROOM.into() }]
    );
    assert!(!holds(&harness, ROOM));
}

#[test]
fn a_rejoin_refused_while_banned_is_reported_and_forgets_the_room() {
    // CR-13, CR-30: banned while disconnected (the kick notice never arrived): the automatic rejoin answers 23409.
    let mut harness = Harness::connected("alice");
    join(&mut harness, ROOM, vec![room_message(ROOM, "R1", "bob", 10)], vec![]);
    reconnect(&mut harness);
    let rejoin = sent_request(&mut harness);
    respond(&mut harness, rejoin.request_id, ErrorCode::KICKED_FROM_CHATROOM.to_wire(), None);
    assert_eq!(
        harness.events(),
        [Event::ChatRoomJoined { code: ErrorCode::KICKED_FROM_CHATROOM, target_id: ROOM.into() }]
    );
    assert!(cached_uids(&harness, ROOM).is_empty());
    assert!(!holds(&harness, ROOM));
}

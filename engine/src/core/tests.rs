//! Tier-1 tests of the core: no runtime, no network. The harness plays the server by hand, frame by frame, and
//! reads back what the core sent, so each test pins one protocol decision with its exact codes.

use prost::Message as _;

use super::*;
use crate::codec::{Deframer, encode_frame};
use crate::content::encode_content;
use crate::error::ErrorCode;
use crate::files::MemoryFiles;
use crate::limits;
use crate::proto::{self, frame::Body};
use crate::store::MemoryStore;
use crate::token::TokenClaims;
use crate::types::{ConversationType, MessageContent, MessageDirection, SentStatus};

pub(super) const APP_KEY: &str = "app";

struct MemoryOpener;

/// Opens every user's database at one file, as a device's disk would keep it across a crash.
pub(super) struct FileOpener(pub(super) std::path::PathBuf);

impl StoreOpener for FileOpener {
    fn open(&mut self, _app_key: &str, _user_id: &str) -> Result<Box<dyn Store>, StoreError> {
        Ok(Box::new(crate::store::SqliteStore::open(&self.0)?))
    }
}

impl StoreOpener for MemoryOpener {
    fn open(&mut self, _app_key: &str, _user_id: &str) -> Result<Box<dyn Store>, StoreError> {
        Ok(Box::new(MemoryStore::new()))
    }
}

pub(super) fn token_for(user_id: &str) -> String {
    TokenClaims { app_key: APP_KEY.to_owned(), user_id: user_id.to_owned(), issued_at_ms: 1, expires_at_ms: None }
        .to_token(&[7; 4])
}

pub(super) struct Harness {
    pub(super) core: Core,
    pub(super) now: Now,
    /// The device's files, shared with the core.
    pub(super) files: MemoryFiles,
    /// Bytes the core sent, not yet decoded into frames.
    sent: Deframer,
    transport_open: bool,
}

impl Harness {
    pub(super) fn new() -> Harness {
        Harness::with_store(Box::new(MemoryOpener), 42)
    }

    /// A harness whose core opens its databases with `opener` and draws from `rng_seed`.
    pub(super) fn with_store(opener: Box<dyn StoreOpener>, rng_seed: u64) -> Harness {
        let config = CoreConfig {
            app_key: APP_KEY.to_owned(),
            platform: Platform::Mobile,
            device_id: "d1".to_owned(),
            kick_reconnect_device: false,
            heartbeat_interval_ms: limits::HEARTBEAT_INTERVAL_MS_DEFAULT,
            heartbeat_timeout_ms: limits::HEARTBEAT_TIMEOUT_MS_DEFAULT,
            file_server: limits::MEDIA_FILE_SERVER_DEFAULT.to_owned(),
        };
        let files = MemoryFiles::default();
        Harness {
            core: Core::new(config, opener, Box::new(files.clone()), rng_seed),
            files,
            now: Now { monotonic_ms: 0, unix_ms: 1_700_000_000_000 },
            sent: Deframer::new(),
            transport_open: false,
        }
    }

    pub(super) fn advance(&mut self, ms: u64) {
        self.now.monotonic_ms += ms;
        self.now.unix_ms += ms as i64;
        self.core.handle_timeout(self.now);
    }

    /// Drains transport actions: returns the opens and closes, buffering sent bytes for `frames`.
    pub(super) fn actions(&mut self) -> Vec<&'static str> {
        let mut kinds = Vec::new();
        while let Some(action) = self.core.poll_transport() {
            match action {
                TransportAction::Open => kinds.push("open"),
                TransportAction::Close => {
                    self.transport_open = false;
                    kinds.push("close")
                }
                TransportAction::Send(bytes) => self.sent.push(&bytes),
            }
        }
        kinds
    }

    pub(super) fn frames(&mut self) -> Vec<Body> {
        self.actions();
        let mut bodies = Vec::new();
        while let Some(frame) = self.sent.next_frame().expect("the core sends well-formed frames") {
            bodies.push(frame.body.expect("frames have bodies"));
        }
        bodies
    }

    pub(super) fn events(&mut self) -> Vec<Event> {
        std::iter::from_fn(|| self.core.poll_event()).map(|delivery| delivery.event).collect()
    }

    pub(super) fn server_sends(&mut self, body: Body) {
        let mut bytes = Vec::new();
        encode_frame(&proto::Frame { body: Some(body) }, &mut bytes).expect("test frames are small");
        self.core.handle_bytes(self.now, &bytes);
    }

    /// Connects `user` all the way to status connected and clears what that produced.
    pub(super) fn connected(user: &str) -> Harness {
        Harness::new().connect_as(user)
    }

    /// Connects this harness's core as `user` all the way to status connected, and clears what that produced.
    pub(super) fn connect_as(self, user: &str) -> Harness {
        let mut harness = self;
        harness.core.connect(harness.now, &token_for(user), 0).expect("connect is accepted");
        assert_eq!(harness.actions(), ["open"]);
        harness.open_and_ack(user);
        harness.events();
        harness
    }

    pub(super) fn open_and_ack(&mut self, user: &str) {
        self.core.handle_transport_opened(self.now);
        self.transport_open = true;
        let frames = self.frames();
        assert!(matches!(frames.as_slice(), [Body::Connect(_)]), "handshake first, got {frames:?}");
        self.server_sends(Body::ConnectAck(proto::ConnectAck { code: 0, user_id: user.to_owned(), server_time: 0 }));
    }
}

pub(super) fn status_changes(events: &[Event]) -> Vec<ConnectionStatus> {
    events
        .iter()
        .filter_map(|event| match event {
            Event::ConnectionStatusChanged { status } => Some(*status),
            _ => None,
        })
        .collect()
}

pub(super) fn delivered(seq: u64, uid: &str, from: &str, text: &str) -> proto::DeliveredMessage {
    proto::DeliveredMessage {
        seq,
        message_uid: uid.to_owned(),
        conversation_type: ConversationType::Private.ordinal(),
        target_id: from.to_owned(),
        channel_id: String::new(),
        sender_user_id: from.to_owned(),
        sent_time: 1_700_000_000_000 + seq as i64,
        content: Some(encode_content(&MessageContent::Text { text: text.to_owned() })),
        ..Default::default()
    }
}

#[test]
fn connect_opens_the_database_then_connects() {
    // CONN-4, CONN-5, CONN-6, CONN-8
    let mut harness = Harness::new();
    harness.core.connect(harness.now, &token_for("alice"), 0).expect("accepted");
    assert_eq!(harness.actions(), ["open"]);
    harness.core.handle_transport_opened(harness.now);
    let frames = harness.frames();
    let [Body::Connect(request)] = frames.as_slice() else { panic!("expected the handshake, got {frames:?}") };
    assert_eq!(request.token, token_for("alice"));
    assert_eq!(request.app_key, APP_KEY);
    assert_eq!(request.platform, Platform::Mobile.ordinal() as i32);
    assert_eq!(request.inbox_cursor, 0);
    harness.server_sends(Body::ConnectAck(proto::ConnectAck { code: 0, user_id: "alice".into(), server_time: 0 }));
    assert_eq!(
        harness.events(),
        [
            Event::DatabaseOpened { code: ErrorCode::SUCCESS },
            Event::ConnectionStatusChanged { status: ConnectionStatus::Connecting },
            Event::ConnectionStatusChanged { status: ConnectionStatus::Connected },
            Event::Connected { code: ErrorCode::SUCCESS, user_id: Some("alice".into()) },
        ]
    );
}

#[test]
fn a_token_naming_no_user_fails_without_a_connection() {
    // CONN-6, CONN-14
    let mut harness = Harness::new();
    harness.core.connect(harness.now, "not-a-token", 0).expect("accepted; the result is an event");
    assert_eq!(harness.actions(), Vec::<&str>::new());
    assert_eq!(
        harness.events(),
        [
            Event::DatabaseOpened { code: ErrorCode::CONN_TOKEN_INCORRECT },
            Event::Connected { code: ErrorCode::CONN_TOKEN_INCORRECT, user_id: None },
            Event::ConnectionStatusChanged { status: ConnectionStatus::TokenIncorrect },
        ]
    );
    assert_eq!(harness.core.poll_timeout(), None);
}

#[test]
fn a_refused_token_stops_reconnection() {
    // CONN-14, CONN-15, RECONN-6
    let mut harness = Harness::new();
    harness.core.connect(harness.now, &token_for("alice"), 0).expect("accepted");
    harness.actions();
    harness.core.handle_transport_opened(harness.now);
    harness.frames();
    harness.server_sends(Body::ConnectAck(proto::ConnectAck { code: 31004, ..Default::default() }));
    assert_eq!(harness.actions(), ["close"]);
    let events = harness.events();
    assert!(
        events.contains(&Event::Connected { code: ErrorCode::CONN_TOKEN_INCORRECT, user_id: Some("alice".into()) })
    );
    assert_eq!(status_changes(&events).last(), Some(&ConnectionStatus::TokenIncorrect));
    assert_eq!(harness.core.poll_timeout(), None, "no reconnect after a connection error");
}

#[test]
fn connect_while_connected_reports_34001_and_keeps_the_connection() {
    // CONN-10
    let mut harness = Harness::connected("alice");
    harness.core.connect(harness.now, &token_for("alice"), 0).expect("accepted");
    assert_eq!(harness.actions(), Vec::<&str>::new());
    assert_eq!(
        harness.events(),
        [Event::Connected { code: ErrorCode::CONNECTION_EXIST, user_id: Some("alice".into()) }]
    );
    assert_eq!(harness.core.connection_status(), ConnectionStatus::Connected);
}

#[test]
fn a_positive_timeout_gives_up_with_34006() {
    // CONN-16
    let mut harness = Harness::new();
    harness.core.connect(harness.now, &token_for("alice"), 5).expect("accepted");
    harness.actions();
    harness.core.handle_transport_closed(harness.now); // the server is unreachable
    harness.advance(4_999);
    assert_eq!(harness.core.connection_status(), ConnectionStatus::Connecting);
    harness.advance(1);
    let events = harness.events();
    assert!(events.contains(&Event::Connected { code: ErrorCode::CONNECT_TIMEOUT, user_id: Some("alice".into()) }));
    assert_eq!(harness.core.connection_status(), ConnectionStatus::Timeout);
    assert_eq!(harness.core.poll_timeout(), None);
}

#[test]
fn a_lost_connection_is_retried_on_the_reconn_schedule() {
    // RECONN-1, RECONN-4, RECONN-8, CONN-8
    let mut harness = Harness::connected("alice");
    harness.core.handle_transport_closed(harness.now);
    assert_eq!(status_changes(&harness.events()), [ConnectionStatus::Suspend, ConnectionStatus::Connecting]);
    let mut attempt_times = Vec::new();
    for _ in 0..11 {
        let deadline = harness.core.poll_timeout().expect("an attempt is scheduled");
        harness.advance(deadline - harness.now.monotonic_ms);
        assert_eq!(harness.actions(), ["open"]);
        attempt_times.push(harness.now.monotonic_ms);
        harness.core.handle_transport_closed(harness.now);
    }
    assert_eq!(attempt_times, [0, 250, 750, 1_750, 3_750, 7_750, 15_750, 31_750, 63_750, 127_750, 191_750]);
}

#[test]
fn disconnect_logs_out_and_ends_in_sign_out() {
    // CONN-17, CONN-19, CONN-20, RECONN-7
    let mut harness = Harness::connected("alice");
    harness.core.disconnect(harness.now, false).expect("accepted");
    let mut kinds = Vec::new();
    let mut logout = None;
    while let Some(action) = harness.core.poll_transport() {
        match action {
            TransportAction::Send(bytes) => {
                let frame = proto::Frame::decode(&bytes[4..]).expect("well formed");
                logout = Some(frame.body);
                kinds.push("send");
            }
            TransportAction::Close => kinds.push("close"),
            TransportAction::Open => kinds.push("open"),
        }
    }
    assert_eq!(kinds, ["send", "close"], "the logout is written before the close");
    assert_eq!(logout, Some(Some(Body::Logout(proto::Logout { receive_push: false }))));
    assert_eq!(status_changes(&harness.events()), [ConnectionStatus::SignOut]);
    assert_eq!(harness.core.poll_timeout(), None);
}

#[test]
fn a_destroyed_core_refuses_every_call_with_minus_102() {
    // ENG-5, CODE-3
    let mut harness = Harness::connected("alice");
    harness.core.destroy(harness.now).expect("accepted");
    let now = harness.now;
    let refused = ErrorCode::ENGINE_DESTROYED;
    assert_eq!(harness.core.connect(now, &token_for("alice"), 0).unwrap_err().code, refused);
    assert_eq!(harness.core.disconnect(now, true).unwrap_err().code, refused);
    assert_eq!(harness.core.destroy(now).unwrap_err().code, refused);
    let text = harness.core.create_text_message(ConversationType::Private, "bob", None, "hi");
    assert_eq!(text.unwrap_err().code, refused);
    // The message store's methods too, although the database is still open.
    assert_eq!(harness.core.get_message_by_id(1).unwrap_err().code, refused);
}

#[test]
fn a_send_is_attached_then_settled_by_the_acknowledgement() {
    // SEND-4, SEND-5, SEND-14, MSG-22
    let mut harness = Harness::connected("alice");
    let message = harness.core.create_text_message(ConversationType::Private, "bob", None, "hi").expect("valid");
    harness.core.send_message(harness.now, &message).expect("accepted");
    let frames = harness.frames();
    let [Body::Publish(publish)] = frames.as_slice() else { panic!("expected a publish, got {frames:?}") };
    assert_eq!(publish.target_id, "bob");
    let events = harness.events();
    let [Event::MessageAttached { message: attached }] = events.as_slice() else { panic!("{events:?}") };
    assert_eq!(attached.sent_status, SentStatus::Sending);
    assert_eq!(attached.direction, MessageDirection::Send);
    assert_eq!(attached.sender_user_id, "alice");
    assert!(attached.message_id > 0);

    harness.server_sends(Body::PublishAck(proto::PublishAck {
        client_message_id: publish.client_message_id.clone(),
        code: 0,
        message_uid: "UID-1".into(),
        sent_time: 1_800_000_000_000,
    }));
    let events = harness.events();
    let [Event::MessageSent { code, message: sent }] = events.as_slice() else { panic!("{events:?}") };
    assert_eq!(*code, ErrorCode::SUCCESS);
    assert_eq!(sent.sent_status, SentStatus::Sent);
    assert_eq!(sent.message_uid.as_deref(), Some("UID-1"));
    assert_eq!(sent.sent_time, 1_800_000_000_000);
    let stored = harness.core.store().expect("open").message(attached.message_id).expect("readable");
    assert_eq!(stored.as_ref(), Some(sent));
}

#[test]
fn a_send_without_a_connection_fails_with_30002() {
    // SEND-16
    let mut harness = Harness::connected("alice");
    harness.core.handle_transport_closed(harness.now);
    harness.events();
    let message = harness.core.create_text_message(ConversationType::Private, "bob", None, "hi").expect("valid");
    harness.core.send_message(harness.now, &message).expect("accepted; the failure is an event");
    let events = harness.events();
    let [Event::MessageAttached { .. }, Event::MessageSent { code, message }] = events.as_slice() else {
        panic!("{events:?}")
    };
    assert_eq!(*code, ErrorCode::NETWORK_UNAVAILABLE);
    assert_eq!(message.sent_status, SentStatus::Failed);
    assert_eq!(message.message_uid, None);
}

#[test]
fn an_unacknowledged_publish_is_resent_unchanged_after_reconnect_then_times_out() {
    // SEND rules: a retried publish carries the same client message ID; 30003 when no acknowledgement comes.
    let mut harness = Harness::connected("alice");
    let message = harness.core.create_text_message(ConversationType::Private, "bob", None, "hi").expect("valid");
    harness.core.send_message(harness.now, &message).expect("accepted");
    let first = harness.frames();
    harness.core.handle_transport_closed(harness.now);
    harness.advance(0);
    harness.open_and_ack("alice");
    let resent = harness.frames();
    assert_eq!(resent, first, "the same publish, byte for byte");
    harness.events();
    harness.advance(limits::PUBLISH_ACK_TIMEOUT_MS);
    let events = harness.events();
    let [Event::MessageSent { code, message }] = events.as_slice() else { panic!("{events:?}") };
    assert_eq!(*code, ErrorCode::MSG_RESPONSE_TIMEOUT);
    assert_eq!(message.sent_status, SentStatus::Failed);
}

#[test]
fn invalid_arguments_return_minus_101_and_store_nothing() {
    // CALL-12, MSG-20
    let mut harness = Harness::connected("alice");
    let param = ErrorCode::PARAM_ERROR;
    assert_eq!(harness.core.create_text_message(ConversationType::Invalid, "bob", None, "x").unwrap_err().code, param);
    assert_eq!(harness.core.create_text_message(ConversationType::Private, "", None, "x").unwrap_err().code, param);
    let long_channel = "c".repeat(limits::CHANNEL_ID_CHARS_MAX + 1);
    let ultra = harness.core.create_text_message(ConversationType::UltraGroup, "g", Some(&long_channel), "x");
    assert_eq!(ultra.unwrap_err().code, param);
    let mut message = harness.core.create_text_message(ConversationType::Private, "bob", None, "x").expect("valid");
    message.target_id = "b".repeat(limits::TARGET_ID_CHARS_MAX + 1);
    assert_eq!(harness.core.send_message(harness.now, &message).unwrap_err().code, param);
    assert!(harness.events().is_empty());
    assert!(harness.core.store().expect("open").all_messages().expect("readable").is_empty());
}

#[test]
fn an_offline_package_is_persisted_acknowledged_then_reported() {
    // RECV-3 to RECV-7, RECV-11, OFFLINE-5
    let mut harness = Harness::connected("alice");
    let messages = (1..=3).map(|seq| delivered(seq, &format!("U{seq}"), "bob", &format!("m{seq}"))).collect();
    harness.server_sends(Body::InboxPackage(proto::InboxPackage { messages, has_package: false }));
    assert_eq!(harness.frames(), [Body::InboxAck(proto::InboxAck { cursor: 3 })]);
    let mut events = harness.events();
    assert_eq!(events.pop(), Some(Event::OfflineMessageSyncCompleted), "the last package ends catch-up");
    let reported: Vec<(String, u32, bool, bool)> = events
        .into_iter()
        .map(|event| match event {
            Event::MessageReceived { message, left, offline, has_package } => {
                assert_eq!(message.direction, MessageDirection::Receive);
                assert!(message.message_id > 0, "stored before it is reported");
                (message.message_uid.unwrap_or_default(), left, offline, has_package)
            }
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(reported, [("U1".into(), 2, true, false), ("U2".into(), 1, true, false), ("U3".into(), 0, true, false)]);
    assert_eq!(harness.core.store().expect("open").inbox_cursor().expect("readable"), 3);
}

#[test]
fn an_empty_package_is_acknowledged_and_reports_nothing() {
    // RECV-8: no offline messages, no onMessageReceived.
    let mut harness = Harness::connected("alice");
    harness.server_sends(Body::InboxPackage(proto::InboxPackage { messages: vec![], has_package: false }));
    assert_eq!(harness.frames(), [Body::InboxAck(proto::InboxAck { cursor: 0 })]);
    assert_eq!(harness.events(), [Event::OfflineMessageSyncCompleted], "no message, only the end of catch-up");
}

#[test]
fn a_repeated_delivery_is_acknowledged_but_not_reported_twice() {
    // RECV-9, RECV-13
    let mut harness = Harness::connected("alice");
    let message = delivered(1, "U1", "bob", "hello");
    harness.server_sends(Body::InboxDelivery(proto::InboxDelivery { message: Some(message.clone()) }));
    let events = harness.events();
    let [Event::MessageReceived { left: 0, offline: false, has_package: false, message: received }] = events.as_slice()
    else {
        panic!("{events:?}")
    };
    assert_eq!(received.content, MessageContent::Text { text: "hello".into() });
    harness.server_sends(Body::InboxDelivery(proto::InboxDelivery { message: Some(message) }));
    assert_eq!(
        harness.frames(),
        [Body::InboxAck(proto::InboxAck { cursor: 1 }), Body::InboxAck(proto::InboxAck { cursor: 1 })]
    );
    assert!(harness.events().is_empty());
    assert_eq!(harness.core.store().expect("open").all_messages().expect("readable").len(), 1);
}

#[test]
fn garbage_from_the_server_drops_the_connection_not_the_session() {
    let mut harness = Harness::connected("alice");
    harness.core.handle_bytes(harness.now, &[0xff, 0xff, 0xff, 0xff, 0x01]);
    assert_eq!(harness.actions(), ["close"]);
    assert_eq!(status_changes(&harness.events()), [ConnectionStatus::Suspend, ConnectionStatus::Connecting]);
    // Bytes still arriving from the closed transport, or before the new one has opened, are not read.
    harness.server_sends(Body::InboxDelivery(proto::InboxDelivery { message: Some(delivered(1, "U1", "bob", "hi")) }));
    harness.advance(0);
    assert_eq!(harness.actions(), ["open"], "the session reconnects");
    harness.server_sends(Body::InboxDelivery(proto::InboxDelivery { message: Some(delivered(1, "U1", "bob", "hi")) }));
    assert!(harness.events().is_empty());
    assert!(harness.frames().is_empty(), "nothing acknowledged");
    assert!(harness.core.store().expect("open").all_messages().expect("readable").is_empty());
}

#[test]
fn bytes_read_after_a_kick_are_dropped() {
    // The driver may hand over bytes its reader had buffered after the session ended: they belong to nothing any
    // more, so they are neither stored, acknowledged nor reported, and leave nothing to wait for.
    let mut harness = Harness::connected("alice");
    harness.server_sends(Body::SessionClosed(proto::SessionClosed { code: 31010, reason: "kicked".into() }));
    assert_eq!(harness.actions(), ["close"]);
    harness.events();
    harness.server_sends(Body::InboxDelivery(proto::InboxDelivery { message: Some(delivered(1, "U1", "bob", "hi")) }));
    assert!(harness.events().is_empty());
    assert!(harness.frames().is_empty(), "nothing acknowledged");
    assert!(harness.core.store().expect("open").all_messages().expect("readable").is_empty());
    assert_eq!(harness.core.poll_timeout(), None, "nothing to wait for");
}

#[test]
fn a_kick_from_the_server_ends_the_session() {
    // KICK-12, RECONN-6
    let mut harness = Harness::connected("alice");
    harness.server_sends(Body::SessionClosed(proto::SessionClosed { code: 31010, reason: "kicked".into() }));
    assert_eq!(harness.actions(), ["close"]);
    assert_eq!(status_changes(&harness.events()), [ConnectionStatus::KickedOfflineByOtherClient]);
    assert_eq!(harness.core.poll_timeout(), None);
}

#[test]
fn only_automatic_attempts_are_marked_as_reconnects() {
    // RECONN-11, KICK-9, KICK-11: the first attempt of a `connect` call is an explicit login; later ones reconnect.
    let mut harness = Harness::new();
    harness.core.connect(harness.now, &token_for("alice"), 0).expect("accepted");
    assert_eq!(harness.actions(), ["open"]);
    let mut reconnect_flags = Vec::new();
    for _ in 0..3 {
        harness.core.handle_transport_opened(harness.now);
        let frames = harness.frames();
        let [Body::Connect(request)] = frames.as_slice() else { panic!("{frames:?}") };
        assert!(!request.kick_reconnect_device, "the engine option is carried as set");
        reconnect_flags.push(request.reconnect);
        harness.core.handle_transport_closed(harness.now);
        let deadline = harness.core.poll_timeout().expect("a retry is scheduled");
        harness.advance(deadline - harness.now.monotonic_ms);
        assert_eq!(harness.actions(), ["open"]);
    }
    assert_eq!(reconnect_flags, [false, true, true]);
}

#[test]
fn an_unanswered_heartbeat_ends_the_connection_and_an_answered_one_does_not() {
    // RECONN-2, RECONN-12, CONN-8
    let mut harness = Harness::connected("alice");
    let interval = limits::HEARTBEAT_INTERVAL_MS_DEFAULT;
    let timeout = limits::HEARTBEAT_TIMEOUT_MS_DEFAULT;
    harness.advance(interval - 1);
    assert!(harness.frames().is_empty(), "no ping before the interval");
    harness.advance(1);
    let frames = harness.frames();
    let [Body::Ping(ping)] = frames.as_slice() else { panic!("{frames:?}") };
    harness.server_sends(Body::Pong(proto::Pong { nonce: ping.nonce }));
    harness.advance(timeout);
    assert_eq!(harness.actions(), Vec::<&str>::new(), "an answered ping keeps the connection");

    harness.advance(interval - timeout);
    assert!(matches!(harness.frames().as_slice(), [Body::Ping(_)]));
    harness.advance(timeout - 1);
    assert_eq!(harness.actions(), Vec::<&str>::new());
    harness.advance(1);
    // The wedged connection is dropped and, d(1) being 0, the first reconnect attempt starts at once.
    assert_eq!(harness.actions(), ["close", "open"]);
    assert_eq!(status_changes(&harness.events()), [ConnectionStatus::Suspend, ConnectionStatus::Connecting]);
}

#[test]
fn any_frame_from_the_server_answers_a_heartbeat() {
    let mut harness = Harness::connected("alice");
    harness.advance(limits::HEARTBEAT_INTERVAL_MS_DEFAULT);
    assert!(matches!(harness.frames().as_slice(), [Body::Ping(_)]));
    harness.server_sends(Body::InboxDelivery(proto::InboxDelivery { message: Some(delivered(1, "U1", "bob", "x")) }));
    harness.advance(limits::HEARTBEAT_TIMEOUT_MS_DEFAULT);
    assert!(!harness.actions().contains(&"close"));
    assert_eq!(harness.core.connection_status(), ConnectionStatus::Connected);
}

#[test]
fn without_a_network_attempts_pause_and_resume_at_once_when_it_returns() {
    // RECONN-3, RECONN-9, CONN-8
    let mut harness = Harness::connected("alice");
    harness.core.handle_network_changed(harness.now, false);
    assert_eq!(harness.actions(), ["close"]);
    assert_eq!(status_changes(&harness.events()), [ConnectionStatus::NetworkUnavailable]);
    assert_eq!(harness.core.poll_timeout(), None, "no attempt, no heartbeat while the network is gone");
    harness.advance(600_000);
    assert_eq!(harness.actions(), Vec::<&str>::new());

    harness.core.handle_network_changed(harness.now, true);
    assert_eq!(status_changes(&harness.events()), [ConnectionStatus::Connecting]);
    harness.advance(0);
    assert_eq!(harness.actions(), ["open"]);
}

#[test]
fn connect_without_a_network_opens_the_database_and_waits() {
    // CONN-6, RECONN-3
    let mut harness = Harness::new();
    harness.core.handle_network_changed(harness.now, false);
    harness.core.connect(harness.now, &token_for("alice"), 0).expect("accepted");
    assert_eq!(harness.actions(), Vec::<&str>::new());
    assert_eq!(
        harness.events(),
        [
            Event::DatabaseOpened { code: ErrorCode::SUCCESS },
            Event::ConnectionStatusChanged { status: ConnectionStatus::NetworkUnavailable },
        ]
    );
    harness.core.handle_network_changed(harness.now, true);
    harness.advance(0);
    assert_eq!(harness.actions(), ["open"]);
    harness.open_and_ack("alice");
    assert!(harness.events().contains(&Event::Connected { code: ErrorCode::SUCCESS, user_id: Some("alice".into()) }));
}

#[test]
fn coming_to_the_foreground_restarts_the_schedule_and_background_changes_nothing() {
    // RECONN-5, RECONN-9, RECONN-13
    let mut harness = Harness::connected("alice");
    harness.core.handle_transport_closed(harness.now);
    // Fail the attempts at 0, 250, 500, 1000 and 2000 ms: the next one is due 4000 ms after the last failure.
    for _ in 0..5 {
        let deadline = harness.core.poll_timeout().expect("scheduled");
        harness.advance(deadline - harness.now.monotonic_ms);
        assert_eq!(harness.actions(), ["open"]);
        harness.core.handle_transport_closed(harness.now);
    }
    let failed_at = harness.now.monotonic_ms;
    assert_eq!(harness.core.poll_timeout(), Some(failed_at + 4_000));
    harness.core.handle_app_state(harness.now, false);
    assert_eq!(harness.core.poll_timeout(), Some(failed_at + 4_000), "background keeps the schedule");
    harness.advance(100);
    harness.core.handle_app_state(harness.now, true);
    assert_eq!(harness.core.poll_timeout(), Some(harness.now.monotonic_ms), "foreground: d(1) = 0, now");
    harness.advance(0);
    assert_eq!(harness.actions(), ["open"]);
    harness.core.handle_transport_closed(harness.now);
    assert_eq!(harness.core.poll_timeout(), Some(harness.now.monotonic_ms + 250), "then 250 ms, from the start");
}

#[test]
fn the_last_package_ends_catch_up_with_an_event() {
    // RECV-7: after the package whose hasPackage is false, and only then, catch-up is complete.
    let mut harness = Harness::connected("alice");
    let first = vec![delivered(1, "U1", "bob", "one")];
    harness.server_sends(Body::InboxPackage(proto::InboxPackage { messages: first, has_package: true }));
    assert!(!harness.events().contains(&Event::OfflineMessageSyncCompleted));
    let last = vec![delivered(2, "U2", "bob", "two")];
    harness.server_sends(Body::InboxPackage(proto::InboxPackage { messages: last, has_package: false }));
    let events = harness.events();
    assert!(
        matches!(
            events.as_slice(),
            [Event::MessageReceived { left: 0, has_package: false, .. }, Event::OfflineMessageSyncCompleted]
        ),
        "{events:?}"
    );
    // An empty final package (nothing to catch up) ends catch-up too.
    harness.server_sends(Body::InboxPackage(proto::InboxPackage { messages: vec![], has_package: false }));
    assert_eq!(harness.events(), [Event::OfflineMessageSyncCompleted]);
}

#[test]
fn content_too_large_for_a_frame_fails_locally_with_30016() {
    // SEND-19: the server refuses content over 128 KB with 30016; content that would not even fit in a frame is
    // refused by the engine itself with the same code, and nothing goes on the wire.
    let mut harness = Harness::connected("alice");
    let huge = "x".repeat(limits::FRAME_SIZE_BYTES_MAX as usize + 1);
    let message = harness.core.create_text_message(ConversationType::Private, "bob", None, &huge).expect("valid");
    harness.core.send_message(harness.now, &message).expect("accepted; the failure is an event");
    assert!(harness.frames().is_empty());
    let events = harness.events();
    let [Event::MessageAttached { .. }, Event::MessageSent { code, message }] = events.as_slice() else {
        panic!("{events:?}")
    };
    assert_eq!(*code, ErrorCode::MSG_SIZE_OUT_OF_LIMIT);
    assert_eq!(message.sent_status, SentStatus::Failed);
}

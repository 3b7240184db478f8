//! The server core driven by frames only, no I/O. This file holds the harness; `connect` covers connecting,
//! `catch_up` covers inboxes and delivery, `publish` covers sending, `multi` covers platform classes and kicking,
//! `lifetimes` covers bans, token lifetimes and idle connections, `blacklist` covers blacklists and Server-API
//! sends, `groups` covers groups, `sync` covers multi-device sync, compensation and status messages, `chatroom`
//! covers chatroom membership, eviction and destruction, `chatroom_messages` chatroom history and load shedding,
//! `chatroom_kv` chatroom attributes, `chatroom_moderation` chatroom bans, mutes, queries and broadcasts,
//! `chatroom_callbacks` the callbacks to the app server.

mod blacklist;
mod catch_up;
mod chatroom;
mod chatroom_callbacks;
mod chatroom_kv;
mod chatroom_messages;
mod chatroom_moderation;
mod connect;
mod expansion;
mod files;
mod groups;
mod history;
mod lifetimes;
mod multi;
mod publish;
mod sync;
mod ultra_groups;
mod users;

use std::collections::BTreeMap;

use imsim_engine::proto::{self, frame::Body};
use imsim_engine::{ErrorCode, Platform};

use super::*;

const APP: &str = "app-key";
const SECRET: &str = "app-secret";
/// 2023-11-14T22:13:20Z.
const T0: i64 = 1_700_000_000_000;

struct Harness {
    server: Server,
    now: i64,
    next_conn: u64,
    tokens: BTreeMap<String, String>,
}

impl Harness {
    fn new() -> Harness {
        Harness::with_config(ServerConfig::default())
    }

    fn with_config(config: ServerConfig) -> Harness {
        let mut server = Server::new(config);
        server.create_app(APP, SECRET);
        Harness { server, now: T0, next_conn: 1, tokens: BTreeMap::new() }
    }

    /// Changes the app's switches.
    fn configure(&mut self, change: impl FnOnce(&mut AppConfig)) {
        let mut config = self.server.app_config(APP).expect("the app exists").clone();
        change(&mut config);
        self.server.set_app_config(APP, config).expect("a valid config");
    }

    fn advance(&mut self, ms: i64) {
        self.now += ms;
    }

    /// A token for `user`, registering the user on first use.
    fn token(&mut self, user: &str) -> String {
        if let Some(token) = self.tokens.get(user) {
            return token.clone();
        }
        let token = self.server.register_user(APP, user, self.now).expect("registering a valid user");
        self.tokens.insert(user.to_owned(), token.clone());
        token
    }

    fn open(&mut self) -> ConnId {
        let conn = ConnId(self.next_conn);
        self.next_conn += 1;
        self.server.handle_connection_opened(conn, self.now);
        conn
    }

    fn send(&mut self, conn: ConnId, body: Body) {
        self.server.handle_frame(conn, proto::Frame { body: Some(body) }, self.now);
    }

    /// Everything the server wants done, drained.
    fn outputs(&mut self) -> Vec<ServerOutput> {
        std::iter::from_fn(|| self.server.poll_output()).collect()
    }

    /// Opens a connection and sends a `ConnectRequest` with `token`, returning the connection and the outputs.
    fn connect_with(&mut self, token: &str, device: &str, cursor: u64) -> (ConnId, Vec<ServerOutput>) {
        let conn = self.open();
        self.send(conn, connect_request(token, device, cursor));
        (conn, self.outputs())
    }

    /// Connects `user` from `device`, asserts `ConnectAck` 0, and returns the connection and the outputs after it.
    fn connect(&mut self, user: &str, device: &str, cursor: u64) -> (ConnId, Vec<ServerOutput>) {
        let token = self.token(user);
        let (conn, mut outputs) = self.connect_with(&token, device, cursor);
        let ack = proto::ConnectAck { code: 0, user_id: user.to_owned(), server_time: self.now };
        assert_eq!(outputs.remove(0), sent(conn, Body::ConnectAck(ack)));
        (conn, outputs)
    }

    /// Connects `user` with nothing to catch up, so the session is live at once.
    fn connect_live(&mut self, user: &str, device: &str) -> ConnId {
        let (conn, outputs) = self.connect(user, device, 0);
        assert_eq!(outputs, vec![sent(conn, Body::InboxPackage(proto::InboxPackage::default()))]);
        conn
    }

    fn publish(&mut self, conn: ConnId, id: &str, to: &str, text: &str) -> Vec<ServerOutput> {
        self.send(conn, publish_body(id, to, text));
        self.outputs()
    }

    /// Sends `publish` on `conn` and returns the outputs.
    fn publish_with(&mut self, conn: ConnId, publish: proto::Publish) -> Vec<ServerOutput> {
        self.send(conn, Body::Publish(publish));
        self.outputs()
    }

    /// Has `sender` (connected on `conn`) send `count` messages to an offline `to`, 250 ms apart (under the rate
    /// limit), asserting each is accepted. Returns their UIDs.
    fn fill(&mut self, conn: ConnId, to: &str, count: usize) -> Vec<String> {
        (0..count)
            .map(|i| {
                self.advance(250);
                let outputs = self.publish(conn, &format!("fill-{to}-{i}-{}", self.now), to, &format!("m{i}"));
                let [ServerOutput::Send { frame, .. }] = outputs.as_slice() else {
                    panic!("expected only the PublishAck, got {outputs:?}");
                };
                let ack = publish_ack(frame);
                assert_eq!(ack.code, 0);
                ack.message_uid.clone()
            })
            .collect()
    }
}

/// The platform class the harness gives a device by its name: `laptop…` is a desktop, `web…` a Web page, `mini…` a
/// mini program, and anything else a mobile device.
fn platform_of(device: &str) -> Platform {
    if device.starts_with("laptop") {
        Platform::Desktop
    } else if device.starts_with("web") {
        Platform::Web
    } else if device.starts_with("mini") {
        Platform::MiniProgram
    } else {
        Platform::Mobile
    }
}

/// A first (not reconnecting) `ConnectRequest` from `device`, whose platform is [`platform_of`] its name.
fn connect_request(token: &str, device: &str, cursor: u64) -> Body {
    Body::Connect(proto::ConnectRequest {
        token: token.to_owned(),
        app_key: APP.to_owned(),
        platform: platform_of(device).ordinal() as i32,
        device_id: device.to_owned(),
        inbox_cursor: cursor,
        reconnect: false,
        kick_reconnect_device: false,
    })
}

fn publish_body(id: &str, to: &str, text: &str) -> Body {
    Body::Publish(proto::Publish {
        client_message_id: id.to_owned(),
        conversation_type: 1,
        target_id: to.to_owned(),
        channel_id: String::new(),
        content: Some(text_content(text)),
        ..Default::default()
    })
}

/// A group text message.
fn group_publish(id: &str, group: &str, text: &str) -> proto::Publish {
    proto::Publish {
        client_message_id: id.to_owned(),
        conversation_type: 2,
        target_id: group.to_owned(),
        content: Some(text_content(text)),
        ..Default::default()
    }
}

/// A private text message.
fn private_publish(id: &str, to: &str, text: &str) -> proto::Publish {
    let Body::Publish(publish) = publish_body(id, to, text) else { unreachable!() };
    publish
}

/// The `InboxDelivery` of `message` to `conn`.
fn delivered(conn: ConnId, message: proto::DeliveredMessage) -> ServerOutput {
    sent(conn, Body::InboxDelivery(proto::InboxDelivery { message: Some(message) }))
}

/// The first output, which must be a `PublishAck` for `conn`, and the rest.
fn split_ack(conn: ConnId, outputs: &[ServerOutput]) -> (proto::PublishAck, &[ServerOutput]) {
    match outputs {
        [ServerOutput::Send { conn: to, frame }, rest @ ..] if *to == conn => (publish_ack(frame).clone(), rest),
        other => panic!("expected a PublishAck for {conn:?} first, got {other:?}"),
    }
}

/// The refusal `PublishAck` with `code` for client message `id`, alone, for `conn`.
fn refused_publish(conn: ConnId, id: &str, code: ErrorCode) -> Vec<ServerOutput> {
    let ack =
        proto::PublishAck { client_message_id: id.to_owned(), code: code.to_wire(), ..proto::PublishAck::default() };
    vec![sent(conn, Body::PublishAck(ack))]
}

/// The text of a delivered message.
fn text_of(message: &proto::DeliveredMessage) -> String {
    let content = message.content.as_ref().expect("a message has content");
    match imsim_engine::content::decode_content(content) {
        imsim_engine::MessageContent::Text { text } => text,
        other => panic!("expected a text message, got {other:?}"),
    }
}

fn texts(messages: &[proto::DeliveredMessage]) -> Vec<String> {
    messages.iter().map(text_of).collect()
}

fn text_content(text: &str) -> proto::MessageContent {
    imsim_engine::content::encode_content(&imsim_engine::MessageContent::Text { text: text.to_owned() })
}

fn sent(conn: ConnId, body: Body) -> ServerOutput {
    ServerOutput::Send { conn, frame: proto::Frame { body: Some(body) } }
}

fn closed_with(conn: ConnId, code: ErrorCode) -> Vec<ServerOutput> {
    vec![session_closed(conn, code), ServerOutput::Close { conn }]
}

/// `SessionClosed` with `code`, whatever the reason text says.
fn session_closed(conn: ConnId, code: ErrorCode) -> ServerOutput {
    sent(conn, Body::SessionClosed(proto::SessionClosed { code: code.to_wire(), reason: String::new() }))
}

/// The outputs with every `SessionClosed` reason blanked, for comparing with `closed_with`.
fn without_reasons(outputs: Vec<ServerOutput>) -> Vec<ServerOutput> {
    outputs
        .into_iter()
        .map(|mut output| {
            if let ServerOutput::Send { frame: proto::Frame { body: Some(Body::SessionClosed(closed)) }, .. } =
                &mut output
            {
                assert!(!closed.reason.is_empty(), "a SessionClosed must say why");
                closed.reason.clear();
            }
            output
        })
        .collect()
}

fn refused_token(conn: ConnId, now: i64) -> Vec<ServerOutput> {
    refused_connect(conn, ErrorCode::CONN_TOKEN_INCORRECT, now)
}

/// `ConnectAck` with the refusal `code`, then the close.
fn refused_connect(conn: ConnId, code: ErrorCode, now: i64) -> Vec<ServerOutput> {
    let ack = proto::ConnectAck { code: code.to_wire(), user_id: String::new(), server_time: now };
    vec![sent(conn, Body::ConnectAck(ack)), ServerOutput::Close { conn }]
}

/// `ConnectAck` 0 for `user`, then the empty final package of a user with nothing to catch up.
fn accepted(conn: ConnId, user: &str, now: i64) -> Vec<ServerOutput> {
    let ack = proto::ConnectAck { code: 0, user_id: user.to_owned(), server_time: now };
    vec![sent(conn, Body::ConnectAck(ack)), sent(conn, Body::InboxPackage(proto::InboxPackage::default()))]
}

fn publish_ack(frame: &proto::Frame) -> &proto::PublishAck {
    match &frame.body {
        Some(Body::PublishAck(ack)) => ack,
        other => panic!("expected a PublishAck, got {other:?}"),
    }
}

/// The single `InboxPackage` in `outputs`, for `conn`.
fn package(conn: ConnId, outputs: &[ServerOutput]) -> proto::InboxPackage {
    match outputs {
        [ServerOutput::Send { conn: to, frame: proto::Frame { body: Some(Body::InboxPackage(package)) } }]
            if *to == conn =>
        {
            package.clone()
        }
        other => panic!("expected one InboxPackage for {conn:?}, got {other:?}"),
    }
}

/// The messages of the `InboxDelivery` frames in `outputs`, which must all be for `conn`.
fn deliveries(conn: ConnId, outputs: &[ServerOutput]) -> Vec<proto::DeliveredMessage> {
    outputs
        .iter()
        .map(|output| match output {
            ServerOutput::Send { conn: to, frame: proto::Frame { body: Some(Body::InboxDelivery(delivery)) } }
                if *to == conn =>
            {
                delivery.message.clone().expect("a delivery carries a message")
            }
            other => panic!("expected an InboxDelivery for {conn:?}, got {other:?}"),
        })
        .collect()
}

fn seqs(messages: &[proto::DeliveredMessage]) -> Vec<u64> {
    messages.iter().map(|message| message.seq).collect()
}

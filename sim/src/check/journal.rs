//! The server's wire, as the checkers read it: every frame that crossed the server's side of a connection, in the
//! order it crossed, reduced to what a checker judges (who a connection is, what was published and accepted, what
//! was delivered, acknowledged, joined, left, refused, closed).
//!
//! Why the wire and not the server's own state: a checker must not trust the code it checks. The server's tables
//! say who is a member or what was accepted; a bug in them would agree with itself. The frames are what the
//! devices actually saw, so a delivery after a leave or a sixth send in a second is visible here whatever the
//! server believed. The server host records into the journal as it reads and writes frames (`server_host.rs`);
//! nothing else writes to it.

use std::time::Duration;

use imsim_engine::content::{decode_flagged_content, recall_command};
use imsim_engine::proto::{self, frame::Body, request, response};
use imsim_engine::{ConversationType, Platform};

use crate::net::SIM_EPOCH_UNIX_MS;
use crate::server::ConnId;

/// One frame, or the end of a connection, at the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// When, as time since the simulation started (the clock of the device logs).
    pub at: Duration,
    /// The connection, as the server's host numbered it.
    pub conn: ConnId,
    /// What crossed.
    pub wire: Wire,
}

/// How a message reached a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// In an offline catch-up package (`InboxPackage`).
    Package,
    /// Pushed live from the inbox (`InboxDelivery`).
    Live,
    /// A chatroom message pushed to a member (`ChatroomDelivery`).
    Chatroom,
    /// An ultra group message pushed to a member's device online at the time (`UltraGroupDelivery`, UG-36).
    UltraGroup,
    /// The latest messages a chatroom join fetched (`ChatroomJoined`, CR-38).
    JoinFetch,
    /// A page of chatroom history (`ChatroomHistory`).
    History,
    /// A page of the user's cloud history of a private, group or system conversation (`History`, HIST-1).
    CloudHistory,
}

/// A delivered message, as much of it as the checkers judge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivered {
    /// Its sequence number in the recipient's inbox; 0 outside the inbox (chatroom and status messages).
    pub seq: u64,
    /// Its UID (MSG-6).
    pub uid: String,
    /// Its conversation type's ordinal.
    pub conversation_type: u32,
    /// The conversation, as the recipient sees it.
    pub target_id: String,
    /// Its sender.
    pub sender_user_id: String,
    /// The server's `sentTime`.
    pub sent_time: i64,
    /// A status message, never stored (SYNC-3).
    pub status_message: bool,
    /// Whether its type is kept in the local database (MTYPE-2): a type that is not is reported but not stored.
    pub stored_type: bool,
    /// For a recall signal (RC:RcCmd), the UID of the message it recalls.
    pub recalls: Option<String>,
}

impl Delivered {
    fn from_wire(message: &proto::DeliveredMessage) -> Delivered {
        Delivered {
            seq: message.seq,
            uid: message.message_uid.clone(),
            conversation_type: message.conversation_type,
            target_id: message.target_id.clone(),
            sender_user_id: message.sender_user_id.clone(),
            sent_time: message.sent_time,
            status_message: message.status_message,
            // MTYPE-9: an unknown type is stored as the flags it travelled with say.
            stored_type: decode_flagged_content(
                &message.content.clone().unwrap_or_default(),
                message.not_stored,
                message.not_counted,
            )
            .policy()
            .stored,
            recalls: message.content.as_ref().and_then(recall_command).map(|command| command.message_uid),
        }
    }

    /// Whether it came from the recipient's inbox (a private, group or system message), which is delivered in
    /// order, exactly once, and acknowledged.
    pub fn from_inbox(&self) -> bool {
        self.seq > 0
    }

    /// Whether it is a chatroom message.
    pub fn is_chatroom(&self) -> bool {
        self.conversation_type == ConversationType::Chatroom.ordinal()
    }
}

/// What a chatroom request asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RoomRequest {
    /// `ChatroomJoin` of this room.
    Join(String),
    /// `ChatroomLeave` of this room.
    Leave(String),
}

/// What one frame (or the end of a connection) was, for the checkers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Wire {
    /// Client: `ConnectRequest`.
    Connect {
        /// The App Key it connects to.
        app_key: String,
        /// The installation (the simulator's device name).
        device_id: String,
        /// The platform class it claims.
        platform: Option<Platform>,
    },
    /// Client: `Publish`.
    Publish {
        /// Its idempotency key.
        client_message_id: String,
        /// The conversation type's ordinal.
        conversation_type: u32,
        /// The conversation.
        target_id: String,
        /// The size of the content as SEND-19 measures it: object name plus encoded payload.
        content_bytes: usize,
        /// A status message (not counted by the rate limit, never stored).
        status_message: bool,
        /// Whether its type is one that is stored (MTYPE-2 to MTYPE-9): only those must end up on a device.
        stored_type: bool,
    },
    /// Client: `InboxAck`, everything up to `cursor` stored.
    InboxAck {
        /// The highest inbox sequence number the device has committed.
        cursor: u64,
    },
    /// Client: a chatroom join or leave request.
    RoomRequest {
        /// The request's number, which its response repeats.
        request_id: u64,
        /// What it asks.
        request: RoomRequest,
    },
    /// Server: `ConnectAck` 0, the session is open for this user.
    Connected {
        /// The session's user.
        user_id: String,
    },
    /// Server: `PublishAck`.
    PublishAck {
        /// The publish it answers.
        client_message_id: String,
        /// 0, or the refusal's code.
        code: u32,
        /// The new message's UID when accepted.
        uid: String,
    },
    /// Server: a message delivered to the connection.
    Delivered {
        /// The frame it came in.
        via: Via,
        /// The message.
        message: Delivered,
    },
    /// Server: a `Response` (only those the checkers judge: to chatroom requests, or naming rooms left).
    Response {
        /// The request it answers.
        request_id: u64,
        /// 0, or the error's code.
        code: u32,
        /// Rooms the join left on the way (CR-8: one room at a time).
        left_room_ids: Vec<String>,
    },
    /// Server: the member is out of a room: it was destroyed, or the member was kicked or banned.
    RoomGone {
        /// The room.
        room_id: String,
    },
    /// Server: `SessionClosed` with this code (a kick, a protocol error, a logout's end).
    SessionClosed {
        /// Why.
        code: u32,
    },
    /// The connection ended, closed by either side.
    Closed,
}

/// Every entry of one run, in order.
#[derive(Clone, Debug, Default)]
pub struct Journal {
    entries: Vec<Entry>,
}

impl Journal {
    /// The entries, in the order the server saw them.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Records a frame the server read from `conn` at `now_ms` (the simulation's Unix milliseconds).
    pub fn inbound(&mut self, conn: ConnId, frame: &proto::Frame, now_ms: i64) {
        let wire = match &frame.body {
            Some(Body::Connect(request)) => Wire::Connect {
                app_key: request.app_key.clone(),
                device_id: request.device_id.clone(),
                platform: u32::try_from(request.platform).ok().and_then(Platform::from_ordinal),
            },
            Some(Body::Publish(publish)) => Wire::Publish {
                client_message_id: publish.client_message_id.clone(),
                conversation_type: publish.conversation_type,
                target_id: publish.target_id.clone(),
                content_bytes: publish
                    .content
                    .as_ref()
                    .map_or(0, |content| content.object_name.len() + content.payload.len()),
                status_message: publish.status_message,
                stored_type: decode_flagged_content(
                    &publish.content.clone().unwrap_or_default(),
                    publish.not_stored,
                    publish.not_counted,
                )
                .policy()
                .stored,
            },
            Some(Body::InboxAck(ack)) => Wire::InboxAck { cursor: ack.cursor },
            Some(Body::Request(proto::Request { request_id, body: Some(body) })) => {
                let request = match body {
                    request::Body::ChatroomJoin(join) => RoomRequest::Join(join.room_id.clone()),
                    request::Body::ChatroomLeave(leave) => RoomRequest::Leave(leave.room_id.clone()),
                    _ => return,
                };
                Wire::RoomRequest { request_id: *request_id, request }
            }
            _ => return,
        };
        self.push(conn, now_ms, wire);
    }

    /// Records a frame the server wrote to `conn` at `now_ms`.
    pub fn outbound(&mut self, conn: ConnId, frame: &proto::Frame, now_ms: i64) {
        let delivered =
            |via, message: &proto::DeliveredMessage| Wire::Delivered { via, message: Delivered::from_wire(message) };
        match &frame.body {
            Some(Body::ConnectAck(ack)) if ack.code == 0 => {
                self.push(conn, now_ms, Wire::Connected { user_id: ack.user_id.clone() });
            }
            Some(Body::PublishAck(ack)) => {
                let wire = Wire::PublishAck {
                    client_message_id: ack.client_message_id.clone(),
                    code: ack.code,
                    uid: ack.message_uid.clone(),
                };
                self.push(conn, now_ms, wire);
            }
            Some(Body::InboxPackage(package)) => {
                for message in &package.messages {
                    self.push(conn, now_ms, delivered(Via::Package, message));
                }
            }
            Some(Body::InboxDelivery(proto::InboxDelivery { message: Some(message) })) => {
                self.push(conn, now_ms, delivered(Via::Live, message));
            }
            Some(Body::ChatroomDelivery(proto::ChatroomDelivery { message: Some(message) })) => {
                self.push(conn, now_ms, delivered(Via::Chatroom, message));
            }
            Some(Body::UltraGroupDelivery(proto::UltraGroupDelivery { message: Some(message) })) => {
                self.push(conn, now_ms, delivered(Via::UltraGroup, message));
            }
            Some(Body::Response(response)) => {
                let left_room_ids = match &response.body {
                    Some(response::Body::ChatroomJoined(joined)) => {
                        for message in &joined.messages {
                            self.push(conn, now_ms, delivered(Via::JoinFetch, message));
                        }
                        joined.left_room_ids.clone()
                    }
                    Some(response::Body::ChatroomHistory(history)) => {
                        for message in &history.messages {
                            self.push(conn, now_ms, delivered(Via::History, message));
                        }
                        Vec::new()
                    }
                    Some(response::Body::History(history)) => {
                        for message in &history.messages {
                            self.push(conn, now_ms, delivered(Via::CloudHistory, message));
                        }
                        Vec::new()
                    }
                    _ => Vec::new(),
                };
                let wire = Wire::Response { request_id: response.request_id, code: response.code, left_room_ids };
                self.push(conn, now_ms, wire);
            }
            Some(Body::ChatroomNotice(notice)) => {
                use proto::chatroom_notice::Body as Notice;
                if matches!(notice.body, Some(Notice::Destroyed(_) | Notice::Kicked(_))) {
                    self.push(conn, now_ms, Wire::RoomGone { room_id: notice.room_id.clone() });
                }
            }
            Some(Body::SessionClosed(closed)) => {
                self.push(conn, now_ms, Wire::SessionClosed { code: closed.code });
            }
            _ => {}
        }
    }

    /// Records that `conn` ended at `now_ms`, closed by the server or by its peer. Recording it twice is harmless:
    /// the checkers read the first.
    pub fn closed(&mut self, conn: ConnId, now_ms: i64) {
        self.push(conn, now_ms, Wire::Closed);
    }

    fn push(&mut self, conn: ConnId, now_ms: i64, wire: Wire) {
        let since_start = u64::try_from(now_ms).unwrap_or(0).saturating_sub(SIM_EPOCH_UNIX_MS);
        self.entries.push(Entry { at: Duration::from_millis(since_start), conn, wire });
    }
}

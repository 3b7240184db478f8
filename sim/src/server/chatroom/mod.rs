//! Chatrooms (CR, CRKV, BIZ-13, BIZ-21, BIZ-24), as agreed in the chatroom design (issue 5).
//!
//! A chatroom lives in the server only: there is no inbox, nothing is delivered late (CR-22, BIZ-16), and what a
//! member gets is what happens while one of their connections has joined the room. Each App Key has its own rooms
//! (created by the Server API or by a join with `auto_create`, CR-2, CR-39), an app-wide message whitelist (CR-28)
//! and list of low-priority object names (CR-27).
//!
//! # Members
//!
//! Membership is per **user**, and the connections that joined are kept per member: a member is **online** while at
//! least one of them is open, **offline** otherwise. A closed connection (every path goes through `Server::forget`)
//! only makes its user offline, with the time and a message counter (CR-42): it does not end the membership, so a
//! rejoin before eviction resumes it (`resumed`) and keeps the user's KV entries (CRKV-19). A membership ends by a
//! leave, an eviction (CR-16), a ban (CR-30) or the single-room rule (CR-9, CR-40); each end is "the user left": a
//! member `leave` action (CR-24, with `chatroom_member_events`) and the deleteWhenLeft cleanup (CRKV-6, CRKV-19).
//! Destruction ends every membership silently: the room and everything in it vanish (CR-8). See `membership`.
//!
//! # Messages
//!
//! A chatroom `Publish` goes through the usual checks of the `publish` module, then needs the room to exist with the
//! sender as a member (23406) who is not muted (23408, CR-31 to CR-33). It is acknowledged, then either discarded by
//! load shedding (BIZ-13, CR-27 to CR-29) or delivered: kept in the room's history (CR-25), counted for eviction, and
//! pushed as `ChatroomDelivery` to every joined connection but the sender's. A discarded message is acknowledged all
//! the same and leaves no trace. See `messages`, which also answers history queries (CR-45) and the join fetch (CR-12).
//!
//! # Moderation
//!
//! `moderation` holds the App Server API's bans (CR-15, CR-30: the member is removed, their connections get
//! `ChatroomNotice{kicked{23409}}`, and joins answer 23409 until the ban ends), member mutes, mute all with its
//! whitelist and the app's global mute (CR-31 to CR-33: a send answers 23408, after the membership check), the room
//! and member queries (CR-34) and broadcasts into every room of the app (CR-35).
//!
//! # KV and destruction
//!
//! `kv` holds the chatroom attributes (CRKV) with their owners and the per-room operation rate. `destruction`
//! destroys a room once it has been inactive (no creation, join, leave or accepted message) for the app's
//! `chatroom_destroy_after_ms` (CR-4, BIZ-21) unless it is on the keep-alive list (CR-7), or at once by the Server
//! API; its deadline is part of `Server::poll_timeout`.
//!
//! # Callbacks to the app server
//!
//! `callbacks` keeps, per App Key, what the server would call the app's own server with (BIZ-24): room creations,
//! destructions, membership beginnings and ends with `chatroom_status_callback` (CR-36), and every KV change with
//! `chatroom_kv_callback` (CRKV-15), drained by [`Server::take_app_server_callbacks`] and bounded by
//! [`APP_SERVER_CALLBACKS_MAX`].
//!
//! # Requests and codes
//!
//! Every chatroom `Request` gets one `Response`, sent before the notices the request causes for other connections (as a
//! `PublishAck` precedes its deliveries). A room ID must have 1 to `TARGET_ID_CHARS_MAX` characters, else 90001
//! (`PROTOCOL_MALFORMED_FRAME`): the engine refuses such IDs locally with -101, so only a broken client gets there, as
//! with blacklist requests. The other codes are the design's: 23410 (join, missing room without `auto_create`), 23409
//! (join while banned, CR-30), 23406 (not a member), 23412 (a bad argument: history count or order, KV key or value, an
//! empty KV batch), 23414 (history switch off), 23423 to 23429 (KV). A refused request changes nothing.

mod callbacks;
mod deadlines;
mod destruction;
mod invariants;
mod kv;
mod membership;
mod messages;
mod moderation;

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use imsim_engine::ErrorCode;
use imsim_engine::limits::TARGET_ID_CHARS_MAX;
use imsim_engine::proto::{self, frame::Body, request, response};

use super::tokens::{ApiError, app_mut, check_user_id};
use super::{App, ConnId, Server};
pub(in crate::server) use callbacks::CallbackLog;
use callbacks::Reports;
use deadlines::DeadlineIndex;

pub use callbacks::{APP_SERVER_CALLBACKS_MAX, AppServerCallback};
pub use kv::CHATROOM_KV_RATE_WINDOW_MS;
pub use membership::{CHATROOM_EVICTION_MESSAGES, CHATROOM_EVICTION_OFFLINE_MS, CHATROOM_REALTIME_EVICTION_MS};
pub use messages::{CHATROOM_HISTORY_RETENTION_MS, CHATROOM_SHEDDING_WINDOW_MS};
pub(super) use messages::{publish, send_refusal};
pub use moderation::{
    CHATROOM_BROADCAST_CONTENT_BYTES_MAX, CHATROOM_MEMBER_QUERY_MAX, ChatroomBroadcast, ChatroomInfo,
};

/// One App Key's chatrooms and chatroom lists.
#[derive(Debug, Default)]
pub(super) struct Chatrooms {
    rooms: BTreeMap<String, Room>,
    /// The rooms each user is a member of (the index behind the single-room rule and connection closes).
    memberships: BTreeMap<String, BTreeSet<String>>,
    /// CR-28: object names never discarded by load shedding, in every room of the app.
    message_whitelist: BTreeSet<String>,
    /// CR-27: object names discarded first under load.
    low_priority: BTreeSet<String>,
    /// How many rooms were ever created in the app: numbers each room's session (CR-6).
    sessions_created: u64,
    /// CR-33: users who may send in no room of the app, with when the mute ends (`None`: until unmuted).
    global_mutes: BTreeMap<String, Option<i64>>,
    /// CR-36, CRKV-15: the callbacks to the app server not drained yet, and the push notifications (the `push`
    /// module).
    pub(in crate::server) callbacks: CallbackLog,
    /// CR-4, CR-18: the rooms in the order of their deadlines (see `deadlines`).
    deadlines: DeadlineIndex,
}

/// One chatroom.
#[derive(Debug)]
struct Room {
    /// CR-6: new each time a room with this ID is created.
    session_id: u64,
    /// CR-34: when the room was created.
    created_at_ms: i64,
    members: BTreeMap<String, Member>,
    /// CR-19, CR-29: users never evicted, whose messages are never discarded.
    user_whitelist: BTreeSet<String>,
    /// CR-7: never destroyed automatically.
    keep_alive: bool,
    /// CR-4: the last creation, join, leave (any membership end but destruction) or accepted message.
    last_activity_ms: i64,
    /// CR-25: every delivered message, oldest first, within `CHATROOM_HISTORY_RETENTION_MS`.
    history: VecDeque<proto::DeliveredMessage>,
    /// CRKV: the attributes by key.
    entries: BTreeMap<String, Entry>,
    /// BIZ-13: when each message delivered in the last `CHATROOM_SHEDDING_WINDOW_MS` was delivered, oldest first.
    delivered: VecDeque<i64>,
    /// CRKV-4: (when, how many entries) of each KV request processed in the last `CHATROOM_KV_RATE_WINDOW_MS`.
    kv_operations: VecDeque<(i64, usize)>,
    /// CR-30: banned users (members or not) with when the ban ends.
    bans: BTreeMap<String, i64>,
    /// CR-31: users muted in this room, with when the mute ends (`None`: until unmuted).
    mutes: BTreeMap<String, Option<i64>>,
    /// CR-32: nobody may send but `mute_all_whitelist`.
    mute_all: bool,
    mute_all_whitelist: BTreeSet<String>,
}

/// One member of a room.
#[derive(Debug, Default)]
struct Member {
    /// The open connections of the user that joined the room; empty while the member is offline.
    conns: BTreeSet<ConnId>,
    /// CR-42: when the member last went offline (meaningful while `conns` is empty).
    offline_since_ms: i64,
    /// CR-16 (a): delivered messages since the member went offline.
    missed: u32,
    /// CR-34: when the membership began (a resumed rejoin keeps it).
    joined_at_ms: i64,
}

impl Member {
    fn is_online(&self) -> bool {
        !self.conns.is_empty()
    }
}

/// One KV entry (CRKV-17: the owner is the user who last set it).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    value: String,
    owner: String,
    delete_when_left: bool,
}

/// Frames for other connections that a chatroom change produced, in order.
pub(super) type Notices = Vec<(ConnId, Body)>;

impl Room {
    fn new(session_id: u64, now_ms: i64) -> Room {
        Room {
            session_id,
            created_at_ms: now_ms,
            members: BTreeMap::new(),
            user_whitelist: BTreeSet::new(),
            keep_alive: false,
            last_activity_ms: now_ms,
            history: VecDeque::new(),
            entries: BTreeMap::new(),
            delivered: VecDeque::new(),
            kv_operations: VecDeque::new(),
            bans: BTreeMap::new(),
            mutes: BTreeMap::new(),
            mute_all: false,
            mute_all_whitelist: BTreeSet::new(),
        }
    }

    /// Every connection that joined the room, in connection order.
    fn joined_conns(&self) -> BTreeSet<ConnId> {
        self.members.values().flat_map(|member| member.conns.iter().copied()).collect()
    }

    /// Queues `body` as a `ChatroomNotice` of `room_id` for every joined connection but those in `except`.
    fn notify(&self, room_id: &str, body: proto::chatroom_notice::Body, except: &[ConnId], notices: &mut Notices) {
        for conn in self.joined_conns() {
            if !except.contains(&conn) {
                let notice = proto::ChatroomNotice { room_id: room_id.to_owned(), body: Some(body.clone()) };
                notices.push((conn, Body::ChatroomNotice(notice)));
            }
        }
    }
}

impl Chatrooms {
    /// Creates `room_id` (which must not exist) with a new session (CR-6), with its CR-36 callback.
    fn create(&mut self, room_id: &str, reports: Reports, now_ms: i64) {
        imsim_engine::mark!("CR-2");
        self.sessions_created += 1;
        self.rooms.insert(room_id.to_owned(), Room::new(self.sessions_created, now_ms));
        self.refresh_deadlines(room_id);
        let created = AppServerCallback::ChatroomCreated { room_id: room_id.to_owned(), at_ms: now_ms };
        self.callbacks.status(reports, created);
    }

    fn is_member(&self, room_id: &str, user_id: &str) -> bool {
        self.rooms.get(room_id).is_some_and(|room| room.members.contains_key(user_id))
    }
}

/// A room ID must have 1 to `TARGET_ID_CHARS_MAX` characters.
fn valid_room_id(room_id: &str) -> bool {
    (1..=TARGET_ID_CHARS_MAX).contains(&room_id.chars().count())
}

fn check_room_id(room_id: &str) -> Result<(), ApiError> {
    if valid_room_id(room_id) { Ok(()) } else { Err(ApiError::InvalidChatroomId { room_id: room_id.to_owned() }) }
}

fn room_mut<'a>(app: &'a mut App, room_id: &str) -> Result<&'a mut Room, ApiError> {
    app.chatrooms.rooms.get_mut(room_id).ok_or_else(|| ApiError::UnknownChatroom { room_id: room_id.to_owned() })
}

/// A chatroom `Request` body.
pub(super) enum ChatroomRequest {
    Join(proto::ChatroomJoin),
    Leave(proto::ChatroomLeave),
    History(proto::ChatroomHistoryQuery),
    EntriesSet(proto::ChatroomEntriesSet),
    EntriesRemove(proto::ChatroomEntriesRemove),
}

impl ChatroomRequest {
    /// The chatroom request in `body`, or `body` back if it is not one.
    pub(super) fn from_body(body: request::Body) -> Result<ChatroomRequest, request::Body> {
        match body {
            request::Body::ChatroomJoin(join) => Ok(ChatroomRequest::Join(join)),
            request::Body::ChatroomLeave(leave) => Ok(ChatroomRequest::Leave(leave)),
            request::Body::ChatroomHistory(query) => Ok(ChatroomRequest::History(query)),
            request::Body::ChatroomEntriesSet(set) => Ok(ChatroomRequest::EntriesSet(set)),
            request::Body::ChatroomEntriesRemove(remove) => Ok(ChatroomRequest::EntriesRemove(remove)),
            other => Err(other),
        }
    }

    fn room_id(&self) -> &str {
        match self {
            ChatroomRequest::Join(join) => &join.room_id,
            ChatroomRequest::Leave(leave) => &leave.room_id,
            ChatroomRequest::History(query) => &query.room_id,
            ChatroomRequest::EntriesSet(set) => &set.room_id,
            ChatroomRequest::EntriesRemove(remove) => &remove.room_id,
        }
    }
}

/// Who sent a chatroom request.
struct Caller {
    conn: ConnId,
    app_key: String,
    user_id: String,
}

impl Server {
    /// Answers a chatroom `Request` (see the module documentation), then sends the notices it caused.
    pub(super) fn handle_chatroom_request(
        &mut self,
        conn: ConnId,
        user_id: String,
        app_key: String,
        request_id: u64,
        request: ChatroomRequest,
        now_ms: i64,
    ) {
        let caller = Caller { conn, app_key, user_id };
        let mut notices = Notices::new();
        let result = self.chatroom_request(&caller, request, now_ms, &mut notices);
        let (code, body) = match result {
            Ok(body) => (ErrorCode::SUCCESS, body),
            Err(code) => (code, None),
        };
        self.send(conn, Body::Response(proto::Response { request_id, code: code.to_wire(), body }));
        self.send_notices(notices);
    }

    fn chatroom_request(
        &mut self,
        caller: &Caller,
        request: ChatroomRequest,
        now_ms: i64,
        notices: &mut Notices,
    ) -> Result<Option<response::Body>, ErrorCode> {
        if !valid_room_id(request.room_id()) {
            return Err(ErrorCode::PROTOCOL_MALFORMED_FRAME);
        }
        let app = self.apps.get_mut(&caller.app_key).expect("invariant: a session's app exists");
        match request {
            ChatroomRequest::Join(join) => membership::join(app, caller, &join, now_ms, notices)
                .map(|joined| Some(response::Body::ChatroomJoined(joined))),
            ChatroomRequest::Leave(leave) => {
                membership::leave(app, caller, &leave.room_id, now_ms, notices).map(|()| None)
            }
            ChatroomRequest::History(query) => messages::history(app, caller, &query, now_ms)
                .map(|history| Some(response::Body::ChatroomHistory(history))),
            ChatroomRequest::EntriesSet(set) => kv::set(app, caller, &set, now_ms, notices)
                .map(|result| Some(response::Body::ChatroomEntriesResult(result))),
            ChatroomRequest::EntriesRemove(remove) => kv::remove(app, caller, &remove, now_ms, notices)
                .map(|result| Some(response::Body::ChatroomEntriesResult(result))),
        }
    }

    /// Sends what a Server API call produced.
    fn send_notices(&mut self, notices: Notices) {
        for (conn, body) in notices {
            self.send(conn, body);
        }
    }

    // --- the App Server API ------------------------------------------------------------------------------------

    /// The Server API's "create chatroom" (CR-2). Idempotent: an existing room is left as it is (its session, its
    /// members, its activity). A new room counts as activity (CR-4) and gets a new session ID (CR-6).
    pub fn create_chatroom(&mut self, app_key: &str, room_id: &str, now_ms: i64) -> Result<(), ApiError> {
        check_room_id(room_id)?;
        let app = app_mut(&mut self.apps, app_key)?;
        if !app.chatrooms.rooms.contains_key(room_id) {
            app.chatrooms.create(room_id, Reports::of(&app.config), now_ms);
        }
        Ok(())
    }

    /// The Server API's "destroy chatroom" (CR-2, CR-5): every joined connection gets `ChatroomNotice` destroyed with
    /// status 1 (`destroyManual`, CR-43), and the room, its members, KV entries (CR-8) and history vanish. No member
    /// actions. Keep-alive rooms can be destroyed too (CR-7).
    pub fn destroy_chatroom(&mut self, app_key: &str, room_id: &str, now_ms: i64) -> Result<(), ApiError> {
        let app = app_mut(&mut self.apps, app_key)?;
        room_mut(app, room_id)?;
        let notices = destruction::destroy(app, room_id, imsim_engine::ChatRoomStatus::DestroyManual, now_ms);
        self.send_notices(notices);
        Ok(())
    }

    /// DEL-8: the Server API's "clear chatroom history": the room's history is emptied for every user; messages sent
    /// afterwards are kept as before. Refused when chatroom cloud history storage is off (there is none to clear),
    /// and for an unknown room.
    pub fn clear_chatroom_history(&mut self, app_key: &str, room_id: &str) -> Result<(), ApiError> {
        let app = app_mut(&mut self.apps, app_key)?;
        if !app.config.chatroom_cloud_storage {
            return Err(ApiError::ChatroomHistoryOff { room_id: room_id.to_owned() });
        }
        room_mut(app, room_id)?.history.clear();
        imsim_engine::mark!("DEL-8");
        Ok(())
    }

    /// The Server API's keep-alive list (CR-7): a room on it is never destroyed for inactivity. Taking a room off
    /// the list makes its usual deadline (`last activity + chatroom_destroy_after_ms`) apply again, at once if it
    /// has passed.
    pub fn set_chatroom_keep_alive(&mut self, app_key: &str, room_id: &str, keep_alive: bool) -> Result<(), ApiError> {
        let app = app_mut(&mut self.apps, app_key)?;
        room_mut(app, room_id)?.keep_alive = keep_alive;
        app.chatrooms.refresh_deadlines(room_id);
        Ok(())
    }

    /// The Server API's chatroom user whitelist (CR-19, CR-29): adds users, members or not. Whitelisted users are
    /// never evicted and their messages never discarded. The list goes with the room.
    pub fn add_chatroom_user_whitelist(
        &mut self,
        app_key: &str,
        room_id: &str,
        user_ids: &[String],
    ) -> Result<(), ApiError> {
        user_ids.iter().try_for_each(|user_id| check_user_id(user_id))?;
        let app = app_mut(&mut self.apps, app_key)?;
        room_mut(app, room_id)?.user_whitelist.extend(user_ids.iter().cloned());
        app.chatrooms.refresh_deadlines(room_id);
        Ok(())
    }

    /// The Server API's chatroom user whitelist (CR-19, CR-29): removes users (those not listed are ignored).
    pub fn remove_chatroom_user_whitelist(
        &mut self,
        app_key: &str,
        room_id: &str,
        user_ids: &[String],
    ) -> Result<(), ApiError> {
        user_ids.iter().try_for_each(|user_id| check_user_id(user_id))?;
        let app = app_mut(&mut self.apps, app_key)?;
        let room = room_mut(app, room_id)?;
        for user_id in user_ids {
            room.user_whitelist.remove(user_id);
        }
        app.chatrooms.refresh_deadlines(room_id);
        Ok(())
    }

    /// The Server API's message whitelist (CR-28): replaces the App Key's list of protected object names.
    pub fn set_chatroom_message_whitelist(&mut self, app_key: &str, object_names: &[String]) -> Result<(), ApiError> {
        app_mut(&mut self.apps, app_key)?.chatrooms.message_whitelist = object_names.iter().cloned().collect();
        Ok(())
    }

    /// The Server API's low-priority message types (CR-27): replaces the App Key's list.
    pub fn set_chatroom_low_priority_types(&mut self, app_key: &str, object_names: &[String]) -> Result<(), ApiError> {
        app_mut(&mut self.apps, app_key)?.chatrooms.low_priority = object_names.iter().cloned().collect();
        Ok(())
    }

    // --- introspection -----------------------------------------------------------------------------------------

    /// The members of a chatroom (online or offline), sorted, or `None` when it does not exist.
    pub fn chatroom_members(&self, app_key: &str, room_id: &str) -> Option<Vec<String>> {
        Some(self.room(app_key, room_id)?.members.keys().cloned().collect())
    }

    /// The members of a chatroom with none of their connections joined (CR-16), sorted, or `None` when it does
    /// not exist.
    pub fn chatroom_offline_members(&self, app_key: &str, room_id: &str) -> Option<Vec<String>> {
        let room = self.room(app_key, room_id)?;
        Some(room.members.iter().filter(|(_, member)| !member.is_online()).map(|(user, _)| user.clone()).collect())
    }

    /// The KV entries of a chatroom, or `None` when it does not exist.
    pub fn chatroom_entries(&self, app_key: &str, room_id: &str) -> Option<BTreeMap<String, String>> {
        let room = self.room(app_key, room_id)?;
        Some(room.entries.iter().map(|(key, entry)| (key.clone(), entry.value.clone())).collect())
    }

    /// The owner of a chatroom's KV entry (CRKV-17: who last set it), if the room and the key exist.
    pub fn chatroom_entry_owner(&self, app_key: &str, room_id: &str, key: &str) -> Option<String> {
        Some(self.room(app_key, room_id)?.entries.get(key)?.owner.clone())
    }

    /// Whether the chatroom exists.
    pub fn chatroom_exists(&self, app_key: &str, room_id: &str) -> bool {
        self.room(app_key, room_id).is_some()
    }

    /// CR-6: the session of a chatroom, new (and larger) each time a room of the app is created, or `None` when
    /// it does not exist.
    pub fn chatroom_session_id(&self, app_key: &str, room_id: &str) -> Option<u64> {
        Some(self.room(app_key, room_id)?.session_id)
    }

    /// How many messages the chatroom's history holds (CR-25; retention is applied when the history is used).
    pub fn chatroom_history_len(&self, app_key: &str, room_id: &str) -> Option<usize> {
        Some(self.room(app_key, room_id)?.history.len())
    }

    /// CR-4: when the chatroom will be destroyed for inactivity, or `None` when it does not exist or is on the
    /// keep-alive list.
    pub fn chatroom_destroy_deadline(&self, app_key: &str, room_id: &str) -> Option<i64> {
        let app = self.apps.get(app_key)?;
        destruction::deadline(app, app.chatrooms.rooms.get(room_id)?)
    }

    fn room(&self, app_key: &str, room_id: &str) -> Option<&Room> {
        self.apps.get(app_key)?.chatrooms.rooms.get(room_id)
    }
}

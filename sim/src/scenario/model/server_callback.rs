//! Checks on the callbacks the server makes to the app's own server (CR-36, CRKV-15): `expect: { server_callback:
//! ... }` and `expect: { no_server_callback: ... }`, with the canonical line of a callback.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::time::Duration;

use imsim_engine::types::{ChatRoomEntriesOperationType, ChatRoomStatus};

use super::format_duration;
use crate::server::AppServerCallback;

/// The kinds of callbacks to the app server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CallbackKind {
    /// A chatroom was created (CR-36).
    ChatroomCreated,
    /// A chatroom was destroyed (CR-36).
    ChatroomDestroyed,
    /// A user became a member of a chatroom (CR-36).
    ChatroomMemberJoined,
    /// A user stopped being a member of a chatroom (CR-36).
    ChatroomMemberLeft,
    /// A chatroom's KV entries changed (CRKV-15).
    ChatroomEntriesChanged,
    /// A notification handed to the push service (DND-1, PUSH-5).
    Push,
}

impl CallbackKind {
    /// Every value, in declaration order.
    pub const ALL: &'static [CallbackKind] = &[
        CallbackKind::ChatroomCreated,
        CallbackKind::ChatroomDestroyed,
        CallbackKind::ChatroomMemberJoined,
        CallbackKind::ChatroomMemberLeft,
        CallbackKind::ChatroomEntriesChanged,
        CallbackKind::Push,
    ];

    /// The name scenarios and the trace use.
    pub fn name(self) -> &'static str {
        match self {
            CallbackKind::ChatroomCreated => "chatroomCreated",
            CallbackKind::ChatroomDestroyed => "chatroomDestroyed",
            CallbackKind::ChatroomMemberJoined => "chatroomMemberJoined",
            CallbackKind::ChatroomMemberLeft => "chatroomMemberLeft",
            CallbackKind::ChatroomEntriesChanged => "chatroomEntriesChanged",
            CallbackKind::Push => "push",
        }
    }

    /// The pattern fields that apply to this kind, in canonical order (`room` applies to all).
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            CallbackKind::ChatroomCreated => &["room"],
            CallbackKind::ChatroomDestroyed => &["room", "chatroom_status"],
            CallbackKind::ChatroomMemberJoined | CallbackKind::ChatroomMemberLeft => &["room", "user"],
            CallbackKind::ChatroomEntriesChanged => &["room", "user", "operation", "entries"],
            CallbackKind::Push => &["user", "target", "title", "content"],
        }
    }

    /// The kind of `callback`.
    pub fn of(callback: &AppServerCallback) -> CallbackKind {
        match callback {
            AppServerCallback::ChatroomCreated { .. } => CallbackKind::ChatroomCreated,
            AppServerCallback::ChatroomDestroyed { .. } => CallbackKind::ChatroomDestroyed,
            AppServerCallback::ChatroomMemberJoined { .. } => CallbackKind::ChatroomMemberJoined,
            AppServerCallback::ChatroomMemberLeft { .. } => CallbackKind::ChatroomMemberLeft,
            AppServerCallback::ChatroomEntriesChanged { .. } => CallbackKind::ChatroomEntriesChanged,
            AppServerCallback::Push { .. } => CallbackKind::Push,
        }
    }
}

impl fmt::Display for CallbackKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A callback to the app server, and what its fields must be; `None` matches anything.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallbackPattern {
    /// Which callback.
    pub kind: CallbackKind,
    /// The chatroom.
    pub room: Option<String>,
    /// The member (joined, left), or who changed the entries (empty for a cleanup).
    pub user: Option<String>,
    /// How the room was destroyed (`destroyManual` or `destroyAuto`).
    pub chatroom_status: Option<ChatRoomStatus>,
    /// Set or removed (entries changed).
    pub operation: Option<ChatRoomEntriesOperationType>,
    /// The entries, all of them (entries changed).
    pub entries: Option<BTreeMap<String, String>>,
    /// The conversation as the user notified sees it (push).
    pub target: Option<String>,
    /// The notification's title (push).
    pub title: Option<String>,
    /// The notification's content (push).
    pub content: Option<String>,
}

impl CallbackPattern {
    /// A pattern matching any callback of `kind`.
    pub fn new(kind: CallbackKind) -> CallbackPattern {
        CallbackPattern {
            kind,
            room: None,
            user: None,
            chatroom_status: None,
            operation: None,
            entries: None,
            target: None,
            title: None,
            content: None,
        }
    }

    /// Whether `callback` matches.
    pub fn matches(&self, callback: &AppServerCallback) -> bool {
        if CallbackKind::of(callback) != self.kind {
            return false;
        }
        let same = |want: &Option<String>, got: &str| want.as_ref().is_none_or(|want| want == got);
        match callback {
            AppServerCallback::ChatroomCreated { room_id, .. } => same(&self.room, room_id),
            AppServerCallback::ChatroomDestroyed { room_id, status, .. } => {
                same(&self.room, room_id) && self.chatroom_status.is_none_or(|want| want == *status)
            }
            AppServerCallback::ChatroomMemberJoined { room_id, user_id, .. }
            | AppServerCallback::ChatroomMemberLeft { room_id, user_id, .. } => {
                same(&self.room, room_id) && same(&self.user, user_id)
            }
            AppServerCallback::ChatroomEntriesChanged { room_id, user_id, operation, entries, .. } => {
                same(&self.room, room_id)
                    && same(&self.user, user_id)
                    && self.operation.is_none_or(|want| want == *operation)
                    && self.entries.as_ref().is_none_or(|want| want == entries)
            }
            AppServerCallback::Push { user_id, target_id, title, content, .. } => {
                same(&self.user, user_id)
                    && same(&self.target, target_id)
                    && same(&self.title, title)
                    && same(&self.content, content)
            }
        }
    }

    /// The kind and the fields that must match, such as `chatroomMemberLeft room="r1" user="lisi"`.
    fn describe_fields(&self) -> String {
        let mut line = self.kind.to_string();
        if let Some(room) = &self.room {
            let _ = write!(line, " room={room:?}");
        }
        if let Some(user) = &self.user {
            let _ = write!(line, " user={user:?}");
        }
        if let Some(chatroom_status) = self.chatroom_status {
            let _ = write!(line, " chatroom_status={chatroom_status}");
        }
        if let Some(operation) = self.operation {
            let _ = write!(line, " operation={operation}");
        }
        if let Some(entries) = &self.entries {
            let _ = write!(line, " entries={entries:?}");
        }
        for (name, value) in [("target", &self.target), ("title", &self.title), ("content", &self.content)] {
            if let Some(value) = value {
                let _ = write!(line, " {name}={value:?}");
            }
        }
        line
    }
}

/// A check on the callbacks the server made to the app server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallbackExpectation {
    /// A callback matching the pattern comes within `within` (after the one the previous such check matched).
    Callback {
        /// What must come.
        pattern: CallbackPattern,
        /// How long it may take; default 10s.
        within: Duration,
    },
    /// No callback matching the pattern comes in the check's window: from the step that acted before it, or from
    /// the checkpoint `since`, to `period` after the check begins (`crate::scenario::negative_windows`).
    NoCallback {
        /// What must not come.
        pattern: CallbackPattern,
        /// How long none may come after the check begins; never zero.
        period: Duration,
        /// The checkpoint the window opens at, instead of the step that acted before the check.
        since: Option<String>,
    },
}

impl CallbackExpectation {
    /// The check as one canonical line, such as `expect server_callback chatroomMemberLeft room="r1" within=5s`.
    pub fn describe(&self) -> String {
        match self {
            CallbackExpectation::Callback { pattern, within } => {
                format!("expect server_callback {} within={}", pattern.describe_fields(), format_duration(*within))
            }
            CallbackExpectation::NoCallback { pattern, period, since } => {
                let since = since.as_ref().map(|since| format!(" since={since}")).unwrap_or_default();
                format!(
                    "expect no_server_callback {} for={}{since}",
                    pattern.describe_fields(),
                    format_duration(*period)
                )
            }
        }
    }
}

/// One canonical trace line for a callback, such as `callback chatroomMemberJoined room=r1 user=lisi`.
pub fn describe_callback(callback: &AppServerCallback) -> String {
    let name = CallbackKind::of(callback);
    match callback {
        AppServerCallback::ChatroomCreated { room_id, .. } => format!("callback {name} room={room_id}"),
        AppServerCallback::ChatroomDestroyed { room_id, status, .. } => {
            format!("callback {name} room={room_id} chatroom_status={status}")
        }
        AppServerCallback::ChatroomMemberJoined { room_id, user_id, .. }
        | AppServerCallback::ChatroomMemberLeft { room_id, user_id, .. } => {
            format!("callback {name} room={room_id} user={user_id}")
        }
        AppServerCallback::Push {
            user_id,
            device_id,
            conversation_type,
            target_id,
            title,
            content,
            message_uid,
            ..
        } => {
            format!(
                "callback {name} user={user_id} device={device_id} conversation={conversation_type}:{target_id} \
                 uid={message_uid} title={title:?} content={content:?}"
            )
        }
        AppServerCallback::ChatroomEntriesChanged { room_id, user_id, operation, entries, .. } => {
            format!("callback {name} room={room_id} user={user_id:?} operation={operation} entries={entries:?}")
        }
    }
}

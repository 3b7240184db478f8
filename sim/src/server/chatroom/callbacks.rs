//! Callbacks to the app's own server (BIZ-24): chatroom status sync (CR-36) and chatroom KV sync (CRKV-15).
//!
//! RongCloud calls the app server's configured URL when something happens in the app's chatrooms. The simulator has
//! no app server to call: it keeps, per App Key, the callbacks it would have made, in the order it makes them, and
//! [`Server::take_app_server_callbacks`] drains them. The log is bounded: past [`APP_SERVER_CALLBACKS_MAX`]
//! undrained callbacks, the oldest is dropped (as a real callback nobody answers is lost).
//!
//! - With `chatroom_status_callback` (CR-36): a room created (by the Server API or a join with `auto_create`), a
//!   membership beginning (a resumed rejoin is not one), a membership ending other than by destruction (a leave, an
//!   eviction by messages or in real time, the single-room rule, a ban), and a room destroyed (`destroyManual` by the
//!   Server API, `destroyAuto` for inactivity). A destroyed room's members get no "left" callback: the destruction
//!   is the callback.
//! - With `chatroom_kv_callback` (CRKV-15): every change of a room's KV entries, one callback per request or
//!   cleanup that changed something: the entries a request set (`update`) or removed (`remove`, with their last
//!   values), the deleteWhenLeft cleanup when a membership ends (`remove`, with an empty `user_id`), and the
//!   deletion of all the entries of a room destroyed with entries (`remove` with every entry, empty `user_id`, just
//!   before its destroyed callback).
//!
//! Within one action, callbacks come in the order things happen: a join with `auto_create` reports the creation,
//! then the single-room rule's leaves (each followed by its cleanup), then the join; a membership end reports the
//! leave, then its cleanup.

use std::collections::{BTreeMap, VecDeque};

use imsim_engine::{ChatRoomEntriesOperationType, ChatRoomStatus, ConversationType};

use super::super::{AppConfig, Server};

/// How many callbacks one App Key's log keeps undrained; past that the oldest is dropped.
pub const APP_SERVER_CALLBACKS_MAX: usize = 10_000;

/// A call the server makes outside the IM connection: a callback to the app's own server (BIZ-24), or a notification
/// handed to the push service (`Push`, the `push` module), which the same log keeps so that scenarios check both
/// alike. Times are Unix milliseconds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AppServerCallback {
    /// CR-36: a chatroom was created.
    ChatroomCreated { room_id: String, at_ms: i64 },
    /// CR-36: a chatroom was destroyed, by the Server API (`DestroyManual`) or for inactivity (`DestroyAuto`).
    ChatroomDestroyed { room_id: String, status: ChatRoomStatus, at_ms: i64 },
    /// CR-36: a user became a member of a chatroom.
    ChatroomMemberJoined { room_id: String, user_id: String, at_ms: i64 },
    /// CR-36: a user stopped being a member of a chatroom (leave, eviction, single-room rule, ban; not
    /// destruction).
    ChatroomMemberLeft { room_id: String, user_id: String, at_ms: i64 },
    /// CRKV-15: a chatroom's KV entries changed: set (`Update`, the entries set) or removed (`Remove`, each removed
    /// key with its last value). `user_id` is who changed them, empty for a cleanup (deleteWhenLeft, destruction).
    ChatroomEntriesChanged {
        room_id: String,
        user_id: String,
        operation: ChatRoomEntriesOperationType,
        entries: BTreeMap<String, String>,
        at_ms: i64,
    },
    /// DND-1, PUSH-5: a notification of the message `message_uid` for `user_id`, none of whose devices was online,
    /// in the conversation `(conversation_type, target_id)` as that user sees it, with its title and content.
    Push {
        user_id: String,
        device_id: String,
        conversation_type: ConversationType,
        target_id: String,
        title: String,
        content: String,
        message_uid: String,
        at_ms: i64,
    },
}

/// Which of the app's chatroom reports are on: a copy of its switches, taken when an action starts.
#[derive(Clone, Copy, Debug)]
pub(in crate::server) struct Reports {
    /// CR-24: member actions to the room's joined connections.
    pub(super) member_events: bool,
    /// CR-36.
    pub(super) status_callback: bool,
    /// CRKV-15.
    pub(super) kv_callback: bool,
}

impl Reports {
    pub(super) fn of(config: &AppConfig) -> Reports {
        Reports {
            member_events: config.chatroom_member_events,
            status_callback: config.chatroom_status_callback,
            kv_callback: config.chatroom_kv_callback,
        }
    }
}

/// One App Key's undrained callbacks, oldest first.
#[derive(Debug, Default)]
pub(in crate::server) struct CallbackLog {
    callbacks: VecDeque<AppServerCallback>,
}

impl CallbackLog {
    /// Records `callback` unconditionally: a push notification (the `push` module decided it is due), or a chatroom
    /// callback whose switch is on.
    pub(in crate::server) fn push(&mut self, callback: AppServerCallback) {
        if self.callbacks.len() >= APP_SERVER_CALLBACKS_MAX {
            self.callbacks.pop_front();
        }
        self.callbacks.push_back(callback);
    }

    /// Records a CR-36 callback if the switch is on.
    pub(super) fn status(&mut self, reports: Reports, callback: AppServerCallback) {
        if reports.status_callback {
            imsim_engine::mark!("CR-36");
            self.push(callback);
        }
    }

    /// Records a CRKV-15 callback if the switch is on and something changed.
    pub(super) fn entries_changed(
        &mut self,
        reports: Reports,
        room_id: &str,
        user_id: &str,
        operation: ChatRoomEntriesOperationType,
        entries: BTreeMap<String, String>,
        at_ms: i64,
    ) {
        if reports.kv_callback && !entries.is_empty() {
            imsim_engine::mark!("CRKV-15");
            let room_id = room_id.to_owned();
            let user_id = user_id.to_owned();
            self.push(AppServerCallback::ChatroomEntriesChanged { room_id, user_id, operation, entries, at_ms });
        }
    }
}

impl Server {
    /// Drains the callbacks the server made to `app_key`'s app server since the last call, oldest first (see the
    /// `chatroom::callbacks` module documentation); none for an unknown App Key.
    pub fn take_app_server_callbacks(&mut self, app_key: &str) -> Vec<AppServerCallback> {
        self.apps.get_mut(app_key).map(|app| app.chatrooms.callbacks.callbacks.drain(..).collect()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_drops_the_oldest_past_its_bound() {
        let mut log = CallbackLog::default();
        let reports = Reports { member_events: false, status_callback: true, kv_callback: false };
        for at_ms in 0..=APP_SERVER_CALLBACKS_MAX as i64 {
            log.status(reports, AppServerCallback::ChatroomCreated { room_id: "r".into(), at_ms });
        }
        assert_eq!(log.callbacks.len(), APP_SERVER_CALLBACKS_MAX);
        assert_eq!(log.callbacks.front(), Some(&AppServerCallback::ChatroomCreated { room_id: "r".into(), at_ms: 1 }));
    }
}

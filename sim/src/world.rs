//! What the runner and the simulated hosts share: the trace, and per device its event log, its current status and
//! the channel to its current boot.
//!
//! Everything runs on one OS thread (turmoil polls every host from the thread that steps the simulation), so the
//! world is an `Rc<RefCell<World>>`; no borrow is ever held across an `.await`. It lives outside the hosts, so it
//! survives a host crash exactly as a device's disk does.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Duration;

use imsim_engine::core::Event;
use imsim_engine::{ConnectionStatus, ConversationType};
use tokio::sync::mpsc;

use crate::scenario::{ChatroomCall, HistoryFrom};
use crate::trace::{Trace, describe_event};

/// A command the runner gives a device, carried out by the device's host through the engine API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeviceCommand {
    /// `connect(token, timeout)`.
    Connect {
        /// The token to present.
        token: String,
        /// CONN-16's timeout, in seconds.
        timeout_seconds: i32,
    },
    /// `disconnect(receivePush)`.
    Disconnect {
        /// CONN-17.
        receive_push: bool,
    },
    /// `createTextMessage` then `sendMessage`.
    SendText {
        /// The conversation type.
        conversation_type: ConversationType,
        /// The conversation's target.
        target_id: String,
        /// The text.
        text: String,
        /// For a group message, the designated members (`sendGroupMessageToDesignatedUsers`); empty for everyone.
        directed: Vec<String>,
    },
    /// A blacklist call (BLACK-5 to BLACK-8).
    Blacklist(BlacklistCall),
    /// imsim's platform hook: the OS reports the network gone (`false`) or back (`true`) (RECONN-3).
    NetworkAvailable(bool),
    /// imsim's platform hook: the app came to the foreground (`true`) or went to the background (RECONN-5).
    AppForeground(bool),
    /// A chatroom or chatroom-KV call (CR, CRKV).
    Chatroom(ChatroomCall),
    /// Not an app action but a check's read: `getChatRoomEntry(room, key)` with a key, else
    /// `getChatRoomAllEntries(room)` (CRKV-9, CRKV-10). Its result goes to [`DeviceLog::entries_read`], not to
    /// the trace (a check may read on every tick).
    ReadEntries {
        /// The `targetId` argument.
        room: String,
        /// The `key` argument, for `getChatRoomEntry`.
        key: Option<String>,
    },
}

impl DeviceCommand {
    /// The name of the scenario step that makes this call, as a `call` check names it; `None` for a check's read.
    pub fn step_name(&self) -> Option<&'static str> {
        Some(match self {
            DeviceCommand::Connect { .. } => "connect",
            DeviceCommand::Disconnect { .. } => "disconnect",
            DeviceCommand::SendText { .. } => "send",
            DeviceCommand::Blacklist(BlacklistCall::Add(_)) => "blacklist_add",
            DeviceCommand::Blacklist(BlacklistCall::Remove(_)) => "blacklist_remove",
            DeviceCommand::Blacklist(BlacklistCall::Status(_)) => "blacklist_status",
            DeviceCommand::Blacklist(BlacklistCall::Get) => "blacklist_get",
            DeviceCommand::NetworkAvailable(false) => "network_lost",
            DeviceCommand::NetworkAvailable(true) => "network_restored",
            DeviceCommand::AppForeground(true) => "foreground",
            DeviceCommand::AppForeground(false) => "background",
            DeviceCommand::Chatroom(call) => call.step_name(),
            DeviceCommand::ReadEntries { .. } => return None,
        })
    }
}

/// The return code of one app call, as the device's host saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallRecord {
    /// When the call returned, in simulated time.
    pub at: Duration,
    /// The name of the step that made it ([`DeviceCommand::step_name`]).
    pub step: &'static str,
    /// 0 when the engine took the call, else the code it refused it with.
    pub code: i32,
}

/// The blacklist API calls a scenario can make.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BlacklistCall {
    /// `addToBlacklist(userId)`.
    Add(String),
    /// `removeFromBlacklist(userId)`.
    Remove(String),
    /// `getBlacklistStatus(userId)`.
    Status(String),
    /// `getBlacklist()`.
    Get,
}

/// One device as the world sees it.
#[derive(Debug)]
pub struct DeviceLog {
    /// Every event the device's engine emitted, with its simulated time, across boots.
    pub events: Vec<(Duration, Event)>,
    /// The status of the last `ConnectionStatusChanged` (unconnected before any).
    pub status: ConnectionStatus,
    /// Sends commands to the device's current boot; `None` before the host first runs.
    pub commands: Option<mpsc::UnboundedSender<DeviceCommand>>,
    /// How many times the host has booted.
    pub boots: u32,
    /// Every app call the device made, with its return code, across boots.
    pub calls: Vec<CallRecord>,
    /// The result of the latest [`DeviceCommand::ReadEntries`] not yet taken by the check that asked for it: the
    /// entries, or the error code.
    pub entries_read: Option<Result<BTreeMap<String, String>, i32>>,
}

impl Default for DeviceLog {
    fn default() -> DeviceLog {
        DeviceLog {
            events: Vec::new(),
            status: ConnectionStatus::Unconnected,
            commands: None,
            boots: 0,
            calls: Vec::new(),
            entries_read: None,
        }
    }
}

/// The shared state of one run.
#[derive(Debug, Default)]
pub struct World {
    /// The canonical trace.
    pub trace: Trace,
    /// The devices, by name.
    pub devices: BTreeMap<String, DeviceLog>,
}

/// A handle on the world, shared by the runner and every host.
pub type SharedWorld = Rc<RefCell<World>>;

impl World {
    /// The log of `device`, created on first use.
    pub fn device_mut(&mut self, device: &str) -> &mut DeviceLog {
        self.devices.entry(device.to_owned()).or_default()
    }

    /// `call` as the device is to make it: a `getChatRoomMessages` from `sync_time` gets the `syncTime` of the
    /// device's latest `chatRoomMessagesLoaded` of that room (CR-26), an error if it has had none.
    pub fn resolve_chatroom_call(&self, device: &str, call: &ChatroomCall) -> Result<ChatroomCall, String> {
        let ChatroomCall::History { room, timestamp: HistoryFrom::SyncTime, order, count } = call else {
            return Ok(call.clone());
        };
        let events = self.devices.get(device).map(|log| log.events.as_slice()).unwrap_or_default();
        let latest = events.iter().rev().find_map(|(_, event)| match event {
            Event::ChatRoomMessagesLoaded { target_id, sync_time, .. } if target_id == room => Some(*sync_time),
            _ => None,
        });
        let Some(sync_time) = latest else {
            return Err(format!(
                "chatroom_history from sync_time, but {device} has had no chatRoomMessagesLoaded of {room:?} yet"
            ));
        };
        Ok(ChatroomCall::History {
            room: room.clone(),
            timestamp: HistoryFrom::Timestamp(sync_time),
            order: *order,
            count: *count,
        })
    }

    /// Records an event of `device` at `at`: in the trace, in the device's log, and in its status.
    pub fn record_event(&mut self, at: Duration, device: &str, event: Event) {
        self.trace.record(at, device, &describe_event(&event));
        let log = self.device_mut(device);
        if let Event::ConnectionStatusChanged { status } = &event {
            log.status = *status;
        }
        log.events.push((at, event));
    }
}

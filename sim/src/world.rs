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

use imsim_engine::ConnectionStatus;
use imsim_engine::core::{CallId, Delivery, Event};
use imsim_engine::files::MemoryFiles;
use tokio::sync::mpsc;

use crate::ledger::CallLedger;
use crate::scenario::{CallArguments, ChatroomCall, HistoryFrom, Location};
use crate::trace::{Trace, describe_event};
use crate::wakes::SharedWakes;

/// A command the runner gives a device, carried out by the device's host through the engine API.
#[derive(Clone, Debug, PartialEq)]
pub enum DeviceCommand {
    /// Calls of the manual's API, made in order; a refused call (or one whose references do not resolve) ends the
    /// list. A short form that makes several calls (`send`: create the message, then send it) is one list.
    Calls(Vec<QueuedCall>),
    /// `RCIMIWEngine.create` again (ENG-6): destroy the engine and create it anew with this App Key.
    Create {
        /// The new engine's App Key.
        app_key: String,
    },
    /// The app sets or removes one of its engine's listeners (CALL-3).
    SetListener {
        /// The listener, such as `onMessageReceived`.
        listener: String,
        /// Whether it is set from now on.
        set: bool,
    },
    /// imsim's platform hook: the OS reports the network gone (`false`) or back (`true`) (RECONN-3).
    NetworkAvailable(bool),
    /// imsim's platform hook: the app came to the foreground (`true`) or went to the background (RECONN-5).
    AppForeground(bool),
    /// Not an app action but a check's read of the engine's copy of a chatroom's entries (CRKV-9, CRKV-10): what
    /// `getChatRoomEntry(room, key)` with a key, else `getChatRoomAllEntries(room)`, would report. Its result goes
    /// to [`DeviceLog::entries_read`], not to the trace (a check may read on every tick).
    ReadEntries {
        /// The `targetId` argument.
        room: String,
        /// The `key` argument, for `getChatRoomEntry`.
        key: Option<String>,
    },
}

/// One call of a [`DeviceCommand::Calls`] list.
#[derive(Clone, Debug, PartialEq)]
pub struct QueuedCall {
    /// The method and its arguments, references resolved when the call is made.
    pub arguments: CallArguments,
    /// The name to keep what the call returns under (in [`World::kept`]).
    pub keep_as: Option<String>,
    /// Where the step that made the call is, for a reference that does not resolve.
    pub location: Location,
    /// Whether the call passes a per-call callback (CALL-4).
    pub callback: bool,
}

/// The return code of one app call, as the device's host saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallRecord {
    /// When the call returned, in simulated time.
    pub at: Duration,
    /// The manual's name of the method.
    pub method: &'static str,
    /// 0 when the engine took the call, else the code it refused it with.
    pub code: i32,
}

/// One device as the world sees it.
#[derive(Debug)]
pub struct DeviceLog {
    /// Every event the device's engine listeners received, with its simulated time, across boots.
    pub events: Vec<(Duration, Event)>,
    /// Every event a per-call callback received (CALL-4), with its simulated time, across boots.
    pub callback_events: Vec<(Duration, Event)>,
    /// The status of the last `ConnectionStatusChanged` (unconnected before any).
    pub status: ConnectionStatus,
    /// Sends commands to the device's current boot; `None` before the host first runs.
    pub commands: Option<mpsc::UnboundedSender<DeviceCommand>>,
    /// How many times the host has booted.
    pub boots: u32,
    /// Every app call the device made, with its return code, across boots.
    pub calls: Vec<CallRecord>,
    /// Lists of calls sent to the current boot and not yet made.
    pub call_lists_queued: u32,
    /// The result of the latest [`DeviceCommand::ReadEntries`] not yet taken by the check that asked for it: the
    /// entries, or the error code.
    pub entries_read: Option<Result<BTreeMap<String, String>, i32>>,
    /// The device's files (its disk): what media messages upload and where downloads go (SEND-13, DL). They
    /// outlive crashes, as a disk does.
    pub files: MemoryFiles,
}

impl Default for DeviceLog {
    fn default() -> DeviceLog {
        DeviceLog {
            events: Vec::new(),
            callback_events: Vec::new(),
            status: ConnectionStatus::Unconnected,
            commands: None,
            boots: 0,
            calls: Vec::new(),
            call_lists_queued: 0,
            entries_read: None,
            files: MemoryFiles::default(),
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
    /// The values kept so far (`as: NAME` on a call or an expect), serialised, for `$NAME` references.
    pub kept: BTreeMap<String, serde_json::Value>,
    /// The names of calls answered through listeners whose `as:` keeps the message of their latest event, by
    /// (device, call number): a send's name then holds the message as attached, then as sent (`record_event`).
    pub call_keeps: BTreeMap<(String, u64), String>,
    /// What went wrong on a device host that the scenario caused (a reference that does not resolve), with the
    /// step's place, for the runner to fail the run with.
    pub failures: Vec<(Location, String)>,
    /// Every call made through the API table and the results that answered it: the calling convention's checker.
    pub ledger: CallLedger,
    /// Hostile peers added and not yet done (`crate::hostile`): the run does not end before they are.
    pub hostile_peers_pending: u32,
    /// When each host's earliest timer is due, for jumping over idle time (`crate::wakes`).
    pub wakes: SharedWakes,
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
    pub fn record_event(&mut self, at: Duration, device: &str, delivery: Delivery) {
        let Delivery { call, event, ends } = delivery;
        self.trace.record(at, device, &describe_event(&event));
        for call in [call, ends].into_iter().flatten() {
            self.ledger.answered(device, call, event.listener(), at);
            self.keep_call_message(device, call, &event);
        }
        let log = self.device_mut(device);
        if let Event::ConnectionStatusChanged { status } = &event {
            log.status = *status;
        }
        log.events.push((at, event));
    }

    /// Records what a per-call callback received (CALL-4): in the trace as `callback #N onX ...`, and against its
    /// call.
    pub fn record_callback(&mut self, at: Duration, device: &str, delivery: Delivery) {
        let Delivery { call, event, ends } = delivery;
        let number = call.map_or(0, |call| call.0);
        self.trace.record(
            at,
            device,
            &format!("callback #{number} {}", describe_event(&event).trim_start_matches("event ")),
        );
        for call in [call, ends].into_iter().flatten() {
            self.ledger.answered(device, call, event.listener(), at);
            self.keep_call_message(device, call, &event);
        }
        self.device_mut(device).callback_events.push((at, event));
    }

    /// If `call` of `device` keeps its message under a name, `event`'s message (if it has one) is now that name's
    /// value: the app's message object as the call's latest event gave it.
    fn keep_call_message(&mut self, device: &str, call: CallId, event: &Event) {
        if self.call_keeps.is_empty() {
            return; // Most runs keep nothing this way: no lookup key to build for every event.
        }
        let Some(name) = self.call_keeps.get(&(device.to_owned(), call.0)) else { return };
        if let Ok(serde_json::Value::Object(mut fields)) = serde_json::to_value(event)
            && let Some(message) = fields.remove("message").filter(|message| message.is_object())
        {
            self.kept.insert(name.clone(), message);
        }
    }
}

//! Property test of chatroom membership and delivery over random joins, leaves, messages, partitions, crashes and
//! room destructions (issue 5, chatrooms).
//!
//! Four users, one device each, use two rooms, with the single-room rule on or off (`chatroom_multi_room`), member
//! events on or off, and either **sheltered** rooms (created up front with every user on their user whitelist, so
//! nobody is ever evicted, CR-19; a destruction recreates the room at once) or **open** rooms (created by
//! `auto_create` joins, so a join without it may get 23410, and an offline member may be evicted, CR-16). Then every
//! fault is lifted, the reconnect schedule is given time to reconnect and rejoin, and every device sends one final
//! message into each room. Each device's own event sequence is then judged:
//!
//! 1. no chatroom message is reported for a room after the device stopped holding it (its `ChatRoomLeft`, a failed
//!    `ChatRoomJoined`, a `ChatRoomStatusChanged` (destroyed), a successful join of another room under the
//!    single-room rule, or a new session after a crash) until it joins it again (`ChatRoomJoining`, or the
//!    `ChatRoomJoined{0}` of a join sent before the leave, whose fetched messages come just before it);
//! 2. no message UID is reported twice for one room within one membership (a membership spans automatic rejoins in
//!    sheltered rooms, where a rejoin always resumes it; in open rooms a rejoin may follow an eviction, which
//!    legitimately re-fetches, so there each join starts a new one), and no device stores a chatroom message twice;
//!    no device stores a received message of a room it no longer holds (CR-21: leaving purges);
//! 3. every device is connected at the end, and in the final phase every device that holds a room (its last answer
//!    for it is `ChatRoomJoined{0}`, nothing ended it since) has its final message accepted there (the server agrees
//!    it is a member) and receives the final message of every other holder: nothing is discarded, as the rooms'
//!    consumption cap (100/s) is far above what four devices limited to 5 sends/s can send;
//! 4. every failed join or leave has one of the codes the design allows here: 23406, 23410, 30002, 30003;
//! 5. the server agrees when a membership surely ended (a successful leave, a leave answered 23406, a join answered
//!    23410, a destruction, the single-room rule) and no join of the room is in flight: a message the device then
//!    sends into the room is refused. (The engine ignores deliveries of rooms it does not hold, so a server that
//!    kept a left member would pass property 1 unseen; this is how it shows.)
//!
//! The device's view of a membership cannot see a lost answer's effect: under the single-room rule, a join whose
//! answer was lost (30002, 30003) may have ended the other room's membership on the server, so that room's next
//! join starts a new membership for property 2, and it counts as neither held nor left at the end until then.
//! Evictions are seen by the device only as a rejoin that does not resume (CR-42), which the events do not show:
//! hence the two kinds of rooms.
//!
//! Throughout, the runner checks that the server never holds two sessions for one device.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::Duration;

use imsim_engine::core::Event;
use imsim_engine::{ConnectionStatus, ConversationType, ErrorCode, MessageDirection};
use imsim_sim::runner::{FinalState, run_scenario_with_final_state};
use imsim_sim::scenario::{AppSettings, ChatroomAdmin, ChatroomCall, Endpoint, Scenario, Settings, Step, StepKind};
use imsim_sim::trace::describe_event;
use proptest::prelude::*;

mod common;
use common::{connect, connect_all, mobile_devices, property_config, step, text};

const DEVICES: [&str; 4] = ["a", "b", "c", "d"];
const ROOMS: [&str; 2] = ["r1", "r2"];
/// Heartbeat 5 s + timeout 2 s + the longest retry interval (64 s) + handshakes, rejoins and acknowledgements.
const SETTLE: Duration = Duration::from_secs(90);
/// Between two final sends: each device sends one per room, well under the client rate limit of 5/s.
const FINAL_SPACING: Duration = Duration::from_millis(300);
/// After the last final send, for the deliveries to arrive.
const FINAL_WAIT: Duration = Duration::from_secs(5);
/// The codes a failed join or leave may have in these runs: not a member, no such room, the connection dropped, no
/// answer.
const EXPECTED_FAILURES: [ErrorCode; 4] = [
    ErrorCode::NOT_IN_CHATROOM,
    ErrorCode::CHATROOM_NOT_EXIST,
    ErrorCode::NETWORK_UNAVAILABLE,
    ErrorCode::MSG_RESPONSE_TIMEOUT,
];

fn user(device: &str) -> String {
    format!("user-{device}")
}

/// The text of the final message `device` sends into `room`.
fn final_text(room: &str, device: &str) -> String {
    format!("final-{room}-{device}")
}

/// The switches of one case.
#[derive(Clone, Copy, Debug)]
struct Config {
    /// `chatroom_multi_room`: off, joining a room leaves the other (CR-9, CR-40).
    multi_room: bool,
    /// `chatroom_member_events` (CR-24).
    member_events: bool,
    /// Open rooms (see the module docs): created by joins, members evictable. Else sheltered rooms.
    open: bool,
    /// Per device, the rooms it joins before the random operations (bit 0: the first room, bit 1: the second), so
    /// that messages flow from the start.
    initial: [u8; DEVICES.len()],
}

#[derive(Clone, Copy, Debug)]
enum Op {
    Join { device: usize, room: usize, count: i32, auto_create: bool },
    Leave { device: usize, room: usize },
    Send { device: usize, room: usize },
    Partition(usize),
    Repair(usize),
    CrashAndRestart { device: usize, downtime_ms: u64 },
    Destroy { room: usize },
}

fn config() -> impl Strategy<Value = Config> {
    (any::<bool>(), any::<bool>(), any::<bool>(), proptest::array::uniform4(0_u8..4))
        .prop_map(|(multi_room, member_events, open, initial)| Config { multi_room, member_events, open, initial })
}

fn op() -> impl Strategy<Value = Op> {
    let device = || 0..DEVICES.len();
    let room = || 0..ROOMS.len();
    prop_oneof![
        6 => (device(), room(), prop_oneof![Just(-1), Just(0), Just(3)], prop::bool::weighted(0.75))
            .prop_map(|(device, room, count, auto_create)| Op::Join { device, room, count, auto_create }),
        2 => (device(), room()).prop_map(|(device, room)| Op::Leave { device, room }),
        10 => (device(), room()).prop_map(|(device, room)| Op::Send { device, room }),
        1 => device().prop_map(Op::Partition),
        1 => device().prop_map(Op::Repair),
        1 => (device(), 100_u64..20_000).prop_map(|(device, downtime_ms)| Op::CrashAndRestart { device, downtime_ms }),
        1 => room().prop_map(|room| Op::Destroy { room }),
    ]
}

fn admin(admin: ChatroomAdmin) -> Step {
    step(StepKind::ChatroomAdmin(admin))
}

/// Creates `room` and, for sheltered rooms, puts every user on its whitelist.
fn create_room(steps: &mut Vec<Step>, room: &str, config: Config) {
    steps.push(admin(ChatroomAdmin::Create { room: room.into() }));
    if !config.open {
        let users = DEVICES.iter().map(|device| user(device)).collect();
        steps.push(admin(ChatroomAdmin::Whitelist { room: room.into(), users }));
    }
}

fn send(device: &str, room: &str, text: String) -> Step {
    step(StepKind::Send {
        device: device.into(),
        conversation_type: ConversationType::Chatroom,
        target_id: room.into(),
        text,
        count: 1,
        directed: Vec::new(),
        keep_as: None,
    })
}

fn scenario(seed: u64, config: Config, ops: &[(u64, Op)]) -> Scenario {
    let mut steps = connect_all(&DEVICES);
    if !config.open {
        for room in ROOMS {
            create_room(&mut steps, room, config);
        }
    }
    for (device, rooms) in DEVICES.iter().zip(config.initial) {
        for (bit, room) in ROOMS.iter().enumerate() {
            if rooms & (1 << bit) != 0 {
                let call = ChatroomCall::Join { room: (*room).into(), count: 3, auto_create: true };
                steps.push(step(StepKind::Chatroom { device: (*device).into(), call }));
                steps.push(step(StepKind::Advance(FINAL_SPACING)));
            }
        }
    }
    for (index, &(wait_ms, op)) in ops.iter().enumerate() {
        steps.push(step(StepKind::Advance(Duration::from_millis(wait_ms))));
        let link = |device: usize| (Endpoint::Device(DEVICES[device].into()), Endpoint::Server);
        match op {
            Op::Join { device, room, count, auto_create } => steps.push(step(StepKind::Chatroom {
                device: DEVICES[device].into(),
                call: ChatroomCall::Join { room: ROOMS[room].into(), count, auto_create },
            })),
            Op::Leave { device, room } => steps.push(step(StepKind::Chatroom {
                device: DEVICES[device].into(),
                call: ChatroomCall::Leave { room: ROOMS[room].into() },
            })),
            Op::Send { device, room } => {
                steps.push(send(DEVICES[device], ROOMS[room], format!("{}#{index}", DEVICES[device])));
            }
            Op::Partition(device) => {
                let (a, b) = link(device);
                steps.push(step(StepKind::Partition(a, b)));
            }
            Op::Repair(device) => {
                let (a, b) = link(device);
                steps.push(step(StepKind::Repair(a, b)));
            }
            Op::CrashAndRestart { device, downtime_ms } => {
                let name = DEVICES[device].to_owned();
                steps.push(step(StepKind::Crash { device: name.clone() }));
                steps.push(step(StepKind::Advance(Duration::from_millis(downtime_ms))));
                steps.push(step(StepKind::Restart { device: name.clone() }));
                steps.push(connect(&name));
            }
            Op::Destroy { room } => {
                // The Server API refuses to destroy a missing room: create it first (idempotent).
                steps.push(admin(ChatroomAdmin::Create { room: ROOMS[room].into() }));
                steps.push(admin(ChatroomAdmin::Destroy { room: ROOMS[room].into() }));
                if !config.open {
                    create_room(&mut steps, ROOMS[room], config);
                }
            }
        }
    }
    for device in DEVICES {
        steps.push(step(StepKind::Repair(Endpoint::Device(device.into()), Endpoint::Server)));
    }
    steps.push(step(StepKind::Advance(SETTLE)));
    for room in ROOMS {
        for device in DEVICES {
            steps.push(send(device, room, final_text(room, device)));
            steps.push(step(StepKind::Advance(FINAL_SPACING)));
        }
    }
    steps.push(step(StepKind::Advance(FINAL_WAIT)));
    Scenario {
        path: PathBuf::from("(generated by sim/tests/chatroom_properties.rs)"),
        name: "random chatroom joins, leaves, sends, partitions, crashes and destructions".into(),
        // The property bears on CR-9, CR-13, CR-16, CR-20, CR-21, CR-22 and CR-40 to CR-43, but a random instance
        // need not reach each rule's coverage mark, so it claims none.
        rules: Vec::new(),
        partial: Vec::new(),
        seed,
        settings: Settings {
            tick: Duration::from_millis(10),
            heartbeat_interval: Duration::from_secs(5),
            heartbeat_timeout: Duration::from_secs(2),
            app: AppSettings {
                chatroom_multi_room: config.multi_room,
                chatroom_member_events: config.member_events,
                ..AppSettings::default()
            },
            ..Settings::default()
        },
        devices: mobile_devices(&DEVICES, user),
        steps,
    }
}

/// Where a device stands with a room, as its own events tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Hold {
    /// Never joined, or the last membership ended.
    Not,
    /// A join or rejoin is in flight.
    Joining,
    /// The last answer was `ChatRoomJoined{0}`.
    Held,
}

/// One room as one device sees it.
#[derive(Debug)]
struct RoomView {
    hold: Hold,
    /// What ended the last membership, and when.
    ended_by: String,
    /// The server may have ended the membership without the device learning it: under the single-room rule, a
    /// join of another room whose answer was lost may have been carried out. The next join starts a new membership.
    uncertain: bool,
    /// The server surely holds no membership of the user: never joined, or the last membership ended by a
    /// successful leave, a leave refused with 23406, a join refused with 23410, the room's destruction, or the
    /// single-room rule. Not after a new session: the server keeps an offline member until it is evicted.
    definitive: bool,
    /// Joins and rejoins sent and not answered yet: the server may make the user a member again at any time.
    pending: u32,
    /// The UIDs reported in the current membership.
    seen: BTreeSet<String>,
}

impl RoomView {
    fn new() -> RoomView {
        RoomView {
            hold: Hold::Not,
            ended_by: "nothing (never joined)".into(),
            uncertain: false,
            definitive: true,
            pending: 0,
            seen: BTreeSet::new(),
        }
    }

    /// The membership ended; `definitive` when the server surely ended it too.
    fn end(&mut self, at: Duration, why: String, definitive: bool) {
        self.hold = Hold::Not;
        self.ended_by = format!("{why} at {at:?}");
        self.uncertain = false;
        self.definitive = definitive;
        self.seen.clear();
    }

    /// Whether the server surely refuses the user's messages into the room (23406).
    fn surely_not_member(&self) -> bool {
        self.hold == Hold::Not && self.definitive && self.pending == 0
    }
}

/// One device's events, judged (properties 1, 2 on events, and 4); what it holds at the end.
struct DeviceVerdict {
    problems: Vec<String>,
    /// The rooms it holds at the end (`Held`, not uncertain).
    holds: BTreeSet<String>,
    /// The rooms it has certainly stopped holding at the end.
    released: BTreeSet<String>,
    connected: bool,
}

fn judge_device(config: Config, events: &[(Duration, Event)]) -> DeviceVerdict {
    let mut rooms: BTreeMap<&str, RoomView> = ROOMS.iter().map(|room| (*room, RoomView::new())).collect();
    let mut problems = Vec::new();
    let mut connected = false;
    // The local IDs of messages sent into a room of which the user was surely not a member.
    let mut unwelcome = BTreeSet::new();
    for (index, (at, event)) in events.iter().enumerate() {
        let at = *at;
        match event {
            // The app's `connect`: a new session (after a crash in these runs), in which nothing is held.
            Event::DatabaseOpened { .. } => {
                for view in rooms.values_mut() {
                    view.end(at, "a new session".into(), false);
                    view.pending = 0;
                }
            }
            Event::ConnectionStatusChanged { status } => connected = *status == ConnectionStatus::Connected,
            Event::ChatRoomJoining { target_id } => {
                let Some(view) = rooms.get_mut(target_id.as_str()) else { continue };
                if view.hold == Hold::Not || view.uncertain || config.open {
                    view.seen.clear();
                }
                view.uncertain = false;
                view.definitive = false;
                view.pending += 1;
                view.hold = Hold::Joining;
            }
            Event::ChatRoomJoined { code, target_id } => {
                if !code.is_success() && !EXPECTED_FAILURES.contains(code) {
                    problems.push(format!("at {at:?}: join of {target_id} failed with unexpected code {}", code.0));
                }
                if let Some(view) = rooms.get_mut(target_id.as_str()) {
                    view.pending = view.pending.saturating_sub(1);
                }
                if code.is_success() {
                    if let Some(view) = rooms.get_mut(target_id.as_str()) {
                        view.hold = Hold::Held;
                    }
                    if !config.multi_room {
                        for (room, view) in rooms.iter_mut().filter(|(room, _)| *room != target_id) {
                            if view.hold == Hold::Held {
                                let why = format!("the join of {target_id} (single-room rule) leaving {room}");
                                view.end(at, why, true);
                            } else if view.pending == 0 {
                                // Whatever membership the server still kept (an offline one after a crash) is gone.
                                view.definitive = true;
                            }
                        }
                    }
                } else {
                    if let Some(view) = rooms.get_mut(target_id.as_str()) {
                        view.end(at, format!("a failed join ({})", code.0), *code == ErrorCode::CHATROOM_NOT_EXIST);
                    }
                    let unanswered = [ErrorCode::NETWORK_UNAVAILABLE, ErrorCode::MSG_RESPONSE_TIMEOUT].contains(code);
                    if !config.multi_room && unanswered {
                        for (_, view) in rooms.iter_mut().filter(|(room, _)| *room != target_id) {
                            view.uncertain = true;
                        }
                    }
                }
            }
            Event::ChatRoomLeft { code, target_id } => {
                if !code.is_success() && !EXPECTED_FAILURES.contains(code) {
                    problems.push(format!("at {at:?}: leave of {target_id} failed with unexpected code {}", code.0));
                }
                if let Some(view) = rooms.get_mut(target_id.as_str()) {
                    let definitive = code.is_success() || *code == ErrorCode::NOT_IN_CHATROOM;
                    view.end(at, format!("ChatRoomLeft({})", code.0), definitive);
                }
            }
            Event::ChatRoomStatusChanged { target_id, status } => {
                if let Some(view) = rooms.get_mut(target_id.as_str()) {
                    view.end(at, format!("ChatRoomStatusChanged({status})"), true);
                }
            }
            // Property 5: the server agrees the membership ended (a message sent into the room is refused).
            Event::MessageAttached { message } if message.conversation_type == ConversationType::Chatroom => {
                let refusable = rooms.get(message.target_id.as_str()).is_some_and(RoomView::surely_not_member);
                if refusable && message.message_id != 0 {
                    unwelcome.insert(message.message_id);
                }
            }
            Event::MessageSent { code, message } if message.conversation_type == ConversationType::Chatroom => {
                let Some(view) = rooms.get(message.target_id.as_str()) else { continue };
                if unwelcome.remove(&message.message_id) && code.is_success() && view.surely_not_member() {
                    problems.push(format!(
                        "at {at:?}: its message {:?} into {} was accepted, though it stopped being a member by {}",
                        text(&message.content),
                        message.target_id,
                        view.ended_by
                    ));
                }
            }
            Event::MessageReceived { message, .. } if message.conversation_type == ConversationType::Chatroom => {
                let room = message.target_id.as_str();
                let uid = message.message_uid.clone().unwrap_or_default();
                let Some(view) = rooms.get_mut(room) else {
                    problems.push(format!("at {at:?}: received {uid} for unknown room {room}"));
                    continue;
                };
                // The fetched messages of a join come just before its `ChatRoomJoined{0}`, which may answer a join
                // sent before a leave answered in between.
                let fetched = events[index..]
                    .iter()
                    .find(|(_, later)| !matches!(later, Event::MessageReceived { .. }))
                    .is_some_and(|(_, later)| {
                        matches!(later, Event::ChatRoomJoined { code, target_id } if code.is_success() && target_id == room)
                    });
                if view.hold == Hold::Not && !fetched {
                    problems.push(format!(
                        "at {at:?}: received {uid} ({:?}) in {room}, which it stopped holding by {}",
                        text(&message.content),
                        view.ended_by
                    ));
                }
                if !view.seen.insert(uid.clone()) {
                    problems.push(format!(
                        "at {at:?}: received {uid} ({:?}) in {room} a second time in one membership",
                        text(&message.content)
                    ));
                }
            }
            _ => {}
        }
    }
    let holds = rooms
        .iter()
        .filter(|(_, view)| view.hold == Hold::Held && !view.uncertain)
        .map(|(room, _)| (*room).to_owned())
        .collect();
    let released = rooms
        .iter()
        .filter(|(_, view)| view.hold == Hold::Not && !view.uncertain)
        .map(|(room, _)| (*room).to_owned())
        .collect();
    DeviceVerdict { problems, holds, released, connected }
}

/// Every violation in `state`, by device ("" for none in particular).
fn violations(config: Config, state: &FinalState) -> BTreeMap<String, Vec<String>> {
    let mut problems: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let no_events = Vec::new();
    let verdicts: BTreeMap<&str, DeviceVerdict> = DEVICES
        .iter()
        .map(|device| (*device, judge_device(config, state.events.get(*device).unwrap_or(&no_events))))
        .collect();
    for (device, verdict) in &verdicts {
        let mine = problems.entry((*device).to_owned()).or_default();
        mine.extend(verdict.problems.iter().cloned());
        if !verdict.connected {
            mine.push("not connected at the end, though every fault was lifted".into());
        }
        let stored = state.stored.get(*device).map(Vec::as_slice).unwrap_or_default();
        let mut uids = BTreeSet::new();
        for message in stored.iter().filter(|m| m.conversation_type == ConversationType::Chatroom) {
            let Some(uid) = &message.message_uid else { continue };
            if !uids.insert(uid.clone()) {
                mine.push(format!("stores chatroom message {uid} ({:?}) twice", text(&message.content)));
            }
            if message.direction == MessageDirection::Receive && verdict.released.contains(&message.target_id) {
                mine.push(format!(
                    "still stores received message {uid} ({:?}) of {}, which it no longer holds",
                    text(&message.content),
                    message.target_id
                ));
            }
        }
    }
    // The final phase: every holder's final message is accepted and reaches every other holder.
    let events = |device: &str| state.events.get(device).unwrap_or(&no_events);
    for room in ROOMS {
        let holders: Vec<&str> = DEVICES
            .iter()
            .copied()
            .filter(|device| verdicts[device].holds.contains(room) && verdicts[device].connected)
            .collect();
        for &sender in &holders {
            let wanted = final_text(room, sender);
            let sent = events(sender).iter().find_map(|(_, event)| match event {
                Event::MessageSent { code, message } if text(&message.content) == wanted => {
                    Some((*code, message.message_uid.clone()))
                }
                _ => None,
            });
            let uid = match sent {
                Some((code, Some(uid))) if code.is_success() => uid,
                Some((code, _)) => {
                    problems
                        .entry(sender.to_owned())
                        .or_default()
                        .push(format!("holds {room}, but its final message {wanted:?} was refused with {}", code.0));
                    continue;
                }
                None => {
                    let mine = problems.entry(sender.to_owned()).or_default();
                    mine.push(format!("holds {room}, but its final message {wanted:?} was never answered"));
                    continue;
                }
            };
            for &receiver in holders.iter().filter(|receiver| **receiver != sender) {
                let received = events(receiver).iter().any(|(_, event)| {
                    matches!(event, Event::MessageReceived { message, .. }
                        if message.target_id == room && message.message_uid.as_deref() == Some(uid.as_str()))
                });
                if !received {
                    problems
                        .entry(receiver.to_owned())
                        .or_default()
                        .push(format!("holds {room}, but never received {sender}'s final message {wanted:?} ({uid})"));
                }
            }
        }
    }
    problems.retain(|_, list| !list.is_empty());
    problems
}

/// The trace's lines for the steps and for `devices`.
fn trace_of(trace: &[String], devices: &BTreeSet<&str>) -> String {
    trace
        .iter()
        .filter(|line| {
            let actor = line.split_whitespace().nth(1).unwrap_or("");
            actor == "step" || actor == "server" || devices.contains(actor)
        })
        .map(|line| format!("{line}\n"))
        .collect()
}

proptest! {
    #![proptest_config(property_config(48))]

    #[test]
    fn chatroom_members_get_exactly_their_rooms_messages(
        seed in any::<u64>(),
        config in config(),
        ops in proptest::collection::vec((0_u64..3_000, op()), 1..60),
    ) {
        let scenario = scenario(seed, config, &ops);
        let (report, state) = run_scenario_with_final_state(&scenario, None);
        let steps: Vec<String> = scenario.steps.iter().map(Step::describe).collect();
        prop_assert!(report.passed(), "seed {seed}: {:?}\nsteps:\n  {}", report.failure, steps.join("\n  "));
        let problems = violations(config, &state);
        if !problems.is_empty() {
            let mut text = String::new();
            for (device, list) in &problems {
                text.push_str(&format!("{device}:\n    {}\n", list.join("\n    ")));
            }
            let mut events = String::new();
            for device in problems.keys() {
                events.push_str(&format!("events of {device}:\n"));
                for (at, event) in state.events.get(device).map(Vec::as_slice).unwrap_or_default() {
                    events.push_str(&format!("  {at:>12?} {}\n", describe_event(event)));
                }
            }
            let devices: BTreeSet<&str> = problems.keys().map(String::as_str).collect();
            prop_assert!(
                false,
                "seed {seed}, {config:?}:\n{text}steps:\n  {}\n{events}trace (steps and those devices):\n{}",
                steps.join("\n  "),
                trace_of(report.trace.lines(), &devices)
            );
        }
    }
}

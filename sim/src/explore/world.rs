//! A random world from a seed: its devices, users and platforms, the App Key's switches, and a timeline of app calls
//! drawn from the API table and explicit faults, with the mix itself drawn per seed (swarm testing: a world may
//! leave whole kinds of operation out, which is how rare interleavings get room to happen).
//!
//! A world is written out as an ordinary YAML scenario (`World::to_yaml`), so what the explorer runs, what it shrinks
//! and what it leaves in `fixtures/regressions/` is exactly what `imsim run` replays. Every fault is a step of that
//! scenario (turmoil's random `fail_rate` is never used), so shrinking can remove each one.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::time::Duration;

use imsim_engine::api::{Call, Method};
use rand::seq::IndexedRandom as _;
use rand::{Rng as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value as Json, json};

use super::arguments::{ArgumentDrawer, Pools};
use crate::scenario::{Settings, format_duration};

/// How long the liveness phase gives the devices to converge once every fault is healed: a heartbeat of 5 s and its
/// 2 s timeout, the reconnect schedule's longest wait (RECONN-4: 64 s) and the catch-up after it.
pub const CONVERGENCE_BOUND: Duration = Duration::from_secs(90);

/// The methods a world never draws: `connect` goes through the `connect` step, which fetches a valid token (its
/// refusals have their own scenarios), and `destroy` would end a device's part in the world for good.
const NOT_DRAWN: &[&str] = &["connect", "destroy"];

/// The kinds of fault a world may inject. Each world enables a subset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FaultKind {
    /// The link between a device and the server goes down, both ways.
    Partition,
    /// The link drops what the device sends; the server is still heard.
    PartitionToServer,
    /// The link drops what the server sends; the device is still heard.
    PartitionFromServer,
    /// The link holds everything, losing nothing, until it is released.
    Hold,
    /// The link becomes slow ([`SLOW_LINK_MIN`] to [`SLOW_LINK_MAX`] one way), then fast again.
    SlowLink,
    /// The device's process dies; it restarts later with its disk.
    Crash,
    /// The device's process dies right after a send, in the middle of its publish.
    CrashMidSend,
    /// The device's process dies right after it restarted and connected, in the middle of its catch-up.
    CrashMidCatchUp,
    /// The device's process dies and the app is uninstalled, its database deleted; later it is installed again on
    /// the same device and connects (SYNC-8, CONV-12).
    Reinstall,
    /// The OS reports the network gone, then back.
    NetworkLost,
    /// The app goes to the background, then the foreground.
    Background,
    /// The App Server API bans the user for a while.
    Ban,
    /// The App Server API revokes the user's tokens.
    RevokeTokens,
    /// The app disconnects, and later connects again.
    Disconnect,
    /// The App Server API removes the user from the group, and later adds it back (GRP-6).
    RemovedFromGroup,
    /// An administrator changes one of the App Key's switches (multi-device sync, the mobile device limit, the
    /// reconnect kicking policy), and later sets it back (CFG-13: each takes effect at once).
    Switch,
}

/// The shortest one-way latency of a slow link.
pub const SLOW_LINK_MIN: Duration = Duration::from_millis(300);

/// The longest one-way latency of a slow link: past the heartbeat timeout (2 s), so slow links also end connections.
pub const SLOW_LINK_MAX: Duration = Duration::from_secs(3);

/// How many messages a burst sends at once: past the 5 a second the server accepts (SEND-2).
const BURST_MESSAGES: std::ops::RangeInclusive<u32> = 6..=8;

/// The share of worlds in which hostile peers attack.
const HOSTILE_WORLDS_SHARE: f64 = 0.2;

/// In such a world, the chance that an operation of its timeline is a hostile peer.
const HOSTILE_PEER_CHANCE: f64 = 0.15;

/// The longest pause between a send (or a restart) and the crash that interrupts it: a few network latencies.
const CRASH_DELAY_MAX_MS: u64 = 30;

impl FaultKind {
    /// Every kind.
    pub const ALL: [FaultKind; 16] = [
        FaultKind::Partition,
        FaultKind::PartitionToServer,
        FaultKind::PartitionFromServer,
        FaultKind::Hold,
        FaultKind::SlowLink,
        FaultKind::Crash,
        FaultKind::CrashMidSend,
        FaultKind::CrashMidCatchUp,
        FaultKind::Reinstall,
        FaultKind::NetworkLost,
        FaultKind::Background,
        FaultKind::Ban,
        FaultKind::RevokeTokens,
        FaultKind::Disconnect,
        FaultKind::RemovedFromGroup,
        FaultKind::Switch,
    ];

    /// Its name in summaries.
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::Partition => "partition",
            FaultKind::PartitionToServer => "one-way partition to the server",
            FaultKind::PartitionFromServer => "one-way partition from the server",
            FaultKind::Hold => "held link",
            FaultKind::SlowLink => "slow link",
            FaultKind::Crash => "crash",
            FaultKind::CrashMidSend => "crash mid-send",
            FaultKind::CrashMidCatchUp => "crash mid-catch-up",
            FaultKind::Reinstall => "reinstall",
            FaultKind::NetworkLost => "network lost",
            FaultKind::Background => "background",
            FaultKind::Ban => "ban",
            FaultKind::RevokeTokens => "token revocation",
            FaultKind::Disconnect => "disconnect",
            FaultKind::RemovedFromGroup => "removed from the group",
            FaultKind::Switch => "server-side switch",
        }
    }

    /// The fault that is on once this one started: every crash leaves the device down until its restart.
    fn lasting(self) -> FaultKind {
        match self {
            FaultKind::CrashMidSend | FaultKind::CrashMidCatchUp => FaultKind::Crash,
            kind => kind,
        }
    }

    /// Whether it changes the device's link. turmoil does not combine a hold with a one-way partition, so a device
    /// has at most one of these on at a time.
    fn on_the_link(self) -> bool {
        matches!(
            self,
            FaultKind::Partition | FaultKind::PartitionToServer | FaultKind::PartitionFromServer | FaultKind::Hold
        )
    }
}

/// A device of the world.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceSpec {
    /// Its name (and device ID).
    pub name: String,
    /// Its user.
    pub user: String,
    /// Its platform class, as the scenario writes it.
    pub platform: &'static str,
}

/// One step of a world's timeline.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// Time passes.
    Advance(Duration),
    /// An app call drawn from the API table.
    Call {
        /// The device that calls.
        device: String,
        /// The method's manual name.
        method: &'static str,
        /// Its arguments, as the scenario writes them.
        arguments: Map<String, Json>,
        /// The name its returned message is kept under.
        keep_as: Option<String>,
    },
    /// A text message through the `send` step.
    Send {
        /// The sender.
        device: String,
        /// `private` or `group`.
        conversation_type: &'static str,
        /// The recipient or group.
        to: String,
        /// A unique text (with `{n}` numbering the messages of a burst).
        text: String,
        /// How many messages, one after another at once: more than the rate limit's 5 in a burst.
        count: u32,
        /// The name the (last) message is kept under, for later calls to refer to (a recall of a sent message).
        keep_as: Option<String>,
    },
    /// A fault starts (or, for a ban, happens).
    FaultOn(FaultKind, String),
    /// A fault ends: the link repaired, the device restarted and connected, the network back, the app in front,
    /// the user unbanned, the device connected again.
    FaultOff(FaultKind, String),
    /// A hostile peer attacks the server's wire (`crate::hostile`), its attack and bytes drawn from this seed.
    Hostile(u64),
    /// A file appears on a device's disk, for the media methods' paths to name (MTYPE-26).
    File {
        /// The device.
        device: String,
        /// Its path.
        path: &'static str,
        /// Its size in bytes.
        size: u64,
    },
}

/// The files every device of a world that calls methods has, with their sizes: what the media methods' `path` and
/// `thumbnailPath` name, so that a drawn media message can be made and uploaded (several pieces of 64 KiB for one).
pub const MEDIA_FILES: &[(&str, u64)] = &[("media/photo.jpg", 150_000), ("media/clip.mp4", 3_000)];

impl Op {
    /// The device or user the op concerns, if any.
    pub fn subject(&self) -> Option<&str> {
        match self {
            Op::Advance(_)
            | Op::Hostile(_)
            | Op::FaultOn(FaultKind::Switch, _)
            | Op::FaultOff(FaultKind::Switch, _) => None,
            Op::Call { device, .. } | Op::Send { device, .. } | Op::File { device, .. } => Some(device),
            Op::FaultOn(_, subject) | Op::FaultOff(_, subject) => Some(subject),
        }
    }
}

/// A world: everything one explored run is made of.
#[derive(Clone, Debug, PartialEq)]
pub struct World {
    /// The seed it was drawn from (and the simulation's seed).
    pub seed: u64,
    /// Its devices.
    pub devices: Vec<DeviceSpec>,
    /// `multi_device_sync` (CFG-2).
    pub multi_device_sync: bool,
    /// `mobile_devices_max` (CFG-7).
    pub mobile_devices_max: u32,
    /// `cloud_storage` (CFG-1): whether the server keeps the history the message store's remote calls reach.
    pub cloud_storage: bool,
    /// The timeline of the safety phase.
    pub ops: Vec<Op>,
}

/// The group every user of a world is in.
pub const GROUP: &str = "g1";

/// The share of single sends made with expansion on, through `sendMessage`, for the expansion methods to act on.
const EXPANDABLE_SEND_SHARE: f64 = 0.2;

/// The chatrooms a world's calls name.
pub const ROOMS: [&str; 2] = ["r1", "r2"];

impl World {
    /// The world of `seed`.
    pub fn generate(seed: u64) -> World {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xE8_9107E);
        let users: Vec<String> = (1..=rng.random_range(2..=3_u32)).map(|n| format!("u{n}")).collect();
        let devices: Vec<DeviceSpec> = (0..rng.random_range(2..=4_usize))
            .map(|index| DeviceSpec {
                name: ((b'a' + u8::try_from(index).unwrap_or(0)) as char).to_string(),
                user: users[index % users.len()].clone(),
                platform: [("mobile", 6), ("desktop", 2), ("web", 1)]
                    .choose_weighted(&mut rng, |(_, weight)| *weight)
                    .map_or("mobile", |(platform, _)| platform),
            })
            .collect();
        // Swarm testing: each world enables its own subset of faults and methods, and its own share of invalid
        // arguments.
        let faults: Vec<FaultKind> = FaultKind::ALL.into_iter().filter(|_| rng.random_bool(0.5)).collect();
        let methods: Vec<Method> = Method::ALL
            .iter()
            .copied()
            .filter(|method| !NOT_DRAWN.contains(&method.name()) && rng.random_bool(0.3))
            .collect();
        let invalid_share = *[0.0, 0.05, 0.2].choose(&mut rng).unwrap_or(&0.0);
        let mut world = World {
            seed,
            multi_device_sync: rng.random_bool(0.3),
            mobile_devices_max: if rng.random_bool(0.2) { 2 } else { 1 },
            cloud_storage: rng.random_bool(0.5),
            devices,
            ops: Vec::new(),
        };
        let mut timeline = Timeline::new(&world, users, faults, methods, invalid_share);
        timeline.chatrooms = rng.random_bool(0.5);
        timeline.bursts = rng.random_bool(0.3);
        timeline.hostile = rng.random_bool(HOSTILE_WORLDS_SHARE);
        world.ops = timeline.draw(&mut rng);
        world
    }

    /// The world as a YAML scenario: the safety phase (the timeline), then the liveness phase (every fault healed,
    /// every device connected, [`CONVERGENCE_BOUND`] of quiet).
    pub fn to_yaml(&self, name: &str) -> String {
        let mut yaml = String::new();
        let _ =
            writeln!(yaml, "# An explored world (imsim explore), seed {}. Replay: imsim run <this file>", self.seed);
        let _ = writeln!(yaml, "name: {}", yaml_string(name));
        // What every world does: it connects its devices (CONN-3), whose statuses change (CONN-8). Its checkers judge
        // more (RECV-11, RECV-13, RECV-15, SEND-14, UNREAD-1, MULTI-2), but their code carries coverage marks that a
        // random world need not reach, and a claim there would have to be exercised (`imsim_engine::marks`).
        let _ = writeln!(yaml, "rules: [CONN-3, CONN-8]");
        let _ = writeln!(yaml, "seed: {}", self.seed);
        let _ = writeln!(yaml, "settings:");
        let _ = writeln!(yaml, "  tick: 10ms");
        let _ = writeln!(yaml, "  heartbeat: {{ interval: 5s, timeout: 2s }}");
        let _ = writeln!(
            yaml,
            "  app: {{ multi_device_sync: {}, mobile_devices_max: {}, cloud_storage: {}, chatroom_kv: true, \
             chatroom_cloud_storage: true }}",
            self.multi_device_sync, self.mobile_devices_max, self.cloud_storage
        );
        let _ = writeln!(yaml, "devices:");
        for device in &self.devices {
            let _ = writeln!(yaml, "  {}: {{ user: {}, platform: {} }}", device.name, device.user, device.platform);
        }
        let users: BTreeSet<&str> = self.devices.iter().map(|device| device.user.as_str()).collect();
        let _ = writeln!(yaml, "steps:");
        let members: Vec<&str> = users.iter().copied().collect();
        let _ = writeln!(yaml, "  - create_group: {{ id: {GROUP}, name: \"G\", members: [{}] }}", members.join(", "));
        for device in &self.devices {
            let _ = writeln!(yaml, "  - connect: {}", device.name);
        }
        let mut state = FaultState::default();
        for op in &self.ops {
            let _ = writeln!(yaml, "{}", render(op));
            state.apply(op);
        }
        let _ = writeln!(yaml, "  # liveness: every fault healed, every device connected");
        for op in state.healing() {
            let _ = writeln!(yaml, "{}", render(&op));
        }
        for device in &self.devices {
            let _ = writeln!(yaml, "  - connect: {}", device.name);
        }
        let _ = writeln!(yaml, "  - converge: {}s", CONVERGENCE_BOUND.as_secs());
        yaml
    }
}

/// Which faults are on at a point of the timeline.
#[derive(Debug, Default)]
struct FaultState {
    on: BTreeSet<(FaultKind, String)>,
}

impl FaultState {
    fn apply(&mut self, op: &Op) {
        match op {
            // A revocation has no end of its own: the next connect fetches a new token.
            Op::FaultOn(FaultKind::RevokeTokens, _) => {}
            Op::FaultOn(kind, subject) => {
                self.on.insert((kind.lasting(), subject.clone()));
            }
            Op::FaultOff(kind, subject) => {
                self.on.remove(&(*kind, subject.clone()));
            }
            _ => {}
        }
    }

    fn is_on(&self, kind: FaultKind, subject: &str) -> bool {
        self.on.contains(&(kind, subject.to_owned()))
    }

    /// Whether `device` can run app code now: not crashed, and not uninstalled.
    fn device_up(&self, device: &str) -> bool {
        !self.is_on(FaultKind::Crash, device) && !self.is_on(FaultKind::Reinstall, device)
    }

    /// The link fault on for `device`, if any.
    fn link_fault(&self, device: &str) -> Option<FaultKind> {
        self.on.iter().find(|(kind, subject)| kind.on_the_link() && subject == device).map(|(kind, _)| *kind)
    }

    /// The switch changed and not yet set back, as its `app_settings` text.
    fn switch_on(&self) -> Option<&str> {
        self.on.iter().find(|(kind, _)| *kind == FaultKind::Switch).map(|(_, subject)| subject.as_str())
    }

    /// The ops that end every fault still on, in a fixed order.
    fn healing(&self) -> Vec<Op> {
        self.on.iter().map(|(kind, subject)| Op::FaultOff(*kind, subject.clone())).collect()
    }
}

/// Draws a world's timeline.
struct Timeline<'w> {
    world: &'w World,
    users: Vec<String>,
    faults: Vec<FaultKind>,
    methods: Vec<Method>,
    invalid_share: f64,
    pools: Pools,
    call_schema: Json,
    texts: u64,
    /// The messages kept so far (`as: NAME`), with the device that created each, and whether a send made it (so
    /// it will name a message the server accepted, with a UID).
    kept: Vec<(String, String, bool)>,
    /// Whether this world has chatroom traffic (every device joins the first room at the start).
    chatrooms: bool,
    /// Whether this world's sends are now and then a burst past the rate limit.
    bursts: bool,
    /// Whether hostile peers now and then attack the server's wire.
    hostile: bool,
}

impl<'w> Timeline<'w> {
    fn new(
        world: &'w World,
        users: Vec<String>,
        faults: Vec<FaultKind>,
        methods: Vec<Method>,
        invalid_share: f64,
    ) -> Self {
        let pools = Pools {
            users: users.clone(),
            groups: vec![GROUP.to_owned()],
            rooms: ROOMS.iter().map(|room| (*room).to_owned()).collect(),
            files: MEDIA_FILES.iter().map(|(path, _)| (*path).to_owned()).collect(),
            kept_messages: Vec::new(),
            sent_messages: Vec::new(),
        };
        let call_schema = schemars::schema_for!(Call).to_value();
        Timeline {
            world,
            users,
            faults,
            methods,
            invalid_share,
            pools,
            call_schema,
            texts: 0,
            kept: Vec::new(),
            chatrooms: false,
            bursts: false,
            hostile: false,
        }
    }

    fn draw(mut self, rng: &mut ChaCha8Rng) -> Vec<Op> {
        let mut ops = Vec::new();
        let mut state = FaultState::default();
        if !self.methods.is_empty() {
            for device in &self.world.devices {
                for &(path, size) in MEDIA_FILES {
                    ops.push(Op::File { device: device.name.clone(), path, size });
                }
            }
        }
        if self.chatrooms {
            // Once connected: a join before the connection is refused.
            ops.push(Op::Advance(Duration::from_millis(100)));
            for device in &self.world.devices {
                ops.push(join(&device.name, ROOMS[0]));
            }
        }
        let length = ops.len() + rng.random_range(5..=40);
        while ops.len() < length {
            // Often no wait at all, so that operations land while the previous one is in flight.
            let wait = if rng.random_bool(0.3) { 0 } else { rng.random_range(1..=1_500) };
            ops.push(Op::Advance(Duration::from_millis(wait)));
            let device = self.world.devices.choose(rng).expect("a world has devices").clone();
            let roll = rng.random_range(0..10);
            let drawn = if self.hostile && rng.random_bool(HOSTILE_PEER_CHANCE) {
                vec![Op::Hostile(rng.random())]
            } else if (roll < 2 && !self.faults.is_empty()) || !state.device_up(&device.name) {
                // A crashed device does nothing but restart.
                self.fault(&device, &state, rng)
            } else if roll < 3 && self.chatrooms {
                vec![self.chatroom(&device.name, rng)]
            } else if roll < 5 && !self.methods.is_empty() {
                self.call(&device.name, rng).into_iter().collect()
            } else {
                vec![self.send(&device.name, rng)]
            };
            for op in drawn {
                state.apply(&op);
                ops.push(op);
            }
        }
        ops
    }

    /// A fault on `device` (or its user), as `drawn_fault` draws it. A crash takes the app's message objects with it:
    /// later calls no longer refer to the ones it kept (a send queued at the crash's instant may never be made).
    fn fault(&mut self, device: &DeviceSpec, state: &FaultState, rng: &mut ChaCha8Rng) -> Vec<Op> {
        let ops = self.drawn_fault(device, state, rng);
        let crashes = ops.iter().any(|op| {
            matches!(
                op,
                Op::FaultOn(
                    FaultKind::Crash | FaultKind::CrashMidSend | FaultKind::CrashMidCatchUp | FaultKind::Reinstall,
                    _
                )
            )
        });
        if crashes {
            self.kept.retain(|(owner, _, _)| *owner != device.name);
        }
        ops
    }

    /// A fault on `device` (or its user): one that is on ends, else a new one starts. A crash in the middle of
    /// something comes with the something: a send, or a restart and connect, then a pause of a few latencies.
    fn drawn_fault(&mut self, device: &DeviceSpec, state: &FaultState, rng: &mut ChaCha8Rng) -> Vec<Op> {
        let name = &device.name;
        let interrupting =
            |rng: &mut ChaCha8Rng| Op::Advance(Duration::from_millis(rng.random_range(0..=CRASH_DELAY_MAX_MS)));
        if !state.device_up(name) {
            // An uninstalled device is installed again; a crashed device takes no other fault until it restarts,
            // unless it dies again while catching up.
            if state.is_on(FaultKind::Reinstall, name) {
                return vec![Op::FaultOff(FaultKind::Reinstall, name.clone())];
            }
            let restart = Op::FaultOff(FaultKind::Crash, name.clone());
            if self.faults.contains(&FaultKind::CrashMidCatchUp) && rng.random_bool(0.5) {
                return vec![restart, interrupting(rng), Op::FaultOn(FaultKind::CrashMidCatchUp, name.clone())];
            }
            return vec![restart];
        }
        let Some(kind) = self.faults.choose(rng).copied() else { return Vec::new() };
        if kind == FaultKind::Switch {
            // One switch changed at a time: each `app_settings` step starts again from `settings.app`.
            if let Some(on) = state.switch_on() {
                return vec![Op::FaultOff(kind, on.to_owned())];
            }
            let change = match rng.random_range(0..4) {
                0 => format!("multi_device_sync: {}", !self.world.multi_device_sync),
                1 => format!("mobile_devices_max: {}", if self.world.mobile_devices_max == 1 { 2 } else { 1 }),
                2 => format!("cloud_storage: {}", !self.world.cloud_storage),
                _ => "reconnect_kick_policy: true".to_owned(),
            };
            return vec![Op::FaultOn(kind, change)];
        }
        let subject = match kind {
            FaultKind::Ban | FaultKind::RevokeTokens | FaultKind::RemovedFromGroup => device.user.clone(),
            _ => name.clone(),
        };
        if kind.on_the_link()
            && let Some(on) = state.link_fault(name)
        {
            return vec![Op::FaultOff(on, subject)];
        }
        match kind {
            FaultKind::CrashMidSend => {
                vec![self.send(name, rng), interrupting(rng), Op::FaultOn(kind, subject)]
            }
            // Only a restarted device catches up: without a crash first, this is a plain crash.
            FaultKind::CrashMidCatchUp => vec![Op::FaultOn(FaultKind::Crash, subject)],
            _ if state.is_on(kind, &subject) => vec![Op::FaultOff(kind, subject)],
            _ => vec![Op::FaultOn(kind, subject)],
        }
    }

    /// Chatroom traffic: a join (fetching a few messages, creating the room if need be), a leave (so that
    /// deliveries after leaving have their chance to show), or a message to a room.
    fn chatroom(&mut self, device: &str, rng: &mut ChaCha8Rng) -> Op {
        let room = if rng.random_bool(0.8) { ROOMS[0] } else { ROOMS[1] }.to_owned();
        match rng.random_range(0..10) {
            0..3 => return join(device, &room),
            3..5 => {
                let mut arguments = Map::new();
                arguments.insert("targetId".into(), Json::String(room));
                return Op::Call { device: device.to_owned(), method: "leaveChatRoom", arguments, keep_as: None };
            }
            _ => {}
        }
        self.texts += 1;
        Op::Send {
            device: device.to_owned(),
            conversation_type: "chatroom",
            to: room,
            text: format!("{device}{}", self.texts),
            count: 1,
            keep_as: None,
        }
    }

    fn send(&mut self, device: &str, rng: &mut ChaCha8Rng) -> Op {
        self.texts += 1;
        let burst = self.bursts && rng.random_bool(0.2);
        let (text, count) = if burst {
            (format!("{device}{}-{{n}}", self.texts), rng.random_range(BURST_MESSAGES))
        } else {
            (format!("{device}{}", self.texts), 1)
        };
        let (conversation_type, to) = if rng.random_bool(0.3) {
            ("group", GROUP.to_owned())
        } else {
            ("private", self.users.choose(rng).cloned().unwrap_or_default())
        };
        let name = format!("m{}", self.kept.len() + 1);
        self.kept.push((device.to_owned(), name.clone(), true));
        if count == 1 && rng.random_bool(EXPANDABLE_SEND_SHARE) {
            // Sent with expansion on (EXP-5), so that later expansion changes can name it.
            let message = json!({
                "conversationType": conversation_type,
                "targetId": to,
                "messageType": "text",
                "text": text,
                "expansion": { "k1": "v" },
            });
            let arguments = Map::from_iter([("message".to_owned(), message)]);
            return Op::Call { device: device.to_owned(), method: "sendMessage", arguments, keep_as: Some(name) };
        }
        Op::Send { device: device.to_owned(), conversation_type, to, text, count, keep_as: Some(name) }
    }

    fn call(&mut self, device: &str, rng: &mut ChaCha8Rng) -> Option<Op> {
        let method = *self.methods.choose(rng)?;
        let variant = self
            .call_schema
            .get("oneOf")
            .and_then(Json::as_array)?
            .iter()
            .find(|variant| variant.pointer("/properties/method/const").and_then(Json::as_str) == Some(method.name()))?
            .clone();
        let definitions = self.call_schema.get("$defs").and_then(Json::as_object).cloned().unwrap_or_default();
        // A method that creates a message is drawn valid: later calls refer to what it returns, and a reference
        // to nothing would end the world as the generator's mistake.
        let creates = method.name().starts_with("create");
        let invalid_share = if creates { 0.0 } else { self.invalid_share };
        // A device refers only to messages it created itself: another device's call could run before the creating
        // one within the same tick, and an app never hands its message objects to another device anyway.
        let own = self.kept.iter().filter(|(owner, _, _)| owner == device);
        self.pools.kept_messages = own.clone().map(|(_, name, _)| name.clone()).collect();
        self.pools.sent_messages = own.filter(|(_, _, sent)| *sent).map(|(_, name, _)| name.clone()).collect();
        let mut drawer = ArgumentDrawer::new(method.name(), &definitions, &self.pools, invalid_share, &mut self.texts);
        let arguments = drawer.parameters(&variant, rng);
        // A drawn value the engine's own types would not read is the generator's mistake, not a finding: leave it.
        let mut call = arguments.clone();
        call.insert("method".into(), Json::String(method.name().to_owned()));
        let literal_only: Map<String, Json> =
            call.iter().filter(|(_, value)| !is_reference(value)).map(|(k, v)| (k.clone(), v.clone())).collect();
        if arguments.values().all(|value| !is_reference(value))
            && serde_json::from_value::<Call>(Json::Object(literal_only)).is_err()
        {
            return None;
        }
        // A method passed a message keeps it too, as its events update it (a send's result carries its UID), so
        // that later calls can refer to sent and received messages, not only to created ones (recallMessage).
        let passes_message = variant.pointer("/properties/message").is_some();
        let keep_as = (creates || passes_message).then(|| {
            let name = format!("m{}", self.kept.len() + 1);
            self.kept.push((device.to_owned(), name.clone(), method.name().starts_with("send")));
            name
        });
        Some(Op::Call { device: device.to_owned(), method: method.name(), arguments, keep_as })
    }
}

/// `device` joins `room`, fetching a few messages and creating the room if need be.
fn join(device: &str, room: &str) -> Op {
    let mut arguments = Map::new();
    arguments.insert("targetId".into(), Json::String(room.to_owned()));
    arguments.insert("messageCount".into(), Json::from(5));
    arguments.insert("autoCreate".into(), Json::Bool(true));
    Op::Call { device: device.to_owned(), method: "joinChatRoom", arguments, keep_as: None }
}

fn is_reference(value: &Json) -> bool {
    value.as_str().is_some_and(|text| text.starts_with('$'))
}

/// One op as a scenario step line.
fn render(op: &Op) -> String {
    match op {
        Op::Advance(duration) => format!("  - advance: {}ms", duration.as_millis()),
        Op::Hostile(seed) => format!("  - hostile_peer: {seed}"),
        Op::File { device, path, size } => format!("  - file: {{ device: {device}, path: {path}, size: {size} }}"),
        Op::Call { device, method, arguments, keep_as } => {
            let mut call = Map::new();
            call.insert("device".into(), Json::String(device.clone()));
            call.insert("method".into(), Json::String((*method).to_owned()));
            call.extend(arguments.clone());
            if let Some(name) = keep_as {
                call.insert("as".into(), Json::String(name.clone()));
            }
            format!("  - call: {}", Json::Object(call))
        }
        Op::Send { device, conversation_type, to, text, count, keep_as } => {
            let text = if *count == 1 { text.clone() } else { yaml_string(text) };
            let count = if *count == 1 { String::new() } else { format!(", count: {count}") };
            let keep_as = keep_as.as_ref().map(|name| format!(", as: {name}")).unwrap_or_default();
            format!(
                "  - send: {{ device: {device}, type: {conversation_type}, to: {to}, text: {text}{count}{keep_as} }}"
            )
        }
        Op::FaultOn(kind, subject) => match kind {
            FaultKind::Partition => format!("  - partition: [{subject}, server]"),
            FaultKind::PartitionToServer => format!("  - partition_oneway: [{subject}, server]"),
            FaultKind::PartitionFromServer => format!("  - partition_oneway: [server, {subject}]"),
            FaultKind::Hold => format!("  - hold: [{subject}, server]"),
            FaultKind::SlowLink => latency(subject, SLOW_LINK_MIN, SLOW_LINK_MAX),
            FaultKind::Crash | FaultKind::CrashMidSend | FaultKind::CrashMidCatchUp | FaultKind::Reinstall => {
                format!("  - crash: {subject}")
            }
            FaultKind::NetworkLost => format!("  - network_lost: {subject}"),
            FaultKind::Background => format!("  - background: {subject}"),
            FaultKind::Ban => format!("  - ban: {{ user: {subject}, duration: 1h }}"),
            FaultKind::RevokeTokens => format!("  - revoke_tokens: {subject}"),
            FaultKind::Disconnect => format!("  - disconnect: {subject}"),
            FaultKind::Switch => format!("  - app_settings: {{ {subject} }}"),
            FaultKind::RemovedFromGroup => format!("  - remove_members: {{ group: {GROUP}, users: [{subject}] }}"),
        },
        Op::FaultOff(kind, subject) => match kind {
            FaultKind::Partition | FaultKind::PartitionToServer | FaultKind::PartitionFromServer => {
                format!("  - repair: [{subject}, server]")
            }
            FaultKind::Hold => format!("  - release: [{subject}, server]"),
            FaultKind::SlowLink => {
                let usual = Settings::default();
                latency(subject, usual.latency_min, usual.latency_max)
            }
            FaultKind::Crash | FaultKind::CrashMidSend | FaultKind::CrashMidCatchUp => {
                format!("  - restart: {subject}\n  - connect: {subject}")
            }
            FaultKind::Reinstall => format!("  - reinstall: {subject}\n  - connect: {subject}"),
            FaultKind::NetworkLost => format!("  - network_restored: {subject}"),
            FaultKind::Background => format!("  - foreground: {subject}"),
            FaultKind::Ban => format!("  - unban: {subject}"),
            // The connect step fetches a new token, so it also ends a revocation's effect.
            FaultKind::RevokeTokens | FaultKind::Disconnect => format!("  - connect: {subject}"),
            FaultKind::Switch => "  - app_settings: {}".to_owned(),
            FaultKind::RemovedFromGroup => format!("  - add_members: {{ group: {GROUP}, users: [{subject}] }}"),
        },
    }
}

/// A `latency` step for the link between `device` and the server.
fn latency(device: &str, min: Duration, max: Duration) -> String {
    let (min, max) = (format_duration(min), format_duration(max));
    format!("  - latency: {{ link: [{device}, server], min: {min}, max: {max} }}")
}

/// `text` as a double-quoted YAML scalar.
fn yaml_string(text: &str) -> String {
    Json::String(text.to_owned()).to_string()
}

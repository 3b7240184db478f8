//! The chatroom steps: the app's chatroom and KV calls (`join_chatroom`, `kv_add`, ...), whose arguments are passed
//! as written, and the App Server API's chatroom administration (`create_chatroom`, `chatroom_whitelist`, ...) and
//! moderation (`chatroom_ban`, `chatroom_mute`, ..., `chatroom_broadcast`).

use std::collections::BTreeMap;

use imsim_engine::types::TimeOrder;

use super::steps::{id, ids, mapping};
use super::{Context, positive_duration};
use crate::scenario::model::{ChatroomAdmin, ChatroomCall, HistoryFrom, StepKind};
use crate::scenario::yaml::{Fields, Node, Res, Scalar, Value, fail};

const I32_RANGE: &str = "an integer from -2147483648 to 2147483647";
const TIMESTAMP: &str = "an integer from -9223372036854775808 to 9223372036854775807 (Unix milliseconds), or sync_time";
/// The longest text a `{ repeat, times }` form may make.
const REPEAT_CHARS_MAX: usize = 1 << 20;

/// The chatroom step `step` (a name of `STEPS` that is not handled in `steps.rs`).
pub(super) fn chatroom_step(step: &str, node: &Node, context: &Context<'_>) -> Res<StepKind> {
    match step {
        "create_chatroom" => Ok(StepKind::ChatroomAdmin(ChatroomAdmin::Create { room: id(node, step)? })),
        "destroy_chatroom" => Ok(StepKind::ChatroomAdmin(ChatroomAdmin::Destroy { room: id(node, step)? })),
        "chatroom_clear_history" => Ok(StepKind::ChatroomAdmin(ChatroomAdmin::ClearHistory { room: id(node, step)? })),
        "chatroom_keep_alive" => keep_alive(node),
        "chatroom_whitelist" | "chatroom_unwhitelist" => {
            let fields = mapping(node, step, &["room", "users"], "{ room: r1, users: [lisi] }")?;
            let room = id(fields.require("room")?, &format!("{step}.room"))?;
            let users = ids(fields.require("users")?, &format!("{step}.users"), false)?;
            let admin = if step == "chatroom_whitelist" {
                ChatroomAdmin::Whitelist { room, users }
            } else {
                ChatroomAdmin::Unwhitelist { room, users }
            };
            Ok(StepKind::ChatroomAdmin(admin))
        }
        "chatroom_message_whitelist" => {
            let object_names = object_names(node, step)?;
            Ok(StepKind::ChatroomAdmin(ChatroomAdmin::MessageWhitelist { object_names }))
        }
        "chatroom_low_priority" => {
            let object_names = object_names(node, step)?;
            Ok(StepKind::ChatroomAdmin(ChatroomAdmin::LowPriority { object_names }))
        }
        "chatroom_ban"
        | "chatroom_unban"
        | "chatroom_mute"
        | "chatroom_unmute"
        | "chatroom_mute_all"
        | "chatroom_unmute_all"
        | "chatroom_global_mute"
        | "chatroom_global_unmute"
        | "chatroom_broadcast" => moderation(step, node).map(StepKind::ChatroomAdmin),
        _ => app_call(step, node, context),
    }
}

/// `chatroom_keep_alive: r1`, or `chatroom_keep_alive: { room: r1, keep_alive: false }`.
fn keep_alive(node: &Node) -> Res<StepKind> {
    const STEP: &str = "chatroom_keep_alive";
    if let Value::Scalar(..) = node.value {
        return Ok(StepKind::ChatroomAdmin(ChatroomAdmin::KeepAlive { room: id(node, STEP)?, keep_alive: true }));
    }
    if !matches!(node.value, Value::Map(_)) {
        return node.expected(STEP, "a room ID or a mapping like { room: r1, keep_alive: false }");
    }
    let fields = node.fields(STEP, &format!("in {STEP}"), &["room", "keep_alive"])?;
    let room = id(fields.require("room")?, "chatroom_keep_alive.room")?;
    let keep_alive = match fields.get("keep_alive") {
        Some(node) => node.bool("chatroom_keep_alive.keep_alive")?,
        None => true,
    };
    Ok(StepKind::ChatroomAdmin(ChatroomAdmin::KeepAlive { room, keep_alive }))
}

/// The moderation steps of the App Server API (CR-30 to CR-33, CR-35).
fn moderation(step: &str, node: &Node) -> Res<ChatroomAdmin> {
    if step == "chatroom_unmute_all" {
        return Ok(ChatroomAdmin::UnmuteAll { room: id(node, step)? });
    }
    let (allowed, example): (&[&str], &str) = match step {
        "chatroom_ban" => (&["room", "users", "duration"], "{ room: r1, users: [lisi], duration: 1h }"),
        "chatroom_mute" => (&["room", "users", "duration"], "{ room: r1, users: [lisi], duration: 1h }"),
        "chatroom_mute_all" => (&["room", "whitelist"], "{ room: r1, whitelist: [zhangsan] }"),
        "chatroom_global_mute" => (&["users", "duration"], "{ users: [lisi], duration: 1h }"),
        "chatroom_global_unmute" => (&["users"], "{ users: [lisi] }"),
        "chatroom_broadcast" => (&["from", "text"], "{ from: admin, text: hi }"),
        _ => (&["room", "users"], "{ room: r1, users: [lisi] }"),
    };
    let fields = mapping(node, step, allowed, example)?;
    let room = || id(fields.require("room")?, &format!("{step}.room"));
    let users = || ids(fields.require("users")?, &format!("{step}.users"), false);
    let mute_duration = || match fields.get("duration") {
        Some(node) => {
            let hint = format!(" (leave duration out to mute until `{}`)", step.replace("_mute", "_unmute"));
            positive_duration(node, &format!("{step}.duration"), &hint).map(Some)
        }
        None => Ok(None),
    };
    Ok(match step {
        "chatroom_ban" => {
            let (room, users) = (room()?, users()?);
            let hint = " (`chatroom_unban` lifts a ban)";
            let duration = positive_duration(fields.require("duration")?, "chatroom_ban.duration", hint)?;
            ChatroomAdmin::Ban { room, users, duration }
        }
        "chatroom_unban" => ChatroomAdmin::Unban { room: room()?, users: users()? },
        "chatroom_mute" => ChatroomAdmin::Mute { room: room()?, users: users()?, duration: mute_duration()? },
        "chatroom_unmute" => ChatroomAdmin::Unmute { room: room()?, users: users()? },
        "chatroom_mute_all" => {
            let room = room()?;
            let whitelist = match fields.get("whitelist") {
                Some(node) => ids(node, "chatroom_mute_all.whitelist", true)?,
                None => Vec::new(),
            };
            ChatroomAdmin::MuteAll { room, whitelist }
        }
        "chatroom_global_mute" => ChatroomAdmin::GlobalMute { users: users()?, duration: mute_duration()? },
        "chatroom_global_unmute" => ChatroomAdmin::GlobalUnmute { users: users()? },
        _ => {
            let from = id(fields.require("from")?, "chatroom_broadcast.from")?;
            ChatroomAdmin::Broadcast { from, text: text(fields.require("text")?, "chatroom_broadcast.text")? }
        }
    })
}

/// A list of message object names for the App Server API, such as `[RC:TxtMsg]`: possibly empty (the list is
/// replaced), none empty, none twice.
pub(super) fn object_names(node: &Node, what: &str) -> Res<Vec<String>> {
    let items = node.seq(what, "a list of message object names, like [RC:TxtMsg] (`[]` for none)")?;
    let mut names: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        let name = id(item, what)?;
        if names.contains(&name) {
            return fail(item.at, format!("{what}: {name} is listed twice"));
        }
        names.push(name);
    }
    Ok(names)
}

/// The app's chatroom calls: a device, a room and the call's arguments, as written.
fn app_call(step: &str, node: &Node, context: &Context<'_>) -> Res<StepKind> {
    let (allowed, example): (&[&str], &str) = match step {
        "join_chatroom" => (&["device", "room", "count", "auto_create"], "{ device: a, room: r1, count: 10 }"),
        "leave_chatroom" => (&["device", "room"], "{ device: a, room: r1 }"),
        "chatroom_history" => {
            (&["device", "room", "timestamp", "order", "count"], "{ device: a, room: r1, count: 20 }")
        }
        "kv_add" => (
            &["device", "room", "key", "value", "delete_when_left", "overwrite"],
            "{ device: a, room: r1, key: k, value: v }",
        ),
        "kv_add_many" => (
            &["device", "room", "entries", "delete_when_left", "overwrite"],
            "{ device: a, room: r1, entries: { k: v } }",
        ),
        "kv_remove" => (&["device", "room", "key", "force"], "{ device: a, room: r1, key: k }"),
        _ => (&["device", "room", "keys", "force"], "{ device: a, room: r1, keys: [k1, k2] }"),
    };
    let fields = mapping(node, step, allowed, example)?;
    let device = context.device(fields.require("device")?, &format!("{step}.device"))?;
    let room = fields.require("room")?.text(&format!("{step}.room"))?;
    let flag = |name: &str| match fields.get(name) {
        Some(node) => node.bool(&format!("{step}.{name}")),
        None => Ok(false),
    };
    let call = match step {
        "join_chatroom" => {
            let count = match fields.get("count") {
                Some(node) => node.int("join_chatroom.count", I32_RANGE)?,
                None => -1,
            };
            ChatroomCall::Join { room, count, auto_create: flag("auto_create")? }
        }
        "leave_chatroom" => ChatroomCall::Leave { room },
        "chatroom_history" => {
            let timestamp = match fields.get("timestamp") {
                Some(node) if matches!(&node.value, Value::Scalar(text, Scalar::Str) if text == "sync_time") => {
                    HistoryFrom::SyncTime
                }
                Some(node) => HistoryFrom::Timestamp(node.int("chatroom_history.timestamp", TIMESTAMP)?),
                None => HistoryFrom::Timestamp(0),
            };
            let order = match fields.get("order") {
                Some(node) => node.choice("chatroom_history.order", TimeOrder::ALL, TimeOrder::manual_name)?,
                None => TimeOrder::Before,
            };
            let count = fields.require("count")?.int("chatroom_history.count", I32_RANGE)?;
            ChatroomCall::History { room, timestamp, order, count }
        }
        "kv_add" => {
            let key = text(fields.require("key")?, "kv_add.key")?;
            let value = text(fields.require("value")?, "kv_add.value")?;
            let (delete_when_left, overwrite) = (flag("delete_when_left")?, flag("overwrite")?);
            ChatroomCall::AddEntry { room, key, value, delete_when_left, overwrite }
        }
        "kv_add_many" => {
            let entries = entries(fields.require("entries")?, "kv_add_many.entries")?;
            let (delete_when_left, overwrite) = (flag("delete_when_left")?, flag("overwrite")?);
            ChatroomCall::AddEntries { room, entries, delete_when_left, overwrite }
        }
        "kv_remove" => {
            let key = text(fields.require("key")?, "kv_remove.key")?;
            ChatroomCall::RemoveEntry { room, key, force: flag("force")? }
        }
        _ => {
            let node = fields.require("keys")?;
            let items = node.seq("kv_remove_many.keys", "a list of keys, like [k1, k2] (`[]` for none)")?;
            let keys = items.iter().map(|item| item.text("kv_remove_many.keys")).collect::<Res<Vec<String>>>()?;
            ChatroomCall::RemoveEntries { room, keys, force: flag("force")? }
        }
    };
    Ok(StepKind::Chatroom { device, call })
}

/// A text argument as written, or `{ repeat: ab, times: 3 }` for `ababab` (for the long keys and values that the
/// limits need, CRKV-5).
fn text(node: &Node, what: &str) -> Res<String> {
    if !matches!(node.value, Value::Map(_)) {
        return node.text(what);
    }
    let fields: Fields<'_> = node.fields(what, &format!("in {what}"), &["repeat", "times"])?;
    let unit = fields.require("repeat")?.text(&format!("{what}.repeat"))?;
    let times_node = fields.require("times")?;
    let range = format!("an integer from 0 to {REPEAT_CHARS_MAX}");
    let times: usize = times_node.int(&format!("{what}.times"), &range)?;
    if unit.chars().count().saturating_mul(times) > REPEAT_CHARS_MAX {
        return fail(times_node.at, format!("{what}: the text would be longer than {REPEAT_CHARS_MAX} characters"));
    }
    Ok(unit.repeat(times))
}

/// A mapping of KV entries, keys and values as written (`{}` for none).
pub(super) fn entries(node: &Node, what: &str) -> Res<BTreeMap<String, String>> {
    if !matches!(node.value, Value::Map(_)) {
        return node.expected(what, "a mapping of keys to values, like { k1: v1, k2: v2 } (`{}` for none)");
    }
    node.entries(what, &format!("in {what}"), "key")?
        .into_iter()
        .map(|entry| Ok((entry.key.to_owned(), entry.value.text(&format!("{what}.{}", entry.key))?)))
        .collect()
}

//! The steps of a scenario: each step's keys and values, and what steps can refer to (devices, users, endpoints).

use imsim_engine::types::{ConversationType, MessageContent};
use serde::Deserialize as _;

use super::call::{call_step, is_event_expect, listener_expect};
use super::chatroom::chatroom_step;
use super::expect::expect;
use super::server_api::server_api_step;
use super::{Context, latency_range, non_empty, positive_duration};
use crate::hostile::Attack;
use crate::scenario::arguments::NodeDeserializer;
use crate::scenario::model::{Endpoint, FILE_BYTES_MAX, SEND_COUNT_MAX, Step, StepKind, TokenChoice};
use crate::scenario::yaml::{Fields, Node, Res, Value, fail};

pub(super) const STEPS: &[&str] = &[
    "connect",
    "disconnect",
    "send",
    "advance",
    "converge",
    "checkpoint",
    "partition",
    "repair",
    "partition_oneway",
    "hold",
    "release",
    "latency",
    "revoke_tokens",
    "ban",
    "unban",
    "hostile_peer",
    "app_settings",
    "foreground",
    "background",
    "network_lost",
    "network_restored",
    "crash",
    "restart",
    "reinstall",
    "create",
    "file",
    "listener",
    "blacklist_add",
    "blacklist_remove",
    "blacklist_status",
    "blacklist_get",
    "create_group",
    "dismiss_group",
    "add_members",
    "remove_members",
    "mute_member",
    "unmute_member",
    "mute_all",
    "unmute_all",
    "server_send",
    "server_broadcast",
    "server_api",
    "join_chatroom",
    "leave_chatroom",
    "chatroom_history",
    "kv_add",
    "kv_add_many",
    "kv_remove",
    "kv_remove_many",
    "create_chatroom",
    "destroy_chatroom",
    "chatroom_clear_history",
    "chatroom_keep_alive",
    "chatroom_whitelist",
    "chatroom_unwhitelist",
    "chatroom_message_whitelist",
    "chatroom_low_priority",
    "chatroom_ban",
    "chatroom_unban",
    "chatroom_mute",
    "chatroom_unmute",
    "chatroom_mute_all",
    "chatroom_unmute_all",
    "chatroom_global_mute",
    "chatroom_global_unmute",
    "chatroom_broadcast",
    "call",
    "expect",
];
/// The message APIs of a `server_send`.
const SERVER_SEND_TYPES: &[ConversationType] =
    &[ConversationType::Private, ConversationType::Group, ConversationType::System];

pub(super) fn step(node: &Node, context: &Context<'_>) -> Res<Step> {
    if !matches!(node.value, Value::Map(_)) {
        return fail(node.at, format!("a step is a mapping with one key, like `connect: a`; found {}", node.found()));
    }
    let entries = node.entries("step", "in the step", "key")?;
    let Some(first) = entries.first() else {
        return fail(node.at, format!("empty step; expected one of {}", STEPS.join(", ")));
    };
    if !STEPS.contains(&first.key) {
        return fail(first.key_at, format!("unknown step {:?}; expected one of {}", first.key, STEPS.join(", ")));
    }
    if let Some(extra) = entries.get(1) {
        let hint = if STEPS.contains(&extra.key) {
            "start each step with its own `- `".to_owned()
        } else {
            format!("indent it under `{}:`", first.key)
        };
        return fail(
            extra.key_at,
            format!("a step has exactly one key, but this one also has {:?}; {hint}", extra.key),
        );
    }
    let value = first.value;
    let kind = match first.key {
        "connect" => connect(value, context)?,
        "disconnect" => disconnect(value, context)?,
        "send" => send(value, context)?,
        "advance" => StepKind::Advance(value.duration("advance")?),
        "converge" => StepKind::Converge(value.duration("converge")?),
        "checkpoint" => StepKind::Checkpoint(super::call::name_to_keep(value, "checkpoint")?),
        "partition" => {
            let (x, y) = link(value, context, "partition")?;
            StepKind::Partition(x, y)
        }
        "repair" => {
            let (x, y) = link(value, context, "repair")?;
            StepKind::Repair(x, y)
        }
        "partition_oneway" => {
            let (from, to) = link(value, context, "partition_oneway")?;
            StepKind::PartitionOneWay { from, to }
        }
        "hold" => {
            let (x, y) = link(value, context, "hold")?;
            StepKind::Hold(x, y)
        }
        "release" => {
            let (x, y) = link(value, context, "release")?;
            StepKind::Release(x, y)
        }
        "latency" => {
            let fields =
                mapping(value, "latency", &["link", "min", "max"], "{ link: [a, server], min: 100ms, max: 2s }")?;
            let (a, b) = link(fields.require("link")?, context, "latency.link")?;
            let (min, max) = latency_range(&fields, "latency")?;
            StepKind::Latency { a, b, min, max }
        }
        "revoke_tokens" => StepKind::RevokeTokens { user: context.user(value, "revoke_tokens")? },
        "ban" => ban(value, context)?,
        "unban" => StepKind::Unban { user: context.user(value, "unban")? },
        "hostile_peer" => hostile_peer(value)?,
        "app_settings" => app_settings(value, context)?,
        "foreground" => StepKind::Foreground { device: context.device(value, "foreground")? },
        "background" => StepKind::Background { device: context.device(value, "background")? },
        "network_lost" => StepKind::NetworkLost { device: context.device(value, "network_lost")? },
        "network_restored" => StepKind::NetworkRestored { device: context.device(value, "network_restored")? },
        "crash" => StepKind::Crash { device: context.device(value, "crash")? },
        "restart" => StepKind::Restart { device: context.device(value, "restart")? },
        "reinstall" => StepKind::Reinstall { device: context.device(value, "reinstall")? },
        "listener" => set_listener(value, context)?,
        "create" => {
            let fields = mapping(value, "create", &["device", "app_key"], "{ device: a, app_key: other-app }")?;
            let device = context.device(fields.require("device")?, "create.device")?;
            let app_key = non_empty(fields.require("app_key")?, "create.app_key")?;
            StepKind::Create { device, app_key }
        }
        "file" => {
            let fields =
                mapping(value, "file", &["device", "path", "size"], "{ device: a, path: cat.jpg, size: 200000 }")?;
            let device = context.device(fields.require("device")?, "file.device")?;
            let path = non_empty(fields.require("path")?, "file.path")?;
            let size_node = fields.require("size")?;
            let size: u64 = size_node.int("file.size", &format!("a size in bytes from 0 to {FILE_BYTES_MAX}"))?;
            if size > FILE_BYTES_MAX {
                return fail(
                    size_node.at,
                    format!("file.size: {size} bytes is more than the {FILE_BYTES_MAX} a scenario may use"),
                );
            }
            StepKind::File { device, path, size }
        }
        "blacklist_add" => {
            let (device, user) = blacklist_call(value, context, "blacklist_add")?;
            StepKind::BlacklistAdd { device, user }
        }
        "blacklist_remove" => {
            let (device, user) = blacklist_call(value, context, "blacklist_remove")?;
            StepKind::BlacklistRemove { device, user }
        }
        "blacklist_status" => {
            let (device, user) = blacklist_call(value, context, "blacklist_status")?;
            StepKind::BlacklistStatus { device, user }
        }
        "blacklist_get" => StepKind::BlacklistGet { device: context.device(value, "blacklist_get")? },
        "create_group" => create_group(value)?,
        "dismiss_group" => StepKind::DismissGroup { group: id(value, "dismiss_group")? },
        "add_members" => {
            let (group, users) = members_change(value, "add_members")?;
            StepKind::AddMembers { group, users }
        }
        "remove_members" => {
            let (group, users) = members_change(value, "remove_members")?;
            StepKind::RemoveMembers { group, users }
        }
        "mute_member" => mute_member(value)?,
        "unmute_member" => {
            let fields = mapping(value, "unmute_member", &["group", "user"], "{ group: g1, user: lisi }")?;
            let group = id(fields.require("group")?, "unmute_member.group")?;
            let user = id(fields.require("user")?, "unmute_member.user")?;
            StepKind::UnmuteMember { group, user }
        }
        "mute_all" => mute_all(value)?,
        "unmute_all" => StepKind::UnmuteAll { group: id(value, "unmute_all")? },
        "server_send" => server_send(value)?,
        "server_broadcast" => server_broadcast(value)?,
        "call" => call_step(value, context)?,
        "server_api" => server_api_step(value)?,
        "expect" if is_event_expect(value) => listener_expect(value, context)?,
        "expect" => expect(value, context)?,
        other => chatroom_step(other, value, context)?,
    };
    Ok(Step { location: node.at, kind })
}

/// The fields of a step that also has a short form (a bare device name, handled by the caller).
fn long_form<'a>(node: &'a Node, step: &str, allowed: &[&str], example: &str) -> Res<Fields<'a>> {
    if !matches!(node.value, Value::Map(_)) {
        return node.expected(step, &format!("a device name or a mapping like {example}"));
    }
    node.fields(step, &format!("in {step}"), allowed)
}

fn connect(node: &Node, context: &Context<'_>) -> Res<StepKind> {
    if let Value::Scalar(..) = node.value {
        let device = context.device(node, "connect")?;
        return Ok(StepKind::Connect { device, timeout_seconds: 0, token: TokenChoice::Valid });
    }
    let fields = long_form(node, "connect", &["device", "timeout", "token"], "{ device: a, timeout: 5 }")?;
    let device = context.device(fields.require("device")?, "connect.device")?;
    let timeout_seconds = match fields.get("timeout") {
        Some(node) => node.int("connect.timeout", "whole seconds, an integer from -2147483648 to 2147483647")?,
        None => 0,
    };
    let token = match fields.get("token") {
        Some(node) => node.choice("connect.token", TokenChoice::ALL, TokenChoice::name)?,
        None => TokenChoice::Valid,
    };
    Ok(StepKind::Connect { device, timeout_seconds, token })
}

fn disconnect(node: &Node, context: &Context<'_>) -> Res<StepKind> {
    if let Value::Scalar(..) = node.value {
        return Ok(StepKind::Disconnect { device: context.device(node, "disconnect")?, receive_push: true });
    }
    let fields = long_form(node, "disconnect", &["device", "receive_push"], "{ device: a, receive_push: false }")?;
    let device = context.device(fields.require("device")?, "disconnect.device")?;
    let receive_push = match fields.get("receive_push") {
        Some(node) => node.bool("disconnect.receive_push")?,
        None => true,
    };
    Ok(StepKind::Disconnect { device, receive_push })
}

fn send(node: &Node, context: &Context<'_>) -> Res<StepKind> {
    let fields = node.fields("send", "in send", &["device", "to", "text", "type", "count", "directed", "as"])?;
    let device = context.device(fields.require("device")?, "send.device")?;
    let conversation_type = conversation_type(fields.get("type"), "send.type")?;
    let target_id = fields.require("to")?.text("send.to")?;
    let text = fields.require("text")?.text("send.text")?;
    let count = match fields.get("count") {
        Some(node) => {
            let range = format!("an integer from 1 to {SEND_COUNT_MAX}");
            let count = node.int::<u32>("send.count", &range)?;
            if !(1..=SEND_COUNT_MAX).contains(&count) {
                return fail(node.at, format!("send.count: {count} is out of range; expected {range}"));
            }
            count
        }
        None => 1,
    };
    let directed = match fields.entry("directed") {
        Some(entry) => {
            if conversation_type != ConversationType::Group {
                return fail(
                    entry.key_at,
                    format!(
                        "field \"directed\" only applies to a group message (GRP-16), and this send's type is \
                         {conversation_type}; add `type: group`"
                    ),
                );
            }
            let node = entry.value;
            let items = node.seq("send.directed", "a list of user IDs, like [lisi, wangwu]")?;
            if items.is_empty() {
                return fail(
                    node.at,
                    "send.directed: list at least one user ID (leave directed out to send to the whole group)",
                );
            }
            items.iter().map(|item| item.text("send.directed")).collect::<Res<Vec<String>>>()?
        }
        None => Vec::new(),
    };
    let keep_as = match fields.get("as") {
        Some(node) => Some(super::call::name_to_keep(node, "send.as")?),
        None => None,
    };
    Ok(StepKind::Send { device, conversation_type, target_id, text, count, directed, keep_as })
}

/// `blacklist_add`, `blacklist_remove` or `blacklist_status` (`step`): a device and the `userId` argument, as written.
/// `listener: { device: a, name: onMessageReceived, set: false }`: the app sets or removes an engine listener
/// (CALL-3).
fn set_listener(node: &Node, context: &Context<'_>) -> Res<StepKind> {
    let fields =
        mapping(node, "listener", &["device", "name", "set"], "{ device: a, name: onMessageReceived, set: false }")?;
    let device = context.device(fields.require("device")?, "listener.device")?;
    let name_node = fields.require("name")?;
    let listener = name_node.text("listener.name")?;
    if !crate::scenario::listeners::listeners().contains_key(&listener) {
        let names: Vec<&str> = crate::scenario::listeners::listeners().keys().map(String::as_str).collect();
        return fail(
            name_node.at,
            format!("listener.name: unknown listener {listener:?}; the engine reports {}", names.join(", ")),
        );
    }
    let set = fields.require("set")?.bool("listener.set")?;
    Ok(StepKind::SetListener { device, listener, set })
}

fn blacklist_call(node: &Node, context: &Context<'_>, step: &str) -> Res<(String, String)> {
    let fields = mapping(node, step, &["device", "user"], "{ device: a, user: lisi }")?;
    let device = context.device(fields.require("device")?, &format!("{step}.device"))?;
    let user = fields.require("user")?.text(&format!("{step}.user"))?;
    Ok((device, user))
}

fn create_group(node: &Node) -> Res<StepKind> {
    let example = "{ id: g1, name: Team, members: [zhangsan, lisi] }";
    let fields = mapping(node, "create_group", &["id", "name", "members"], example)?;
    let group = id(fields.require("id")?, "create_group.id")?;
    let name = fields.require("name")?.text("create_group.name")?;
    let members = ids(fields.require("members")?, "create_group.members", true)?;
    Ok(StepKind::CreateGroup { group, name, members })
}

/// `add_members` or `remove_members` (`step`): a group and at least one user.
fn members_change(node: &Node, step: &str) -> Res<(String, Vec<String>)> {
    let fields = mapping(node, step, &["group", "users"], "{ group: g1, users: [wangwu] }")?;
    let group = id(fields.require("group")?, &format!("{step}.group"))?;
    let users = ids(fields.require("users")?, &format!("{step}.users"), false)?;
    Ok((group, users))
}

fn mute_member(node: &Node) -> Res<StepKind> {
    let example = "{ group: g1, user: lisi, duration: 1h }";
    let fields = mapping(node, "mute_member", &["group", "user", "duration"], example)?;
    let group = id(fields.require("group")?, "mute_member.group")?;
    let user = id(fields.require("user")?, "mute_member.user")?;
    let duration = match fields.get("duration") {
        Some(node) => Some(positive_duration(
            node,
            "mute_member.duration",
            " (leave duration out to mute until `unmute_member`)",
        )?),
        None => None,
    };
    Ok(StepKind::MuteMember { group, user, duration })
}

/// `mute_all: g1`, or `mute_all: { group: g1, whitelist: [zhangsan] }`.
fn mute_all(node: &Node) -> Res<StepKind> {
    if let Value::Scalar(..) = node.value {
        return Ok(StepKind::MuteAll { group: id(node, "mute_all")?, whitelist: Vec::new() });
    }
    if !matches!(node.value, Value::Map(_)) {
        return node.expected("mute_all", "a group ID or a mapping like { group: g1, whitelist: [zhangsan] }");
    }
    let fields = node.fields("mute_all", "in mute_all", &["group", "whitelist"])?;
    let group = id(fields.require("group")?, "mute_all.group")?;
    let whitelist = match fields.get("whitelist") {
        Some(node) => ids(node, "mute_all.whitelist", true)?,
        None => Vec::new(),
    };
    Ok(StepKind::MuteAll { group, whitelist })
}

fn server_send(node: &Node) -> Res<StepKind> {
    let example = "{ from: admin, to: lisi, text: hi } or { from: admin, to: lisi, content: { messageType: command, \
                   name: refresh, data: \"{}\" } }";
    let allowed = &["from", "to", "type", "text", "content", "persisted", "counted", "verify_blacklist"];
    let fields = mapping(node, "server_send", allowed, example)?;
    let from = id(fields.require("from")?, "server_send.from")?;
    let to = id(fields.require("to")?, "server_send.to")?;
    let conversation_type = match fields.get("type") {
        Some(node) => node.choice("server_send.type", SERVER_SEND_TYPES, ConversationType::manual_name)?,
        None => ConversationType::Private,
    };
    let ApiContent { content, persisted, counted } = api_content(node, &fields, "server_send", example)?;
    let verify_blacklist = match fields.entry("verify_blacklist") {
        Some(entry) if conversation_type != ConversationType::Private => {
            return fail(
                entry.key_at,
                format!(
                    "field \"verify_blacklist\" only applies to a private message (BLACK-4), and this \
                     server_send's type is {conversation_type}"
                ),
            );
        }
        Some(entry) => entry.value.bool("server_send.verify_blacklist")?,
        None => false,
    };
    Ok(StepKind::ServerSend { from, to, conversation_type, content, persisted, counted, verify_blacklist })
}

/// `server_broadcast: { from: notices, text: hi }`: the Server API's system broadcast (CTYPE-7).
fn server_broadcast(node: &Node) -> Res<StepKind> {
    let example = "{ from: notices, text: \"maintenance tonight\" }";
    let fields = mapping(node, "server_broadcast", &["from", "text", "content", "persisted", "counted"], example)?;
    let from = id(fields.require("from")?, "server_broadcast.from")?;
    let ApiContent { content, persisted, counted } = api_content(node, &fields, "server_broadcast", example)?;
    Ok(StepKind::ServerBroadcast { from, content, persisted, counted })
}

/// What a Server API message step sends: its content and its persistence flags.
struct ApiContent {
    content: MessageContent,
    persisted: bool,
    counted: bool,
}

/// The content of a Server API message step: `text:`, or `content:` (any content the manual's message object
/// holds), and the `persisted` and `counted` flags (MTYPE-9, both true unless written).
fn api_content(node: &Node, fields: &Fields<'_>, step: &str, example: &str) -> Res<ApiContent> {
    let content = match (fields.entry("text"), fields.entry("content")) {
        (Some(text), None) => MessageContent::Text { text: text.value.text(&format!("{step}.text"))? },
        (None, Some(content)) => MessageContent::deserialize(NodeDeserializer(content.value))
            .map_err(|error| (error.at.unwrap_or(content.value.at), error.message))
            .or_else(|(at, message)| fail(at, format!("{step}.content: {message}")))?,
        (Some(_), Some(content)) => {
            return fail(content.key_at, format!("{step} takes a `text` or a `content`, not both"));
        }
        (None, None) => return fail(node.at, format!("{step} needs a `text` or a `content`, like {example}")),
    };
    let flag = |key: &str| match fields.get(key) {
        Some(node) => node.bool(&format!("{step}.{key}")),
        None => Ok(true),
    };
    Ok(ApiContent { content, persisted: flag("persisted")?, counted: flag("counted")? })
}

/// The fields of a step that only has a long form, a mapping like `example`.
pub(super) fn mapping<'a>(node: &'a Node, step: &str, allowed: &[&str], example: &str) -> Res<Fields<'a>> {
    if !matches!(node.value, Value::Map(_)) {
        return node.expected(step, &format!("a mapping like {example}"));
    }
    node.fields(step, &format!("in {step}"), allowed)
}

/// A user or group ID for the App Server API: any text but the empty one.
pub(super) fn id(node: &Node, what: &str) -> Res<String> {
    non_empty(node, what)
}

/// A list of IDs for the App Server API, in file order: none empty, none twice, and at least one unless
/// `may_be_empty`.
pub(super) fn ids(node: &Node, what: &str, may_be_empty: bool) -> Res<Vec<String>> {
    let items = node.seq(what, "a list of user IDs, like [zhangsan, lisi]")?;
    if items.is_empty() && !may_be_empty {
        return fail(node.at, format!("{what}: list at least one user ID"));
    }
    let mut ids: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        let user = id(item, what)?;
        if ids.contains(&user) {
            return fail(item.at, format!("{what}: {user} is listed twice"));
        }
        ids.push(user);
    }
    Ok(ids)
}

fn ban(node: &Node, context: &Context<'_>) -> Res<StepKind> {
    let fields = mapping(node, "ban", &["user", "duration"], "{ user: zhangsan, duration: 1h }")?;
    let user = context.user(fields.require("user")?, "ban.user")?;
    let duration = positive_duration(fields.require("duration")?, "ban.duration", " (`unban` lifts a ban)")?;
    Ok(StepKind::Ban { user, duration })
}

/// The switches of `settings.app` that are the server's own, not the App Key's, and so are set for the whole run.
const SERVER_WIDE_SETTINGS: &[&str] = &["private_offline_days", "group_offline_days", "send_rate_limit"];

/// `app_settings: { multi_device_sync: true, … }`: `settings.app` with these switches changed, from now on.
fn app_settings(node: &Node, context: &Context<'_>) -> Res<StepKind> {
    let fields = mapping(node, "app_settings", super::APP_FIELDS, "{ multi_device_sync: true }")?;
    let mut changes = Vec::new();
    for name in super::APP_FIELDS {
        let Some(value) = fields.get(name) else { continue };
        if SERVER_WIDE_SETTINGS.contains(name) {
            return fail(
                value.at,
                format!("app_settings.{name}: is the server's for the whole run; set it in settings.app"),
            );
        }
        changes.push(((*name).to_owned(), written(value)));
    }
    let settings = super::app(node, context.app, "app_settings")?;
    Ok(StepKind::AppSettings { settings: Box::new(settings), changes })
}

/// A value as written: a scalar's text, or a list's items.
fn written(node: &Node) -> String {
    match &node.value {
        Value::Scalar(text, _) => text.clone(),
        Value::Seq(items) => format!("[{}]", items.iter().map(written).collect::<Vec<_>>().join(", ")),
        Value::Null => "null".to_owned(),
        Value::Map(_) => "{…}".to_owned(),
    }
}

/// `hostile_peer: SEED`, or `hostile_peer: { attack: NAME, seed: SEED }`.
fn hostile_peer(node: &Node) -> Res<StepKind> {
    const SEED: &str = "a seed from 0 to 18446744073709551615";
    if !matches!(node.value, Value::Map(_)) {
        return Ok(StepKind::HostilePeer { attack: None, seed: node.int("hostile_peer", SEED)? });
    }
    let fields = mapping(node, "hostile_peer", &["attack", "seed"], "{ attack: oversized, seed: 1 }")?;
    let attack = fields.require("attack")?.choice("hostile_peer.attack", &Attack::ALL, Attack::name)?;
    let seed = match fields.get("seed") {
        Some(seed) => seed.int("hostile_peer.seed", SEED)?,
        None => 0,
    };
    Ok(StepKind::HostilePeer { attack: Some(attack), seed })
}

pub(super) fn conversation_type(node: Option<&Node>, what: &str) -> Res<ConversationType> {
    match node {
        Some(node) => node.choice(what, ConversationType::ALL, ConversationType::manual_name),
        None => Ok(ConversationType::Private),
    }
}

fn link(node: &Node, context: &Context<'_>, what: &str) -> Res<(Endpoint, Endpoint)> {
    let items = node.seq(what, "two endpoints, like [a, server]")?;
    let [x, y] = items else {
        let found = match items.len() {
            1 => "1 item".to_owned(),
            n => format!("{n} items"),
        };
        return fail(node.at, format!("{what}: expected two endpoints, like [a, server], found {found}"));
    };
    let (x_endpoint, y_endpoint) = (context.endpoint(x, what)?, context.endpoint(y, what)?);
    if x_endpoint == y_endpoint {
        return fail(y.at, format!("{what}: both endpoints are {x_endpoint}; expected two different endpoints"));
    }
    Ok((x_endpoint, y_endpoint))
}

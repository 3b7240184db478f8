//! The `expect` steps on the server's callbacks to the app server: `server_callback` (with `within`) and
//! `no_server_callback` (with `for`), and their fields. They take no `device`: the app server is no device.

use imsim_engine::types::{ChatRoomEntriesOperationType, ChatRoomStatus};

use super::chatroom::entries;
use super::positive_duration;
use crate::scenario::model::{CallbackExpectation, CallbackKind, CallbackPattern};
use crate::scenario::yaml::{Entry, Fields, Res, fail};

/// The checks of an expect that are about a device, as the two-checks message names them.
/// (`entries` is also a field of `chatroomEntriesChanged`.)
const DEVICE_CHECKS: &[&str] = &["event", "no_event", "status", "stored", "unread", "call"];
/// The fields a callback pattern may have (each kind takes some of them, `CallbackKind::fields`).
pub(super) const PATTERN_FIELDS: &[&str] =
    &["room", "user", "chatroom_status", "operation", "entries", "target", "title", "content"];

/// Whether the expect's fields make it a check on the server's callbacks.
pub(super) fn is_callback_check(fields: &Fields<'_>) -> bool {
    fields.entry("server_callback").is_some() || fields.entry("no_server_callback").is_some()
}

/// An expect with `server_callback` or `no_server_callback` (see the module documentation).
pub(super) fn expectation(fields: &Fields<'_>, default_within: std::time::Duration) -> Res<CallbackExpectation> {
    let check = match (fields.entry("server_callback"), fields.entry("no_server_callback")) {
        (Some(a), Some(b)) => {
            let second = if a.key_at <= b.key_at { b } else { a };
            return fail(
                second.key_at,
                "expect has both server_callback and no_server_callback; use one of them per expect",
            );
        }
        (Some(only), None) | (None, Some(only)) => only,
        (None, None) => unreachable!("is_callback_check said there is one"),
    };
    let negative = check.key == "no_server_callback";
    let kind = check.value.choice(&format!("expect.{}", check.key), CallbackKind::ALL, CallbackKind::name)?;
    let mut pattern = CallbackPattern::new(kind);
    for Entry { key, key_at, value } in &fields.entries {
        match *key {
            "server_callback" | "no_server_callback" => {}
            "device" => {
                return fail(
                    *key_at,
                    format!(
                        "field \"device\" does not apply to a {} check: callbacks go to the app's own server, not \
                         to a device",
                        check.key
                    ),
                );
            }
            "within" if negative => {
                return fail(
                    *key_at,
                    "field \"within\" does not apply to a no_server_callback check; its period is `for`, like \
                     `for: 5s`",
                );
            }
            "for" if !negative => {
                return fail(
                    *key_at,
                    "field \"for\" only applies to a no_server_callback check; the time a server_callback check may \
                     take is `within`",
                );
            }
            "since" if !negative => {
                return fail(
                    *key_at,
                    "field \"since\" only applies to a no_server_callback check: it names the checkpoint its window \
                     opens at",
                );
            }
            "within" | "for" | "since" => {}
            other if PATTERN_FIELDS.contains(&other) && kind.fields().contains(&other) => {
                let what = format!("expect.{other}");
                match other {
                    "room" => pattern.room = Some(value.text(&what)?),
                    "user" => pattern.user = Some(value.text(&what)?),
                    "target" => pattern.target = Some(value.text(&what)?),
                    "title" => pattern.title = Some(value.text(&what)?),
                    "content" => pattern.content = Some(value.text(&what)?),
                    "chatroom_status" => {
                        let all = ChatRoomStatus::ALL;
                        pattern.chatroom_status = Some(value.choice(&what, all, ChatRoomStatus::manual_name)?);
                    }
                    "operation" => {
                        let all = ChatRoomEntriesOperationType::ALL;
                        pattern.operation =
                            Some(value.choice(&what, all, ChatRoomEntriesOperationType::manual_name)?);
                    }
                    _ => pattern.entries = Some(entries(value, &what)?),
                }
            }
            other if DEVICE_CHECKS.contains(&other) => {
                return fail(
                    *key_at,
                    format!("expect has two checks, {} and {other}; use one check per expect", check.key),
                );
            }
            other => {
                let takes = kind.fields().join(", ");
                return fail(
                    *key_at,
                    format!("field {other:?} does not apply to server callback {kind}; it takes {takes}"),
                );
            }
        }
    }
    if negative {
        let Some(period) = fields.get("for") else {
            return fail(
                check.key_at,
                "no_server_callback needs `for`, the period in which no such callback may come, like `for: 5s`",
            );
        };
        let period = positive_duration(period, "expect.for", "")?;
        let since = fields.get("since").map(|node| super::call::name_to_keep(node, "expect.since")).transpose()?;
        return Ok(CallbackExpectation::NoCallback { pattern, period, since });
    }
    let within = match fields.get("within") {
        Some(node) => node.duration("expect.within")?,
        None => default_within,
    };
    Ok(CallbackExpectation::Callback { pattern, within })
}

//! The short forms: the steps that call the engine (`connect`, `send`, the blacklist, chatroom and KV steps) expand
//! into calls of the API table, exactly as a `call` step would make them, so there is one path from a scenario to the
//! engine.

use imsim_engine::ConversationType;
use imsim_engine::api::{
    AddChatRoomEntries, AddChatRoomEntry, Call, CreateTextMessage, GetChatRoomMessages, JoinChatRoom, LeaveChatRoom,
    Method, RemoveChatRoomEntries, RemoveChatRoomEntry,
};

use crate::scenario::arguments::from_json;
use crate::scenario::{CallArguments, ChatroomCall, HistoryFrom, Location};
use crate::world::QueuedCall;

/// A call complete as it is.
pub(super) fn ready(call: Call, location: Location) -> QueuedCall {
    QueuedCall { arguments: CallArguments::Ready(call), keep_as: None, location, callback: false }
}

/// `send`'s message `text` from `device`: `createTextMessage`, kept under a name of the device's own, then
/// `sendMessage` of it (or `sendGroupMessageToDesignatedUsers` to `directed`, GRP-16), whose message is kept under
/// `keep_as` if given.
pub(super) fn send_text(
    device: &str,
    (conversation_type, target_id): (ConversationType, &str),
    text: String,
    directed: &[String],
    keep_as: Option<String>,
    location: Location,
) -> Vec<QueuedCall> {
    // `@` is in no name a scenario can keep, so this never meets one of the scenario's own.
    let kept = format!("send@{device}");
    let create = Call::CreateTextMessage(CreateTextMessage {
        conversation_type,
        target_id: target_id.to_owned(),
        channel_id: None,
        text,
    });
    let (method, arguments) = if directed.is_empty() {
        (Method::SendMessage, serde_json::json!({ "message": format!("${kept}") }))
    } else {
        (
            Method::SendGroupMessageToDesignatedUsers,
            serde_json::json!({ "message": format!("${kept}"), "userIds": directed }),
        )
    };
    vec![
        QueuedCall { arguments: CallArguments::Ready(create), keep_as: Some(kept), location, callback: false },
        QueuedCall {
            arguments: CallArguments::Written { method, arguments: from_json(&arguments, location) },
            keep_as,
            location,
            callback: false,
        },
    ]
}

/// A chatroom step's call, its `sync_time` already resolved (`World::resolve_chatroom_call`).
pub(super) fn chatroom(call: ChatroomCall) -> Call {
    match call {
        ChatroomCall::Join { room, count, auto_create } => {
            Call::JoinChatRoom(JoinChatRoom { target_id: room, message_count: count, auto_create })
        }
        ChatroomCall::Leave { room } => Call::LeaveChatRoom(LeaveChatRoom { target_id: room }),
        ChatroomCall::History { room, timestamp, order, count } => {
            let timestamp = match timestamp {
                HistoryFrom::Timestamp(ms) => ms,
                // Resolved before: a history from a sync time the device has not had is refused by then.
                HistoryFrom::SyncTime => 0,
            };
            Call::GetChatRoomMessages(GetChatRoomMessages { target_id: room, timestamp, order, count })
        }
        ChatroomCall::AddEntry { room, key, value, delete_when_left, overwrite } => {
            Call::AddChatRoomEntry(AddChatRoomEntry { target_id: room, key, value, delete_when_left, overwrite })
        }
        ChatroomCall::AddEntries { room, entries, delete_when_left, overwrite } => {
            Call::AddChatRoomEntries(AddChatRoomEntries { target_id: room, entries, delete_when_left, overwrite })
        }
        ChatroomCall::RemoveEntry { room, key, force } => {
            Call::RemoveChatRoomEntry(RemoveChatRoomEntry { target_id: room, key, force })
        }
        ChatroomCall::RemoveEntries { room, keys, force } => {
            Call::RemoveChatRoomEntries(RemoveChatRoomEntries { target_id: room, keys, force })
        }
    }
}

//! The App Server API's chatroom administration and moderation steps (`ChatroomAdmin`), called on the server.

use std::time::Duration;

use imsim_engine::MessageContent;
use imsim_engine::content::encode_content;

use crate::scenario::ChatroomAdmin;
use crate::server::{ApiError, Server};

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// Carries out `admin` at `now_ms`; returns a line for the trace when the call has an outcome worth recording (a
/// broadcast's message UIDs).
pub(super) fn call(
    server: &mut Server,
    app_key: &str,
    admin: &ChatroomAdmin,
    now_ms: i64,
) -> Result<Option<String>, ApiError> {
    match admin {
        ChatroomAdmin::Create { room } => server.create_chatroom(app_key, room, now_ms),
        ChatroomAdmin::Destroy { room } => server.destroy_chatroom(app_key, room, now_ms),
        ChatroomAdmin::ClearHistory { room } => server.clear_chatroom_history(app_key, room),
        ChatroomAdmin::KeepAlive { room, keep_alive } => server.set_chatroom_keep_alive(app_key, room, *keep_alive),
        ChatroomAdmin::Whitelist { room, users } => server.add_chatroom_user_whitelist(app_key, room, users),
        ChatroomAdmin::Unwhitelist { room, users } => server.remove_chatroom_user_whitelist(app_key, room, users),
        ChatroomAdmin::MessageWhitelist { object_names } => {
            server.set_chatroom_message_whitelist(app_key, object_names)
        }
        ChatroomAdmin::LowPriority { object_names } => server.set_chatroom_low_priority_types(app_key, object_names),
        ChatroomAdmin::Ban { room, users, duration } => {
            server.ban_chatroom_member(app_key, room, users, millis(*duration), now_ms)
        }
        ChatroomAdmin::Unban { room, users } => server.unban_chatroom_member(app_key, room, users),
        ChatroomAdmin::Mute { room, users, duration } => {
            server.mute_chatroom_member(app_key, room, users, duration.map(millis), now_ms)
        }
        ChatroomAdmin::Unmute { room, users } => server.unmute_chatroom_member(app_key, room, users),
        ChatroomAdmin::MuteAll { room, whitelist } => server.mute_all_chatroom(app_key, room, whitelist),
        ChatroomAdmin::UnmuteAll { room } => server.unmute_all_chatroom(app_key, room),
        ChatroomAdmin::GlobalMute { users, duration } => {
            server.global_mute_chatroom_user(app_key, users, duration.map(millis), now_ms)
        }
        ChatroomAdmin::GlobalUnmute { users } => server.global_unmute_chatroom_user(app_key, users),
        ChatroomAdmin::Broadcast { from, text } => {
            let content = encode_content(&MessageContent::Text { text: text.clone() });
            let outcomes = server.broadcast_chatroom_message(app_key, from, content, now_ms)?;
            let rooms: Vec<String> = outcomes
                .iter()
                .map(|outcome| {
                    let fate = if outcome.delivered { "" } else { " discarded" };
                    format!("{} uid={}{fate}", outcome.room_id, outcome.message_uid)
                })
                .collect();
            return Ok(Some(format!("server api broadcast [{}]", rooms.join(", "))));
        }
    }
    .map(|()| None)
}

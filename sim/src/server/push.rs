//! Push notifications (DND-1, DND-2, DND-7, PUSH-5, PUSH-14, CTYPE-6): what the server hands the push service when
//! a message reaches a user none of whose devices is online.
//!
//! The push service itself (vendor channels, APNs, PUSH-1 to PUSH-3) is outside the simulation. With the app's
//! `push_service` switch on (DND-5: push must be integrated), the server logs each notification it would hand over
//! as an [`AppServerCallback::Push`], beside the callbacks to the app server, and scenarios check them with
//! `server_callback: push`.
//!
//! # When a notification is due
//!
//! A message delivered through the inboxes (private, group, system; the sender's own copies never) gives one
//! notification to each of the recipient's devices that is offline, when none of the recipient's devices is online,
//! unless:
//!
//! - the message is a status message, a signal or a type that is not counted (typing status, read receipts,
//!   commands: nothing a user would be notified of);
//! - the device logged out with `receivePush` false, and has not connected since (CONN-20);
//! - do-not-disturb says no (DND-2, DND-7, PUSH-14): the user's level for the conversation, or when that is `none`
//!   their level for its type (DND-8, DND-39), `allMessage` when neither is set: `blocked` pushes nothing,
//!   `mention` only messages that @ the user or @ all, `mentionUsers` only those that @ the user by name,
//!   `mentionAll` only those that @ all.
//!
//! Chatroom messages are never pushed (CTYPE-6, BIZ-18): they do not go through the inboxes. Ultra group messages
//! are not pushed here either: their push depends on defaults per group and channel (UG-35) that are not modelled.
//! Neither are quiet hours, the App-level setting (DND-14), the Web/PC rule of PUSH-11 (a user online anywhere gets
//! no push), push languages and templates, or the per-message `pushOptions`, which the engine keeps on the sender's
//! copy and does not send (MSG-18).
//!
//! # What it says
//!
//! - Title (PUSH-5): the sender's push name (USER-7) for a private or system message, the group's name (GRP-7) for a
//!   group message; the sender's or group's ID when no name is known.
//! - Content: for an @ message with `mentionedContent`, that (MENTION-8); otherwise a text message's text, and for
//!   any other type its object name in brackets, such as `[RC:ImgMsg]`. (The manual defers the other built-in
//!   formats to a document it does not include, PUSH-5; imsim's placeholder keeps them apart.)

use imsim_engine::content::decode_content;
use imsim_engine::proto;
use imsim_engine::types::{ConversationType, MentionedType, MessageContent, PushNotificationLevel};

use super::App;
use super::chatroom::AppServerCallback;

/// The notifications `message`, delivered to `user_id` as the conversation `target_id`, gives: one per offline device
/// of the user, none if a device is online or nothing is due (see the module documentation). The caller asks only
/// with the app's `push_service` on, so that a message costs nothing more without it.
pub(super) fn notifications(
    app: &App,
    message: &proto::DeliveredMessage,
    user_id: &str,
    target_id: &str,
    now_ms: i64,
) -> Vec<AppServerCallback> {
    let Some(conversation_type) = ConversationType::from_ordinal(message.conversation_type) else { return Vec::new() };
    let pushed_type =
        matches!(conversation_type, ConversationType::Private | ConversationType::Group | ConversationType::System);
    let online = app.online.get(user_id).is_some_and(|conns| !conns.is_empty());
    if !pushed_type || online || message.status_message || message.not_counted {
        return Vec::new();
    }
    let content = message.content.as_ref().map(decode_content);
    if content.as_ref().is_none_or(|content| !content.policy().counted) {
        return Vec::new();
    }
    if !level_allows(effective_level(app, user_id, conversation_type, target_id), message, user_id) {
        imsim_engine::mark!("DND-2");
        return Vec::new();
    }
    imsim_engine::mark!("DND-1");
    imsim_engine::mark!("PUSH-5");
    if conversation_type == ConversationType::Group {
        imsim_engine::mark!("GRP-11");
    }
    let title = title(app, conversation_type, message, target_id);
    let content = push_content(message, content.as_ref());
    app.devices
        .range((user_id.to_owned(), String::new())..)
        .take_while(|((owner, _), _)| owner == user_id)
        .filter(|(_, device)| {
            imsim_engine::mark!("CONN-20");
            device.logout_receive_push != Some(false)
        })
        .map(|((_, device_id), _)| AppServerCallback::Push {
            user_id: user_id.to_owned(),
            device_id: device_id.clone(),
            conversation_type,
            target_id: target_id.to_owned(),
            title: title.clone(),
            content: content.clone(),
            message_uid: message.message_uid.clone(),
            at_ms: now_ms,
        })
        .collect()
}

/// DND-8, DND-39: the user's level for the conversation, else for its type, else `allMessage` (nothing set).
fn effective_level(
    app: &App,
    user_id: &str,
    conversation_type: ConversationType,
    target_id: &str,
) -> PushNotificationLevel {
    let set = |level: Option<u32>| {
        level.and_then(PushNotificationLevel::from_ordinal).filter(|level| *level != PushNotificationLevel::None)
    };
    let levels = &app.notification_levels;
    set(levels.conversation_level(user_id, conversation_type, target_id))
        .or_else(|| set(levels.type_level(user_id, conversation_type)))
        .unwrap_or(PushNotificationLevel::AllMessage)
}

/// DND-7: whether `level` lets `message` be pushed to `user_id`.
fn level_allows(level: PushNotificationLevel, message: &proto::DeliveredMessage, user_id: &str) -> bool {
    let mention = message.mentioned_info.as_ref();
    let mentions_all = mention.is_some_and(|info| info.mentioned_type == MentionedType::All.ordinal());
    let mentions_user = mention.is_some_and(|info| {
        info.mentioned_type == MentionedType::Part.ordinal() && info.user_ids.iter().any(|id| id == user_id)
    });
    imsim_engine::mark!("DND-7");
    match level {
        PushNotificationLevel::AllMessage | PushNotificationLevel::None => true,
        PushNotificationLevel::Mention => mentions_all || mentions_user,
        PushNotificationLevel::MentionUsers => mentions_user,
        PushNotificationLevel::MentionAll => mentions_all,
        PushNotificationLevel::Blocked => false,
    }
}

/// PUSH-5: the group's name for a group message (GRP-7), else the sender's push name (USER-7); an ID without one.
fn title(app: &App, conversation_type: ConversationType, message: &proto::DeliveredMessage, target_id: &str) -> String {
    let named = |name: Option<&str>, id: &str| name.filter(|name| !name.is_empty()).unwrap_or(id).to_owned();
    if conversation_type == ConversationType::Group {
        imsim_engine::mark!("GRP-7");
        return named(app.groups.get(target_id).map(|group| group.name.as_str()), target_id);
    }
    let sender = &message.sender_user_id;
    named(app.users.get(sender).map(|user| user.name.as_str()), sender)
}

/// MENTION-8: an @ message's `mentionedContent`; else the text, or the type's placeholder.
fn push_content(message: &proto::DeliveredMessage, content: Option<&MessageContent>) -> String {
    let mentioned = message.mentioned_info.as_ref().map(|info| info.mentioned_content.as_str());
    if let Some(mentioned) = mentioned.filter(|content| !content.is_empty()) {
        imsim_engine::mark!("MENTION-8");
        return mentioned.to_owned();
    }
    match content {
        Some(MessageContent::Text { text }) => text.clone(),
        Some(other) => format!("[{}]", other.object_name()),
        None => String::new(),
    }
}

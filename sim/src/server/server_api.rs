//! Messages sent by the App Server API rather than by a client: private and group messages on a user's behalf
//! (BLACK-4, GRP-11), status messages (SYNC-3, SYNC-4) and system messages (CTYPE-7, OFFLINE-3).
//!
//! They go through the same fan-out as client messages, with the app's sync mode, but no device sent them. The
//! sender's own devices get a copy only if the call sets `isIncludeSender` (SYNC-16): with multi-device sync on,
//! every device of the sender, offline ones when they connect; with it off, the sender's newest device if one is
//! online at that moment, and nobody otherwise. No send rate applies (the Server API rates of BIZ-9 are not
//! modelled). The content limit applies (SEND-19, 30016). A group message needs no membership of its sender, as the
//! real Server API's does not; its recipients are the members but the sender.

use imsim_engine::limits::MESSAGE_CONTENT_BYTES_MAX;
use imsim_engine::{ConversationType, ErrorCode, proto};

use super::blacklist::is_blacklisted;
use super::fanout::{Fanout, SenderCopy};
use super::publish::content_bytes;
use super::tokens::{ApiError, app_mut, check_user_id};
use super::{DAY_MS, SYSTEM_OFFLINE_DAYS, Server};

/// BLACK-4: whether a Server-API private message obeys the recipient's blacklist (`verifyBlacklist`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BlacklistCheck {
    /// The default: the message is delivered even if the recipient blacklisted the sender.
    #[default]
    Ignore,
    /// `verifyBlacklist = 1`: a blacklisted sender's message is refused with 405, as a client's would be.
    Verify,
}

/// What became of a message sent through the Server API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PublishOutcome {
    /// Accepted and delivered as a client's message would be.
    Accepted {
        /// The message's UID (MSG-6).
        message_uid: String,
        /// The authoritative sent time (MSG-22).
        sent_time: i64,
    },
    /// Refused with the code a client's `PublishAck` would carry (30016, 405); nothing was delivered.
    Refused {
        /// The code.
        code: ErrorCode,
    },
}

/// A message as the Server API sends it: its content, and the API's `isPersisted` and `isCounted`, which travel as
/// the message's persistence flags (MTYPE-9: a client applies them to a type it does not know).
#[derive(Clone, Debug, PartialEq)]
pub struct ApiMessage {
    /// The object name and payload.
    pub content: proto::MessageContent,
    /// `isPersisted`: stored by the recipient and in the server's history.
    pub persisted: bool,
    /// `isCounted`: counted as unread.
    pub counted: bool,
    /// `isIncludeSender` (SYNC-16): the sender's own devices get a copy.
    pub include_sender: bool,
    /// Sent through a status-message endpoint (SYNC-3): pushed to the devices online now, never stored.
    pub status: bool,
}

impl From<proto::MessageContent> for ApiMessage {
    /// The content with the Server API's defaults: persisted and counted.
    fn from(content: proto::MessageContent) -> ApiMessage {
        ApiMessage { content, persisted: true, counted: true, include_sender: false, status: false }
    }
}

impl Server {
    /// The Server API's private message: `from_user_id` sends `content` to `to_user_id` (either may be unregistered,
    /// as for clients). The blacklist is ignored unless `blacklist` is [`BlacklistCheck::Verify`] (BLACK-4).
    pub fn send_private_as(
        &mut self,
        app_key: &str,
        from_user_id: &str,
        to_user_id: &str,
        message: impl Into<ApiMessage>,
        now_ms: i64,
        blacklist: BlacklistCheck,
    ) -> Result<PublishOutcome, ApiError> {
        check_user_id(from_user_id)?;
        check_user_id(to_user_id)?;
        let app = app_mut(&mut self.apps, app_key)?;
        if is_blacklisted(app, to_user_id, from_user_id) {
            imsim_engine::mark!("BLACK-4");
            if blacklist == BlacklistCheck::Verify {
                return Ok(PublishOutcome::Refused { code: ErrorCode::REJECTED_BY_BLACKLIST });
            }
        }
        let recipients = vec![(to_user_id.to_owned(), from_user_id.to_owned())];
        let own_view = to_user_id.to_owned();
        self.send_as(app_key, ConversationType::Private, from_user_id, recipients, own_view, message.into(), now_ms)
    }

    /// The Server API's group message (GRP-11): `from_user_id` sends `message` into `group_id`, to every member but
    /// the sender. Refused with [`ApiError::UnknownGroup`] for a group that does not exist.
    pub fn send_group_as(
        &mut self,
        app_key: &str,
        from_user_id: &str,
        group_id: &str,
        message: impl Into<ApiMessage>,
        now_ms: i64,
    ) -> Result<PublishOutcome, ApiError> {
        check_user_id(from_user_id)?;
        let app = app_mut(&mut self.apps, app_key)?;
        let group = app.groups.get(group_id).ok_or_else(|| ApiError::UnknownGroup { group_id: group_id.to_owned() })?;
        imsim_engine::mark!("GRP-11");
        let recipients: Vec<(String, String)> = group
            .members
            .iter()
            .filter(|member| *member != from_user_id)
            .map(|member| (member.clone(), group_id.to_owned()))
            .collect();
        let own_view = group_id.to_owned();
        self.send_as(app_key, ConversationType::Group, from_user_id, recipients, own_view, message.into(), now_ms)
    }

    /// A system message (CTYPE-7: a notification from a system account) from `from_user_id` to `to_user_id`, in
    /// the system conversation whose target is the sender. Kept offline for [`SYSTEM_OFFLINE_DAYS`] (OFFLINE-3,
    /// BIZ-16); blacklists do not apply (BLACK-11).
    pub fn send_system_message(
        &mut self,
        app_key: &str,
        from_user_id: &str,
        to_user_id: &str,
        message: impl Into<ApiMessage>,
        now_ms: i64,
    ) -> Result<PublishOutcome, ApiError> {
        check_user_id(from_user_id)?;
        check_user_id(to_user_id)?;
        let recipients = vec![(to_user_id.to_owned(), from_user_id.to_owned())];
        let own_view = to_user_id.to_owned();
        self.send_as(app_key, ConversationType::System, from_user_id, recipients, own_view, message.into(), now_ms)
    }

    /// The Server API's system broadcast (CTYPE-7): one system message from `from_user_id` to every user of the App
    /// Key (every user a token was issued to, the sender excepted), each in their system conversation with the
    /// sender. One message: one UID and one sent time on every copy. Kept offline like any system message.
    pub fn broadcast_system_message(
        &mut self,
        app_key: &str,
        from_user_id: &str,
        message: impl Into<ApiMessage>,
        now_ms: i64,
    ) -> Result<PublishOutcome, ApiError> {
        check_user_id(from_user_id)?;
        let app = app_mut(&mut self.apps, app_key)?;
        let recipients: Vec<(String, String)> = app
            .users
            .keys()
            .filter(|user| *user != from_user_id)
            .map(|user| (user.clone(), from_user_id.to_owned()))
            .collect();
        imsim_engine::mark!("CTYPE-7");
        let own_view = from_user_id.to_owned();
        self.send_as(app_key, ConversationType::System, from_user_id, recipients, own_view, message.into(), now_ms)
    }

    /// Sends a message from no device to `recipients` (each with the conversation as they see it); `own_view` is the
    /// conversation as the sender sees it, for the copy `isIncludeSender` asks for.
    #[allow(clippy::too_many_arguments)] // the one private sender behind the public calls above
    fn send_as(
        &mut self,
        app_key: &str,
        conversation_type: ConversationType,
        from_user_id: &str,
        recipients: Vec<(String, String)>,
        own_view: String,
        message: ApiMessage,
        now_ms: i64,
    ) -> Result<PublishOutcome, ApiError> {
        let ApiMessage { content, persisted, counted, include_sender, status } = message;
        let retention_ms = match conversation_type {
            ConversationType::System => i64::from(SYSTEM_OFFLINE_DAYS) * DAY_MS,
            ConversationType::Group => self.group_retention_ms(),
            _ => self.private_retention_ms(),
        };
        if content_bytes(&content) > MESSAGE_CONTENT_BYTES_MAX {
            return Ok(PublishOutcome::Refused { code: ErrorCode::MSG_SIZE_OUT_OF_LIMIT });
        }
        let app = app_mut(&mut self.apps, app_key)?;
        let (message_uid, sent_time) = app.stamp(now_ms);
        if status {
            imsim_engine::mark!("SYNC-3");
        }
        let message = proto::DeliveredMessage {
            message_uid: message_uid.clone(),
            conversation_type: conversation_type.ordinal(),
            sender_user_id: from_user_id.to_owned(),
            sent_time,
            content: Some(content),
            not_stored: !persisted,
            not_counted: !counted,
            status_message: status,
            ..proto::DeliveredMessage::default()
        };
        let sender_copy = include_sender.then(|| {
            imsim_engine::mark!("SYNC-16");
            SenderCopy { user_id: from_user_id.to_owned(), device_id: None, target_id: own_view }
        });
        self.fan_out(app_key, Fanout { message, recipients, sender_copy, retention_ms }, None, now_ms);
        Ok(PublishOutcome::Accepted { message_uid, sent_time })
    }
}

//! The message endpoints: private, group and system messages on a user's behalf, the system broadcast, and status
//! messages (SYNC-3, SYNC-4, SYNC-16, BLACK-4, GRP-11, CTYPE-7).
//!
//! Each target is sent its own message, in the order given. The answer lists them under `messageUIDs`: `{ userId
//! (or groupId), messageUID }` for each one accepted, `{ userId, code }` for each one refused (405 under
//! `verifyBlacklist`, 30016 for content over the limit).

use imsim_engine::MessageContent;
use imsim_engine::content::encode_content;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value as Json, json};

use super::{Context, Endpoint, Reply};
use crate::server::server_api::{ApiMessage, BlacklistCheck, PublishOutcome};
use crate::server::tokens::ApiError;

const fn yes() -> bool {
    true
}

/// Declares a message endpoint's parameters: the given ones, then those every message endpoint shares.
macro_rules! message_endpoint {
    ($(#[$doc:meta])* $name:ident { $( $(#[$fdoc:meta])* $field:ident: $ty:ty, )* }) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        pub struct $name {
            $( $(#[$fdoc])* pub $field: $ty, )*
            /// The content, as the manual's message object holds it (`{ messageType: text, text: hi }`), a type the
            /// engine does not know included.
            pub content: MessageContent,
            /// `isPersisted` (MTYPE-9): stored by the recipient. Default true.
            #[serde(default = "yes")]
            pub is_persisted: bool,
            /// `isCounted` (MTYPE-9): counted as unread. Default true.
            #[serde(default = "yes")]
            pub is_counted: bool,
            /// `isIncludeSender` (SYNC-16): the sender's own devices get a copy. Default false.
            #[serde(default)]
            pub is_include_sender: bool,
        }

        impl $name {
            /// The message to send; a status message (SYNC-3) is neither stored nor counted.
            fn message(&self, status: bool) -> ApiMessage {
                ApiMessage {
                    content: encode_content(&self.content),
                    persisted: self.is_persisted && !status,
                    counted: self.is_counted && !status,
                    include_sender: self.is_include_sender,
                    status,
                }
            }
        }
    };
}

/// One target's entry in the answer.
fn entry(key: &str, target: &str, outcome: PublishOutcome) -> Json {
    match outcome {
        PublishOutcome::Accepted { message_uid, .. } => json!({ key: target, "messageUID": message_uid }),
        PublishOutcome::Refused { code } => json!({ key: target, "code": code.0 }),
    }
}

fn answer(entries: Vec<Json>) -> Reply {
    Reply::with(json!({ "messageUIDs": entries }))
}

message_endpoint!(
    /// `/message/private/publish`: `fromUserId` sends to each of `toUserId` (BLACK-4: the blacklist applies only with
    /// `verifyBlacklist`).
    PrivatePublish {
    /// The sender.
    from_user_id: String,
    /// The recipients.
    to_user_id: Vec<String>,
    /// `verifyBlacklist` (BLACK-4). Default false.
    #[serde(default)]
    verify_blacklist: bool,
});

impl Endpoint for PrivatePublish {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        let check = if self.verify_blacklist { BlacklistCheck::Verify } else { BlacklistCheck::Ignore };
        let mut entries = Vec::new();
        for to in &self.to_user_id {
            let message = self.message(false);
            let outcome = cx.server.send_private_as(cx.app_key, &self.from_user_id, to, message, cx.now_ms, check)?;
            entries.push(entry("userId", to, outcome));
        }
        Ok(answer(entries))
    }
}

message_endpoint!(
    /// `/message/group/publish`: `fromUserId` sends into each of `toGroupId` (GRP-11).
    GroupPublish {
    /// The sender.
    from_user_id: String,
    /// The groups.
    to_group_id: Vec<String>,
});

impl Endpoint for GroupPublish {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        let messages: Vec<ApiMessage> = self.to_group_id.iter().map(|_| self.message(false)).collect();
        group_publish(cx, &self.from_user_id, &self.to_group_id, messages)
    }
}

/// Sends each of `messages` into the group of the same place in `groups`.
fn group_publish(
    cx: &mut Context<'_>,
    from: &str,
    groups: &[String],
    messages: Vec<ApiMessage>,
) -> Result<Reply, ApiError> {
    let mut entries = Vec::new();
    for (group_id, message) in groups.iter().zip(messages) {
        let outcome = cx.server.send_group_as(cx.app_key, from, group_id, message, cx.now_ms)?;
        entries.push(entry("groupId", group_id, outcome));
    }
    Ok(answer(entries))
}

message_endpoint!(
    /// `/message/system/publish`: a system message from `fromUserId` to each of `toUserId` (CTYPE-7).
    SystemPublish {
    /// The system account.
    from_user_id: String,
    /// The recipients.
    to_user_id: Vec<String>,
});

impl Endpoint for SystemPublish {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        let mut entries = Vec::new();
        for to in &self.to_user_id {
            let outcome =
                cx.server.send_system_message(cx.app_key, &self.from_user_id, to, self.message(false), cx.now_ms)?;
            entries.push(entry("userId", to, outcome));
        }
        Ok(answer(entries))
    }
}

message_endpoint!(
    /// `/message/broadcast`: one system message from `fromUserId` to every registered user (CTYPE-7), answering its
    /// `messageUID`.
    SystemBroadcast {
    /// The system account.
    from_user_id: String,
});

impl Endpoint for SystemBroadcast {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        let outcome =
            cx.server.broadcast_system_message(cx.app_key, &self.from_user_id, self.message(false), cx.now_ms)?;
        Ok(Reply::with(match outcome {
            PublishOutcome::Accepted { message_uid, .. } => json!({ "messageUID": message_uid }),
            PublishOutcome::Refused { code } => json!({ "refused": code.0 }),
        }))
    }
}

message_endpoint!(
    /// `/statusmessage/private/publish`: a private status message (SYNC-3): pushed to the devices online now, never
    /// stored, never delivered later, whatever its type.
    PrivateStatusPublish {
    /// The sender.
    from_user_id: String,
    /// The recipients.
    to_user_id: Vec<String>,
});

impl Endpoint for PrivateStatusPublish {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        let mut entries = Vec::new();
        for to in &self.to_user_id {
            let message = self.message(true);
            let outcome = cx.server.send_private_as(
                cx.app_key,
                &self.from_user_id,
                to,
                message,
                cx.now_ms,
                BlacklistCheck::Ignore,
            )?;
            entries.push(entry("userId", to, outcome));
        }
        Ok(answer(entries))
    }
}

message_endpoint!(
    /// `/statusmessage/group/publish`: a group status message (SYNC-3, SYNC-4: this endpoint, not the ordinary group
    /// publish, makes status messages).
    GroupStatusPublish {
    /// The sender.
    from_user_id: String,
    /// The groups.
    to_group_id: Vec<String>,
});

impl Endpoint for GroupStatusPublish {
    fn handle(self, cx: &mut Context<'_>) -> Result<Reply, ApiError> {
        imsim_engine::mark!("SYNC-4");
        let messages: Vec<ApiMessage> = self.to_group_id.iter().map(|_| self.message(true)).collect();
        group_publish(cx, &self.from_user_id, &self.to_group_id, messages)
    }
}

//! The nested objects of `RCIMIWMessage` that are not its content (MSG-13, MSG-15, MSG-16, MSG-18, MSG-23): the user
//! information a message carries, its push options, its expansion and its group read-receipt status.
//!
//! The manual names these types without fields; MSG-23 settles on the field lists of "Enums and types" (part 1) and
//! part 2 PUSH-4, PUSH-6 and PUSH-7, with the SDK's enum ordinals. They are plain data: who sees which of them is
//! decided where a message is sent and delivered (`core::messages`), and the expansion's limits are checked by
//! [`validate_expansion`], the one check the send path and the expansion updates of EXP share.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::limits::ExpansionLimits;

/// `RCIMIWUserInfo` (MSG-16): user information the sender puts on a message, which every recipient gets with it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserInfo {
    /// The user the information is about.
    #[serde(default)]
    pub user_id: String,
    /// The display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The avatar's URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub portrait: Option<String>,
    /// The name the sender gives the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// Anything else the app wants to carry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra: Option<String>,
}

/// `RCIMIWGroupReadReceiptInfo` (MSG-15, GRCPT-10): whether a group message asked for read receipts and who
/// answered. A message nobody asked receipts for has none.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GroupReadReceiptInfo {
    /// Whether receipts were requested for the message.
    #[serde(default)]
    pub read_receipt_message: bool,
    /// Whether this device has answered the request.
    #[serde(default)]
    pub has_respond: bool,
    /// The members who answered, each with the time of the answer (Unix milliseconds).
    #[serde(default)]
    pub respond_user_ids: BTreeMap<String, i64>,
}

manual_enum! {
    /// `RCIMIWVIVOPushType` (PUSH-7): the vivo push channel's message class. Values from the SDK.
    VivoPushType {
        /// An operational message.
        Operate = 0, "operate";
        /// A system message.
        System = 1, "system";
    }
}

manual_enum! {
    /// `RCIMIWImportanceHW` (PUSH-7): the Huawei message level. Values from the SDK.
    ImportanceHw {
        /// Normal importance.
        Normal = 0, "normal";
        /// Low importance.
        Low = 1, "low";
    }
}

/// `RCIMIWIOSPushOptions` (PUSH-6).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IosPushOptions {
    /// Notifications with the same thread ID are grouped together.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<String>,
    /// The app's rich-push category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Notifications with the same ID replace each other (at most 64 bytes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apns_collapse_id: Option<String>,
    /// A rich-media URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rich_media_uri: Option<String>,
}

/// `RCIMIWAndroidPushOptions` (PUSH-7).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AndroidPushOptions {
    /// The push's identifier (Xiaomi, Huawei).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_id: Option<String>,
    /// Xiaomi's channel.
    #[serde(default, rename = "channelIdMi", skip_serializing_if = "Option::is_none")]
    pub channel_id_mi: Option<String>,
    /// Huawei's channel.
    #[serde(default, rename = "channelIdHW", skip_serializing_if = "Option::is_none")]
    pub channel_id_hw: Option<String>,
    /// OPPO's channel.
    #[serde(default, rename = "channelIdOPPO", skip_serializing_if = "Option::is_none")]
    pub channel_id_oppo: Option<String>,
    /// vivo's message class.
    #[serde(default, rename = "pushTypeVIVO", skip_serializing_if = "Option::is_none")]
    pub push_type_vivo: Option<VivoPushType>,
    /// FCM's notification group.
    #[serde(default, rename = "collapseKeyFCM", skip_serializing_if = "Option::is_none")]
    pub collapse_key_fcm: Option<String>,
    /// FCM's right-hand icon.
    #[serde(default, rename = "imageUrlFCM", skip_serializing_if = "Option::is_none")]
    pub image_url_fcm: Option<String>,
    /// Huawei's message level.
    #[serde(default, rename = "importanceHW", skip_serializing_if = "Option::is_none")]
    pub importance_hw: Option<ImportanceHw>,
    /// Huawei's large icon.
    #[serde(default, rename = "imageUrlHW", skip_serializing_if = "Option::is_none")]
    pub image_url_hw: Option<String>,
    /// Xiaomi's large icon.
    #[serde(default, rename = "imageUrlMi", skip_serializing_if = "Option::is_none")]
    pub image_url_mi: Option<String>,
    /// FCM's channel.
    #[serde(default, rename = "channelIdFCM", skip_serializing_if = "Option::is_none")]
    pub channel_id_fcm: Option<String>,
}

/// `RCIMIWMessagePushOptions` (MSG-18, PUSH-4): how the sender wants the message pushed. Only the sender sets it:
/// it stays on the sender's copy and never reaches a recipient, whose copy has none.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MessagePushOptions {
    /// Hide the notification's title.
    #[serde(default)]
    pub disable_notification: bool,
    /// Hide the push title (iOS only).
    #[serde(default)]
    pub disable_push_title: bool,
    /// The push title, before any other.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub push_title: Option<String>,
    /// The push content, before any other.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub push_content: Option<String>,
    /// Extra data for the remote push.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub push_data: Option<String>,
    /// Show the content even to a receiver who hides details (PUSH-10).
    #[serde(default)]
    pub force_show_detail_content: bool,
    /// iOS's options.
    #[serde(default, rename = "iOSPushOptions", skip_serializing_if = "Option::is_none")]
    pub ios_push_options: Option<IosPushOptions>,
    /// Android's options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub android_push_options: Option<AndroidPushOptions>,
    /// The multi-language template (PUSH-13).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_id: Option<String>,
    /// Push through iOS's VoIP channel.
    #[serde(default, rename = "voIPPush")]
    pub voip_push: bool,
}

/// A message's expansion entries (MSG-13, EXP-5): `None` on a message that has expansion off, a map (even empty)
/// on one that has it on.
pub type Expansion = BTreeMap<String, String>;

/// Checks expansion entries set in one operation against the limits of MSG-13 and EXP-7 and the key characters of
/// EXP-6, with `limits` (EXP-15; the manual's by default): at most `entries_per_update_max` entries (20 for one
/// operation, EXP-7: a send sets its initial entries in one), each key 1 to 32 characters of `A-Z a-z 0-9 + = - _`,
/// each value at most 4096 characters. `None` when they hold, or what breaks.
pub fn validate_expansion(expansion: &Expansion, limits: &ExpansionLimits) -> Option<String> {
    let entries_max = limits.entries_per_update_max;
    if expansion.len() > entries_max {
        return Some(format!(
            "at most {entries_max} expansion entries are set at once, not {} (MSG-13)",
            expansion.len()
        ));
    }
    for (key, value) in expansion {
        if let Some(breach) = validate_expansion_key(key, limits) {
            return Some(breach);
        }
        let value_chars_max = limits.value_chars_max;
        if value.chars().count() > value_chars_max {
            return Some(format!(
                "the value of expansion key {key:?} has more than {value_chars_max} characters (MSG-13)"
            ));
        }
    }
    None
}

/// Checks the keys one `removeMessageExpansionForKeys` names (EXP-8, EXP-11): at most
/// `limits.entries_per_update_max` of them (20, the limit of one operation, by default), each a valid key. `None`
/// when they hold, or what breaks.
pub fn validate_expansion_keys(keys: &[String], limits: &ExpansionLimits) -> Option<String> {
    let keys_max = limits.entries_per_update_max;
    if keys.len() > keys_max {
        return Some(format!("at most {keys_max} expansion keys are removed at once, not {} (EXP-11)", keys.len()));
    }
    keys.iter().find_map(|key| validate_expansion_key(key, limits))
}

/// Checks one expansion key (MSG-13, EXP-6): 1 to 32 (by default) characters of `A-Z a-z 0-9 + = - _`.
fn validate_expansion_key(key: &str, limits: &ExpansionLimits) -> Option<String> {
    let (key_chars, key_chars_max) = (key.chars().count(), limits.key_chars_max);
    if key_chars == 0 || key_chars > key_chars_max {
        return Some(format!("expansion key {key:?} must have 1 to {key_chars_max} characters (MSG-13)"));
    }
    if !key.chars().all(is_expansion_key_char) {
        return Some(format!("expansion key {key:?} may hold only letters, digits and + = - _ (EXP-6)"));
    }
    None
}

/// EXP-6: upper- and lower-case English letters, digits and `+ = - _`.
pub fn is_expansion_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '+' | '=' | '-' | '_')
}

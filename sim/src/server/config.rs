//! Per-App-Key switches (CFG): the platform device limits (CFG-7, MULTI), the reconnect kicking policy switch (CFG-6,
//! KICK-7), multi-device sync and its offline compensation (CFG-2, CFG-3, SYNC, MULTI-6), the token lifetime
//! (CFG-10), the blacklist cap (CFG-9, CFG-14), the group member cap (GRP-3, BIZ-28), the pre-join group history
//! switch (GRP-14, BIZ-24) and the chatroom switches (BIZ-24), among them the callbacks to the app server (CR-36,
//! CRKV-15).
//!
//! Every switch applies at once (CFG-13): the next connect, or the next token issued, sees the new value. Nothing
//! already done is redone: lowering a device limit kicks nobody who is online (limits are checked at login, as KICK-1
//! and MULTI-9 describe them), and a new token lifetime does not change the expiry written into tokens already
//! issued.

use std::collections::BTreeSet;

use imsim_engine::Platform;
use imsim_engine::limits::ExpansionLimits;

use super::tokens::{ApiError, app_mut};
use super::{GROUP_OFFLINE_MAX_COUNT_MAX, Server};

/// CFG-7, MULTI-4: one mobile device per user by default (more by ticket).
pub const MOBILE_DEVICES_MAX_DEFAULT: u32 = 1;

/// CFG-7, MULTI-5: one desktop device per user, always; the manual describes no way to raise it.
pub const DESKTOP_DEVICES_MAX: u32 = 1;

/// CFG-7, MULTI-6: one Web page (every browser tab is a connection) per user while `multiDeviceSync` is off.
pub const WEB_PAGES_MAX_DEFAULT: u32 = 1;

/// CFG-2, CFG-7, MULTI-6: at most 10 Web pages per user once `multiDeviceSync` is on.
pub const WEB_PAGES_MAX_WITH_SYNC: u32 = 10;

/// CFG-7, MULTI-7: one mini-program connection per user by default (more by ticket).
pub const MINI_PROGRAM_DEVICES_MAX_DEFAULT: u32 = 1;

/// CFG-3, SYNC-7 to SYNC-10: offline compensation covers 1 natural day by default.
pub const COMPENSATION_DAYS_DEFAULT: u32 = 1;

/// CFG-3, SYNC-9, SYNC-10: the compensation window is 1 to 7 natural days.
pub const COMPENSATION_DAYS_RANGE: std::ops::RangeInclusive<u32> = 1..=7;

/// CFG-12, USER-4: at most 100 users may register in the development environment (production, on the IM 旗舰版 and
/// IM 尊享版 plans, has no limit).
pub const DEVELOPMENT_REGISTERED_USERS_MAX: usize = 100;

/// CFG-9, CFG-14, BLACK-3: a user's blacklist holds at most 3000 user IDs by default.
pub const BLACKLIST_CAP_DEFAULT: u32 = 3000;

/// GRP-3, CTYPE-4, BIZ-5, BIZ-28: a group has at most 3000 members by default.
pub const GROUP_MEMBERS_MAX_DEFAULT: u32 = 3000;

/// CR-4, BIZ-21, BIZ-24: a chatroom with no join, leave or message for 1 hour is destroyed.
pub const CHATROOM_DESTROY_AFTER_MS_DEFAULT: i64 = 60 * 60 * 1_000;

/// CR-4, BIZ-24: the inactivity period can be set up to 24 hours.
pub const CHATROOM_DESTROY_AFTER_MS_MAX: i64 = 24 * 60 * 60 * 1_000;

/// BIZ-13, CR-27: the server's consumption cap, messages per second per chatroom, beyond which it discards. The
/// manual gives no figure; imsim takes the default Server-API chatroom send rate (BIZ-9, 100 messages a second).
pub const CHATROOM_MESSAGES_PER_SECOND_DEFAULT: u32 = 100;

/// One App Key's switches. `Default` gives the manual's defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppConfig {
    /// CFG-6 `reconnectKickPolicyEnabled`, the prerequisite for `kickReconnectDevice` (KICK-7). Off by default:
    /// the server then ignores the flag and a reconnecting mobile device always kicks the online one (KICK-5).
    pub reconnect_kick_policy_enabled: bool,
    /// CFG-7, MULTI-4: how many mobile devices of a user may be online at once, at least 1.
    pub mobile_devices_max: u32,
    /// CFG-7, MULTI-7: how many mini-program connections of a user may be online at once, at least 1.
    pub mini_program_devices_max: u32,
    /// CFG-2 `multiDeviceSync`. Off by default. It raises the Web limit to [`WEB_PAGES_MAX_WITH_SYNC`] (MULTI-6) and
    /// switches message delivery from "one device per message" to "every device" with offline compensation (SYNC,
    /// see the `sync` module). A message keeps the mode in force when it was sent.
    pub multi_device_sync: bool,
    /// CFG-3 `compensationDays`: how many natural days (UTC+8 by default, [`ServerConfig::natural_day_utc_offset_ms`])
    /// offline compensation reaches back (SYNC-11), within [`COMPENSATION_DAYS_RANGE`]. Used only with
    /// `multi_device_sync`.
    ///
    /// [`ServerConfig::natural_day_utc_offset_ms`]: super::ServerConfig::natural_day_utc_offset_ms
    pub compensation_days: u32,
    /// CFG-9, CFG-14 `blacklistCap`: how many user IDs one user's blacklist may hold (BLACK-3). Lowering it removes
    /// nobody; it only refuses further additions.
    pub blacklist_cap: u32,
    /// CFG-12, USER-4: the App Key is in the development environment, where at most
    /// [`DEVELOPMENT_REGISTERED_USERS_MAX`] users may register. Off (production, no limit) by default.
    pub development: bool,
    /// GRP-3, BIZ-28: how many members a group may have, at least 1. Lowering it removes nobody.
    pub group_members_max: u32,
    /// BIZ-24, GRP-14 "new members may fetch pre-join group history". Off by default. It concerns remote history
    /// (HIST, which also needs cloud storage), not offline delivery: a new member's inbox always starts at the join
    /// (GRP-6), whatever this says. It applies to joins made while it is on (the `groups` module).
    pub group_pre_join_history: bool,
    /// CFG-10 `tokenTtl`: the lifetime of tokens issued without an explicit expiry, in milliseconds, or `None` for
    /// permanent tokens (the default, CONN-12). At least 1 when set.
    pub token_ttl_ms: Option<i64>,
    /// BIZ-6, BIZ-24, CR-9 "one user may join several chatrooms". Off by default: joining a chatroom leaves the
    /// previous one.
    pub chatroom_multi_room: bool,
    /// CR-4, BIZ-21, BIZ-24: how long a chatroom may be inactive (no join, no leave, no message) before it is
    /// destroyed, in milliseconds: 1 to [`CHATROOM_DESTROY_AFTER_MS_MAX`], default
    /// [`CHATROOM_DESTROY_AFTER_MS_DEFAULT`].
    pub chatroom_destroy_after_ms: i64,
    /// CR-24, BIZ-24 "chatroom member-change notification" (a ticket). Off by default.
    pub chatroom_member_events: bool,
    /// CR-25, BIZ-24 "chatroom cloud history storage". Off by default: `getChatRoomMessages` then fails (23414).
    pub chatroom_cloud_storage: bool,
    /// CRKV-1, BIZ-24 "chatroom attributes (KV)". Off by default: every KV request then fails (23426).
    pub chatroom_kv: bool,
    /// BIZ-13, CR-27 to CR-29: the server's consumption cap, messages per sliding second per chatroom, at least 1;
    /// default [`CHATROOM_MESSAGES_PER_SECOND_DEFAULT`].
    pub chatroom_messages_per_second: u32,
    /// CR-12, BIZ-24 "joining a chatroom returns only specified message types": with a set, a join fetches only
    /// messages whose object name is in it (still the latest, at most 50). `None` by default: every type.
    pub chatroom_join_message_types: Option<BTreeSet<String>>,
    /// CR-18, BIZ-24 "real-time eviction of abnormally disconnected members" (a ticket). Off by default: offline
    /// members are evicted only by the room's messages (CR-16, CR-17).
    pub chatroom_realtime_eviction: bool,
    /// CR-36, BIZ-24 "chatroom status sync callback to the app server". Off by default: with it, room creations and
    /// destructions and membership beginnings and ends are logged as [`AppServerCallback`]s.
    ///
    /// [`AppServerCallback`]: super::AppServerCallback
    pub chatroom_status_callback: bool,
    /// CRKV-15 "every KV change is synced to the app server's callback URL". Off by default (no URL configured):
    /// with it, every change of a chatroom's KV entries is logged as an [`AppServerCallback`].
    ///
    /// [`AppServerCallback`]: super::AppServerCallback
    pub chatroom_kv_callback: bool,
    /// DND-5, PUSH-1, PUSH-2: the app has integrated a push service (vendor push on Android, APNs on iOS). Off by
    /// default (none configured): with it, every notification the server hands the push service for a user none of
    /// whose devices is online is logged as an [`AppServerCallback::Push`] (the `push` module).
    ///
    /// [`AppServerCallback::Push`]: super::AppServerCallback::Push
    pub push_service: bool,
    /// CFG-8, OFFLINE-4, OFFLINE-7 `groupOfflineMaxCount`, an App-level ticket setting: at most this many group
    /// messages per (user, group) wait in the user's inbox for a device that has not been sent them, the newest;
    /// `None` (the default) keeps every group message within `groupOfflineDays`. At least 1.
    pub group_offline_max_count: Option<u32>,
    /// CFG-1 `cloudStorage`: the server keeps each user's private, group and system history (HIST-1, DEL-3), and
    /// remote history fetches and deletions work. Off by default: they are refused with 33007 (HIST-12, DEL-14).
    /// Only messages sent while it is on are kept.
    pub cloud_storage: bool,
    /// CFG-4 `deleteCompensationOnTimestampDelete`: a remote deletion by timestamp also deletes the caller's
    /// offline-compensation copies (DEL-6). Off by default (DEL-4).
    pub delete_compensation_on_timestamp_delete: bool,
    /// CFG-5 `recallOwnOnly`: a user may recall only the messages they sent themselves; a recall of another's is
    /// refused with 25107 (RECALL-3). Off by default: any participant may recall any message (RECALL-2).
    pub recall_own_only: bool,
    /// GRP-19: the group directed-message cloud storage service (by ticket). Off by default: directed group messages
    /// are not kept in the cloud history even with `cloud_storage` on; with both, they are.
    pub directed_message_cloud_storage: bool,
    /// EXP-15: the expansion limits the server enforces, [`ExpansionLimits::MANUAL`] by default (32-character keys,
    /// 4096-character values, 20 entries an operation, 300 in all). Set by ticket only: no scenario setting changes
    /// them, since the engine checks the manual's before sending.
    pub expansion_limits: ExpansionLimits,
}

impl Default for AppConfig {
    fn default() -> AppConfig {
        AppConfig {
            reconnect_kick_policy_enabled: false,
            mobile_devices_max: MOBILE_DEVICES_MAX_DEFAULT,
            mini_program_devices_max: MINI_PROGRAM_DEVICES_MAX_DEFAULT,
            multi_device_sync: false,
            compensation_days: COMPENSATION_DAYS_DEFAULT,
            blacklist_cap: BLACKLIST_CAP_DEFAULT,
            development: false,
            group_members_max: GROUP_MEMBERS_MAX_DEFAULT,
            group_pre_join_history: false,
            token_ttl_ms: None,
            chatroom_multi_room: false,
            chatroom_destroy_after_ms: CHATROOM_DESTROY_AFTER_MS_DEFAULT,
            chatroom_member_events: false,
            chatroom_cloud_storage: false,
            chatroom_kv: false,
            chatroom_messages_per_second: CHATROOM_MESSAGES_PER_SECOND_DEFAULT,
            chatroom_join_message_types: None,
            chatroom_realtime_eviction: false,
            chatroom_status_callback: false,
            chatroom_kv_callback: false,
            push_service: false,
            group_offline_max_count: None,
            cloud_storage: false,
            delete_compensation_on_timestamp_delete: false,
            recall_own_only: false,
            directed_message_cloud_storage: false,
            expansion_limits: ExpansionLimits::MANUAL,
        }
    }
}

impl AppConfig {
    /// How many devices of one user may be online at once in `platform`'s class (CFG-7, MULTI-2 to MULTI-7).
    pub fn device_limit(&self, platform: Platform) -> u32 {
        match platform {
            Platform::Mobile => self.mobile_devices_max,
            Platform::Desktop => DESKTOP_DEVICES_MAX,
            Platform::Web if self.multi_device_sync => WEB_PAGES_MAX_WITH_SYNC,
            Platform::Web => WEB_PAGES_MAX_DEFAULT,
            Platform::MiniProgram => self.mini_program_devices_max,
        }
    }

    /// The first value out of range, if any.
    fn check(&self) -> Result<(), ApiError> {
        let invalid = |field: &'static str, value: i64| Err(ApiError::InvalidAppConfig { field, value });
        if self.mobile_devices_max == 0 {
            return invalid("mobile_devices_max", 0);
        }
        if self.mini_program_devices_max == 0 {
            return invalid("mini_program_devices_max", 0);
        }
        if !COMPENSATION_DAYS_RANGE.contains(&self.compensation_days) {
            return invalid("compensation_days", i64::from(self.compensation_days));
        }
        if self.group_members_max == 0 {
            return invalid("group_members_max", 0);
        }
        if let Some(ttl) = self.token_ttl_ms
            && ttl <= 0
        {
            return invalid("token_ttl_ms", ttl);
        }
        if !(1..=CHATROOM_DESTROY_AFTER_MS_MAX).contains(&self.chatroom_destroy_after_ms) {
            return invalid("chatroom_destroy_after_ms", self.chatroom_destroy_after_ms);
        }
        if self.chatroom_messages_per_second == 0 {
            return invalid("chatroom_messages_per_second", 0);
        }
        if let Some(count) = self.group_offline_max_count
            && !(1..=GROUP_OFFLINE_MAX_COUNT_MAX).contains(&count)
        {
            return invalid("group_offline_max_count", i64::from(count));
        }
        Ok(())
    }
}

impl Server {
    /// Replaces the app's switches (the console and tickets of CFG). They apply at once (CFG-13), to what happens
    /// next: see the module documentation. A value out of range is refused (see [`ApiError::InvalidAppConfig`]).
    pub fn set_app_config(&mut self, app_key: &str, config: AppConfig) -> Result<(), ApiError> {
        let app = app_mut(&mut self.apps, app_key)?;
        config.check()?;
        imsim_engine::mark!("CFG-13");
        app.config = config;
        Ok(())
    }

    /// The app's switches, or `None` for an unknown App Key.
    pub fn app_config(&self, app_key: &str) -> Option<&AppConfig> {
        self.apps.get(app_key).map(|app| &app.config)
    }
}

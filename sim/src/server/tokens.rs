//! The App Server API's user calls and the tokens they issue (CONN-11, CONN-12, CFG-10), and the token check a
//! `ConnectRequest` goes through (CONN-2, CONN-14, CONN-23, ENG-18).
//!
//! A token is `imsim_engine::token`'s text format, signed with HMAC-SHA256 keyed by the App Secret, so only the
//! server (which holds the secret) can mint one, and the engine can still read the user ID without verifying it
//! (CONN-6). Every refusal answers 31004 on the wire; [`TokenRefusal`] keeps the finer reason for tests.
//!
//! Two details make CONN-12 hold exactly even when a scenario does several things in the same millisecond:
//!
//! - A user's tokens get strictly increasing `issued_at_ms` (the clock, or one past the previous token), so
//!   registering again always yields a *new* token string.
//! - Revocation remembers "every token issued up to here is void", where "here" is the later of the clock and the
//!   newest token issued so far, and later tokens are issued after that point. So a token issued just before a
//!   revocation is void and one issued just after it is valid, even within one millisecond.

use std::collections::BTreeMap;

use hmac::{Hmac, KeyInit, Mac};
use imsim_engine::limits::TARGET_ID_CHARS_MAX;
use imsim_engine::token::{TokenClaims, parse_token};
use sha2::Sha256;

use super::config::DEVELOPMENT_REGISTERED_USERS_MAX;
use super::{App, Server};

type HmacSha256 = Hmac<Sha256>;

/// Why an App Server API call failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// No app was created with this App Key.
    #[error("no app has the App Key {app_key:?}")]
    UnknownApp {
        /// The App Key given.
        app_key: String,
    },
    /// A user ID must have 1 to `TARGET_ID_CHARS_MAX` characters.
    #[error("user ID {user_id:?} must have 1 to {TARGET_ID_CHARS_MAX} characters")]
    InvalidUserId {
        /// The user ID given.
        user_id: String,
    },
    /// A token's expiry must be a positive Unix time (0 means "permanent" in the token format).
    #[error("token expiry {expires_at_ms} is not a positive Unix time in milliseconds")]
    InvalidExpiry {
        /// The expiry given.
        expires_at_ms: i64,
    },
    /// An app switch is out of range: a device or group member limit of 0, a token lifetime below 1 ms, or a
    /// compensation window outside 1 to 7 days.
    #[error("app config {field} cannot be {value}")]
    InvalidAppConfig {
        /// The `AppConfig` field.
        field: &'static str,
        /// The value given.
        value: i64,
    },
    /// A ban (of a user, or from a chatroom) must last at least 1 ms.
    #[error("ban duration {duration_ms} ms is not positive")]
    InvalidBanDuration {
        /// The duration given.
        duration_ms: i64,
    },
    /// BLACK-12: a user cannot blacklist themselves.
    #[error("user {user_id:?} cannot blacklist themselves")]
    BlacklistSelf {
        /// The user.
        user_id: String,
    },
    /// BLACK-3, BLACK-12: the user's blacklist already holds `cap` user IDs (CFG-9).
    #[error("the blacklist of {user_id:?} is full ({cap} user IDs)")]
    BlacklistFull {
        /// The blacklist's owner.
        user_id: String,
        /// The app's `blacklist_cap`.
        cap: u32,
    },
    /// A group ID must have 1 to `TARGET_ID_CHARS_MAX` characters.
    #[error("group ID {group_id:?} must have 1 to {TARGET_ID_CHARS_MAX} characters")]
    InvalidGroupId {
        /// The group ID given.
        group_id: String,
    },
    /// No group has this ID (never created, or dismissed).
    #[error("no group has the ID {group_id:?}")]
    UnknownGroup {
        /// The group ID given.
        group_id: String,
    },
    /// GRP-3, BIZ-28: the call would give the group more than `cap` members; nothing changed.
    #[error("group {group_id:?} would have more than {cap} members")]
    GroupFull {
        /// The group.
        group_id: String,
        /// The app's `group_members_max`.
        cap: u32,
    },
    /// A chatroom ID must have 1 to `TARGET_ID_CHARS_MAX` characters.
    #[error("chatroom ID {room_id:?} must have 1 to {TARGET_ID_CHARS_MAX} characters")]
    InvalidChatroomId {
        /// The chatroom ID given.
        room_id: String,
    },
    /// No chatroom has this ID (never created, or destroyed).
    #[error("no chatroom has the ID {room_id:?}")]
    UnknownChatroom {
        /// The chatroom ID given.
        room_id: String,
    },
    /// CFG-12, USER-4: the development environment already has its most registered users.
    #[error("the development environment already has {max} registered users")]
    RegisteredUsersFull {
        /// `DEVELOPMENT_REGISTERED_USERS_MAX`.
        max: usize,
    },
    /// USER-6: the user was deactivated; only reactivation lets them register again.
    #[error("user {user_id:?} is deactivated")]
    UserDeactivated {
        /// The user.
        user_id: String,
    },
    /// The user was never registered (or was deactivated since).
    #[error("user {user_id:?} is not registered")]
    UnknownUser {
        /// The user.
        user_id: String,
    },
    /// A group or chatroom mute must last at least 1 ms.
    #[error("mute duration {duration_ms} ms is not positive")]
    InvalidMuteDuration {
        /// The duration given.
        duration_ms: i64,
    },
    /// CR-35: a chatroom broadcast's content is over the limit; nothing was sent.
    #[error("a chatroom broadcast's content has {bytes} bytes, more than {max}")]
    ChatroomBroadcastTooLarge {
        /// The content's object name plus payload, in bytes.
        bytes: usize,
        /// `CHATROOM_BROADCAST_CONTENT_BYTES_MAX`.
        max: usize,
    },
    /// No ultra group has this ID (never created, or dismissed) (UG-8).
    #[error("no ultra group has the ID {group_id:?}")]
    UnknownUltraGroup {
        /// The ultra group ID given.
        group_id: String,
    },
    /// UG-2: the user is already in `ULTRA_GROUPS_PER_USER_MAX` ultra groups; nothing changed.
    #[error("user {user_id:?} is already in {max} ultra groups")]
    UltraGroupsPerUserExceeded {
        /// The user.
        user_id: String,
        /// `ULTRA_GROUPS_PER_USER_MAX`.
        max: usize,
    },
    /// A channel ID must have 1 to `CHANNEL_ID_CHARS_MAX` characters (MSG-3).
    #[error("channel ID {channel_id:?} must have 1 to {max} characters")]
    InvalidChannelId {
        /// The channel ID given.
        channel_id: String,
        /// `CHANNEL_ID_CHARS_MAX`.
        max: usize,
    },
    /// The ultra group has no channel with this ID, or it is the default channel, which cannot be deleted (UG-6).
    #[error("ultra group {group_id:?} has no channel {channel_id:?} that can be changed")]
    UnknownChannel {
        /// The ultra group.
        group_id: String,
        /// The channel ID given.
        channel_id: String,
    },
    /// DEL-8: a chatroom's history can be cleared only while chatroom cloud history storage is on.
    #[error("chatroom cloud history storage is off: there is no history of {room_id:?} to clear")]
    ChatroomHistoryOff {
        /// The chatroom ID given.
        room_id: String,
    },
}

/// A registered user's token state.
#[derive(Debug, Default)]
pub(super) struct UserRecord {
    /// The name the push service uses (USER-7), as given at registration or by "refresh user".
    pub(super) name: String,
    /// The avatar URL the push service uses (USER-7).
    pub(super) portrait_uri: String,
    /// When the user was first registered (or reactivated, USER-6).
    pub(super) registered_at_ms: i64,
    /// `issued_at_ms` of the newest token issued to the user.
    pub(super) last_issued_at_ms: Option<i64>,
    /// Tokens issued at or before this instant are void (CONN-12 "作废 Token").
    pub(super) revoked_through_ms: Option<i64>,
}

/// Why a token was refused at connect time. Every reason answers `ConnectAck` 31004 (CONN-14, CONN-23).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum TokenRefusal {
    /// The token does not parse, or is not in canonical form.
    Malformed,
    /// The `ConnectRequest`'s App Key differs from the token's (ENG-18, CONN-14).
    AppKeyMismatch,
    /// No app has the token's App Key.
    UnknownApp,
    /// The signature is not the App Secret's.
    BadSignature,
    /// The token's user is not registered in the app.
    UnknownUser,
    /// `expires_at_ms <= now` (CONN-14).
    Expired,
    /// Issued at or before a revocation (CONN-23).
    Revoked,
}

impl Server {
    /// Registers a user (if new) and issues a token for them: the Server API's "注册用户 (获取 Token)" (CONN-11,
    /// CFG-10). The token lives for the app's `token_ttl_ms` (permanent by default). Registering again issues a new
    /// token; the older ones stay valid (CONN-12).
    pub fn register_user(&mut self, app_key: &str, user_id: &str, now_ms: i64) -> Result<String, ApiError> {
        self.issue_token(app_key, user_id, now_ms, None)
    }

    /// [`Server::register_user`] with an explicit expiry: the token expires at `expires_at_ms` (connecting at or
    /// after it answers 31004, CONN-14). `None` uses the app's lifetime (CFG-10 `tokenTtl`, [`AppConfig`]): the
    /// token then expires `token_ttl_ms` after its `issued_at_ms`, or never if the app has no lifetime. Registers the
    /// user if new; older tokens stay valid (CONN-12).
    ///
    /// [`AppConfig`]: super::AppConfig
    pub fn issue_token(
        &mut self,
        app_key: &str,
        user_id: &str,
        now_ms: i64,
        expires_at_ms: Option<i64>,
    ) -> Result<String, ApiError> {
        if let Some(expires_at_ms) = expires_at_ms
            && expires_at_ms <= 0
        {
            return Err(ApiError::InvalidExpiry { expires_at_ms });
        }
        check_user_id(user_id)?;
        let app = app_mut(&mut self.apps, app_key)?;
        if app.deactivated.contains(user_id) {
            return Err(ApiError::UserDeactivated { user_id: user_id.to_owned() });
        }
        if app.config.development
            && !app.users.contains_key(user_id)
            && app.users.len() >= DEVELOPMENT_REGISTERED_USERS_MAX
        {
            imsim_engine::mark!("USER-4");
            return Err(ApiError::RegisteredUsersFull { max: DEVELOPMENT_REGISTERED_USERS_MAX });
        }
        let user = app
            .users
            .entry(user_id.to_owned())
            .or_insert_with(|| UserRecord { registered_at_ms: now_ms, ..UserRecord::default() });
        let after = |instant: Option<i64>| instant.map(|at| at.saturating_add(1));
        let issued_at_ms =
            [Some(now_ms), after(user.last_issued_at_ms), after(user.revoked_through_ms)].into_iter().flatten().max();
        let issued_at_ms = issued_at_ms.expect("invariant: the list holds now_ms");
        user.last_issued_at_ms = Some(issued_at_ms);
        let expires_at_ms =
            expires_at_ms.or_else(|| app.config.token_ttl_ms.map(|ttl| issued_at_ms.saturating_add(ttl)));
        let claims =
            TokenClaims { app_key: app_key.to_owned(), user_id: user_id.to_owned(), issued_at_ms, expires_at_ms };
        Ok(claims.to_token(&sign(&app.secret, &claims)))
    }

    /// Voids every token of the user issued so far (CONN-12 "作废 Token"): connecting with one answers 31004
    /// (CONN-23). Sessions already open are not affected, and tokens issued afterwards are valid. A user never
    /// registered has no token to void, so that is a no-op.
    pub fn revoke_tokens(&mut self, app_key: &str, user_id: &str, now_ms: i64) -> Result<(), ApiError> {
        let app = app_mut(&mut self.apps, app_key)?;
        if let Some(user) = app.users.get_mut(user_id) {
            let through = [Some(now_ms), user.last_issued_at_ms, user.revoked_through_ms].into_iter().flatten().max();
            user.revoked_through_ms = through;
        }
        Ok(())
    }
}

/// Checks a `ConnectRequest`'s token against its App Key and the server's state, returning the token's claims.
pub(super) fn check_token(
    apps: &BTreeMap<String, App>,
    request_app_key: &str,
    token: &str,
    now_ms: i64,
) -> Result<TokenClaims, TokenRefusal> {
    let parsed = parse_token(token).ok_or(TokenRefusal::Malformed)?;
    let claims = parsed.claims;
    // The parser accepts upper-case hex and leading zeros; only the form the server issues is valid.
    if claims.to_token(&parsed.signature) != token {
        return Err(TokenRefusal::Malformed);
    }
    if claims.app_key != request_app_key {
        imsim_engine::mark!("ENG-18");
        return Err(TokenRefusal::AppKeyMismatch);
    }
    let app = apps.get(&claims.app_key).ok_or(TokenRefusal::UnknownApp)?;
    mac(&app.secret)
        .chain_update(claims.signing_input().as_bytes())
        .verify_slice(&parsed.signature)
        .map_err(|_| TokenRefusal::BadSignature)?;
    let user = app.users.get(&claims.user_id).ok_or(TokenRefusal::UnknownUser)?;
    if claims.expires_at_ms.is_some_and(|expires_at_ms| expires_at_ms <= now_ms) {
        imsim_engine::mark!("CONN-12");
        imsim_engine::mark!("CFG-10");
        return Err(TokenRefusal::Expired);
    }
    if user.revoked_through_ms.is_some_and(|through| claims.issued_at_ms <= through) {
        imsim_engine::mark!("CONN-12");
        imsim_engine::mark!("CONN-23");
        return Err(TokenRefusal::Revoked);
    }
    Ok(claims)
}

/// The signature of `claims` under `secret`.
pub(super) fn sign(secret: &str, claims: &TokenClaims) -> Vec<u8> {
    mac(secret).chain_update(claims.signing_input().as_bytes()).finalize().into_bytes().to_vec()
}

fn mac(secret: &str) -> HmacSha256 {
    HmacSha256::new_from_slice(secret.as_bytes()).expect("invariant: HMAC takes keys of any length")
}

/// A user ID must have 1 to `TARGET_ID_CHARS_MAX` characters.
pub(super) fn check_user_id(user_id: &str) -> Result<(), ApiError> {
    let chars = user_id.chars().count();
    if chars == 0 || chars > TARGET_ID_CHARS_MAX {
        return Err(ApiError::InvalidUserId { user_id: user_id.to_owned() });
    }
    Ok(())
}

/// The app with `app_key`, or [`ApiError::UnknownApp`].
pub(super) fn app<'a>(apps: &'a BTreeMap<String, App>, app_key: &str) -> Result<&'a App, ApiError> {
    apps.get(app_key).ok_or_else(|| ApiError::UnknownApp { app_key: app_key.to_owned() })
}

pub(super) fn app_mut<'a>(apps: &'a mut BTreeMap<String, App>, app_key: &str) -> Result<&'a mut App, ApiError> {
    apps.get_mut(app_key).ok_or_else(|| ApiError::UnknownApp { app_key: app_key.to_owned() })
}

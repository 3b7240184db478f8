//! Per-App-Key switches (CFG): the platform device limits (CFG-7, MULTI), the reconnect kicking policy switch (CFG-6,
//! KICK-7), multi-device sync's effect on Web pages (CFG-2, MULTI-6) and the token lifetime (CFG-10).
//!
//! Every switch applies at once (CFG-13): the next connect, or the next token issued, sees the new value. Nothing
//! already done is redone: lowering a device limit kicks nobody who is online (limits are checked at login, as KICK-1
//! and MULTI-9 describe them), and a new token lifetime does not change the expiry written into tokens already
//! issued.

use imsim_engine::Platform;

use super::Server;
use super::tokens::{ApiError, app_mut};

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
    /// CFG-2 `multiDeviceSync`. Off by default. Here it only raises the Web limit to [`WEB_PAGES_MAX_WITH_SYNC`]
    /// (MULTI-6); message sync between devices (SYNC) is not implemented yet.
    pub multi_device_sync: bool,
    /// CFG-10 `tokenTtl`: the lifetime of tokens issued without an explicit expiry, in milliseconds, or `None` for
    /// permanent tokens (the default, CONN-12). At least 1 when set.
    pub token_ttl_ms: Option<i64>,
}

impl Default for AppConfig {
    fn default() -> AppConfig {
        AppConfig {
            reconnect_kick_policy_enabled: false,
            mobile_devices_max: MOBILE_DEVICES_MAX_DEFAULT,
            mini_program_devices_max: MINI_PROGRAM_DEVICES_MAX_DEFAULT,
            multi_device_sync: false,
            token_ttl_ms: None,
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
        if let Some(ttl) = self.token_ttl_ms
            && ttl <= 0
        {
            return invalid("token_ttl_ms", ttl);
        }
        Ok(())
    }
}

impl Server {
    /// Replaces the app's switches (the console and tickets of CFG). They apply at once (CFG-13), to what happens
    /// next: see the module documentation. A device limit of 0 or a token lifetime below 1 ms is refused.
    pub fn set_app_config(&mut self, app_key: &str, config: AppConfig) -> Result<(), ApiError> {
        let app = app_mut(&mut self.apps, app_key)?;
        config.check()?;
        app.config = config;
        Ok(())
    }

    /// The app's switches, or `None` for an unknown App Key.
    pub fn app_config(&self, app_key: &str) -> Option<&AppConfig> {
        self.apps.get(app_key).map(|app| &app.config)
    }
}

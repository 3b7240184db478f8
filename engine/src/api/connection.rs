//! The engine's lifecycle and connection (ENG, CONN).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ApiMethod, Completion, Returned};
use crate::driver::Engine;
use crate::error::ImError;

/// `connect(token, timeout)` (CONN-3) → `onDatabaseOpened`, then `onConnected` (CONN-4 to CONN-6).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Connect {
    /// The token the App Server API issued for the user.
    pub token: String,
    /// Seconds to keep trying; 0 or less keeps trying until connected (CONN-16).
    pub timeout: i32,
}

impl ApiMethod for Connect {
    const COMPLETION: Completion = Completion::Listener {
        result: "onConnected",
        progress: &["onDatabaseOpened"],
        bounded: false,
        cancellation: None,
        engine_listener: true,
    };

    async fn invoke(self, engine: &Engine) -> Result<Returned, ImError> {
        engine.connect(&self.token, self.timeout).await.map(|()| Returned::Nothing)
    }
}

/// `disconnect(receivePush)` (CONN-17): no listener; the status becomes signOut (CONN-20).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Disconnect {
    /// Whether the device still receives push notifications while disconnected.
    pub receive_push: bool,
}

impl ApiMethod for Disconnect {
    const COMPLETION: Completion = Completion::StatusOnly;

    async fn invoke(self, engine: &Engine) -> Result<Returned, ImError> {
        engine.disconnect(self.receive_push).await.map(|()| Returned::Nothing)
    }
}

/// `destroy()` (ENG-4, ENG-5): every later call returns -102 and nothing more reaches the app.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Destroy {}

impl ApiMethod for Destroy {
    const COMPLETION: Completion = Completion::StatusOnly;

    async fn invoke(self, engine: &Engine) -> Result<Returned, ImError> {
        engine.destroy().await.map(|()| Returned::Nothing)
    }
}

//! The media methods (SEND-7 to SEND-13, DL, XAPI-1). Their per-call form is the manual's `listener:` object
//! (CALL-8): a scenario's `callback: true`, which takes the transfer's progress, its end and a cancellation of it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ApiMethod, Completion, Returned};
use crate::driver::Engine;
use crate::error::ImError;
use crate::types::Message;

/// `sendMediaMessage(message, listener)` (SEND-7) → `onMediaMessageAttached`, `onMediaMessageSending` as the upload
/// moves, then `onMediaMessageSent`; or, once cancelled, `onSendingMediaMessageCanceled` through its listener
/// (SEND-8 to SEND-12).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SendMediaMessage {
    /// The media message, as a `create…Message` method returned it.
    pub message: Message,
}

impl ApiMethod for SendMediaMessage {
    const COMPLETION: Completion = Completion::cancellable(
        "onMediaMessageSent",
        &["onMediaMessageAttached", "onMediaMessageSending"],
        "onSendingMediaMessageCanceled",
    );

    async fn invoke(self, engine: &Engine) -> Result<Returned, ImError> {
        engine.send_media_message(self.message).await.map(|()| Returned::Nothing)
    }
}

/// `cancelSendingMediaMessage(message)` (SEND-12, XAPI-1) → `onSendingMediaMessageCanceled` (its callback is
/// `onCancelSendingMediaMessageCalled`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CancelSendingMediaMessage {
    /// The message being sent, as attached.
    pub message: Message,
}

impl ApiMethod for CancelSendingMediaMessage {
    const COMPLETION: Completion = Completion::listener("onSendingMediaMessageCanceled", &[]);

    async fn invoke(self, engine: &Engine) -> Result<Returned, ImError> {
        engine.cancel_sending_media_message(self.message).await.map(|()| Returned::Nothing)
    }
}

/// `downloadMediaMessage(message, listener)` (DL-2) → `onMediaMessageDownloading` as the download moves, then
/// `onMediaMessageDownloaded`; or, once cancelled, `onDownloadingMediaMessageCanceled` through its listener.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DownloadMediaMessage {
    /// A stored media message with a remote URL.
    pub message: Message,
}

impl ApiMethod for DownloadMediaMessage {
    const COMPLETION: Completion = Completion::cancellable(
        "onMediaMessageDownloaded",
        &["onMediaMessageDownloading"],
        "onDownloadingMediaMessageCanceled",
    );

    async fn invoke(self, engine: &Engine) -> Result<Returned, ImError> {
        engine.download_media_message(self.message).await.map(|()| Returned::Nothing)
    }
}

/// `cancelDownloadingMediaMessage(message)` (DL-3) → `onDownloadingMediaMessageCanceled` (its callback is
/// `onCancelDownloadingMediaMessageCalled`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CancelDownloadingMediaMessage {
    /// The message being downloaded.
    pub message: Message,
}

impl ApiMethod for CancelDownloadingMediaMessage {
    const COMPLETION: Completion = Completion::listener("onDownloadingMediaMessageCanceled", &[]);

    async fn invoke(self, engine: &Engine) -> Result<Returned, ImError> {
        engine.cancel_downloading_media_message(self.message).await.map(|()| Returned::Nothing)
    }
}

//! The media API (SEND-7 to SEND-13, DL, XAPI-1): each call returns at once; the transfer's progress and end, and
//! a cancellation, arrive as events (see `core::media`).

use super::Engine;
use crate::error::ImError;
use crate::types::Message;

impl Engine {
    /// `sendMediaMessage(message, listener)` (SEND-7): see `Core::send_media_message`.
    pub async fn send_media_message(&self, message: Message) -> Result<(), ImError> {
        self.run(move |core, now| core.send_media_message(now, &message)).await
    }

    /// `cancelSendingMediaMessage(message)` (SEND-12, XAPI-1): see `Core::cancel_sending_media_message`.
    pub async fn cancel_sending_media_message(&self, message: Message) -> Result<(), ImError> {
        self.run(move |core, now| core.cancel_sending_media_message(now, &message)).await
    }

    /// `downloadMediaMessage(message, listener)` (DL-2): see `Core::download_media_message`.
    pub async fn download_media_message(&self, message: Message) -> Result<(), ImError> {
        self.run(move |core, now| core.download_media_message(now, &message)).await
    }

    /// `cancelDownloadingMediaMessage(message)` (DL-3): see `Core::cancel_downloading_media_message`.
    pub async fn cancel_downloading_media_message(&self, message: Message) -> Result<(), ImError> {
        self.run(move |core, now| core.cancel_downloading_media_message(now, &message)).await
    }
}

//! Media messages: the send with its upload (SEND-7 to SEND-13, XAPI-1) and the download (DL), each cancellable.
//!
//! A media send is stored and attached first, like any send (SEND-10, SEND-14); then the file is read from the
//! device's files ([`crate::files::MediaFiles`]) and uploaded to the file service in pieces of at most
//! `MEDIA_CHUNK_BYTES_MAX`, one request per piece, each sent when the previous one is answered. Each answer moves
//! the progress (SEND-11); the last one carries the file's URL, which goes into the stored message (`remote`) before
//! the message is published as any other (SEND-13). A download reads a message's `remote` URL back the same way and
//! writes the file under `downloads/` (DL-6).
//!
//! Because the pieces go one at a time, a cancel, a lost connection or a timeout stops a transfer between two
//! pieces: a cancel ends it at once with the cancellation (SEND-12, DL-5) and an answer still in flight is ignored;
//! a failure ends it with the failure's code. Either way the call that started it gets exactly one end (CALL-13).
//!
//! How each end reaches the app (CALL-8, CALL-9): a transfer started with a per-call listener reports its progress
//! and its end to that listener only; one started without reports to the engine listeners. A cancellation is the
//! cancel call's result (`onSendingMediaMessageCanceled(code, message)`); it ends the transfer too, so it is
//! delivered tagged as ending the transfer's call ([`super::Delivery::ends`]): the transfer's own listener, if it
//! has one, receives it as its `onSendingMediaMessageCanceled(message)`, and the engine listener hears of it once.

use std::collections::BTreeMap;

use super::requests::RequestKind;
use super::{CallId, Core, Event, Now};
use crate::error::{ErrorCode, ImError};
use crate::files::DOWNLOADS_DIRECTORY;
use crate::limits::MEDIA_CHUNK_BYTES_MAX;
use crate::proto::{self, request, response};
use crate::types::{Media, Message, MessageContent, MessageDirection, ReceivedStatus, SentStatus};

/// A transfer of one message's file, in either direction.
#[derive(Clone, Debug)]
pub(super) struct Transfer {
    /// The call that started it: its progress and its end answer that call.
    call: Option<CallId>,
    /// The message as it was attached (a send) or as the app passed it (a download).
    message: Message,
    /// An upload: the whole file. A download: what has arrived so far.
    bytes: Vec<u8>,
    /// The file's size: known from the start for an upload, from the first answer for a download.
    total: u64,
    /// The last progress reported, so progress never repeats or goes back (SEND-11).
    progress: u8,
    /// The URL a download reads from.
    url: String,
}

/// The media transfers running, by local message ID.
#[derive(Debug, Default)]
pub(super) struct Transfers {
    uploads: BTreeMap<i64, Transfer>,
    downloads: BTreeMap<i64, Transfer>,
}

/// Which transfer a file request belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum MediaRequest {
    Upload { message_id: i64 },
    Download { message_id: i64 },
}

/// The whole-percent progress of `done` bytes of `total`: 100 only when all are done (SEND-11).
fn progress(done: u64, total: u64) -> u8 {
    if total == 0 || done >= total {
        return 100;
    }
    u8::try_from(done.saturating_mul(100) / total).unwrap_or(99)
}

impl Core {
    /// `sendMediaMessage(message, listener)` (SEND-7 to SEND-13): stores and attaches the message, then uploads its
    /// local file and publishes it with the file's URL; see the module documentation.
    ///
    /// Refused with -101 for a message that is not a media message, or whose local file cannot be read (a media
    /// message that already has a remote URL and no local file is sent without an upload: a forward); -102 once
    /// destroyed; -103 before the first `connect` (no database). Not connected: attached, then failed with 30002
    /// (SEND-16).
    pub fn send_media_message(&mut self, now: Now, message: &Message) -> Result<(), ImError> {
        if self.destroyed {
            return Err(ImError::destroyed());
        }
        super::messages::validate_outgoing(message)?;
        let Some(media) = message.content.media() else {
            return Err(ImError::param(format!(
                "a {} message is not a media message (SEND-7)",
                message.message_type()
            )));
        };
        crate::mark!("SEND-7");
        let file = match (&media.local, &media.remote) {
            (Some(local), _) => Some(
                self.files
                    .read(local)
                    .map_err(|error| ImError::param(format!("the media file {local:?} cannot be read: {error}")))?,
            ),
            (None, Some(_)) => None,
            (None, None) => return Err(ImError::param("a media message needs a local file or a remote URL")),
        };
        let user_id = self.current_user_id().unwrap_or_default().to_owned();
        let mut outgoing = Message {
            message_id: 0,
            message_uid: None,
            direction: MessageDirection::Send,
            received_time: 0,
            sent_time: now.unix_ms,
            received_status: ReceivedStatus::Unread,
            sent_status: SentStatus::Sending,
            sender_user_id: user_id,
            offline: false,
            group_read_receipt_info: None,
            channel_id: super::messages::ultra_group_channel(message),
            ..message.clone()
        };
        outgoing.message_id = self.database_mut()?.insert_outgoing(&outgoing).map_err(super::messages::native_error)?;
        crate::mark!("SEND-10");
        self.emit(Event::MediaMessageAttached { message: outgoing.clone() });

        if !self.is_established() {
            crate::mark!("SEND-16");
            self.settle_send(outgoing, ErrorCode::NETWORK_UNAVAILABLE, None, false);
            return Ok(());
        }
        let Some(bytes) = file else {
            self.publish(now, outgoing, Vec::new(), false);
            return Ok(());
        };
        let total = bytes.len() as u64;
        let message_id = outgoing.message_id;
        let upload =
            Transfer { call: self.call_context, message: outgoing, bytes, total, progress: 0, url: String::new() };
        self.transfers.uploads.insert(message_id, upload);
        self.send_upload_chunk(now, message_id, 0);
        Ok(())
    }

    /// `cancelSendingMediaMessage(message)` (SEND-12, XAPI-1): stops the upload of `message` if one is running; the
    /// message is then `canceled` and never sent. Reported through `onSendingMediaMessageCanceled`: code 0, or
    /// 34018 when no upload of that message is running (its upload may have finished already). -102 once destroyed.
    pub fn cancel_sending_media_message(&mut self, _now: Now, message: &Message) -> Result<(), ImError> {
        if self.destroyed {
            return Err(ImError::destroyed());
        }
        let Some(upload) = self.transfers.uploads.remove(&message.message_id) else {
            let message = message.clone();
            self.emit(Event::SendingMediaMessageCanceled { code: ErrorCode::MEDIA_EXCEPTION, message });
            return Ok(());
        };
        let message = Message { sent_status: SentStatus::Canceled, ..upload.message };
        let sent_time = message.sent_time;
        self.database_mut()?
            .update_send_result(message.message_id, SentStatus::Canceled, None, sent_time)
            .map_err(super::messages::native_error)?;
        crate::mark!("SEND-8");
        crate::mark!("SEND-12");
        crate::mark!("XAPI-1");
        self.emit_ending(upload.call, Event::SendingMediaMessageCanceled { code: ErrorCode::SUCCESS, message });
        Ok(())
    }

    /// `downloadMediaMessage(message, listener)` (DL-2, DL-6): fetches the file of a stored media message from its
    /// remote URL, writes it under `downloads/`, and stores that local path (a received message becomes
    /// `downloaded`). Failures come through `onMediaMessageDownloaded`: 34235 for a message without a remote URL,
    /// 34018 while the same message is already downloading, the file service's code otherwise. Refused with -101
    /// for a message that is not a stored media message, -102 once destroyed, -103 while not connected (CALL-12).
    pub fn download_media_message(&mut self, now: Now, message: &Message) -> Result<(), ImError> {
        self.check_server_call()?;
        let Some(media) = message.content.media() else {
            return Err(ImError::param(format!("a {} message is not a media message (DL-2)", message.message_type())));
        };
        if message.message_id == 0 {
            return Err(ImError::param("only a stored message can be downloaded (DL-6): its messageId is 0"));
        }
        let Some(url) = media.remote.clone() else {
            let message = message.clone();
            self.emit(Event::MediaMessageDownloaded { code: ErrorCode::INVALID_PARAMETER_MEDIA_URL, message });
            return Ok(());
        };
        if self.transfers.downloads.contains_key(&message.message_id) {
            let message = message.clone();
            self.emit(Event::MediaMessageDownloaded { code: ErrorCode::MEDIA_EXCEPTION, message });
            return Ok(());
        }
        crate::mark!("DL-1");
        crate::mark!("DL-2");
        let download = Transfer {
            call: self.call_context,
            message: message.clone(),
            bytes: Vec::new(),
            total: 0,
            progress: 0,
            url,
        };
        self.transfers.downloads.insert(message.message_id, download);
        self.send_download_chunk(now, message.message_id);
        Ok(())
    }

    /// `cancelDownloadingMediaMessage(message)` (DL-3, DL-5): stops the download of `message` if one is running.
    /// Reported through `onDownloadingMediaMessageCanceled`: code 0, or 34018 when none is. -102 once destroyed.
    pub fn cancel_downloading_media_message(&mut self, _now: Now, message: &Message) -> Result<(), ImError> {
        if self.destroyed {
            return Err(ImError::destroyed());
        }
        match self.transfers.downloads.remove(&message.message_id) {
            Some(download) => {
                crate::mark!("DL-3");
                crate::mark!("DL-4");
                crate::mark!("DL-5");
                self.emit_ending(
                    download.call,
                    Event::DownloadingMediaMessageCanceled { code: ErrorCode::SUCCESS, message: download.message },
                );
            }
            None => self.emit(Event::DownloadingMediaMessageCanceled {
                code: ErrorCode::MEDIA_EXCEPTION,
                message: message.clone(),
            }),
        }
        Ok(())
    }

    /// Sends the piece of upload `message_id` that starts at `offset`.
    fn send_upload_chunk(&mut self, now: Now, message_id: i64, offset: u64) {
        let Some(upload) = self.transfers.uploads.get(&message_id) else { return };
        let start = usize::try_from(offset).unwrap_or(usize::MAX).min(upload.bytes.len());
        let end = start.saturating_add(MEDIA_CHUNK_BYTES_MAX).min(upload.bytes.len());
        let chunk = proto::FileUploadChunk {
            upload_id: u64::try_from(message_id).unwrap_or_default(),
            offset,
            data: upload.bytes[start..end].to_vec(),
            total_size: upload.total,
            file_server: self.config.file_server.clone(),
            file_name: file_name(&upload.message.content),
        };
        let call = upload.call;
        self.within_call(call, |core| {
            core.send_request(
                now,
                request::Body::FileUploadChunk(chunk),
                RequestKind::Media(MediaRequest::Upload { message_id }),
            );
        });
    }

    /// Asks for the next piece of download `message_id`.
    fn send_download_chunk(&mut self, now: Now, message_id: i64) {
        let Some(download) = self.transfers.downloads.get(&message_id) else { return };
        let piece = proto::FileDownloadChunk { url: download.url.clone(), offset: download.bytes.len() as u64 };
        let call = download.call;
        self.within_call(call, |core| {
            core.send_request(
                now,
                request::Body::FileDownloadChunk(piece),
                RequestKind::Media(MediaRequest::Download { message_id }),
            );
        });
    }

    /// A file request's answer, or its failure (`body` `None`).
    pub(super) fn media_settled(
        &mut self,
        now: Now,
        request: MediaRequest,
        code: ErrorCode,
        body: Option<response::Body>,
    ) {
        match request {
            MediaRequest::Upload { message_id } => self.upload_answered(now, message_id, code, body),
            MediaRequest::Download { message_id } => self.download_answered(now, message_id, code, body),
        }
    }

    fn upload_answered(&mut self, now: Now, message_id: i64, code: ErrorCode, body: Option<response::Body>) {
        // Cancelled meanwhile: the answer is ignored.
        let Some(upload) = self.transfers.uploads.get_mut(&message_id) else { return };
        let answer = match body {
            Some(response::Body::FileUploadProgress(answer)) if code.is_success() => answer,
            _ => {
                crate::mark!("SEND-13");
                let code = if code.is_success() { ErrorCode::FILE_UPLOAD_FAILED } else { code };
                let upload = self.transfers.uploads.remove(&message_id).expect("invariant: looked up above");
                self.settle_send(upload.message, code, None, false);
                return;
            }
        };
        let total = upload.total;
        let received = answer.received.min(total);
        let reached = progress(received, total);
        if reached > upload.progress {
            upload.progress = reached;
            crate::mark!("SEND-9");
            crate::mark!("SEND-11");
            let event = Event::MediaMessageSending { message: upload.message.clone(), progress: reached };
            self.emit(event);
        }
        if received < total || answer.url.is_empty() {
            if answer.url.is_empty() && received >= total {
                // Every byte is there and still no URL: the service broke its side of the exchange.
                let upload = self.transfers.uploads.remove(&message_id).expect("invariant: looked up above");
                self.settle_send(upload.message, ErrorCode::FILE_UPLOAD_FAILED, None, false);
                return;
            }
            self.send_upload_chunk(now, message_id, received);
            return;
        }
        let upload = self.transfers.uploads.remove(&message_id).expect("invariant: looked up above");
        let mut message = upload.message;
        crate::mark!("SEND-13");
        set_media(&mut message.content, |media| media.remote = Some(answer.url.clone()));
        if let Err(error) = self
            .database_mut()
            .and_then(|store| store.update_content(message_id, &message.content).map_err(super::messages::native_error))
        {
            self.settle_send(message, error.code, None, false);
            return;
        }
        self.publish(now, message, Vec::new(), false);
    }

    fn download_answered(&mut self, now: Now, message_id: i64, code: ErrorCode, body: Option<response::Body>) {
        let Some(download) = self.transfers.downloads.get_mut(&message_id) else { return };
        let done_before = download.bytes.len() as u64;
        let data = match body {
            // A piece that brings nothing while bytes are still missing would make the download ask for ever.
            Some(response::Body::FileData(data))
                if code.is_success() && (!data.data.is_empty() || done_before >= data.total_size) =>
            {
                data
            }
            _ => {
                let code = if code.is_success() { ErrorCode::FILE_NOT_EXIST } else { code };
                let download = self.transfers.downloads.remove(&message_id).expect("invariant: looked up above");
                self.emit(Event::MediaMessageDownloaded { code, message: download.message });
                return;
            }
        };
        download.total = data.total_size;
        download.bytes.extend_from_slice(&data.data);
        let total = download.total;
        let done = download.bytes.len() as u64;
        let reached = progress(done, total);
        if reached > download.progress {
            download.progress = reached;
            let event = Event::MediaMessageDownloading { message: download.message.clone(), progress: reached };
            self.emit(event);
        }
        if done < total {
            self.send_download_chunk(now, message_id);
            return;
        }
        let download = self.transfers.downloads.remove(&message_id).expect("invariant: looked up above");
        crate::mark!("DL-6");
        let outcome = self.save_download(download.message.clone(), &download.bytes);
        let (code, message) = match outcome {
            Ok(message) => (ErrorCode::SUCCESS, message),
            Err(error) => (error.code, download.message),
        };
        self.emit(Event::MediaMessageDownloaded { code, message });
    }

    /// Writes a downloaded file and records its path in the stored message (DL-6).
    fn save_download(&mut self, mut message: Message, bytes: &[u8]) -> Result<Message, ImError> {
        let owner = message.message_uid.clone().unwrap_or_else(|| format!("local-{}", message.message_id));
        let path = format!("{DOWNLOADS_DIRECTORY}/{owner}/{}", file_name(&message.content));
        self.files
            .write(&path, bytes)
            .map_err(|error| ImError::new(ErrorCode::MEDIA_EXCEPTION, format!("cannot write {path:?}: {error}")))?;
        set_media(&mut message.content, |media| media.local = Some(path.clone()));
        let store = self.database_mut()?;
        store.update_content(message.message_id, &message.content).map_err(super::messages::native_error)?;
        if message.direction == MessageDirection::Receive {
            store
                .set_received_status(message.message_id, ReceivedStatus::Downloaded)
                .map_err(super::messages::native_error)?;
            message.received_status = ReceivedStatus::Downloaded;
        }
        Ok(message)
    }
}

/// Changes the media of `content`, which is a media message's.
fn set_media(content: &mut MessageContent, change: impl FnOnce(&mut Media)) {
    if let Some(media) = content.media_mut() {
        change(media);
    }
}

/// The name a media file goes by in its URL and on disk: a file message's own name, otherwise the local path's
/// last part, otherwise the message type.
fn file_name(content: &MessageContent) -> String {
    if let MessageContent::File { name, .. } | MessageContent::Sight { name, .. } = content
        && !name.is_empty()
    {
        return sanitize(name);
    }
    let from_path = content
        .media()
        .and_then(|media| media.local.as_deref().or(media.remote.as_deref()))
        .and_then(|path| path.rsplit(['/', '\\']).next())
        .filter(|name| !name.is_empty());
    sanitize(from_path.unwrap_or(content.object_name()))
}

/// `name` without the characters that would let it leave its directory or break a URL.
fn sanitize(name: &str) -> String {
    let cleaned: String =
        name.chars().map(|c| if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect();
    if cleaned.chars().all(|c| c == '.') { "file".to_owned() } else { cleaned }
}

#[cfg(test)]
mod sanitize_tests {
    use super::sanitize;

    #[test]
    fn a_file_name_keeps_its_safe_characters_and_cannot_climb_out_of_its_directory() {
        // SEND-13: the name in an upload's URL.
        assert_eq!(sanitize("photo.jpg"), "photo.jpg");
        assert_eq!(sanitize("readme"), "readme");
        assert_eq!(sanitize("a b/c?d"), "a_b_c_d");
        assert_eq!(sanitize(".."), "file");
        assert_eq!(sanitize("."), "file");
        assert_eq!(sanitize(""), "file");
    }
}

//! The file service of SEND-13: media uploads in pieces, and downloads of what was uploaded (DL).
//!
//! It is reached over the IM connection (`FileUploadChunk`, `FileDownloadChunk` requests), so uploads and downloads
//! share the connection's faults: a partition stalls them, a lost connection ends them. An upload in progress
//! belongs to its connection and is forgotten with it; a finished file belongs to the app, under a URL naming the
//! file server the client asked for (ENG-9, the `fileServer` option), so every device of the app can download it.
//!
//! Every request is checked before anything is kept: the file's announced size against `MEDIA_FILE_BYTES_MAX`
//! (26106), each piece against `MEDIA_CHUNK_BYTES_MAX` and against where the previous piece ended, the names against
//! their bounds. A bad piece ends that upload; the connection goes on.

use std::collections::BTreeMap;

use imsim_engine::ErrorCode;
use imsim_engine::limits::{MEDIA_CHUNK_BYTES_MAX, MEDIA_FILE_BYTES_MAX};
use imsim_engine::options::ServerAddress;
use imsim_engine::proto::{self, frame::Body, request, response};

use super::{App, Conn, ConnId, Server};

/// How many unfinished uploads one connection may hold at once: imsim's bound, so a peer that starts uploads and
/// never finishes them cannot make the server keep much.
pub(super) const UPLOADS_PER_CONNECTION_MAX: usize = 8;

/// The longest file server name or file name a URL may carry: imsim's bound, a DNS name's length.
pub(super) const FILE_URL_PART_CHARS_MAX: usize = 255;

/// A connection's unfinished uploads, by the client's upload ID.
#[derive(Debug, Default)]
pub(super) struct Uploads {
    partial: BTreeMap<u64, Vec<u8>>,
}

/// The files an app's users uploaded, by URL.
#[derive(Debug, Default)]
pub(super) struct StoredFiles {
    by_url: BTreeMap<String, Vec<u8>>,
}

impl Server {
    /// A `FileUploadChunk` or `FileDownloadChunk` request of `conn`, answered with one `Response`.
    pub(super) fn handle_file_request(&mut self, conn: ConnId, request_id: u64, body: request::Body) {
        let Some(Conn::Open(session)) = self.conns.get_mut(&conn) else { return };
        let Some(app) = self.apps.get_mut(&session.app_key) else { return };
        let result = match body {
            request::Body::FileUploadChunk(chunk) => {
                upload(app, &mut session.uploads, chunk).map(response::Body::FileUploadProgress)
            }
            request::Body::FileDownloadChunk(piece) => download(app, &piece).map(response::Body::FileData),
            _ => Err(ErrorCode::PROTOCOL_MALFORMED_FRAME),
        };
        let (code, body) = match result {
            Ok(body) => (ErrorCode::SUCCESS, Some(body)),
            Err(code) => (code, None),
        };
        self.send(conn, Body::Response(proto::Response { request_id, code: code.to_wire(), body }));
    }
}

/// Takes one piece of an upload; the last one stores the file and answers with its URL.
fn upload(
    app: &mut App,
    uploads: &mut Uploads,
    chunk: proto::FileUploadChunk,
) -> Result<proto::FileUploadProgress, ErrorCode> {
    let proto::FileUploadChunk { upload_id, offset, data, total_size, file_server, file_name } = chunk;
    if total_size > MEDIA_FILE_BYTES_MAX {
        uploads.partial.remove(&upload_id);
        return Err(ErrorCode::FILE_SIZE_EXCEED_LIMIT);
    }
    let name_fits = !file_name.is_empty() && file_name.chars().count() <= FILE_URL_PART_CHARS_MAX;
    let server = (file_server.chars().count() <= FILE_URL_PART_CHARS_MAX)
        .then(|| ServerAddress::parse(&file_server).ok())
        .flatten();
    let Some(server) = server.filter(|_| name_fits && data.len() <= MEDIA_CHUNK_BYTES_MAX) else {
        uploads.partial.remove(&upload_id);
        return Err(ErrorCode::PROTOCOL_MALFORMED_FRAME);
    };
    if offset == 0 {
        if !uploads.partial.contains_key(&upload_id) && uploads.partial.len() >= UPLOADS_PER_CONNECTION_MAX {
            return Err(ErrorCode::FILE_UPLOAD_FAILED);
        }
        uploads.partial.insert(upload_id, Vec::new());
    }
    let Some(received) = uploads.partial.get_mut(&upload_id) else { return Err(ErrorCode::FILE_UPLOAD_FAILED) };
    let fits = received.len() as u64 == offset && offset + data.len() as u64 <= total_size;
    if !fits {
        uploads.partial.remove(&upload_id);
        return Err(ErrorCode::FILE_UPLOAD_FAILED);
    }
    received.extend_from_slice(&data);
    let received_bytes = received.len() as u64;
    if received_bytes < total_size {
        return Ok(proto::FileUploadProgress { received: received_bytes, url: String::new() });
    }
    let bytes = uploads.partial.remove(&upload_id).unwrap_or_default();
    app.last_file += 1;
    let url = format!("{}/media/{}/{}", server.base_url(), app.last_file, url_part(&file_name));
    app.files.by_url.insert(url.clone(), bytes);
    Ok(proto::FileUploadProgress { received: received_bytes, url })
}

/// One piece of a stored file, from the offset asked for.
fn download(app: &App, piece: &proto::FileDownloadChunk) -> Result<proto::FileData, ErrorCode> {
    let file = app.files.by_url.get(&piece.url).ok_or(ErrorCode::FILE_NOT_EXIST)?;
    let start = usize::try_from(piece.offset).unwrap_or(usize::MAX).min(file.len());
    let end = start.saturating_add(MEDIA_CHUNK_BYTES_MAX).min(file.len());
    Ok(proto::FileData { data: file[start..end].to_vec(), total_size: file.len() as u64 })
}

/// `part` with every character that could break out of its place in a URL replaced.
fn url_part(part: &str) -> String {
    part.chars().map(|c| if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect()
}

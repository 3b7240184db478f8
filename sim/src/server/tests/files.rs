//! The file service (SEND-13, DL): uploads in pieces, the checks on every piece, downloads, and what a connection
//! takes with it when it closes.

use imsim_engine::limits::{MEDIA_CHUNK_BYTES_MAX, MEDIA_FILE_BYTES_MAX};
use proto::{request, response};

use super::blacklist::request;
use super::*;
use crate::server::files::UPLOADS_PER_CONNECTION_MAX;

const SERVER: &str = "https://files.example.com:8443";

fn piece(upload_id: u64, offset: u64, data: &[u8], total_size: u64) -> Option<request::Body> {
    Some(request::Body::FileUploadChunk(proto::FileUploadChunk {
        upload_id,
        offset,
        data: data.to_vec(),
        total_size,
        file_server: SERVER.to_owned(),
        file_name: "a b/../c.png".to_owned(),
    }))
}

fn progress(received: u64, url: &str) -> Option<response::Body> {
    Some(response::Body::FileUploadProgress(proto::FileUploadProgress { received, url: url.to_owned() }))
}

fn fetch(url: &str, offset: u64) -> Option<request::Body> {
    Some(request::Body::FileDownloadChunk(proto::FileDownloadChunk { url: url.to_owned(), offset }))
}

fn code(response: &proto::Response) -> ErrorCode {
    ErrorCode::from_wire(response.code)
}

#[test]
fn an_upload_in_pieces_is_stored_under_a_url_every_device_of_the_app_can_download() {
    let mut h = Harness::new();
    let alice = h.connect_live("alice", "d1");
    let bob = h.connect_live("bob", "d2");
    let file: Vec<u8> = (0..70_000u32).map(|i| (i % 251) as u8).collect();
    let (first, rest) = file.split_at(MEDIA_CHUNK_BYTES_MAX);
    let answer = request(&mut h, alice, 1, piece(9, 0, first, 70_000));
    assert_eq!((answer.code, answer.body), (0, progress(65_536, "")));
    let answer = request(&mut h, alice, 2, piece(9, 65_536, rest, 70_000));
    // The URL names the file server asked for and a name that cannot leave its place in the path.
    let url = "https://files.example.com:8443/media/1/a_b_.._c.png";
    assert_eq!((answer.code, answer.body), (0, progress(70_000, url)));
    // Another user reads it back, piece by piece.
    let answer = request(&mut h, bob, 3, fetch(url, 0));
    let Some(response::Body::FileData(data)) = answer.body else { panic!("data, got {answer:?}") };
    assert_eq!((data.data.as_slice(), data.total_size), (first, 70_000));
    let answer = request(&mut h, bob, 4, fetch(url, 65_536));
    let Some(response::Body::FileData(data)) = answer.body else { panic!("data, got {answer:?}") };
    assert_eq!(data.data.as_slice(), rest);
    // DL-6: a URL the service does not hold.
    assert_eq!(
        code(&request(&mut h, bob, 5, fetch("https://files.example.com:8443/media/2/x", 0))),
        ErrorCode::FILE_NOT_EXIST
    );
}

#[test]
fn bad_pieces_end_their_upload_and_the_connection_goes_on() {
    let mut h = Harness::new();
    let alice = h.connect_live("alice", "d1");
    // SEND-13: a file over the service's limit, announced in its first piece: 26106 (RC_FILE_SIZE_EXCEED_LIMIT).
    let too_large = request(&mut h, alice, 1, piece(1, 0, b"x", MEDIA_FILE_BYTES_MAX + 1));
    assert_eq!(code(&too_large), ErrorCode::FILE_SIZE_EXCEED_LIMIT);
    // Exactly at the limit is fine.
    assert_eq!(code(&request(&mut h, alice, 2, piece(2, 0, b"x", MEDIA_FILE_BYTES_MAX))), ErrorCode::SUCCESS);
    // A piece over 64 KiB is malformed.
    let oversized = vec![0; MEDIA_CHUNK_BYTES_MAX + 1];
    assert_eq!(code(&request(&mut h, alice, 3, piece(3, 0, &oversized, 1 << 20))), ErrorCode::PROTOCOL_MALFORMED_FRAME);
    // A piece that does not start where the last one ended, or runs past the announced size, ends the upload.
    assert_eq!(code(&request(&mut h, alice, 4, piece(4, 0, b"abc", 10))), ErrorCode::SUCCESS);
    assert_eq!(code(&request(&mut h, alice, 5, piece(4, 5, b"def", 10))), ErrorCode::FILE_UPLOAD_FAILED);
    assert_eq!(code(&request(&mut h, alice, 6, piece(4, 3, b"def", 10))), ErrorCode::FILE_UPLOAD_FAILED, "forgotten");
    assert_eq!(code(&request(&mut h, alice, 7, piece(5, 0, b"abcdefghijk", 10))), ErrorCode::FILE_UPLOAD_FAILED);
    // A file server that is no server address is malformed.
    let mut bad_server = piece(6, 0, b"a", 1);
    if let Some(request::Body::FileUploadChunk(chunk)) = &mut bad_server {
        chunk.file_server = "ftp://x".to_owned();
    }
    assert_eq!(code(&request(&mut h, alice, 8, bad_server)), ErrorCode::PROTOCOL_MALFORMED_FRAME);
    // Still serving: a one-piece upload completes.
    let done = request(&mut h, alice, 9, piece(7, 0, b"ok", 2));
    assert_eq!(done.body, progress(2, "https://files.example.com:8443/media/1/a_b_.._c.png"));
}

#[test]
fn a_connection_holds_a_bounded_number_of_unfinished_uploads_and_drops_them_when_it_closes() {
    let mut h = Harness::new();
    let alice = h.connect_live("alice", "d1");
    for upload_id in 0..UPLOADS_PER_CONNECTION_MAX as u64 {
        assert_eq!(code(&request(&mut h, alice, upload_id, piece(upload_id, 0, b"a", 10))), ErrorCode::SUCCESS);
    }
    let one_more = request(&mut h, alice, 99, piece(99, 0, b"a", 10));
    assert_eq!(code(&one_more), ErrorCode::FILE_UPLOAD_FAILED);
    // Another connection of the same user has its own; the first connection's go with it.
    h.server.handle_connection_closed(alice, h.now);
    h.outputs();
    let again = h.connect_live("alice", "d1");
    assert_eq!(code(&request(&mut h, again, 1, piece(0, 1, b"b", 10))), ErrorCode::FILE_UPLOAD_FAILED);
    assert_eq!(code(&request(&mut h, again, 2, piece(99, 0, b"a", 10))), ErrorCode::SUCCESS);
}

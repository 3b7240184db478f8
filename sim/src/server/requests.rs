//! The dispatch of a client's `Request` frames: every `Request` gets exactly one `Response` with its `request_id`.
//! Chatroom and file requests, and those that fan out (recall, expansion, receipts), answer for themselves in their modules;
//! the rest are answered here from the module that owns their state. A request with no body is malformed (90001).

use imsim_engine::ErrorCode;
use imsim_engine::proto::{self, frame::Body, request, response};

use super::blacklist::{add, is_blacklisted, list, remove, wire_code};
use super::chatroom::ChatroomRequest;
use super::tokens::check_user_id;
use super::{App, Conn, ConnId, Server};

impl Server {
    /// Answers a client's `Request` with one `Response` (see the module documentation).
    pub(super) fn handle_request(&mut self, conn: ConnId, request: proto::Request, now_ms: i64) {
        let Some(Conn::Open(session)) = self.conns.get(&conn) else {
            return;
        };
        let (owner, app_key, request_id) = (session.user_id.clone(), session.app_key.clone(), request.request_id);
        let device_id = session.device_id.clone();
        let body = match request.body.map(ChatroomRequest::from_body) {
            Some(Ok(chatroom_request)) => {
                self.handle_chatroom_request(conn, owner, app_key, request_id, chatroom_request, now_ms);
                return;
            }
            Some(Err(body)) => body,
            None => {
                self.respond(conn, request_id, Err(ErrorCode::PROTOCOL_MALFORMED_FRAME));
                return;
            }
        };
        let result = match body {
            body @ (request::Body::FileUploadChunk(_) | request::Body::FileDownloadChunk(_)) => {
                self.handle_file_request(conn, request_id, body);
                return;
            }
            request::Body::Recall(recall) => {
                self.handle_recall(conn, request_id, &recall, now_ms);
                return;
            }
            request::Body::ExpansionChange(change) => {
                self.handle_expansion_change(conn, request_id, change, now_ms);
                return;
            }
            request::Body::PrivateReadReceipt(receipt) => {
                self.private_receipt(&app_key, &owner, receipt, now_ms).map(|()| None)
            }
            request::Body::GroupReceiptRequest(request) => {
                self.receipt_request(&app_key, &owner, &request, now_ms).map(|()| None)
            }
            request::Body::GroupReceiptResponse(response) => {
                self.receipt_response(&app_key, &owner, &response, now_ms).map(|()| None)
            }
            request::Body::ReadStatusSync(sync) => {
                self.read_status_sync(&app_key, &owner, device_id, sync, now_ms).map(|()| None)
            }
            request::Body::ConversationTopSet(set) => {
                self.set_conversation_top(conn, &app_key, &owner, set).map(|()| None)
            }
            request::Body::ConversationTypeLevelSet(set) => {
                self.set_type_level(conn, &app_key, &owner, set).map(|()| None)
            }
            request::Body::ConversationLevelSet(set) => {
                self.set_conversation_level(conn, &app_key, &owner, set).map(|()| None)
            }
            other => {
                let app = self.apps.get_mut(&app_key).expect("invariant: a session's app exists");
                answer(app, &owner, other, now_ms)
            }
        };
        self.respond(conn, request_id, result);
    }

    /// Sends the `Response` to request `request_id`: `Ok` with its body, or the refusal's code.
    fn respond(&mut self, conn: ConnId, request_id: u64, result: Result<Option<response::Body>, ErrorCode>) {
        let (code, body) = match result {
            Ok(body) => (ErrorCode::SUCCESS, body),
            Err(code) => (code, None),
        };
        self.send(conn, Body::Response(proto::Response { request_id, code: code.to_wire(), body }));
    }
}

/// The answer to a request that only reads or changes `owner`'s own state in `app`: the blacklist (BLACK), the
/// per-type do-not-disturb level's read (DND-18) and the cloud history (HIST, DEL).
fn answer(app: &mut App, owner: &str, body: request::Body, now_ms: i64) -> Result<Option<response::Body>, ErrorCode> {
    match body {
        request::Body::BlacklistAdd(add_request) => {
            add(app, owner, &add_request.user_id).map(|()| None).map_err(|error| wire_code(&error))
        }
        request::Body::BlacklistRemove(remove_request) => {
            remove(app, owner, &remove_request.user_id).map(|()| None).map_err(|error| wire_code(&error))
        }
        request::Body::BlacklistStatus(query) => check_user_id(&query.user_id)
            .map(|()| {
                let in_blacklist = is_blacklisted(app, owner, &query.user_id);
                Some(response::Body::BlacklistStatus(proto::BlacklistStatus { in_blacklist }))
            })
            .map_err(|error| wire_code(&error)),
        request::Body::Blacklist(proto::BlacklistQuery {}) => {
            imsim_engine::mark!("BLACK-9");
            Ok(Some(response::Body::Blacklist(proto::Blacklist { user_ids: list(app, owner) })))
        }
        request::Body::ConversationTypeLevel(query) => super::notification::type_level(app, owner, &query)
            .map(|level| Some(response::Body::ConversationTypeLevel(proto::ConversationTypeLevel { level }))),
        request::Body::History(query) => super::history::page(app, owner, &query, now_ms).map(Some),
        request::Body::HistoryDelete(delete) => super::history::delete(app, owner, &delete, now_ms).map(|()| None),
        request::Body::HistoryClear(clear) => super::history::clear(app, owner, &clear, now_ms).map(|()| None),
        // Answered by `handle_request` before it gets here; a frame cannot name them twice.
        request::Body::ChatroomJoin(_)
        | request::Body::ChatroomLeave(_)
        | request::Body::ChatroomHistory(_)
        | request::Body::ChatroomEntriesSet(_)
        | request::Body::ChatroomEntriesRemove(_)
        | request::Body::FileUploadChunk(_)
        | request::Body::FileDownloadChunk(_)
        | request::Body::ConversationTopSet(_)
        | request::Body::ConversationTypeLevelSet(_)
        | request::Body::ConversationLevelSet(_)
        | request::Body::Recall(_)
        | request::Body::ExpansionChange(_)
        | request::Body::PrivateReadReceipt(_)
        | request::Body::GroupReceiptRequest(_)
        | request::Body::GroupReceiptResponse(_)
        | request::Body::ReadStatusSync(_) => Err(ErrorCode::PROTOCOL_UNEXPECTED_FRAME),
    }
}

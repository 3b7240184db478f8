//! Requests that are not messages (the blacklist, chatrooms, their KV and remote history): each goes out with
//! a request ID and is settled by exactly one `Response`, a failure of the connection, or a timeout, so every call
//! that returned 0 produces exactly one result event (CALL-13).
//!
//! They need the server: called while not connected they fail synchronously with -103 and change nothing
//! (CALL-12). A request in flight when the connection drops fails with 30002 rather than being re-sent: unlike a
//! publish, nothing on the server recognises a repeat, and the app learns the outcome either way.

use super::chatroom::ChatroomRequest;
use super::chatroom_kv::EntriesRequest;
use super::history::HistoryRequest;
use super::media::MediaRequest;
use super::notification::NotificationRequest;
use super::{Core, Event, Now};
use crate::error::{ErrorCode, ImError};
use crate::limits::{PUBLISH_ACK_TIMEOUT_MS, TARGET_ID_CHARS_MAX};
use crate::proto::{self, frame::Body, request, response};
use crate::types::{BlacklistStatus, Message};

/// What a request in flight asked for, so its response becomes the right events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum RequestKind {
    Blacklist(BlacklistRequest),
    /// The per-type do-not-disturb level (`notification.rs`).
    Notification(NotificationRequest),
    /// Join, leave and history (`chatroom.rs`).
    Chatroom(ChatroomRequest),
    /// KV changes (`chatroom_kv.rs`).
    ChatroomEntries(EntriesRequest),
    /// A piece of a media upload or download (`media.rs`).
    Media(MediaRequest),
    /// The server's history: a page, a deletion, a clear (`history.rs`).
    History(HistoryRequest),
    /// A conversation's pinned state (`conversations.rs`).
    Top(super::conversations::TopRequest),
    /// A recall, with the message as the app passed it (`recall.rs`).
    Recall(Box<Message>),
    /// An expansion change (`expansion.rs`).
    Expansion(super::expansion::ExpansionRequest),
    /// A read receipt, a request for receipts, or a response (`receipts.rs`).
    Receipt(super::receipts::ReceiptRequest),
}

/// A blacklist request: its answer is one event, whatever it says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum BlacklistRequest {
    BlacklistAdd { user_id: String },
    BlacklistRemove { user_id: String },
    BlacklistStatus { user_id: String },
    Blacklist,
}

impl Core {
    /// `addToBlacklist(userId)` (BLACK-5) → `Event::BlacklistAdded`.
    pub fn add_to_blacklist(&mut self, now: Now, user_id: &str) -> Result<(), ImError> {
        let user_id = self.check_blacklist_call(user_id)?;
        if self.current_user_id() == Some(user_id.as_str()) {
            crate::mark!("BLACK-12");
            return Err(ImError::param("a user cannot add themselves to their blacklist (BLACK-12)"));
        }
        let body = request::Body::BlacklistAdd(proto::BlacklistAdd { user_id: user_id.clone() });
        self.send_request(now, body, RequestKind::Blacklist(BlacklistRequest::BlacklistAdd { user_id }));
        Ok(())
    }

    /// `removeFromBlacklist(userId)` (BLACK-6) → `Event::BlacklistRemoved`.
    pub fn remove_from_blacklist(&mut self, now: Now, user_id: &str) -> Result<(), ImError> {
        let user_id = self.check_blacklist_call(user_id)?;
        let body = request::Body::BlacklistRemove(proto::BlacklistRemove { user_id: user_id.clone() });
        self.send_request(now, body, RequestKind::Blacklist(BlacklistRequest::BlacklistRemove { user_id }));
        Ok(())
    }

    /// `getBlacklistStatus(userId)` (BLACK-7) → `Event::BlacklistStatusLoaded`.
    pub fn get_blacklist_status(&mut self, now: Now, user_id: &str) -> Result<(), ImError> {
        let user_id = self.check_blacklist_call(user_id)?;
        let body = request::Body::BlacklistStatus(proto::BlacklistStatusQuery { user_id: user_id.clone() });
        self.send_request(now, body, RequestKind::Blacklist(BlacklistRequest::BlacklistStatus { user_id }));
        Ok(())
    }

    /// `getBlacklist()` (BLACK-8) → `Event::BlacklistLoaded`.
    pub fn get_blacklist(&mut self, now: Now) -> Result<(), ImError> {
        self.check_server_call()?;
        let body = request::Body::Blacklist(proto::BlacklistQuery {});
        self.send_request(now, body, RequestKind::Blacklist(BlacklistRequest::Blacklist));
        Ok(())
    }

    fn check_blacklist_call(&self, user_id: &str) -> Result<String, ImError> {
        self.check_server_call()?;
        let chars = user_id.chars().count();
        if chars == 0 || chars > TARGET_ID_CHARS_MAX {
            return Err(ImError::param(format!("user id must have 1 to {TARGET_ID_CHARS_MAX} characters")));
        }
        Ok(user_id.to_owned())
    }

    /// CALL-12: -102 after `destroy`, -103 while not connected.
    pub(super) fn check_server_call(&self) -> Result<(), ImError> {
        if self.destroyed {
            return Err(ImError::destroyed());
        }
        if !self.is_established() {
            crate::mark!("CONN-1");
            return Err(ImError::new(ErrorCode::NATIVE_OPERATION_ERROR, "not connected"));
        }
        Ok(())
    }

    pub(super) fn send_request(&mut self, now: Now, body: request::Body, kind: RequestKind) {
        self.next_request_id += 1;
        let request_id = self.next_request_id;
        self.queue_frame(Body::Request(proto::Request { request_id, body: Some(body) }));
        let deadline_ms = now.monotonic_ms + PUBLISH_ACK_TIMEOUT_MS;
        self.pending_requests.insert(request_id, deadline_ms, (kind, self.call_context));
    }

    pub(super) fn handle_response(&mut self, now: Now, response: proto::Response) {
        let Some((kind, call)) = self.pending_requests.remove(&response.request_id) else {
            return; // A response to a request already settled (timed out): nothing to report.
        };
        let code = ErrorCode::from_wire(response.code);
        self.within_call(call, |core| core.settle_request(now, kind, code, response.body));
    }

    /// Settles every request still waiting with `code` (the connection is gone).
    pub(super) fn fail_all_requests(&mut self, now: Now, code: ErrorCode) {
        for (_, (kind, call)) in self.pending_requests.take_all() {
            self.within_call(call, |core| core.settle_request(now, kind, code, None));
        }
    }

    /// Reports a request's outcome: `code`, and the answer's body when the server sent one.
    fn settle_request(&mut self, now: Now, kind: RequestKind, code: ErrorCode, body: Option<response::Body>) {
        match kind {
            RequestKind::Blacklist(request) => self.emit(settled(request, code, body)),
            RequestKind::Chatroom(request) => self.chatroom_settled(now, request, code, body),
            RequestKind::ChatroomEntries(request) => self.chatroom_entries_settled(request, code, body),
            RequestKind::Notification(request) => self.notification_settled(request, code, body),
            RequestKind::Media(request) => self.media_settled(now, request, code, body),
            RequestKind::History(request) => self.history_settled(now, request, code, body),
            RequestKind::Top(request) => self.top_settled(now, request, code, body),
            RequestKind::Recall(message) => self.recall_settled(*message, code, body),
            RequestKind::Expansion(request) => self.expansion_settled(request, code),
            RequestKind::Receipt(request) => self.receipt_settled(request, code),
        }
    }

    /// Settles, with 30003, every request whose response is overdue.
    pub(super) fn expire_requests(&mut self, now: Now) {
        for (_, (kind, call)) in self.pending_requests.take_due(now.monotonic_ms) {
            self.within_call(call, |core| core.settle_request(now, kind, ErrorCode::MSG_RESPONSE_TIMEOUT, None));
        }
    }
}

/// The event that reports a blacklist request's outcome. A success whose body is missing or of the wrong kind
/// reports the empty answer rather than inventing one.
fn settled(request: BlacklistRequest, code: ErrorCode, body: Option<response::Body>) -> Event {
    match request {
        BlacklistRequest::BlacklistAdd { user_id } => {
            crate::mark!("BLACK-5");
            Event::BlacklistAdded { code, user_id }
        }
        BlacklistRequest::BlacklistRemove { user_id } => {
            crate::mark!("BLACK-6");
            Event::BlacklistRemoved { code, user_id }
        }
        BlacklistRequest::BlacklistStatus { user_id } => {
            crate::mark!("BLACK-7");
            let status = match (code.is_success(), body) {
                (true, Some(response::Body::BlacklistStatus(status))) if status.in_blacklist => {
                    BlacklistStatus::InBlacklist
                }
                (true, Some(response::Body::BlacklistStatus(_))) => BlacklistStatus::NotInBlacklist,
                _ => BlacklistStatus::Unknown,
            };
            Event::BlacklistStatusLoaded { code, user_id, status }
        }
        BlacklistRequest::Blacklist => {
            crate::mark!("BLACK-8");
            let user_ids = match body {
                Some(response::Body::Blacklist(list)) if code.is_success() => list.user_ids,
                _ => Vec::new(),
            };
            Event::BlacklistLoaded { code, user_ids }
        }
    }
}

//! The connection state machine: `connect`, `disconnect`, `destroy`, the transport's events, the handshake, the
//! reconnect schedule and the frames that arrive on an open session (CONN, RECONN, ENG-5).
//!
//! Two pieces of state drive it. `Session` is the app's wish to be connected: it exists from `connect` until
//! `disconnect`, `destroy` or a connection error (RECONN-6, RECONN-10), and while it exists every transport loss
//! schedules the next attempt. `TransportState` is where the current attempt stands.

use super::{Core, Event, Now, Session, TransportAction, TransportState};
use crate::codec::encode_frame;
use crate::error::{ErrorCode, ImError};
use crate::limits::CONNECT_ACK_TIMEOUT_MS;
use crate::proto::{self, frame::Body};
use crate::token::parse_token;
use crate::types::{ConnectionStatus, ConversationType};
use rand::RngCore as _;

impl Core {
    /// `connect(token, timeout)` (CONN-3 to CONN-16). The outcome arrives as `DatabaseOpened`, then `Connected`.
    ///
    /// `timeout_seconds <= 0` keeps trying on the reconnect schedule; `> 0` gives up after that many seconds with
    /// 34006 and status timeout (CONN-16). While connected as the same user the call changes nothing and reports
    /// 34001 (CONN-10); while an attempt is in progress the new call replaces it.
    pub fn connect(&mut self, now: Now, token: &str, timeout_seconds: i32) -> Result<(), ImError> {
        if self.destroyed {
            return Err(ImError::destroyed());
        }
        if token.is_empty() {
            return Err(ImError::param("token must not be empty"));
        }
        let claims = parse_token(token).map(|parsed| parsed.claims);
        if let (Some(session), Some(claims)) = (&self.session, &claims)
            && self.transport == TransportState::Established
            && session.user_id == claims.user_id
        {
            crate::mark!("CONN-9");
            crate::mark!("CONN-10");
            let user_id = Some(session.user_id.clone());
            self.emit(Event::Connected { code: ErrorCode::CONNECTION_EXIST, user_id });
            return Ok(());
        }
        // CONN-10: a call during an attempt replaces it; the earlier call's outcome is never reported.
        self.abandon_transport(now);
        self.session = None;
        // A new session: the rooms of the one it replaces are not rejoined (CR-13 rejoins after a reconnection).
        self.forget_all_chat_rooms();

        let Some(claims) = claims else {
            crate::mark!("CONN-6");
            crate::mark!("CONN-15");
            // CONN-6: a token that names no user opens no database.
            self.emit(Event::DatabaseOpened { code: ErrorCode::CONN_TOKEN_INCORRECT });
            self.emit(Event::Connected { code: ErrorCode::CONN_TOKEN_INCORRECT, user_id: None });
            self.set_status(ConnectionStatus::TokenIncorrect);
            return Ok(());
        };
        if let Err(code) = self.open_store(&claims.user_id) {
            self.emit(Event::DatabaseOpened { code });
            self.emit(Event::Connected { code, user_id: Some(claims.user_id) });
            return Ok(());
        }
        crate::mark!("CONN-4");
        crate::mark!("CONN-6");
        self.emit(Event::DatabaseOpened { code: ErrorCode::SUCCESS });

        crate::mark!("CONN-3");
        let connect_deadline_ms = u64::try_from(timeout_seconds)
            .ok()
            .filter(|&seconds| seconds > 0)
            .map(|seconds| now.monotonic_ms + seconds * 1_000);
        self.session = Some(Session {
            token: token.to_owned(),
            user_id: claims.user_id,
            connect_deadline_ms,
            connect_reported: false,
            attempts: 0,
            call: self.call_context,
        });
        self.reconnect.reset();
        if self.network_available {
            self.set_status(ConnectionStatus::Connecting);
            self.start_attempt();
        } else {
            // CONN-6: the database is open; RECONN-3: the first attempt waits for the network.
            self.set_status(ConnectionStatus::NetworkUnavailable);
        }
        Ok(())
    }

    /// `disconnect(receivePush)` (CONN-17 to CONN-20): tells the server, closes the connection, leaves the
    /// reconnection mechanism (RECONN-7) and ends in status signOut. Sends still waiting for an acknowledgement
    /// fail with 30002.
    pub fn disconnect(&mut self, now: Now, receive_push: bool) -> Result<(), ImError> {
        if self.destroyed {
            return Err(ImError::destroyed());
        }
        crate::mark!("CONN-17");
        if self.transport == TransportState::Established {
            crate::mark!("CONN-20");
            self.queue_frame(Body::Logout(proto::Logout { receive_push }));
        }
        self.end_session(now, ErrorCode::NETWORK_UNAVAILABLE);
        crate::mark!("CONN-19");
        crate::mark!("RECONN-7");
        crate::mark!("CONN-18");
        self.set_status(ConnectionStatus::SignOut);
        Ok(())
    }

    /// `destroy()` (ENG-4, ENG-5): disconnects as `disconnect(true)` would, then refuses every later call with
    /// -102. No event follows the ones this call itself produces.
    pub fn destroy(&mut self, now: Now) -> Result<(), ImError> {
        crate::mark!("ENG-4");
        crate::mark!("ENG-5");
        self.disconnect(now, true)?;
        self.destroyed = true;
        self.store = None;
        Ok(())
    }

    /// The transport asked for by `TransportAction::Open` is open: send the handshake.
    pub fn handle_transport_opened(&mut self, now: Now) {
        if self.transport != TransportState::Opening {
            return;
        }
        let Some(session) = &self.session else {
            return;
        };
        let inbox_cursor = match self.store.as_ref().map(|(_, store)| store.inbox_cursor()) {
            Some(Ok(cursor)) => cursor,
            _ => 0,
        };
        let request = proto::ConnectRequest {
            token: session.token.clone(),
            app_key: self.config.app_key.clone(),
            platform: self.config.platform.ordinal() as i32,
            device_id: self.config.device_id.clone(),
            inbox_cursor,
            reconnect: session.attempts > 1,
            kick_reconnect_device: {
                if self.config.kick_reconnect_device {
                    crate::mark!("KICK-6");
                    crate::mark!("ENG-14");
                }
                self.config.kick_reconnect_device
            },
        };
        self.queue_frame(Body::Connect(request));
        self.transport = TransportState::AwaitingConnectAck { deadline_ms: now.monotonic_ms + CONNECT_ACK_TIMEOUT_MS };
    }

    /// The transport failed to open, or an open one ended (EOF, reset, write error). Schedules a reconnect while
    /// the session lasts (RECONN-1, RECONN-11).
    pub fn handle_transport_closed(&mut self, now: Now) {
        if self.transport == TransportState::Closed {
            return;
        }
        self.transport = TransportState::Closed;
        self.deframer = Default::default();
        self.stop_heartbeat();
        self.fail_all_requests(now, ErrorCode::NETWORK_UNAVAILABLE);
        self.schedule_reconnect(now);
    }

    /// Bytes read from the transport.
    pub fn handle_bytes(&mut self, now: Now, bytes: &[u8]) {
        if self.destroyed || self.transport == TransportState::Closed || self.transport == TransportState::Opening {
            return;
        }
        self.deframer.push(bytes);
        loop {
            match self.deframer.next_frame() {
                Ok(Some(frame)) => self.handle_frame(now, frame),
                Ok(None) => break,
                Err(_) => {
                    // The server broke the protocol: this connection is unusable, the session is not.
                    self.drop_transport(now);
                    break;
                }
            }
            if matches!(self.transport, TransportState::Closed | TransportState::Opening) {
                break;
            }
        }
    }

    fn handle_frame(&mut self, now: Now, frame: proto::Frame) {
        let Some(body) = frame.body else { return };
        if self.transport == TransportState::Established {
            self.note_server_alive();
        }
        match (self.transport, body) {
            (TransportState::AwaitingConnectAck { .. }, Body::ConnectAck(ack)) => self.handle_connect_ack(now, ack),
            (TransportState::Established, Body::PublishAck(ack)) => self.handle_publish_ack(now, ack),
            (TransportState::Established, Body::InboxPackage(package)) => self.handle_inbox_package(now, package),
            (TransportState::Established, Body::InboxDelivery(delivery)) => self.handle_inbox_delivery(now, delivery),
            (TransportState::Established, Body::Pong(_)) => {}
            (TransportState::Established, Body::Response(response)) => self.handle_response(now, response),
            (TransportState::Established, Body::ChatroomDelivery(delivery)) => {
                self.handle_chatroom_delivery(now, delivery)
            }
            (TransportState::Established, Body::ChatroomNotice(notice)) => self.handle_chatroom_notice(notice),
            (TransportState::Established, Body::UltraGroupDelivery(delivery)) => {
                self.handle_ultra_group_delivery(now, delivery)
            }
            (TransportState::Established, Body::ConversationStates(states)) => {
                self.handle_conversation_states(now, states)
            }
            (_, Body::SessionClosed(closed)) => self.handle_session_closed(now, ErrorCode::from_wire(closed.code)),
            // Anything else is a frame the server may not send in this state.
            _ => self.drop_transport(now),
        }
    }

    fn handle_connect_ack(&mut self, now: Now, ack: proto::ConnectAck) {
        let code = ErrorCode::from_wire(ack.code);
        if !code.is_success() {
            self.fail_session(now, code);
            return;
        }
        self.transport = TransportState::Established;
        self.reconnect.reset();
        self.start_heartbeat(now);
        self.set_status(ConnectionStatus::Connected);
        if let Some(session) = &mut self.session {
            session.connect_deadline_ms = None;
            if !session.connect_reported {
                session.connect_reported = true;
                let (call, user_id) = (session.call, Some(session.user_id.clone()));
                crate::mark!("CONN-5");
                self.emit_for(call, Event::Connected { code: ErrorCode::SUCCESS, user_id });
            }
        }
        // Publishes that were in flight when the last connection dropped go out again, unchanged: the server
        // answers a repeat with the original acknowledgement, so nothing is created twice.
        let mut resends: Vec<(u64, Vec<u8>)> =
            self.pending_publishes.values().map(|p| (p.sequence, p.frame_bytes.clone())).collect();
        resends.sort_unstable_by_key(|(sequence, _)| *sequence);
        for (_, bytes) in resends {
            self.transport_actions.push_back(TransportAction::Send(bytes));
        }
        self.resume_interrupted_sends(now);
        // CR-13, CR-41: an automatic reconnection rejoins every room still held.
        if self.session.as_ref().is_some_and(|session| session.attempts > 1) {
            self.rejoin_chat_rooms(now);
        }
    }

    /// The server ended the session with `code`: a connection error ends it for good (RECONN-6, RECONN-10);
    /// anything else is treated as a lost connection.
    fn handle_session_closed(&mut self, now: Now, code: ErrorCode) {
        if status_for_connection_error(code).is_some() {
            self.fail_session(now, code);
        } else {
            self.drop_transport(now);
        }
    }

    /// Ends the session over a connection error: report it, set the matching status, stop reconnecting.
    fn fail_session(&mut self, now: Now, code: ErrorCode) {
        crate::mark!("RECONN-6");
        crate::mark!("RECONN-10");
        match code {
            ErrorCode::CONN_TOKEN_INCORRECT => crate::mark!("CONN-15"),
            ErrorCode::DISCONN_KICK => crate::mark!("KICK-12"),
            ErrorCode::CONN_OTHER_DEVICE_LOGIN => crate::mark!("KICK-10"),
            _ => {}
        }
        let status = status_for_connection_error(code).unwrap_or(ConnectionStatus::Unknown);
        let report = self.session.as_ref().filter(|s| !s.connect_reported).map(|s| (s.call, s.user_id.clone()));
        if let Some((call, user_id)) = report {
            self.emit_for(call, Event::Connected { code, user_id: Some(user_id) });
        }
        self.end_session(now, ErrorCode::NETWORK_UNAVAILABLE);
        self.set_status(status);
    }

    /// Closes the transport and forgets the session; pending sends fail with `pending_code`. Every room is forgotten
    /// and its cache purged: nothing rejoins them (CR-13 is for automatic reconnections only).
    fn end_session(&mut self, now: Now, pending_code: ErrorCode) {
        self.abandon_transport(now);
        self.session = None;
        self.fail_all_pending(now, pending_code);
        self.forget_all_chat_rooms();
    }

    /// Deadlines of the handshake, of CONN-16 and of the reconnect schedule.
    pub(super) fn handle_connection_timeouts(&mut self, now: Now) {
        let connect_deadline = self.session.as_ref().and_then(|session| session.connect_deadline_ms);
        if connect_deadline.is_some_and(|deadline| now.monotonic_ms >= deadline) {
            crate::mark!("CONN-16");
            self.fail_session(now, ErrorCode::CONNECT_TIMEOUT);
            return;
        }
        if let TransportState::AwaitingConnectAck { deadline_ms } = self.transport
            && now.monotonic_ms >= deadline_ms
        {
            self.drop_transport(now);
        }
        if self.reconnect_at_ms.is_some_and(|at| now.monotonic_ms >= at) {
            self.reconnect_at_ms = None;
            self.start_attempt();
        }
    }

    fn start_attempt(&mut self) {
        if let Some(session) = &mut self.session
            && self.transport == TransportState::Closed
        {
            session.attempts = session.attempts.saturating_add(1);
            self.transport = TransportState::Opening;
            self.transport_actions.push_back(TransportAction::Open);
        }
    }

    /// Closes the current connection because it is unusable, and schedules the next attempt.
    pub(super) fn drop_transport(&mut self, now: Now) {
        if self.transport != TransportState::Closed {
            self.transport_actions.push_back(TransportAction::Close);
        }
        self.handle_transport_closed(now);
    }

    /// Closes the current connection, if any, without scheduling anything.
    pub(super) fn abandon_transport(&mut self, now: Now) {
        if self.transport != TransportState::Closed {
            self.transport_actions.push_back(TransportAction::Close);
        }
        self.transport = TransportState::Closed;
        self.deframer = Default::default();
        self.reconnect_at_ms = None;
        self.stop_heartbeat();
        self.fail_all_requests(now, ErrorCode::NETWORK_UNAVAILABLE);
    }

    fn schedule_reconnect(&mut self, now: Now) {
        if self.session.is_none() {
            return;
        }
        if self.status == ConnectionStatus::Connected {
            // CONN-8: a lost connection is reported as suspend, then connecting again.
            self.set_status(ConnectionStatus::Suspend);
        }
        if !self.network_available {
            crate::mark!("RECONN-3");
            // RECONN-3: no attempt until the network returns (`handle_network_changed`).
            self.set_status(ConnectionStatus::NetworkUnavailable);
            return;
        }
        crate::mark!("RECONN-1");
        if self.session.as_ref().is_some_and(|session| !session.connect_reported) {
            crate::mark!("RECONN-11");
        }
        self.set_status(ConnectionStatus::Connecting);
        crate::mark!("RECONN-8");
        self.reconnect_at_ms = Some(now.monotonic_ms + self.reconnect.next_delay_ms());
    }

    fn open_store(&mut self, user_id: &str) -> Result<(), ErrorCode> {
        if self.current_user_id() == Some(user_id) {
            return Ok(());
        }
        self.store = None;
        let candidate = self.rng.next_u64();
        let opened = self.store_opener.open(&self.config.app_key, user_id).and_then(|mut store| {
            let database_id = store.database_id(candidate)?;
            // Nothing is joined in a new process: chatroom caches a crash left behind are stale (BIZ-26).
            store.delete_conversation_type_messages(ConversationType::Chatroom)?;
            Ok((store, database_id))
        });
        match opened {
            Ok((store, database_id)) => {
                self.store = Some((user_id.to_owned(), store));
                self.database_id = database_id;
                Ok(())
            }
            Err(_) => Err(ErrorCode::NATIVE_OPERATION_ERROR),
        }
    }

    /// Encodes `body` and queues it for the transport.
    pub(super) fn queue_frame(&mut self, body: Body) {
        let mut bytes = Vec::new();
        // Client frames other than a publish (which is size-checked where it is built) are small by construction.
        if encode_frame(&proto::Frame { body: Some(body) }, &mut bytes).is_ok() {
            self.transport_actions.push_back(TransportAction::Send(bytes));
        }
    }

    /// Whether frames can be sent now.
    pub(super) fn is_established(&self) -> bool {
        self.transport == TransportState::Established
    }
}

/// The status a connection error leaves the engine in (CONN-8, CONN-14, CONN-16, CONN-21, KICK-10, KICK-12), or
/// `None` for a code that is not a connection error and so does not stop reconnection (RECONN-10).
pub(crate) fn status_for_connection_error(code: ErrorCode) -> Option<ConnectionStatus> {
    match code {
        ErrorCode::CONN_TOKEN_INCORRECT => Some(ConnectionStatus::TokenIncorrect),
        ErrorCode::CONN_USER_BLOCKED => Some(ConnectionStatus::ConnUserBlocked),
        ErrorCode::DISCONN_KICK | ErrorCode::CONN_OTHER_DEVICE_LOGIN => {
            Some(ConnectionStatus::KickedOfflineByOtherClient)
        }
        ErrorCode::CONNECT_TIMEOUT => Some(ConnectionStatus::Timeout),
        _ => None,
    }
}

//! Message expansion (EXP): the server's side of `updateMessageExpansion` and `removeMessageExpansionForKeys`.
//!
//! The server holds each message's expansion as it stands (the `sent` module) and checks a change whole against it
//! (EXP-11): nothing of a refused change is applied. In order:
//!
//! 1. the caller's send rate (EXP-14: the change's notification counts toward the 5 messages a second of SEND-1;
//!    20604 past it);
//! 2. the change itself, as the engine checks it before sending (a broken client gets here): more than 20 entries
//!    or keys, a key or value too long (34010), or a key with characters EXP-6 does not allow (90001); so is a
//!    change that both sets and removes, or does neither (90001);
//! 3. the message: one the server never delivered (a chatroom message, an unknown UID), one the caller took no part
//!    in, a recalled one, or one sent without expansion (EXP-5) cannot be expanded (34008);
//! 4. the merge (EXP-12): new keys are added and existing ones overwritten, removed keys go (a key that is not there
//!    is no error); more than 300 distinct keys after it is refused (34010).
//!
//! It then keeps the new expansion in every participant's cloud history, and sends the signal (RC:MsgExMsg) into
//! the conversation from the caller, through the inboxes like any message: every other participant's devices get
//! it, online now or at their next login, and so do the caller's other devices when multi-device sync is on
//! (EXP-13). Without sync those devices hold no copy of the message (SYNC-17), so there is nothing to tell them.
//! The signal is marked neither stored nor counted (EXP-14).
//!
//! The limits of 2 and 4 are the App Key's (`AppConfig::expansion_limits`, EXP-15): the manual's unless a ticket
//! changed them.

use imsim_engine::ErrorCode;
use imsim_engine::content::Signal;
use imsim_engine::limits::ExpansionLimits;
use imsim_engine::proto::{self, frame::Body};
use imsim_engine::types::{Expansion, is_expansion_key_char, validate_expansion, validate_expansion_keys};

use super::fanout::SignalRoute;
use super::publish::send_rate_exceeded;
use super::{Conn, ConnId, Server};

impl Server {
    /// Carries out `change` for the session on `conn` and answers it. See the module documentation.
    pub(super) fn handle_expansion_change(
        &mut self,
        conn: ConnId,
        request_id: u64,
        change: proto::ExpansionChange,
        now_ms: i64,
    ) {
        let code = match self.change_expansion(conn, change, now_ms) {
            Ok(()) => ErrorCode::SUCCESS,
            Err(code) => code,
        };
        self.send(conn, Body::Response(proto::Response { request_id, code: code.to_wire(), body: None }));
    }

    fn change_expansion(&mut self, conn: ConnId, change: proto::ExpansionChange, now_ms: i64) -> Result<(), ErrorCode> {
        let rate = self.config.client_send_rate;
        let Some(Conn::Open(session)) = self.conns.get_mut(&conn) else {
            return Err(ErrorCode::PROTOCOL_UNEXPECTED_FRAME);
        };
        if send_rate_exceeded(&mut session.accepted_publishes, rate, now_ms) {
            imsim_engine::mark!("EXP-14");
            return Err(ErrorCode::SEND_MSG_FREQUENCY_OVERRUN);
        }
        let (app_key, caller, device_id) =
            (session.app_key.clone(), session.user_id.clone(), session.device_id.clone());
        let app = self.apps.get_mut(&app_key).expect("invariant: a session's app exists");
        let limits = app.config.expansion_limits;
        check_change(&change, &limits)?;
        let sent = app.sent.get_mut(&change.message_uid).ok_or(ErrorCode::MESSAGE_CANT_EXPAND)?;
        let current = match (&sent.expansion, sent.view_of(&caller)) {
            (Some(current), Some(_)) if !sent.recalled => current,
            _ => {
                imsim_engine::mark!("EXP-5");
                return Err(ErrorCode::MESSAGE_CANT_EXPAND);
            }
        };
        let mut merged: Expansion = current.clone();
        merged.extend(change.updated.iter().map(|(key, value)| (key.clone(), value.clone())));
        for key in &change.removed_keys {
            merged.remove(key);
        }
        if merged.len() > limits.entries_max {
            imsim_engine::mark!("EXP-7");
            return Err(ErrorCode::MSG_EXPANSION_SIZE_LIMIT_EXCEED);
        }
        imsim_engine::mark!("EXP-12");
        sent.expansion = Some(merged.clone());
        let (conversation_type, sent_time, views) = (sent.conversation_type, sent.sent_time, sent.views.clone());
        if let Some(Conn::Open(session)) = self.conns.get_mut(&conn) {
            session.accepted_publishes.push_back(now_ms);
        }
        let app = self.apps.get_mut(&app_key).expect("invariant: a session's app exists");
        let stored = proto::Expansion { entries: merged.into_iter().collect() };
        for (user_id, target_id) in &views {
            let conversation = (conversation_type, target_id.as_str());
            app.histories.change(user_id, conversation, (sent_time, &change.message_uid), |kept| {
                kept.expansion = Some(stored.clone());
            });
        }
        let stamp = app.stamp(now_ms);
        let command = proto::ExpansionCommandContent {
            message_uid: change.message_uid,
            updated: change.updated,
            removed_keys: change.removed_keys,
        };
        imsim_engine::mark!("EXP-4");
        imsim_engine::mark!("EXP-13");
        let route = SignalRoute::to_participants(conversation_type, views, &caller, device_id);
        self.send_signal(&app_key, route, &Signal::Expansion(command), stamp, now_ms);
        Ok(())
    }
}

/// The refusal of a change that breaks the limits of one operation (EXP-7, EXP-11), or `Ok`.
fn check_change(change: &proto::ExpansionChange, limits: &ExpansionLimits) -> Result<(), ErrorCode> {
    if change.updated.is_empty() == change.removed_keys.is_empty() {
        // Exactly one of the two: the engine sends an update or a removal, never both or neither.
        return Err(ErrorCode::PROTOCOL_MALFORMED_FRAME);
    }
    let keys = change.updated.keys().chain(&change.removed_keys);
    if keys.clone().any(|key| !key.chars().all(is_expansion_key_char)) {
        return Err(ErrorCode::PROTOCOL_MALFORMED_FRAME);
    }
    let updated: Expansion = change.updated.iter().map(|(key, value)| (key.clone(), value.clone())).collect();
    let breach = validate_expansion(&updated, limits).or_else(|| validate_expansion_keys(&change.removed_keys, limits));
    match breach {
        Some(_) => {
            imsim_engine::mark!("EXP-7");
            Err(ErrorCode::MSG_EXPANSION_SIZE_LIMIT_EXCEED)
        }
        None => Ok(()),
    }
}

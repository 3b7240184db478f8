//! Message expansion (EXP): `updateMessageExpansion` and `removeMessageExpansionForKeys`, and the expansion signal
//! other devices receive.
//!
//! The server holds each message's expansion as it stands and checks a change whole against it (the 300-entry limit,
//! a message sent without expansion, EXP-11); this module checks what it can alone first (the UID, the entries or
//! keys of one operation), so that a call that cannot succeed is refused at once with -101 and sends nothing. Once
//! the server has said yes, the caller's own copy takes the change (EXP-12) and the result is reported; the other
//! devices learn of it from the signal (RC:MsgExMsg), which they apply with their inbox cursor (`signals`).

use super::requests::RequestKind;
use super::{Core, Event, Now};
use crate::error::{ErrorCode, ImError};
use crate::limits::{ExpansionLimits, MESSAGE_UID_CHARS_MAX};
use crate::proto::{self, request};
use crate::types::{Expansion, validate_expansion, validate_expansion_keys};

/// An expansion change in flight, as the app asked for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum ExpansionRequest {
    /// `updateMessageExpansion`: set these entries.
    Update { message_uid: String, expansion: Expansion },
    /// `removeMessageExpansionForKeys`: delete these keys.
    Remove { message_uid: String, keys: Vec<String> },
}

impl Core {
    /// `updateMessageExpansion(messageUid, expansion)` (EXP-6) → `onMessageExpansionUpdated`: sets entries of the
    /// expansion of a sent message. -101 for an empty or too long UID, no entries, more than 20, or an entry that
    /// breaks the limits of EXP-7 or the key characters of EXP-6; -102 once destroyed; -103 while not connected.
    /// The server's refusals (34008, 34010, 20604) come in the result.
    pub fn update_message_expansion(
        &mut self,
        now: Now,
        message_uid: &str,
        expansion: Expansion,
    ) -> Result<(), ImError> {
        check_message_uid(self.destroyed, message_uid)?;
        if expansion.is_empty() {
            return Err(ImError::param("updateMessageExpansion needs at least one entry"));
        }
        if let Some(breach) = validate_expansion(&expansion, &ExpansionLimits::MANUAL) {
            crate::mark!("EXP-7");
            crate::mark!("EXP-11");
            return Err(ImError::param(breach));
        }
        self.check_server_call()?;
        let change = proto::ExpansionChange {
            message_uid: message_uid.to_owned(),
            updated: expansion.clone().into_iter().collect(),
            removed_keys: Vec::new(),
        };
        let request = ExpansionRequest::Update { message_uid: message_uid.to_owned(), expansion };
        self.send_request(now, request::Body::ExpansionChange(change), RequestKind::Expansion(request));
        Ok(())
    }

    /// `removeMessageExpansionForKeys(messageUid, keys)` (EXP-8) → `onMessageExpansionForKeysRemoved`: deletes keys
    /// from the expansion of a sent message; a key that is not there is no error (EXP-12). -101 for an empty or too
    /// long UID, no keys, more than 20, or a key that breaks EXP-6 or EXP-7; -102 once destroyed; -103 while not
    /// connected. The server's refusals (34008, 20604) come in the result.
    pub fn remove_message_expansion_for_keys(
        &mut self,
        now: Now,
        message_uid: &str,
        keys: Vec<String>,
    ) -> Result<(), ImError> {
        check_message_uid(self.destroyed, message_uid)?;
        if keys.is_empty() {
            return Err(ImError::param("removeMessageExpansionForKeys needs at least one key"));
        }
        if let Some(breach) = validate_expansion_keys(&keys, &ExpansionLimits::MANUAL) {
            crate::mark!("EXP-11");
            return Err(ImError::param(breach));
        }
        self.check_server_call()?;
        let change = proto::ExpansionChange {
            message_uid: message_uid.to_owned(),
            updated: Default::default(),
            removed_keys: keys.clone(),
        };
        let request = ExpansionRequest::Remove { message_uid: message_uid.to_owned(), keys };
        self.send_request(now, request::Body::ExpansionChange(change), RequestKind::Expansion(request));
        Ok(())
    }

    /// The server's answer to an expansion change: on success the caller's own copy takes it (EXP-12; a message this
    /// device does not hold is no error), then the result is reported with the entries or keys as passed.
    pub(super) fn expansion_settled(&mut self, request: ExpansionRequest, code: ErrorCode) {
        let code = if code.is_success() { self.apply_own_expansion_change(&request) } else { code };
        let event = match request {
            ExpansionRequest::Update { message_uid, expansion } => {
                crate::mark!("EXP-6");
                Event::MessageExpansionUpdated { code, message_uid, expansion }
            }
            ExpansionRequest::Remove { message_uid, keys } => {
                crate::mark!("EXP-8");
                Event::MessageExpansionForKeysRemoved { code, message_uid, keys }
            }
        };
        self.emit(event);
    }

    /// Applies the change the server accepted to this device's copy; the code to report (a store failure's).
    fn apply_own_expansion_change(&mut self, request: &ExpansionRequest) -> ErrorCode {
        let (message_uid, updated, removed_keys) = match request {
            ExpansionRequest::Update { message_uid, expansion } => (message_uid, expansion.clone(), &[][..]),
            ExpansionRequest::Remove { message_uid, keys } => (message_uid, Expansion::new(), keys.as_slice()),
        };
        let changed = self.database_mut().and_then(|store| {
            store.change_expansion(message_uid, &updated, removed_keys).map_err(super::messages::native_error)
        });
        match changed {
            Ok(_) => {
                crate::mark!("EXP-12");
                ErrorCode::SUCCESS
            }
            Err(error) => error.code,
        }
    }
}

/// The checks every expansion method starts with: -102 once destroyed, -101 for a UID that cannot name a message.
fn check_message_uid(destroyed: bool, message_uid: &str) -> Result<(), ImError> {
    if destroyed {
        return Err(ImError::destroyed());
    }
    let chars = message_uid.chars().count();
    if chars == 0 || chars > MESSAGE_UID_CHARS_MAX {
        return Err(ImError::param(format!("messageUid must have 1 to {MESSAGE_UID_CHARS_MAX} characters (EXP-6)")));
    }
    Ok(())
}

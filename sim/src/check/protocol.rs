//! The engine speaks the wire protocol correctly: the server never closes a connection of the world's own devices
//! with a protocol error. Only hostile peers (`crate::hostile`), which are no device of the world, earn one; a
//! device that did would be an engine sending frames out of order or malformed, which no scenario `expect` would
//! think to look for.

use imsim_engine::ErrorCode;

use super::journal::Wire;
use super::{Checker, History, Index};

/// The codes with which the server closes a connection that broke the wire protocol.
pub const PROTOCOL_ERRORS: [ErrorCode; 3] =
    [ErrorCode::PROTOCOL_MALFORMED_FRAME, ErrorCode::PROTOCOL_FRAME_TOO_LARGE, ErrorCode::PROTOCOL_UNEXPECTED_FRAME];

/// Whether `code` (as on the wire) is one of [`PROTOCOL_ERRORS`].
pub fn is_protocol_error(code: u32) -> bool {
    PROTOCOL_ERRORS.iter().any(|error| error.to_wire() == code)
}

/// No protocol error for the world's devices.
pub(super) const PROTOCOL: Checker = Checker {
    name: "protocol",
    invariant: "the server never closes a connection of the world's own devices with a protocol error",
    check: protocol,
};

fn protocol(history: &History, index: &Index) -> Vec<String> {
    history
        .journal
        .entries()
        .iter()
        .filter_map(|entry| {
            let Wire::SessionClosed { code } = entry.wire else { return None };
            let session = index.sessions.get(&entry.conn)?;
            (is_protocol_error(code) && history.users.contains_key(&session.device)).then(|| {
                format!(
                    "at {:?}: the server closed {}'s connection with protocol error {code}",
                    entry.at, session.device
                )
            })
        })
        .collect()
}

//! Every numeric code the engine and the fake server use, in one table.
//!
//! The manual's calling convention has two layers (spec README decision 1): a method returns a *status code*
//! (`0`, `-101` … `-104`, CODE-1 to CODE-5), and its asynchronous result carries a *native code* (31004, 20604 …,
//! `reference/im-anchors.md` §6.1). Both live here so that the engine, the fake server and the conformance runner
//! agree on every value, and so that tests can assert the exact code.

use std::fmt;

/// A status or native error code. `ErrorCode::SUCCESS` (0) is success; everything else is an error. It serialises as
/// the bare number, as the manual's `int? code` parameters carry it.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(transparent)]
pub struct ErrorCode(pub i32);

macro_rules! error_codes {
    ($( $(#[$doc:meta])* $name:ident = $value:literal, $wire_name:literal; )*) => {
        impl ErrorCode {
            $( $(#[$doc])* pub const $name: ErrorCode = ErrorCode($value); )*

            /// The code's name as RongCloud's headers spell it, or `None` for a code outside the table.
            pub fn name(self) -> Option<&'static str> {
                match self.0 {
                    $( $value => Some($wire_name), )*
                    _ => None,
                }
            }

            /// Every code in the table, in table order.
            pub const ALL: &'static [ErrorCode] = &[$( ErrorCode($value), )*];
        }
    };
}

error_codes! {
    /// Success, as a return value and as a callback code (CODE-1, CALL-2).
    SUCCESS = 0, "SUCCESS";
    /// A parameter error the engine detects locally (CODE-2, CALL-12).
    PARAM_ERROR = -101, "PARAM_ERROR";
    /// The engine was never created or has been destroyed (CODE-3, ENG-5).
    ENGINE_DESTROYED = -102, "ENGINE_DESTROYED";
    /// An error from the native layer; also a server-only call made while not connected (CODE-4, CALL-12).
    NATIVE_OPERATION_ERROR = -103, "NATIVE_OPERATION_ERROR";
    /// An unknown error (CODE-5).
    RESULT_UNKNOWN = -104, "RESULT_UNKNOWN";
    /// The recipient has blacklisted the sender (BLACK-2).
    REJECTED_BY_BLACKLIST = 405, "REJECTED_BY_BLACKLIST";
    /// The recipient's whitelist is on and does not list the sender (USER-11, USER-12).
    NOT_IN_WHITELIST = 407, "NOT_IN_WHITELIST";
    /// More than 5 messages in a sliding second on one connection (SEND-2, BIZ-25).
    SEND_MSG_FREQUENCY_OVERRUN = 20604, "SEND_MSG_FREQUENCY_OVERRUN";
    /// The sender is not a member of the group (GRP rules).
    NOT_IN_GROUP = 22406, "NOT_IN_GROUP";
    /// The sender is muted in the group (GRP rules).
    FORBIDDEN_IN_GROUP = 22408, "FORBIDDEN_IN_GROUP";
    /// The sender is not a member of the ultra group, or the ultra group does not exist (UG-2, UG-8).
    NOT_IN_ULTRA_GROUP = 24406, "RC_NOT_IN_ULTRA_GROUP";
    /// The ultra group has no channel with this ID: never created, or deleted (UG-8).
    ULTRA_GROUP_CHANNEL_ID_NOT_EXIST = 24414, "RC_ULTRA_GROUP_CHANNEL_ID_NOT_EXIST";
    /// The sender is not in the chatroom (CR rules).
    NOT_IN_CHATROOM = 23406, "NOT_IN_CHATROOM";
    /// The sender is muted in the chatroom: a member mute (CR-31), a mute of all members (CR-32) or a global
    /// chatroom mute (CR-33).
    FORBIDDEN_IN_CHATROOM = 23408, "FORBIDDEN_IN_CHATROOM";
    /// The user was kicked from the chatroom and is banned from it for the server-specified time (CR-30).
    KICKED_FROM_CHATROOM = 23409, "KICKED_FROM_CHATROOM";
    /// The chatroom does not exist (CR rules).
    CHATROOM_NOT_EXIST = 23410, "RC_CHATROOM_NOT_EXIST";
    /// A chatroom argument the server (or, in a KV batch, the engine) refuses: an invalid KV key or value (CRKV-5,
    /// CRKV-18).
    CHATROOM_PARAMETER_INVALID = 23412, "RC_PARAMETER_INVALID_CHATROOM";
    /// Remote chatroom history needs the chatroom cloud storage service, which is off (CR-25, CR-45).
    CHATROOM_HISTORY_UNAVAILABLE = 23414, "RC_ROAMING_SERVICE_UNAVAILABLE_CHATROOM";
    /// A new key would take the room past its 100 KV entries (CRKV-2, CRKV-18).
    KV_MAX_SIZE_EXCEEDED = 23423, "RC_EXCCED_MAX_KV_SIZE";
    /// The key exists and may not be overwritten, or belongs to another user and may not be removed without
    /// `force` (CRKV-17).
    KV_OVERWRITE_DENIED = 23424, "RC_TRY_OVERWRITE_INVALID_KEY";
    /// More than 100 KV operations in one second in one room (CRKV-4, enforced by the server).
    KV_RATE_EXCEEDED = 23425, "RC_EXCCED_MAX_CALL_API_SIZE";
    /// The chatroom attribute switch is off for the App Key (CRKV-1).
    KV_STORE_NOT_AVAILABLE = 23426, "RC_KV_STORE_NOT_AVAILABLE";
    /// The key does not exist (CRKV-9, CRKV-17).
    KV_KEY_NOT_EXIST = 23427, "RC_KEY_NOT_EXIST";
    /// Some entries of a batch failed (CRKV-8; reported per key in `errorEntries`).
    KV_NOT_ALL_SUCCESS = 23428, "RC_KV_STORE_NOT_ALL_SUCCESS";
    /// A KV batch larger than 10 entries (the native limit; CRKV-8).
    KV_BATCH_OUT_OF_LIMIT = 23429, "RC_KV_STORE_OUT_OF_LIMIT";
    /// Two devices or users set the same key at once (the native table; the fake server serialises every request,
    /// so it never reports it).
    KV_CONCURRENT_SET = 23431, "RC_KV_CONCURRENT_SET_ERROR";
    /// A recall the server cannot carry out (RECALL-10): the UID names no message of that conversation, the caller
    /// took no part in it, or it was already recalled.
    RECALL_PARAMETER_INVALID = 25101, "RC_RECALLMESSAGE_PARAMETER_INVALID";
    /// A recall of another user's message while the App Key's `recallOwnOnly` is on (CFG-5, RECALL-3).
    RECALL_MESSAGE_USER_INVALID = 25107, "RC_RECALL_MESSAGE_USER_INVALID";
    /// A media file larger than `MEDIA_FILE_BYTES_MAX`: the file service refuses the upload (SEND-13).
    FILE_SIZE_EXCEED_LIMIT = 26106, "RC_FILE_SIZE_EXCEED_LIMIT";
    /// The connection was released.
    CHANNEL_INVALID = 30001, "RC_CHANNEL_INVALID";
    /// No connection to the server: a send while not connected fails with it (SEND-16).
    NETWORK_UNAVAILABLE = 30002, "RC_NETWORK_UNAVAILABLE";
    /// The server did not acknowledge a request in time.
    MSG_RESPONSE_TIMEOUT = 30003, "RC_MSG_RESPONSE_TIMEOUT";
    /// The message content is larger than 128 KB (SEND-19).
    MSG_SIZE_OUT_OF_LIMIT = 30016, "RC_MSG_SIZE_OUT_OF_LIMIT";
    /// The token is malformed, revoked, expired or issued for another App Key (CONN-14, CONN-23).
    CONN_TOKEN_INCORRECT = 31004, "RC_CONN_TOKEN_INCORRECT";
    /// The user is banned (CONN-21, USER-9).
    CONN_USER_BLOCKED = 31009, "RC_CONN_USER_BLOCKED";
    /// Kicked offline by a login on another device (KICK-12).
    DISCONN_KICK = 31010, "RC_DISCONN_KICK";
    /// Another device is online, so this reconnecting device gave up (KICK-10).
    CONN_OTHER_DEVICE_LOGIN = 31023, "RC_CONN_OTHER_DEVICE_LOGIN";
    /// The App Key's cloud storage of private and group history is off (CFG-1): a remote history fetch or
    /// deletion is refused (HIST-12, DEL-14).
    MSG_ROAMING_SERVICE_UNAVAILABLE = 33007, "MSG_ROAMING_SERVICE_UNAVAILABLE";
    /// `connect` while a connection already exists (CONN-10).
    CONNECTION_EXIST = 34001, "RC_CONNECTION_EXIST";
    /// A KV read before the KV sync that follows a join has finished (CRKV-13).
    KV_STORE_NOT_SYNC = 34004, "RC_KV_STORE_NOT_SYNC";
    /// `connect` with a positive timeout did not connect in time (CONN-16).
    CONNECT_TIMEOUT = 34006, "RC_CONNECT_TIMEOUT";
    /// An expansion change for a message that cannot be expanded: one sent without expansion (EXP-5), one the server
    /// never delivered or the caller took no part in, or a recalled one (EXP-11).
    MESSAGE_CANT_EXPAND = 34008, "RC_MESSAGE_CANT_EXPAND";
    /// An expansion change past the limits of EXP-7: a key or value too long, more than 20 entries at once, or more
    /// than 300 entries on the message after the merge (EXP-11).
    MSG_EXPANSION_SIZE_LIMIT_EXCEED = 34010, "RC_MSG_EXPANSION_SIZE_LIMIT_EXCEED";
    /// The file service refused a piece of an upload (SEND-13: the send fails).
    FILE_UPLOAD_FAILED = 34011, "RC_FILE_UPLOAD_FAILED";
    /// A media operation with nothing to act on: a cancel when no upload or download of that message is running
    /// (SEND-12, DL-5), or a second download of a message already downloading (DL-6). The native table has no code
    /// closer to these.
    MEDIA_EXCEPTION = 34018, "RC_MEDIA_EXCEPTION";
    /// A `messageId` that names no stored message (XAPI-5).
    INVALID_PARAMETER_MESSAGEID = 34204, "INVALID_PARAMETER_MESSAGEID";
    /// A media message without a remote URL cannot be downloaded (DL-6).
    INVALID_PARAMETER_MEDIA_URL = 34235, "INVALID_PARAMETER_MEDIA_URL";
    /// The file service holds no file under the URL asked for (DL-6).
    FILE_NOT_EXIST = 34252, "FILE_NOT_EXIST";
    /// imsim-specific, not a RongCloud code: a peer sent a frame that does not decode. imsim's own codes are 90001
    /// and up, a range no native code uses (the native codes run from -3 to 39007, `engine/data/native-error-codes.txt`;
    /// a test fails if one of imsim's ever collides).
    PROTOCOL_MALFORMED_FRAME = 90001, "IMSIM_PROTOCOL_MALFORMED_FRAME";
    /// imsim-specific, not a RongCloud code: a peer announced a frame longer than `FRAME_SIZE_BYTES_MAX`.
    PROTOCOL_FRAME_TOO_LARGE = 90002, "IMSIM_PROTOCOL_FRAME_TOO_LARGE";
    /// imsim-specific, not a RongCloud code: a peer sent a frame that is not valid in the session's state.
    PROTOCOL_UNEXPECTED_FRAME = 90003, "IMSIM_PROTOCOL_UNEXPECTED_FRAME";
    /// imsim-specific, not a RongCloud code: the blacklist already holds its cap of users (BLACK-12, CFG-9); the
    /// manual and the native table give no code for it.
    BLACKLIST_FULL = 90004, "IMSIM_BLACKLIST_FULL";
}

impl ErrorCode {
    /// The status codes a method returns (CODE-1 to CODE-5), by their names in the Flutter `RCIMIWErrorCode` enum
    /// (CODE-12), in the enum's order.
    pub const STATUS_CODES: [(ErrorCode, &'static str); 5] = [
        (ErrorCode::SUCCESS, "success"),
        (ErrorCode::PARAM_ERROR, "paramError"),
        (ErrorCode::ENGINE_DESTROYED, "engineDestroyed"),
        (ErrorCode::NATIVE_OPERATION_ERROR, "nativeOperationError"),
        (ErrorCode::RESULT_UNKNOWN, "resultUnknown"),
    ];

    /// The name of a status code in `RCIMIWErrorCode` (CODE-12), or `None` for a native code.
    pub fn status_name(self) -> Option<&'static str> {
        ErrorCode::STATUS_CODES.iter().find(|(code, _)| *code == self).map(|(_, name)| *name)
    }

    /// Whether this is the success code.
    pub fn is_success(self) -> bool {
        self == ErrorCode::SUCCESS
    }

    /// The code as carried in a protobuf `uint32` field. Status codes (negative) never travel on the wire.
    pub fn to_wire(self) -> u32 {
        u32::try_from(self.0).unwrap_or(u32::MAX)
    }

    /// A code read from a protobuf `uint32` field. Values that do not fit an `i32` become `RESULT_UNKNOWN`.
    pub fn from_wire(value: u32) -> ErrorCode {
        i32::try_from(value).map(ErrorCode).unwrap_or(ErrorCode::RESULT_UNKNOWN)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{} ({name})", self.0),
            None => write!(f, "{}", self.0),
        }
    }
}

/// The error of an engine API call: the status code the manual's method would return (CALL-1).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {reason}")]
pub struct ImError {
    /// The status code (`-101` …) or, for calls the core refuses for protocol reasons, a native code.
    pub code: ErrorCode,
    /// What went wrong, for people.
    pub reason: String,
}

impl ImError {
    /// An error with `code` and a reason for people.
    pub fn new(code: ErrorCode, reason: impl Into<String>) -> ImError {
        ImError { code, reason: reason.into() }
    }

    /// `-101`: an argument the engine can check locally is invalid (CALL-12).
    pub fn param(reason: impl Into<String>) -> ImError {
        ImError::new(ErrorCode::PARAM_ERROR, reason)
    }

    /// `-102`: the engine was destroyed (ENG-5).
    pub fn destroyed() -> ImError {
        ImError::new(ErrorCode::ENGINE_DESTROYED, "the engine has been destroyed")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_named() {
        let mut seen = std::collections::BTreeSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.0), "duplicate code {}", code.0);
            assert!(code.name().is_some());
        }
        assert_eq!(ErrorCode(12345).name(), None);
    }

    #[test]
    fn wire_round_trip_keeps_native_codes() {
        for code in ErrorCode::ALL.iter().filter(|c| c.0 >= 0) {
            assert_eq!(ErrorCode::from_wire(code.to_wire()), *code);
        }
        assert_eq!(ErrorCode::from_wire(u32::MAX), ErrorCode::RESULT_UNKNOWN);
    }

    /// The native codes (RCErrorCode.h, SDK 5.44.3), by value, with their names.
    fn native_codes() -> std::collections::BTreeMap<i32, &'static str> {
        include_str!("../data/native-error-codes.txt")
            .lines()
            .filter(|line| !line.starts_with('#') && !line.is_empty())
            .map(|line| {
                let (value, name) = line.split_once(' ').expect("CODE NAME");
                (value.parse().expect("a number"), name)
            })
            .collect()
    }

    /// Spec README decision 1 and `reference/real-sdk-surface.md`: every native code in the table has the value
    /// and the name the native header gives it (30001 to 30003 included), and every imsim-specific code lies
    /// outside the native codes, so an SDK maintainer never mistakes one for the other.
    #[test]
    fn native_codes_match_the_header_and_imsim_codes_never_collide_with_one() {
        let native = native_codes();
        assert_eq!(native.len(), 450, "the header's 450 codes");
        for code in ErrorCode::ALL.iter().filter(|code| code.0 > 0) {
            let name = code.name().expect("named");
            if name.starts_with("IMSIM_") {
                assert!(!native.contains_key(&code.0), "{name} = {} is the native {}", code.0, native[&code.0]);
            } else {
                assert_eq!(native.get(&code.0), Some(&name), "{} is named {name} here", code.0);
            }
        }
        assert_eq!(ErrorCode::CHANNEL_INVALID.name(), Some("RC_CHANNEL_INVALID"));
        assert_eq!(ErrorCode::NETWORK_UNAVAILABLE.name(), Some("RC_NETWORK_UNAVAILABLE"));
        assert_eq!(ErrorCode::MSG_RESPONSE_TIMEOUT.name(), Some("RC_MSG_RESPONSE_TIMEOUT"));
    }

    /// CODE-1 to CODE-5 and CODE-12: the status codes' values, and their names in `RCIMIWErrorCode`.
    #[test]
    fn status_codes_have_the_manuals_values_and_the_flutter_enums_names() {
        assert_eq!(ErrorCode::SUCCESS, ErrorCode(0));
        assert_eq!(ErrorCode::PARAM_ERROR, ErrorCode(-101));
        assert_eq!(ErrorCode::ENGINE_DESTROYED, ErrorCode(-102));
        assert_eq!(ErrorCode::NATIVE_OPERATION_ERROR, ErrorCode(-103));
        assert_eq!(ErrorCode::RESULT_UNKNOWN, ErrorCode(-104));
        let names: Vec<&str> = ErrorCode::STATUS_CODES.iter().map(|(_, name)| *name).collect();
        assert_eq!(names, ["success", "paramError", "engineDestroyed", "nativeOperationError", "resultUnknown"]);
        assert_eq!(ErrorCode(-103).status_name(), Some("nativeOperationError"));
        assert_eq!(ErrorCode::CONN_TOKEN_INCORRECT.status_name(), None, "a native code is not a status");
        // CODE-7: callback codes are the native ones, which never overlap the status codes.
        assert!(native_codes().keys().all(|code| ErrorCode(*code).status_name().is_none() || *code == 0));
    }
}

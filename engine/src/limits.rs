//! Every limit the engine and the fake server enforce, each beside the spec rule it comes from.
//!
//! The property tests and fuzzers bound their generators with these same constants, and the relationships between
//! them are checked at compile time at the bottom of the file.

/// Wire framing (DESIGN.md, "The wire protocol"): the largest frame body either side accepts, checked on the length
/// prefix *before* prost decodes, because prost would allocate whatever a length says. Large enough for one message
/// at the 128 KB content limit with room to spare, small enough that a hostile peer cannot make us allocate much.
pub const FRAME_SIZE_BYTES_MAX: u32 = 1 << 20;

/// The length prefix of every frame: 4 bytes, big-endian.
pub const FRAME_HEADER_BYTES: usize = 4;

/// Bytes the engine's driver and the fake server read from a connection per read call (imsim's choice; the deframer
/// takes reads of any size).
pub const READ_CHUNK_BYTES: usize = 16 * 1024;

/// SEND-19: the serialised content of one message may be at most 128 KB; the server refuses more with 30016.
pub const MESSAGE_CONTENT_BYTES_MAX: usize = 128 * 1024;

/// SEND-13, DL-6: a media file travels to and from the file service in pieces of at most this many bytes, one
/// request each; progress (SEND-11) moves once per piece. imsim's choice: the manual describes no upload.
pub const MEDIA_CHUNK_BYTES_MAX: usize = 64 * 1024;

/// SEND-13: the largest media file the file service accepts; a larger one fails the send with 26106
/// (`RC_FILE_SIZE_EXCEED_LIMIT`). The manual gives no figure; RongCloud's documentation names 100 MB for files.
pub const MEDIA_FILE_BYTES_MAX: u64 = 100 * 1024 * 1024;

/// SEND-13: the file server a media URL names when the `fileServer` option (ENG-9) is not given.
pub const MEDIA_FILE_SERVER_DEFAULT: &str = "https://files.imsim.invalid";

/// RECV-3: offline messages come in packages of at most 200.
pub const OFFLINE_PACKAGE_MESSAGES_MAX: usize = 200;

/// RECV-3 with the frame limit: a package also stops growing before its encoding would pass this many bytes, so a
/// package of large messages holds fewer than 200 and still fits in one frame.
pub const OFFLINE_PACKAGE_BYTES_MAX: usize = 768 * 1024;

/// HIST-7, HIST-13: `getMessages` fetches 1 to 20 messages a call; another count is refused with -101.
pub const HISTORY_PAGE_COUNT_MAX: u32 = 20;

/// CONV-6: `getConversations` returns at most this many conversations a page (`0 < count ≤ 50`).
pub const CONVERSATION_PAGE_COUNT_MAX: u32 = 50;

/// SEARCH-2 to SEARCH-4: a search returns 1 to 50 messages a call; another count is refused with -101.
pub const SEARCH_COUNT_MAX: u32 = 50;

/// MSG-3: a channel ID has at most 20 characters.
pub const CHANNEL_ID_CHARS_MAX: usize = 20;

/// MSG-13, EXP-7: an expansion key has at most 32 characters.
pub const EXPANSION_KEY_CHARS_MAX: usize = 32;

/// MSG-13, EXP-7: an expansion value has at most 4096 characters.
pub const EXPANSION_VALUE_CHARS_MAX: usize = 4096;

/// MSG-13, EXP-7: a message's expansion holds at most 300 entries in all.
pub const EXPANSION_ENTRIES_MAX: usize = 300;

/// MSG-13, EXP-7: one expansion update sets at most 20 entries.
pub const EXPANSION_ENTRIES_PER_UPDATE_MAX: usize = 20;

/// EXP-15: the expansion limits are the server's settings, "默认" (by default) the manual's. The engine checks the
/// manual's ([`ExpansionLimits::MANUAL`]) before sending; the server checks its App Key's, which a ticket could
/// change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExpansionLimits {
    /// The characters of one key ([`EXPANSION_KEY_CHARS_MAX`] by default).
    pub key_chars_max: usize,
    /// The characters of one value ([`EXPANSION_VALUE_CHARS_MAX`] by default).
    pub value_chars_max: usize,
    /// The entries one update sets, or the keys one removal names ([`EXPANSION_ENTRIES_PER_UPDATE_MAX`] by default).
    pub entries_per_update_max: usize,
    /// The entries of one message's expansion in all ([`EXPANSION_ENTRIES_MAX`] by default).
    pub entries_max: usize,
}

impl ExpansionLimits {
    /// The manual's limits (MSG-13, EXP-7).
    pub const MANUAL: ExpansionLimits = ExpansionLimits {
        key_chars_max: EXPANSION_KEY_CHARS_MAX,
        value_chars_max: EXPANSION_VALUE_CHARS_MAX,
        entries_per_update_max: EXPANSION_ENTRIES_PER_UPDATE_MAX,
        entries_max: EXPANSION_ENTRIES_MAX,
    };
}

/// imsim's own bound on the messages one `sendGroupReadReceiptResponse` answers (GRCPT-4 gives none): a page of
/// history is at most 20, so 100 is generous, and a longer list is refused with -101 rather than sent.
pub const GROUP_RECEIPT_RESPONSE_MESSAGES_MAX: usize = 100;

/// imsim's own bound on a `messageUid` a method takes (MSG-6 gives no length; the server's UIDs have 19 characters):
/// a longer one names no message, and is refused with -101 before it reaches the wire.
pub const MESSAGE_UID_CHARS_MAX: usize = 64;

/// imsim's own bound on the IDs the manual leaves open (user, group, chatroom): RongCloud documents 64 characters
/// for user IDs in its Server API, and nothing longer can be routed.
pub const TARGET_ID_CHARS_MAX: usize = 64;

/// SEND rules: how long the engine waits for the server's acknowledgement of a publish before the send fails with
/// 30003 (`MSG_RESPONSE_TIMEOUT`). The manual gives no figure; native SDKs wait 30 seconds.
pub const PUBLISH_ACK_TIMEOUT_MS: u64 = 30_000;

/// RECONN-2, RECONN-12: the default interval between heartbeats on an open connection. The manual gives no figure
/// (RECONN-12 makes it a setting); 30 s keeps an idle phone's radio mostly asleep.
pub const HEARTBEAT_INTERVAL_MS_DEFAULT: u64 = 30_000;

/// RECONN-2, RECONN-12: the default time the engine waits for a pong. turmoil's TCP, like a mobile network behind a
/// NAT, can wedge silently; this bound is how the engine notices (status suspend, then reconnection).
pub const HEARTBEAT_TIMEOUT_MS_DEFAULT: u64 = 10_000;

const _: () = assert!(HEARTBEAT_TIMEOUT_MS_DEFAULT < HEARTBEAT_INTERVAL_MS_DEFAULT);

/// CONN rules: how long the engine waits for the server's `ConnectAck` after the transport opened, before it treats
/// the attempt as a transport failure.
pub const CONNECT_ACK_TIMEOUT_MS: u64 = 10_000;

const _: () = assert!(MESSAGE_CONTENT_BYTES_MAX * 2 < FRAME_SIZE_BYTES_MAX as usize);
const _: () = assert!(OFFLINE_PACKAGE_BYTES_MAX < FRAME_SIZE_BYTES_MAX as usize);
const _: () = assert!(MESSAGE_CONTENT_BYTES_MAX < OFFLINE_PACKAGE_BYTES_MAX);

/// CR-10, CR-38: `joinChatRoom` with `messageCount` 0 fetches this many of the room's latest messages.
pub const CHATROOM_JOIN_FETCH_DEFAULT: u32 = 10;

/// CR-10, CR-12, CR-38: a join fetches at most this many messages; a larger `messageCount` fetches this many.
pub const CHATROOM_JOIN_FETCH_MAX: u32 = 50;

/// CR-25, CR-45: `getChatRoomMessages` takes a `count` of 1 to 50.
pub const CHATROOM_HISTORY_COUNT_MAX: u32 = 50;

/// CRKV-2, CRKV-18: a chatroom holds at most 100 KV entries.
pub const CHATROOM_ENTRIES_MAX: usize = 100;

/// CRKV-5: a KV key has at most 128 characters.
pub const CHATROOM_ENTRY_KEY_CHARS_MAX: usize = 128;

/// CRKV-5: a KV value has at most 4096 characters.
pub const CHATROOM_ENTRY_VALUE_CHARS_MAX: usize = 4096;

/// CRKV-8: a KV batch holds at most 10 entries (the native SDK's limit, code 23429; `reference/im-anchors.md`).
pub const CHATROOM_ENTRIES_BATCH_MAX: usize = 10;

/// CRKV-4: at most 100 KV operations per second per chatroom (enforced by the server, code 23425); one operation
/// on n entries counts n.
pub const CHATROOM_ENTRY_OPERATIONS_PER_SECOND_MAX: u32 = 100;

/// CRKV-5: whether `key` is a valid KV key: 1 to 128 characters, each an ASCII letter, a digit or one of `+ = - _`.
pub fn is_valid_chatroom_entry_key(key: &str) -> bool {
    (1..=CHATROOM_ENTRY_KEY_CHARS_MAX).contains(&key.len())
        && key.bytes().all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'+' | b'=' | b'-' | b'_'))
}

/// MTYPE-18, imsim's reading (the manual gives no bound): a location's longitude is within ±180 degrees.
pub const LONGITUDE_DEGREES_MAX: f64 = 180.0;

/// MTYPE-18, imsim's reading (the manual gives no bound): a location's latitude is within ±90 degrees.
pub const LATITUDE_DEGREES_MAX: f64 = 90.0;

/// TYPING-7: a user's typing entry expires this long after the last typing status received from them.
pub const TYPING_STATUS_EXPIRY_MS: u64 = 6_000;

/// TYPING-8: the engine sends at most one typing status per conversation in this window; calls within it send
/// nothing and return 0.
pub const TYPING_STATUS_INTERVAL_MS: u64 = 6_000;

//! Converting message content between its typed form (`MessageContent`) and its wire and storage form: an object
//! name (MTYPE-27) plus a protobuf payload (`engine/proto/content.proto`).
//!
//! The store keeps the same (object name, payload) pair the wire carries, so a message is stored exactly as it
//! travelled, and a type this engine does not know survives as `MessageContent::Unknown` (MTYPE-8). Decoding never
//! fails and never panics: an object name this engine does not know, or a payload that does not decode as its object
//! name's payload, becomes `Unknown` with the bytes as they arrived.
//!
//! How a custom message (MTYPE-21) is told from an unknown one: its object name is its identifier (MTYPE-25), and
//! its payload is a `CustomContent` that repeats that identifier. A payload that decodes as `CustomContent` naming
//! its own object name, under a name outside the reserved `RC:` namespace, is custom; anything else is unknown.

use std::collections::BTreeMap;

use prost::Message as _;

use crate::proto;
use crate::types::{
    ConversationType, CustomMessagePolicy, Degrees, EmbeddedMessage, Media, MessageContent, MessagePolicy,
};

/// The object name of a typing status (TYPING-4): a status message the engine sends and consumes itself; it never
/// becomes a `MessageContent`, is never stored and never reaches `onMessageReceived` (TYPING-9).
pub const TYPING_STATUS_OBJECT_NAME: &str = "RC:TypSts";

/// The object name of a text message (MTYPE-10, MTYPE-27).
pub const TEXT_OBJECT_NAME: &str = "RC:TxtMsg";
/// The object name of a voice message (MTYPE-11, MTYPE-27: the SDK's voice is "HD voice").
pub const VOICE_OBJECT_NAME: &str = "RC:HQVCMsg";
/// The object name of an image message (MTYPE-12, MTYPE-27).
pub const IMAGE_OBJECT_NAME: &str = "RC:ImgMsg";
/// The object name of a file message (MTYPE-13, MTYPE-27).
pub const FILE_OBJECT_NAME: &str = "RC:FileMsg";
/// The object name of a short video message (MTYPE-14, MTYPE-27).
pub const SIGHT_OBJECT_NAME: &str = "RC:SightMsg";
/// The object name of a GIF message (MTYPE-15, MTYPE-27).
pub const GIF_OBJECT_NAME: &str = "RC:GIFMsg";
/// The object name of a recall notification (MTYPE-16, MTYPE-27).
pub const RECALL_NOTIFICATION_OBJECT_NAME: &str = "RC:RcNtf";
/// The object name of a reference message (MTYPE-17, MTYPE-27).
pub const REFERENCE_OBJECT_NAME: &str = "RC:ReferenceMsg";
/// The object name of a location message (MTYPE-18, MTYPE-27).
pub const LOCATION_OBJECT_NAME: &str = "RC:LBSMsg";
/// The object name of a command message (MTYPE-19, MTYPE-27).
pub const COMMAND_OBJECT_NAME: &str = "RC:CmdMsg";
/// MTYPE-27, RECALL-11: the recall signal, which is not a message an app sees (`recall_command`).
pub const RECALL_COMMAND_OBJECT_NAME: &str = "RC:RcCmd";
/// MTYPE-27, EXP-4, EXP-14: the expansion signal, which is not a message an app sees (`expansion_command`).
pub const EXPANSION_COMMAND_OBJECT_NAME: &str = "RC:MsgExMsg";
/// MTYPE-27, RCPT-7: the private read receipt signal.
pub const PRIVATE_READ_RECEIPT_OBJECT_NAME: &str = "RC:ReadNtf";
/// MTYPE-27, GRCPT-8: the group read receipt request signal.
pub const GROUP_RECEIPT_REQUEST_OBJECT_NAME: &str = "RC:RRReqMsg";
/// MTYPE-27, GRCPT-9: the group read receipt response signal.
pub const GROUP_RECEIPT_RESPONSE_OBJECT_NAME: &str = "RC:RRRspMsg";
/// RSYNC-3: the read-status sync signal (RongCloud's name for it; MTYPE-27 does not list it).
pub const READ_STATUS_SYNC_OBJECT_NAME: &str = "RC:SRSMsg";
/// The object name of a command notification message (MTYPE-20, MTYPE-27).
pub const COMMAND_NOTIFICATION_OBJECT_NAME: &str = "RC:CmdNtf";

/// The namespace of RongCloud's own object names (MTYPE-27). A custom message's identifier may not start with it
/// (`create_custom_message` refuses it with -101), so a built-in type added later can never be mistaken for a custom
/// one, nor the other way round.
pub const RESERVED_OBJECT_NAME_PREFIX: &str = "RC:";

/// How deep messages may nest inside messages (a reference quoting a reference …) and still be decoded. A message
/// nested deeper reads back as `Unknown`, so a hostile payload cannot exhaust the stack.
pub const EMBEDDED_DEPTH_MAX: usize = 8;

/// The (object name, payload) pair of `content`.
pub fn encode_content(content: &MessageContent) -> proto::MessageContent {
    let payload = match content {
        MessageContent::Text { text } => proto::TextContent { text: text.clone() }.encode_to_vec(),
        MessageContent::Voice { media, duration } => {
            proto::VoiceContent { media: Some(media_to_wire(media)), duration: *duration }.encode_to_vec()
        }
        MessageContent::Image { media, thumbnail_base64_string, original } => proto::ImageContent {
            media: Some(media_to_wire(media)),
            thumbnail_base64: thumbnail_base64_string.clone(),
            original: *original,
        }
        .encode_to_vec(),
        MessageContent::File { media, name, file_type, size } => proto::FileContent {
            media: Some(media_to_wire(media)),
            name: name.clone(),
            file_type: file_type.clone(),
            size: *size,
        }
        .encode_to_vec(),
        MessageContent::Sight { media, duration, size, name, thumbnail_base64_string } => proto::SightContent {
            media: Some(media_to_wire(media)),
            duration: *duration,
            size: *size,
            name: name.clone(),
            thumbnail_base64: thumbnail_base64_string.clone(),
        }
        .encode_to_vec(),
        MessageContent::Gif { media, data_size, width, height } => proto::GifContent {
            media: Some(media_to_wire(media)),
            data_size: *data_size,
            width: *width,
            height: *height,
        }
        .encode_to_vec(),
        MessageContent::RecallNotification {
            admin,
            deleted,
            recall_time,
            recall_action_time,
            original_message,
            operator_id,
        } => proto::RecallNotificationContent {
            admin: *admin,
            deleted: *deleted,
            recall_time: *recall_time,
            recall_action_time: *recall_action_time,
            original_message: original_message.as_deref().map(embedded_to_wire),
            operator_id: operator_id.clone(),
        }
        .encode_to_vec(),
        MessageContent::Reference { text, reference_message } => proto::ReferenceContent {
            text: text.clone(),
            reference_message: reference_message.as_deref().map(embedded_to_wire),
        }
        .encode_to_vec(),
        MessageContent::Location { longitude, latitude, poi_name, thumbnail_path } => proto::LocationContent {
            longitude: longitude.0,
            latitude: latitude.0,
            poi_name: poi_name.clone(),
            thumbnail_path: thumbnail_path.clone(),
        }
        .encode_to_vec(),
        MessageContent::Command { name, data } | MessageContent::CommandNotification { name, data } => {
            proto::CommandContent { name: name.clone(), data: data.clone() }.encode_to_vec()
        }
        MessageContent::Custom { identifier, policy, fields } => proto::CustomContent {
            identifier: identifier.clone(),
            policy: policy.ordinal(),
            // A `BTreeMap` iterates in key order, each key once: equal contents encode to equal bytes.
            fields: fields
                .iter()
                .map(|(key, value)| proto::CustomField { key: key.clone(), value: value.clone() })
                .collect(),
        }
        .encode_to_vec(),
        MessageContent::Unknown { raw_data, .. } => raw_data.clone(),
    };
    proto::MessageContent { object_name: content.object_name().to_owned(), payload }
}

/// The typed content of an (object name, payload) pair. A known object name whose payload does not decode is kept
/// as `Unknown` rather than failing: a peer's bad payload must not stop delivery of the message.
pub fn decode_content(wire: &proto::MessageContent) -> MessageContent {
    decode_at_depth(&wire.object_name, &wire.payload, 0)
}

/// The typed content of a message that travelled with the persistence flags `not_stored` and `not_counted`
/// (MTYPE-9): the flags decide how an unknown message is stored and counted, and are ignored for a known type,
/// whose own rules take precedence.
pub fn decode_flagged_content(wire: &proto::MessageContent, not_stored: bool, not_counted: bool) -> MessageContent {
    match decode_content(wire) {
        MessageContent::Unknown { object_name, raw_data, .. } => {
            crate::mark!("MTYPE-9");
            MessageContent::Unknown {
                object_name,
                raw_data,
                policy: MessagePolicy::from_wire_flags(not_stored, not_counted),
            }
        }
        known => known,
    }
}

/// The persistence flags `(not_stored, not_counted)` a message of `content` travels with (MTYPE-9): what its type
/// or custom policy says.
pub fn persistence_flags(content: &MessageContent) -> (bool, bool) {
    let policy = content.policy();
    (!policy.stored, !policy.counted)
}

/// `content` as it is published: the same, without local file paths (`Media::local`), which mean nothing on
/// another device. Embedded messages lose theirs too.
pub fn without_local_paths(content: &MessageContent) -> MessageContent {
    let mut content = content.clone();
    strip_local_paths(&mut content);
    content
}

fn strip_local_paths(content: &mut MessageContent) {
    match content {
        MessageContent::Voice { media, .. }
        | MessageContent::Image { media, .. }
        | MessageContent::File { media, .. }
        | MessageContent::Sight { media, .. }
        | MessageContent::Gif { media, .. } => media.local = None,
        MessageContent::Reference { reference_message: Some(embedded), .. }
        | MessageContent::RecallNotification { original_message: Some(embedded), .. } => {
            strip_local_paths(&mut embedded.content);
        }
        _ => {}
    }
}

/// Decodes a payload nested `depth` messages deep (0 for a message's own content).
fn decode_at_depth(object_name: &str, payload: &[u8], depth: usize) -> MessageContent {
    let decoded = match object_name {
        TEXT_OBJECT_NAME => {
            proto::TextContent::decode(payload).ok().map(|wire| MessageContent::Text { text: wire.text })
        }
        VOICE_OBJECT_NAME => proto::VoiceContent::decode(payload)
            .ok()
            .map(|wire| MessageContent::Voice { media: media_from_wire(wire.media), duration: wire.duration }),
        IMAGE_OBJECT_NAME => proto::ImageContent::decode(payload).ok().map(|wire| MessageContent::Image {
            media: media_from_wire(wire.media),
            thumbnail_base64_string: wire.thumbnail_base64,
            original: wire.original,
        }),
        FILE_OBJECT_NAME => proto::FileContent::decode(payload).ok().map(|wire| MessageContent::File {
            media: media_from_wire(wire.media),
            name: wire.name,
            file_type: wire.file_type,
            size: wire.size,
        }),
        SIGHT_OBJECT_NAME => proto::SightContent::decode(payload).ok().map(|wire| MessageContent::Sight {
            media: media_from_wire(wire.media),
            duration: wire.duration,
            size: wire.size,
            name: wire.name,
            thumbnail_base64_string: wire.thumbnail_base64,
        }),
        GIF_OBJECT_NAME => proto::GifContent::decode(payload).ok().map(|wire| MessageContent::Gif {
            media: media_from_wire(wire.media),
            data_size: wire.data_size,
            width: wire.width,
            height: wire.height,
        }),
        RECALL_NOTIFICATION_OBJECT_NAME => proto::RecallNotificationContent::decode(payload).ok().and_then(|wire| {
            Some(MessageContent::RecallNotification {
                admin: wire.admin,
                deleted: wire.deleted,
                recall_time: wire.recall_time,
                recall_action_time: wire.recall_action_time,
                original_message: embedded_from_wire(wire.original_message, depth)?,
                operator_id: wire.operator_id,
            })
        }),
        REFERENCE_OBJECT_NAME => proto::ReferenceContent::decode(payload).ok().and_then(|wire| {
            Some(MessageContent::Reference {
                text: wire.text,
                reference_message: embedded_from_wire(wire.reference_message, depth)?,
            })
        }),
        LOCATION_OBJECT_NAME => proto::LocationContent::decode(payload).ok().map(|wire| MessageContent::Location {
            longitude: Degrees(wire.longitude),
            latitude: Degrees(wire.latitude),
            poi_name: wire.poi_name,
            thumbnail_path: wire.thumbnail_path,
        }),
        COMMAND_OBJECT_NAME => proto::CommandContent::decode(payload)
            .ok()
            .map(|wire| MessageContent::Command { name: wire.name, data: wire.data }),
        COMMAND_NOTIFICATION_OBJECT_NAME => proto::CommandContent::decode(payload)
            .ok()
            .map(|wire| MessageContent::CommandNotification { name: wire.name, data: wire.data }),
        _ => decode_custom(object_name, payload),
    };
    decoded.unwrap_or_else(|| MessageContent::unknown(object_name.to_owned(), payload.to_vec()))
}

/// A custom message (MTYPE-21, MTYPE-25), if `object_name` is a custom identifier and `payload` a `CustomContent`
/// that names it. See the module documentation.
fn decode_custom(object_name: &str, payload: &[u8]) -> Option<MessageContent> {
    if object_name.is_empty() || object_name.starts_with(RESERVED_OBJECT_NAME_PREFIX) {
        return None;
    }
    let wire = proto::CustomContent::decode(payload).ok()?;
    if wire.identifier != object_name {
        return None;
    }
    let policy = CustomMessagePolicy::from_ordinal(wire.policy)?;
    let fields: BTreeMap<String, String> = wire.fields.into_iter().map(|field| (field.key, field.value)).collect();
    Some(MessageContent::Custom { identifier: wire.identifier, policy, fields })
}

fn media_to_wire(media: &Media) -> proto::MediaInfo {
    proto::MediaInfo { local: media.local.clone(), remote: media.remote.clone() }
}

fn media_from_wire(media: Option<proto::MediaInfo>) -> Media {
    let media = media.unwrap_or_default();
    Media { local: media.local, remote: media.remote }
}

fn embedded_to_wire(embedded: &EmbeddedMessage) -> proto::EmbeddedMessage {
    let content = encode_content(&embedded.content);
    proto::EmbeddedMessage {
        conversation_type: embedded.conversation_type.ordinal(),
        target_id: embedded.target_id.clone(),
        channel_id: embedded.channel_id.clone(),
        message_uid: embedded.message_uid.clone(),
        sender_user_id: embedded.sender_user_id.clone(),
        sent_time: embedded.sent_time,
        extra: embedded.extra.clone(),
        object_name: content.object_name,
        payload: content.payload,
    }
}

/// The embedded message of a content decoded at `depth`: `Some(None)` when there is none, `None` when it is
/// malformed (an unknown conversation type), which makes the whole content `Unknown`. Past `EMBEDDED_DEPTH_MAX` the
/// embedded message's own content is not decoded but kept as `Unknown`.
fn embedded_from_wire(wire: Option<proto::EmbeddedMessage>, depth: usize) -> Option<Option<Box<EmbeddedMessage>>> {
    let Some(wire) = wire else { return Some(None) };
    let conversation_type = ConversationType::from_ordinal(wire.conversation_type)?;
    let content = if depth < EMBEDDED_DEPTH_MAX {
        decode_at_depth(&wire.object_name, &wire.payload, depth + 1)
    } else {
        MessageContent::unknown(wire.object_name, wire.payload)
    };
    Some(Some(Box::new(EmbeddedMessage {
        conversation_type,
        target_id: wire.target_id,
        channel_id: wire.channel_id,
        message_uid: wire.message_uid,
        sender_user_id: wire.sender_user_id,
        sent_time: wire.sent_time,
        extra: wire.extra,
        content,
    })))
}

#[cfg(test)]
pub(crate) mod tests;

/// A signal: a message that changes another message a device holds and is itself never stored, counted or reported
/// as a message. A device applies it with its inbox cursor, in one transaction (`core::signals`).
#[derive(Debug, Clone, PartialEq)]
pub enum Signal {
    /// RC:RcCmd: recall the message (RECALL-4, RECALL-11).
    Recall(proto::RecallCommandContent),
    /// RC:MsgExMsg: change the message's expansion (EXP-9, EXP-10, EXP-13).
    Expansion(proto::ExpansionCommandContent),
    /// RC:ReadNtf: the sender of the signal read the private conversation up to a time (RCPT-1, RCPT-5).
    PrivateReadReceipt(proto::PrivateReadReceiptContent),
    /// RC:RRReqMsg: read receipts are asked for a group message (GRCPT-3).
    GroupReceiptRequest(proto::GroupReceiptRequestContent),
    /// RC:RRRspMsg: the responses so far to a request for read receipts (GRCPT-5, GRCPT-9).
    GroupReceiptResponse(proto::GroupReceiptResponseContent),
    /// RC:SRSMsg: another device of this user read the conversation up to a time (RSYNC-3, RSYNC-6).
    ReadStatusSync(proto::ReadStatusSyncContent),
}

impl Signal {
    /// The UID of the message the signal is about; empty for a read receipt or a read-status sync, which are about
    /// a time.
    pub fn message_uid(&self) -> &str {
        match self {
            Signal::Recall(command) => &command.message_uid,
            Signal::Expansion(command) => &command.message_uid,
            Signal::PrivateReadReceipt(_) | Signal::ReadStatusSync(_) => "",
            Signal::GroupReceiptRequest(request) => &request.message_uid,
            Signal::GroupReceiptResponse(response) => &response.message_uid,
        }
    }
}

/// The object names of the signals.
const SIGNAL_OBJECT_NAMES: [&str; 6] = [
    RECALL_COMMAND_OBJECT_NAME,
    EXPANSION_COMMAND_OBJECT_NAME,
    PRIVATE_READ_RECEIPT_OBJECT_NAME,
    GROUP_RECEIPT_REQUEST_OBJECT_NAME,
    GROUP_RECEIPT_RESPONSE_OBJECT_NAME,
    READ_STATUS_SYNC_OBJECT_NAME,
];

/// Whether `content` is a signal (`Signal`), which a device applies and never stores or reports as a message.
pub fn is_signal(content: &proto::MessageContent) -> bool {
    SIGNAL_OBJECT_NAMES.contains(&content.object_name.as_str())
}

/// The signal `content` carries, if it is one whose payload decodes; a malformed signal changes nothing.
pub fn signal(content: &proto::MessageContent) -> Option<Signal> {
    let payload = content.payload.as_slice();
    match content.object_name.as_str() {
        RECALL_COMMAND_OBJECT_NAME => proto::RecallCommandContent::decode(payload).ok().map(Signal::Recall),
        EXPANSION_COMMAND_OBJECT_NAME => proto::ExpansionCommandContent::decode(payload).ok().map(Signal::Expansion),
        PRIVATE_READ_RECEIPT_OBJECT_NAME => {
            proto::PrivateReadReceiptContent::decode(payload).ok().map(Signal::PrivateReadReceipt)
        }
        GROUP_RECEIPT_REQUEST_OBJECT_NAME => {
            proto::GroupReceiptRequestContent::decode(payload).ok().map(Signal::GroupReceiptRequest)
        }
        GROUP_RECEIPT_RESPONSE_OBJECT_NAME => {
            proto::GroupReceiptResponseContent::decode(payload).ok().map(Signal::GroupReceiptResponse)
        }
        READ_STATUS_SYNC_OBJECT_NAME => proto::ReadStatusSyncContent::decode(payload).ok().map(Signal::ReadStatusSync),
        _ => None,
    }
}

/// The recall signal `content` carries, if it is one whose payload decodes.
pub fn recall_command(content: &proto::MessageContent) -> Option<proto::RecallCommandContent> {
    match signal(content)? {
        Signal::Recall(command) => Some(command),
        _ => None,
    }
}

/// The wire content of `signal`.
pub fn encode_signal(signal: &Signal) -> proto::MessageContent {
    let (object_name, payload) = match signal {
        Signal::Recall(command) => (RECALL_COMMAND_OBJECT_NAME, command.encode_to_vec()),
        Signal::Expansion(command) => (EXPANSION_COMMAND_OBJECT_NAME, command.encode_to_vec()),
        Signal::PrivateReadReceipt(receipt) => (PRIVATE_READ_RECEIPT_OBJECT_NAME, receipt.encode_to_vec()),
        Signal::GroupReceiptRequest(request) => (GROUP_RECEIPT_REQUEST_OBJECT_NAME, request.encode_to_vec()),
        Signal::GroupReceiptResponse(response) => (GROUP_RECEIPT_RESPONSE_OBJECT_NAME, response.encode_to_vec()),
        Signal::ReadStatusSync(sync) => (READ_STATUS_SYNC_OBJECT_NAME, sync.encode_to_vec()),
    };
    proto::MessageContent { object_name: object_name.to_owned(), payload }
}

//! Converting message content between its typed form (`MessageContent`) and its wire and storage form: an object
//! name plus an encoded payload, as the manual's object names (`RC:TxtMsg`) suggest.
//!
//! The store keeps the same (object name, payload) pair the wire carries, so a message is stored exactly as it
//! travelled, and a type this engine does not know survives as `MessageContent::Unknown` (MTYPE rules).

use prost::Message as _;

use crate::proto;
use crate::types::MessageContent;

/// The object name of a text message.
pub const TEXT_OBJECT_NAME: &str = "RC:TxtMsg";

/// The (object name, payload) pair of `content`.
pub fn encode_content(content: &MessageContent) -> proto::MessageContent {
    match content {
        MessageContent::Text { text } => proto::MessageContent {
            object_name: TEXT_OBJECT_NAME.to_owned(),
            payload: proto::TextContent { text: text.clone() }.encode_to_vec(),
        },
        MessageContent::Unknown { object_name, raw_data } => {
            proto::MessageContent { object_name: object_name.clone(), payload: raw_data.clone() }
        }
    }
}

/// The typed content of an (object name, payload) pair. A known object name whose payload does not decode is kept
/// as `Unknown` rather than failing: a peer's bad payload must not stop delivery of the message.
pub fn decode_content(wire: &proto::MessageContent) -> MessageContent {
    let unknown = || MessageContent::Unknown { object_name: wire.object_name.clone(), raw_data: wire.payload.clone() };
    match wire.object_name.as_str() {
        TEXT_OBJECT_NAME => match proto::TextContent::decode(wire.payload.as_slice()) {
            Ok(text) => MessageContent::Text { text: text.text },
            Err(_) => unknown(),
        },
        _ => unknown(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips() {
        let content = MessageContent::Text { text: "你好, world".to_owned() };
        assert_eq!(decode_content(&encode_content(&content)), content);
    }

    #[test]
    fn unknown_object_names_are_kept() {
        let wire = proto::MessageContent { object_name: "App:Custom".to_owned(), payload: vec![1, 2, 3] };
        let content = decode_content(&wire);
        assert_eq!(content, MessageContent::Unknown { object_name: "App:Custom".to_owned(), raw_data: vec![1, 2, 3] });
        assert_eq!(encode_content(&content), wire);
    }

    #[test]
    fn undecodable_text_payload_becomes_unknown() {
        let wire = proto::MessageContent { object_name: TEXT_OBJECT_NAME.to_owned(), payload: vec![0xff, 0xff] };
        assert!(matches!(decode_content(&wire), MessageContent::Unknown { .. }));
    }
}

//! The `create…Message` family (MTYPE-10 to MTYPE-22, MTYPE-26): message objects made from the app's arguments and
//! the device's files, ready for `send_message` or `send_media_message`. Nothing is stored until the message is
//! sent, and every argument is checked here, so a refused create returns -101 (the manual's null) and changes nothing.

use std::collections::BTreeMap;

use super::Core;
use super::messages::validate_conversation;
use crate::content::RESERVED_OBJECT_NAME_PREFIX;
use crate::error::ImError;
use crate::types::{
    ConversationType, CustomMessagePolicy, Degrees, EmbeddedMessage, Media, Message, MessageContent, MessageDirection,
    ReceivedStatus, SentStatus,
};

impl Core {
    /// `createTextMessage(type, targetId, channelId, text)` (MTYPE-10): a message object ready for `send_message`.
    /// Nothing is stored until it is sent. Like every `create_*_message`: -102 once destroyed; -101 for the
    /// `invalid` conversation type, an empty or too long target ID, or an ultra group channel ID over 20 characters
    /// (CALL-12, MSG-20).
    pub fn create_text_message(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
        text: &str,
    ) -> Result<Message, ImError> {
        self.new_message(conversation_type, target_id, channel_id, || {
            Ok(MessageContent::Text { text: text.to_owned() })
        })
    }

    /// `createVoiceMessage(type, targetId, channelId, path, duration)` (MTYPE-11): `duration` in seconds. -101 for
    /// a `path` that names no file on the device (MTYPE-26).
    pub fn create_voice_message(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
        path: &str,
        duration: u32,
    ) -> Result<Message, ImError> {
        self.new_message(conversation_type, target_id, channel_id, || {
            let (media, _) = self.local_media(path)?;
            Ok(MessageContent::Voice { media, duration })
        })
    }

    /// `createImageMessage(type, targetId, channelId, path)` (MTYPE-12): not the original image, no thumbnail yet
    /// (the app sets both on the object before sending). -101 for a `path` that names no file (MTYPE-26).
    pub fn create_image_message(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
        path: &str,
    ) -> Result<Message, ImError> {
        crate::mark!("MTYPE-12");
        self.new_message(conversation_type, target_id, channel_id, || {
            let (media, _) = self.local_media(path)?;
            Ok(MessageContent::Image { media, thumbnail_base64_string: String::new(), original: false })
        })
    }

    /// `createFileMessage(type, targetId, channelId, path)` (MTYPE-13): the name is the path's last component, the
    /// type its extension and the size the file's. -101 for a `path` that names no file (MTYPE-26).
    pub fn create_file_message(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
        path: &str,
    ) -> Result<Message, ImError> {
        self.new_message(conversation_type, target_id, channel_id, || {
            let (media, size) = self.local_media(path)?;
            let name = file_name(path);
            Ok(MessageContent::File { media, name: name.to_owned(), file_type: file_extension(name).to_owned(), size })
        })
    }

    /// `createSightMessage(type, targetId, channelId, path, duration)` (MTYPE-14): `duration` in seconds; the name
    /// is the path's last component and the size the file's; no thumbnail (the app sets one). -101 for a `path`
    /// that names no file (MTYPE-26).
    pub fn create_sight_message(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
        path: &str,
        duration: u32,
    ) -> Result<Message, ImError> {
        self.new_message(conversation_type, target_id, channel_id, || {
            let (media, size) = self.local_media(path)?;
            Ok(MessageContent::Sight {
                media,
                duration,
                size,
                name: file_name(path).to_owned(),
                thumbnail_base64_string: String::new(),
            })
        })
    }

    /// `createGIFMessage(type, targetId, channelId, path)` (MTYPE-15): the data size is the file's; the dimensions
    /// are 0 (the engine decodes no images; the app sets them). -101 for a `path` that names no file (MTYPE-26
    /// holds for every path of a `create…` method, the GIF's included).
    pub fn create_gif_message(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
        path: &str,
    ) -> Result<Message, ImError> {
        self.new_message(conversation_type, target_id, channel_id, || {
            let (media, data_size) = self.local_media(path)?;
            Ok(MessageContent::Gif { media, data_size, width: 0, height: 0 })
        })
    }

    /// `createReferenceMessage(type, targetId, channelId, referenceMessage, text)` (MTYPE-17): quotes
    /// `reference_message` (its identity and content: `EmbeddedMessage::of`).
    pub fn create_reference_message(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
        reference_message: &Message,
        text: &str,
    ) -> Result<Message, ImError> {
        crate::mark!("MTYPE-17");
        self.new_message(conversation_type, target_id, channel_id, || {
            Ok(MessageContent::Reference {
                text: text.to_owned(),
                reference_message: Some(Box::new(EmbeddedMessage::of(reference_message))),
            })
        })
    }

    /// `createLocationMessage(type, targetId, channelId, longitude, latitude, poiName, thumbnailPath)` (MTYPE-18).
    /// -101 for a longitude outside -180 to 180, a latitude outside -90 to 90 (or either not a number), or an empty
    /// `thumbnail_path`.
    #[allow(clippy::too_many_arguments)] // the manual's signature
    pub fn create_location_message(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
        longitude: f64,
        latitude: f64,
        poi_name: &str,
        thumbnail_path: &str,
    ) -> Result<Message, ImError> {
        self.new_message(conversation_type, target_id, channel_id, || {
            if !(-crate::limits::LONGITUDE_DEGREES_MAX..=crate::limits::LONGITUDE_DEGREES_MAX).contains(&longitude) {
                return Err(ImError::param("longitude must be between -180 and 180 degrees"));
            }
            if !(-crate::limits::LATITUDE_DEGREES_MAX..=crate::limits::LATITUDE_DEGREES_MAX).contains(&latitude) {
                return Err(ImError::param("latitude must be between -90 and 90 degrees"));
            }
            self.local_media(thumbnail_path)?;
            Ok(MessageContent::Location {
                longitude: Degrees(longitude),
                latitude: Degrees(latitude),
                poi_name: poi_name.to_owned(),
                thumbnail_path: thumbnail_path.to_owned(),
            })
        })
    }

    /// `createCustomMessage(type, targetId, channelId, policy, messageIdentifier, fields)` (MTYPE-21): the
    /// identifier is the custom type's object name (MTYPE-25) and `policy` decides how it is stored and counted,
    /// here and by its receivers (MTYPE-6, MTYPE-7). -101 for an empty identifier or one in RongCloud's reserved
    /// `RC:` namespace (`content::RESERVED_OBJECT_NAME_PREFIX`).
    #[allow(clippy::too_many_arguments)] // the manual's signature
    pub fn create_custom_message(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
        policy: CustomMessagePolicy,
        message_identifier: &str,
        fields: BTreeMap<String, String>,
    ) -> Result<Message, ImError> {
        self.new_message(conversation_type, target_id, channel_id, || {
            if message_identifier.is_empty() {
                return Err(ImError::param("message identifier must not be empty"));
            }
            if message_identifier.starts_with(RESERVED_OBJECT_NAME_PREFIX) {
                crate::mark!("MTYPE-25");
                return Err(ImError::param(format!(
                    "message identifier {message_identifier:?} is in the reserved namespace \
                     {RESERVED_OBJECT_NAME_PREFIX:?}"
                )));
            }
            crate::mark!("MTYPE-21");
            Ok(MessageContent::Custom { identifier: message_identifier.to_owned(), policy, fields })
        })
    }

    /// A new message of this user's, after the checks every `create_*_message` shares: then `content` checks its
    /// own arguments and makes the content.
    fn new_message(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
        content: impl FnOnce() -> Result<MessageContent, ImError>,
    ) -> Result<Message, ImError> {
        if self.destroyed {
            return Err(ImError::destroyed());
        }
        validate_conversation(conversation_type, target_id, channel_id)?;
        let content = content()?;
        Ok(Message {
            conversation_type,
            target_id: target_id.to_owned(),
            channel_id: channel_id.map(str::to_owned),
            message_id: 0,
            message_uid: None,
            direction: MessageDirection::Send,
            received_time: 0,
            sent_time: 0,
            received_status: ReceivedStatus::Unread,
            sent_status: SentStatus::Sending,
            sender_user_id: self.current_user_id().unwrap_or_default().to_owned(),
            offline: false,
            extra: None,
            mentioned_info: None,
            user_info: None,
            expansion: None,
            push_options: None,
            group_read_receipt_info: None,
            content,
        })
    }

    /// The media of a message created from the device's file at `path` (MTYPE-11 to MTYPE-15, MTYPE-18), with the
    /// file's size; -101 when `path` names no file the device can read (MTYPE-26: the create method returns null).
    fn local_media(&self, path: &str) -> Result<(Media, u64), ImError> {
        let size = self.files.size(path).map_err(|error| {
            crate::mark!("MTYPE-26");
            ImError::param(format!("{path:?} is not a valid local path (MTYPE-26): {error}"))
        })?;
        Ok((Media { local: Some(path.to_owned()), remote: None }, size))
    }
}

/// The last component of `path`, with `/` or `\` as separators.
fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// The extension of file name `name` (what follows its last `.`), or "" if it has none. A leading dot starts a
/// hidden file's name, not an extension.
fn file_extension(name: &str) -> &str {
    match name.rfind('.') {
        Some(dot) if dot > 0 => &name[dot + 1..],
        _ => "",
    }
}

//! The manual's data model: enums with their Dart ordinals (part 1, "Enums and types") and the message object
//! (MSG rules).
//!
//! Each enum knows its ordinal (what crosses the wire and the store) and its manual name in camelCase (what the
//! trace and the YAML scenarios print), so that a scenario can say `status: kickedOfflineByOtherClient` and mean
//! exactly the manual's value.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Declares an enum whose variants have fixed ordinals and manual names.
macro_rules! manual_enum {
    ($(#[$doc:meta])* $name:ident { $( $(#[$vdoc:meta])* $variant:ident = $ordinal:literal, $manual:literal; )* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $( $(#[$vdoc])* $variant = $ordinal, )*
        }

        impl $name {
            /// Every value, in ordinal order.
            pub const ALL: &'static [$name] = &[$( $name::$variant, )*];

            /// The Dart ordinal, as stored and sent on the wire.
            pub fn ordinal(self) -> u32 {
                self as u32
            }

            /// The value with this ordinal, if there is one.
            pub fn from_ordinal(ordinal: u32) -> Option<$name> {
                match ordinal {
                    $( $ordinal => Some($name::$variant), )*
                    _ => None,
                }
            }

            /// The manual's name for the value, in camelCase.
            pub fn manual_name(self) -> &'static str {
                match self {
                    $( $name::$variant => $manual, )*
                }
            }

            /// The value the manual calls `name`.
            pub fn from_manual_name(name: &str) -> Option<$name> {
                match name {
                    $( $manual => Some($name::$variant), )*
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.manual_name())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.manual_name())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<$name, D::Error> {
                let name = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
                $name::from_manual_name(&name).ok_or_else(|| {
                    serde::de::Error::unknown_variant(&name, &[$( $manual, )*])
                })
            }
        }

        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({ "type": "string", "enum": [$( $manual, )*] })
            }
        }
    };
}

manual_enum! {
    /// `RCIMIWConnectionStatus` (CONN-7, CONN-8, spec README decision 2).
    ConnectionStatus {
        /// The device has no network (RECONN-3).
        NetworkUnavailable = 0, "networkUnavailable";
        /// Connected and usable.
        Connected = 1, "connected";
        /// A connection attempt is in progress.
        Connecting = 2, "connecting";
        /// Never connected since the engine was created.
        Unconnected = 3, "unconnected";
        /// Another device of the same user logged in (KICK rules).
        KickedOfflineByOtherClient = 4, "kickedOfflineByOtherClient";
        /// The token was refused (CONN-14).
        TokenIncorrect = 5, "tokenIncorrect";
        /// The user is banned (CONN-21).
        ConnUserBlocked = 6, "connUserBlocked";
        /// The app called `disconnect` (CONN-20).
        SignOut = 7, "signOut";
        /// The connection was lost and will be retried (CONN-8).
        Suspend = 8, "suspend";
        /// `connect` with a positive timeout ran out of time (CONN-16).
        Timeout = 9, "timeout";
        /// Anything else.
        Unknown = 10, "unknown";
    }
}

manual_enum! {
    /// `RCIMIWConversationType` (CTYPE-2).
    ConversationType {
        /// Reserved; never valid in a call.
        Invalid = 0, "invalid";
        /// A one-to-one chat.
        Private = 1, "private";
        /// A group chat.
        Group = 2, "group";
        /// A chatroom.
        Chatroom = 3, "chatroom";
        /// A system conversation.
        System = 4, "system";
        /// An ultra group.
        UltraGroup = 5, "ultraGroup";
    }
}

manual_enum! {
    /// `RCIMIWPushNotificationLevel` (DND-6, DND-7): what is pushed while the user is offline.
    PushNotificationLevel {
        /// Every message is pushed.
        AllMessage = 0, "allMessage";
        /// Not set: the initial state of every setting (DND-7).
        None = 1, "none";
        /// Messages that @mention the user or @mention all.
        Mention = 2, "mention";
        /// Messages that @mention the user specifically.
        MentionUsers = 3, "mentionUsers";
        /// Messages that @mention all members.
        MentionAll = 4, "mentionAll";
        /// Nothing, not even @ messages.
        Blocked = 5, "blocked";
    }
}

manual_enum! {
    /// `RCIMIWMessageType` (MTYPE).
    MessageType {
        /// A type the engine does not recognise.
        Unknown = 0, "unknown";
        /// A custom message (MTYPE-6).
        Custom = 1, "custom";
        /// Text (`RC:TxtMsg`).
        Text = 2, "text";
        /// Voice.
        Voice = 3, "voice";
        /// Image.
        Image = 4, "image";
        /// File.
        File = 5, "file";
        /// Short video.
        Sight = 6, "sight";
        /// GIF.
        Gif = 7, "gif";
        /// Recall notification.
        Recall = 8, "recall";
        /// Reference (quote).
        Reference = 9, "reference";
        /// Command.
        Command = 10, "command";
        /// Command notification.
        CommandNotification = 11, "commandNotification";
        /// Location.
        Location = 12, "location";
        /// An app-defined message type registered with the SDK (not sent by imsim's engine yet).
        UserCustom = 13, "userCustom";
        /// A custom message type registered natively (not sent by imsim's engine yet).
        NativeCustom = 14, "nativeCustom";
        /// A custom media message type registered natively (not sent by imsim's engine yet).
        ///
        /// The spec's ordinals win over the real SDK's here: the spec (part 1, "Enums") lists userCustom 13,
        /// nativeCustom 14, nativeCustomMedia 15, groupNotification 16, from an older SDK; the Flutter wrapper 5.32.10
        /// inserts `stream` at 15, so there nativeCustomMedia is 16, groupNotification 17 and combineV2 18.
        NativeCustomMedia = 15, "nativeCustomMedia";
        /// A group notification (not sent by imsim's engine yet).
        GroupNotification = 16, "groupNotification";
        /// A streamed message (the real SDK's 15; not in the spec, so after the spec's members here).
        Stream = 17, "stream";
        /// A combined (forwarded) message, version 2 (the real SDK's 18; not in the spec).
        CombineV2 = 18, "combineV2";
    }
}

manual_enum! {
    /// `RCIMIWMessageDirection` (MSG-7).
    MessageDirection {
        /// Sent by this user.
        Send = 0, "send";
        /// Received from someone else.
        Receive = 1, "receive";
    }
}

manual_enum! {
    /// `RCIMIWSentStatus` (MSG-11).
    SentStatus {
        /// Attached and waiting for the server (SEND-14).
        Sending = 0, "sending";
        /// The send failed (SEND-14).
        Failed = 1, "failed";
        /// The server accepted it.
        Sent = 2, "sent";
        /// The recipient received it.
        Received = 3, "received";
        /// The recipient read it.
        Read = 4, "read";
        /// Destroyed.
        Destroyed = 5, "destroyed";
        /// The media upload was cancelled.
        Canceled = 6, "canceled";
    }
}

manual_enum! {
    /// `RCIMIWReceivedStatus` (MSG-10).
    ReceivedStatus {
        /// Not read yet (RECV-16).
        Unread = 0, "unread";
        /// Read.
        Read = 1, "read";
        /// Listened (voice).
        Listened = 2, "listened";
        /// Downloaded (media).
        Downloaded = 3, "downloaded";
        /// Already received by another device.
        Retrieved = 4, "retrieved";
        /// Received by several devices at once.
        MultipleReceive = 5, "multipleReceive";
    }
}

manual_enum! {
    /// The platform class of a device (MULTI rules, CFG-7). The ordinals are the wire protocol's `Platform`.
    Platform {
        /// Android or iOS.
        Mobile = 1, "mobile";
        /// Windows, macOS or Linux.
        Desktop = 2, "desktop";
        /// A Web page.
        Web = 3, "web";
        /// A mini program.
        MiniProgram = 4, "miniProgram";
    }
}

manual_enum! {
    /// `RCIMIWBlacklistStatus` (BLACK-7).
    BlacklistStatus {
        /// Not known (the query failed).
        Unknown = 0, "unknown";
        /// The user is in the current user's blacklist.
        InBlacklist = 1, "inBlacklist";
        /// The user is not.
        NotInBlacklist = 2, "notInBlacklist";
    }
}

manual_enum! {
    /// `RCIMIWCustomMessagePolicy` (MTYPE-6, MTYPE-7): how a custom message is stored, counted and delivered. The
    /// sender chooses it; it travels in the message's payload and the receiver applies it.
    CustomMessagePolicy {
        /// Not stored on the client, delivered offline, not counted (MTYPE-7).
        Command = 0, "command";
        /// Stored on the client, delivered offline, kept in server history, counted (MTYPE-7).
        Normal = 1, "normal";
        /// Not stored anywhere, delivered only to devices online at that moment, not counted (MTYPE-7, SYNC-3).
        Status = 2, "status";
        /// Stored on the client, delivered offline, kept in server history, not counted (MTYPE-7).
        Storage = 3, "storage";
    }
}

impl CustomMessagePolicy {
    /// MTYPE-7: what this policy means for storage, unread counts and delivery.
    pub fn message_policy(self) -> MessagePolicy {
        match self {
            CustomMessagePolicy::Command => MessagePolicy::NOT_STORED,
            CustomMessagePolicy::Normal => MessagePolicy::STORED_COUNTED,
            CustomMessagePolicy::Status => MessagePolicy::STATUS,
            CustomMessagePolicy::Storage => MessagePolicy::STORED_NOT_COUNTED,
        }
    }
}

/// The storage and unread rules of a message type (MTYPE-2 to MTYPE-9), as data: what the engine does with a message
/// of this type when it sends or receives one. See `MessageContent::policy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MessagePolicy {
    /// Kept in the local database, with a `messageId`, in its conversation's history (MTYPE-2). A type that is not
    /// stored is still reported (attached with `messageId` 0 on send, SEND-17; received with `messageId` 0).
    pub stored: bool,
    /// A received message of this type counts as unread until it is read (MTYPE-2, UNREAD-6).
    pub counted: bool,
    /// A status message (SYNC-3, MTYPE-7): the server delivers it only to devices online at that moment and keeps
    /// no copy, so the client neither stores nor acknowledges it. Implies neither stored nor counted.
    pub status: bool,
}

impl MessagePolicy {
    /// MTYPE-2: the default of every type: stored and counted.
    pub const STORED_COUNTED: MessagePolicy = MessagePolicy { stored: true, counted: true, status: false };
    /// MTYPE-3, MTYPE-5, MTYPE-7 `storage`: stored, never counted as unread.
    pub const STORED_NOT_COUNTED: MessagePolicy = MessagePolicy { stored: true, counted: false, status: false };
    /// MTYPE-4, MTYPE-7 `command`: neither stored nor counted, but delivered offline like any message.
    pub const NOT_STORED: MessagePolicy = MessagePolicy { stored: false, counted: false, status: false };
    /// MTYPE-7 `status`, SYNC-3: neither stored nor counted, and delivered only to devices online at that moment.
    pub const STATUS: MessagePolicy = MessagePolicy { stored: false, counted: false, status: true };

    /// MTYPE-9: a message without persistence flags is stored and counted.
    fn stored_counted() -> MessagePolicy {
        MessagePolicy::STORED_COUNTED
    }

    /// MTYPE-9: the policy the persistence flags `not_stored` and `not_counted` of a message on the wire say (both
    /// false: stored and counted). A message that is not stored is not counted either.
    pub fn from_wire_flags(not_stored: bool, not_counted: bool) -> MessagePolicy {
        MessagePolicy { stored: !not_stored, counted: !not_stored && !not_counted, status: false }
    }
}

/// `RCIMIWMediaMessage`'s `local` and `remote` (the spec's "Types" section): where the media file is. Media messages
/// carry metadata only; uploading the local file and filling `remote` is the media send's job (SEND-13).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Media {
    /// The file's path on this device. Never published: a path on the sender's device means nothing elsewhere, so
    /// a received media message has `None` here until it is downloaded (DL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local: Option<String>,
    /// The URL of the uploaded file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote: Option<String>,
}

/// A latitude or longitude in degrees. Compared as numbers, except that NaN equals NaN, so that content holding one
/// can be `Eq` (and a location read back equals the one sent: the wire, like `==`, does not tell -0 from 0).
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct Degrees(pub f64);

impl PartialEq for Degrees {
    fn eq(&self, other: &Degrees) -> bool {
        self.0 == other.0 || (self.0.is_nan() && other.0.is_nan())
    }
}

impl Eq for Degrees {}

/// A message carried inside another message's content: the quoted message of a reference (MTYPE-17) and the
/// original of a recall notification (MTYPE-16). The manual types both as `RCIMIWMessage`; what crosses the wire is
/// what identifies the message and its content, not the local state of the device that embedded it (its
/// `messageId`, statuses and times of receipt), so that is what this holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EmbeddedMessage {
    /// MSG-1.
    pub conversation_type: ConversationType,
    /// MSG-2.
    pub target_id: String,
    /// MSG-3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<String>,
    /// MSG-6, under the JSON name of MSG-21 (`messageUId`, the SDK's).
    #[serde(default, rename = "messageUId", skip_serializing_if = "Option::is_none")]
    pub message_uid: Option<String>,
    /// MSG-12.
    #[serde(default)]
    pub sender_user_id: String,
    /// MSG-9.
    #[serde(default)]
    pub sent_time: i64,
    /// MSG-19.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra: Option<String>,
    /// The embedded message's content: its `messageType` and the subtype's fields.
    #[serde(flatten)]
    pub content: MessageContent,
}

impl EmbeddedMessage {
    /// The part of `message` that is embedded in another message's content.
    pub fn of(message: &Message) -> EmbeddedMessage {
        EmbeddedMessage {
            conversation_type: message.conversation_type,
            target_id: message.target_id.clone(),
            channel_id: message.channel_id.clone(),
            message_uid: message.message_uid.clone(),
            sender_user_id: message.sender_user_id.clone(),
            sent_time: message.sent_time,
            extra: message.extra.clone(),
            content: message.content.clone(),
        }
    }
}

/// The typed content of a message: one variant per `RCIMIWMessage` subtype (MTYPE-10 to MTYPE-21, MTYPE-8), with
/// the manual's fields. Each travels and is stored as an object name (MTYPE-27; `content::encode_content`) and a
/// protobuf payload (`engine/proto/content.proto`).
///
/// It serialises as the subtype's fields under the manual's names, tagged with `messageType` (the manual's
/// `RCIMIWMessageType` name): `{ "messageType": "text", "text": "hi" }`. A media subtype's `local` and `remote` sit
/// beside its other fields.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "messageType", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum MessageContent {
    /// `RCIMIWTextMessage` (MTYPE-10, `RC:TxtMsg`).
    Text {
        /// The text.
        text: String,
    },
    /// `RCIMIWVoiceMessage` (MTYPE-11, `RC:HQVCMsg`).
    Voice {
        /// Where the audio file is.
        #[serde(flatten)]
        media: Media,
        /// The length, in seconds.
        duration: u32,
    },
    /// `RCIMIWImageMessage` (MTYPE-12, `RC:ImgMsg`).
    Image {
        /// Where the image file is.
        #[serde(flatten)]
        media: Media,
        /// The thumbnail, Base64-encoded.
        thumbnail_base64_string: String,
        /// Whether the original image is sent (rather than a compressed one).
        original: bool,
    },
    /// `RCIMIWFileMessage` (MTYPE-13, `RC:FileMsg`).
    File {
        /// Where the file is.
        #[serde(flatten)]
        media: Media,
        /// The file name.
        name: String,
        /// The file type (its extension, as `pdf`).
        file_type: String,
        /// The size, in bytes.
        size: u64,
    },
    /// `RCIMIWSightMessage` (MTYPE-14, `RC:SightMsg`): a short video.
    Sight {
        /// Where the video file is.
        #[serde(flatten)]
        media: Media,
        /// The length, in seconds.
        duration: u32,
        /// The size, in bytes.
        size: u64,
        /// The video's name.
        name: String,
        /// The thumbnail, Base64-encoded.
        thumbnail_base64_string: String,
    },
    /// `RCIMIWGIFMessage` (MTYPE-15, `RC:GIFMsg`).
    #[serde(rename = "gif")]
    Gif {
        /// Where the GIF file is.
        #[serde(flatten)]
        media: Media,
        /// The size, in bytes.
        data_size: u64,
        /// The width, in pixels.
        width: u32,
        /// The height, in pixels.
        height: u32,
    },
    /// `RCIMIWRecallNotificationMessage` (MTYPE-16, `RC:RcNtf`): what a recalled message becomes. The app cannot
    /// construct or send one; the recall API makes it.
    #[serde(rename = "recall")]
    RecallNotification {
        /// Whether an administrator recalled the message.
        admin: bool,
        /// Whether the message was deleted.
        deleted: bool,
        /// The recalled message's sent time, Unix ms.
        recall_time: i64,
        /// When the recall happened, Unix ms.
        recall_action_time: i64,
        /// The recalled message.
        original_message: Option<Box<EmbeddedMessage>>,
        /// Who recalled it (informative in the spec: the SDK's `operatorId`).
        operator_id: String,
    },
    /// `RCIMIWReferenceMessage` (MTYPE-17, `RC:ReferenceMsg`): a quote.
    Reference {
        /// The quoting text.
        text: String,
        /// The quoted message.
        reference_message: Option<Box<EmbeddedMessage>>,
    },
    /// `RCIMIWLocationMessage` (MTYPE-18, `RC:LBSMsg`).
    Location {
        /// Degrees east, -180 to 180.
        longitude: Degrees,
        /// Degrees north, -90 to 90.
        latitude: Degrees,
        /// The point of interest.
        poi_name: String,
        /// The thumbnail's path, carried as given (MTYPE-24: not uploaded).
        thumbnail_path: String,
    },
    /// `RCIMIWCommandMessage` (MTYPE-19, `RC:CmdMsg`).
    Command {
        /// The command's name.
        name: String,
        /// Any string, JSON say.
        data: String,
    },
    /// `RCIMIWCommandNotificationMessage` (MTYPE-20, `RC:CmdNtf`).
    CommandNotification {
        /// The command's name.
        name: String,
        /// Any string, JSON say.
        data: String,
    },
    /// `RCIMIWCustomMessage` (MTYPE-21): an app-defined type whose object name is its `identifier` (MTYPE-25).
    Custom {
        /// The custom type's identifier, used as its object name (MTYPE-25).
        identifier: String,
        /// How it is stored and counted (MTYPE-6, MTYPE-7).
        policy: CustomMessagePolicy,
        /// Its key-value content, in key order.
        fields: BTreeMap<String, String>,
    },
    /// `RCIMIWUnknownMessage` (MTYPE-8): a received message whose object name this engine does not know, or whose
    /// payload does not decode, kept as it arrived. The app cannot construct or send one.
    Unknown {
        /// The object name, as `RC:Foo`.
        object_name: String,
        /// The encoded payload, in hex.
        #[serde(with = "hex_bytes")]
        #[schemars(with = "String")]
        raw_data: Vec<u8>,
        /// MTYPE-9: how it is stored and counted, from the persistence flags it arrived with (stored and counted
        /// when it had none). Not a field of the manual's object: the store keeps it as the row's unread flag.
        #[serde(skip, default = "MessagePolicy::stored_counted")]
        #[schemars(skip)]
        policy: MessagePolicy,
    },
}

impl MessageContent {
    /// An unknown message (MTYPE-8) that arrived without persistence flags: stored and counted (MTYPE-9).
    pub fn unknown(object_name: impl Into<String>, raw_data: Vec<u8>) -> MessageContent {
        MessageContent::Unknown { object_name: object_name.into(), raw_data, policy: MessagePolicy::STORED_COUNTED }
    }

    /// The manual's message type of this content (MSG-4).
    pub fn message_type(&self) -> MessageType {
        match self {
            MessageContent::Text { .. } => MessageType::Text,
            MessageContent::Voice { .. } => MessageType::Voice,
            MessageContent::Image { .. } => MessageType::Image,
            MessageContent::File { .. } => MessageType::File,
            MessageContent::Sight { .. } => MessageType::Sight,
            MessageContent::Gif { .. } => MessageType::Gif,
            MessageContent::RecallNotification { .. } => MessageType::Recall,
            MessageContent::Reference { .. } => MessageType::Reference,
            MessageContent::Location { .. } => MessageType::Location,
            MessageContent::Command { .. } => MessageType::Command,
            MessageContent::CommandNotification { .. } => MessageType::CommandNotification,
            MessageContent::Custom { .. } => MessageType::Custom,
            MessageContent::Unknown { .. } => MessageType::Unknown,
        }
    }

    /// The object name this content travels and is stored under (MTYPE-27): `RC:TxtMsg` and so on, a custom
    /// message's identifier (MTYPE-25), or the object name an unknown message arrived with.
    pub fn object_name(&self) -> &str {
        use crate::content as names;
        match self {
            MessageContent::Text { .. } => names::TEXT_OBJECT_NAME,
            MessageContent::Voice { .. } => names::VOICE_OBJECT_NAME,
            MessageContent::Image { .. } => names::IMAGE_OBJECT_NAME,
            MessageContent::File { .. } => names::FILE_OBJECT_NAME,
            MessageContent::Sight { .. } => names::SIGHT_OBJECT_NAME,
            MessageContent::Gif { .. } => names::GIF_OBJECT_NAME,
            MessageContent::RecallNotification { .. } => names::RECALL_NOTIFICATION_OBJECT_NAME,
            MessageContent::Reference { .. } => names::REFERENCE_OBJECT_NAME,
            MessageContent::Location { .. } => names::LOCATION_OBJECT_NAME,
            MessageContent::Command { .. } => names::COMMAND_OBJECT_NAME,
            MessageContent::CommandNotification { .. } => names::COMMAND_NOTIFICATION_OBJECT_NAME,
            MessageContent::Custom { identifier, .. } => identifier,
            MessageContent::Unknown { object_name, .. } => object_name,
        }
    }

    /// The storage and unread rules of this content's type:
    ///
    /// - MTYPE-2: text, voice, image, file, sight, GIF, reference and location are stored and counted;
    /// - MTYPE-3: a recall notification is stored, not counted;
    /// - MTYPE-4: a command is neither stored nor counted;
    /// - MTYPE-5: a command notification is stored, not counted;
    /// - MTYPE-6, MTYPE-7: a custom message follows its policy (`CustomMessagePolicy::message_policy`);
    /// - MTYPE-9: an unknown message follows the persistence flags it arrived with (stored and counted without
    ///   any). A delivery marked as a status message overrides every type: see `core::messages`.
    pub fn policy(&self) -> MessagePolicy {
        match self {
            MessageContent::Text { .. }
            | MessageContent::Voice { .. }
            | MessageContent::Image { .. }
            | MessageContent::File { .. }
            | MessageContent::Sight { .. }
            | MessageContent::Gif { .. }
            | MessageContent::Reference { .. }
            | MessageContent::Location { .. } => MessagePolicy::STORED_COUNTED,
            MessageContent::RecallNotification { .. } | MessageContent::CommandNotification { .. } => {
                MessagePolicy::STORED_NOT_COUNTED
            }
            MessageContent::Command { .. } => MessagePolicy::NOT_STORED,
            MessageContent::Custom { policy, .. } => policy.message_policy(),
            MessageContent::Unknown { policy, .. } => *policy,
        }
    }

    /// SEARCH-5: the text a keyword search matches, as written: the `text` of a text or reference message and the
    /// `name` of a file message. Every other type has none and is never found by keyword.
    pub fn searchable_text(&self) -> Option<&str> {
        match self {
            MessageContent::Text { text } | MessageContent::Reference { text, .. } => Some(text),
            MessageContent::File { name, .. } => Some(name),
            _ => None,
        }
    }

    /// The media file's location, for the media types (image, voice, file, sight and GIF: `RCIMIWMediaMessage`).
    pub fn media(&self) -> Option<&Media> {
        match self {
            MessageContent::Voice { media, .. }
            | MessageContent::Image { media, .. }
            | MessageContent::File { media, .. }
            | MessageContent::Sight { media, .. }
            | MessageContent::Gif { media, .. } => Some(media),
            _ => None,
        }
    }

    /// The media file's location, to change it (an upload's URL, a download's path).
    pub fn media_mut(&mut self) -> Option<&mut Media> {
        match self {
            MessageContent::Voice { media, .. }
            | MessageContent::Image { media, .. }
            | MessageContent::File { media, .. }
            | MessageContent::Sight { media, .. }
            | MessageContent::Gif { media, .. } => Some(media),
            _ => None,
        }
    }

    /// Whether the app may send this content: not an unknown message (MTYPE-8) nor a recall notification
    /// (MTYPE-16), which only arrive.
    pub fn is_sendable(&self) -> bool {
        !matches!(self, MessageContent::Unknown { .. } | MessageContent::RecallNotification { .. })
    }
}

/// SEARCH-5's case-insensitive match: both the stored searchable text and the keyword are folded with this (Unicode
/// lowercase), so that `contains` on the folded forms is the match. Written once so that the SQL store (which keeps
/// the folded text in a column) and the memory store agree on every script.
pub fn fold_for_search(text: &str) -> String {
    text.to_lowercase()
}

/// `RCIMIWMessage` (MSG-1 to MSG-19): a message as the app sees it, sent or received.
///
/// It serialises under the manual's field names, with its content's `messageType` and fields beside them (see
/// [`MessageContent`]); fields that are `None` are left out. A message written by hand (a scenario's message literal)
/// needs `conversationType`, `targetId`, `messageType` and the content's fields; the rest default to a message never
/// stored or sent (`messageId` 0, direction send, status sending, times 0).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// MSG-1.
    pub conversation_type: ConversationType,
    /// MSG-2: the conversation; for a received private message, the sender.
    pub target_id: String,
    /// MSG-3: only meaningful in ultra groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<String>,
    /// MSG-5: the local database index, once stored; `0` for a message that was never stored.
    #[serde(default)]
    pub message_id: i64,
    /// MSG-6: the server's unique ID, set once the server accepted the message. MSG-21: `message_uid` here,
    /// `messageUId` in JSON and in scenarios, as the SDK spells it.
    #[serde(default, rename = "messageUId", skip_serializing_if = "Option::is_none")]
    pub message_uid: Option<String>,
    /// MSG-7.
    #[serde(default = "MessageDirection::default_send")]
    pub direction: MessageDirection,
    /// MSG-8: Unix milliseconds.
    #[serde(default)]
    pub received_time: i64,
    /// MSG-9: Unix milliseconds; provisional until the server's acknowledgement (MSG-22).
    #[serde(default)]
    pub sent_time: i64,
    /// MSG-10.
    #[serde(default = "ReceivedStatus::default_unread")]
    pub received_status: ReceivedStatus,
    /// MSG-11.
    #[serde(default = "SentStatus::default_sending")]
    pub sent_status: SentStatus,
    /// MSG-12.
    #[serde(default)]
    pub sender_user_id: String,
    /// MSG-14 (the manual's `offLine`): meaningful in the receive callback only.
    #[serde(default, rename = "offLine")]
    pub offline: bool,
    /// MSG-19.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra: Option<String>,
    /// MENTION-3: the @ alert the message carries, if any; sent with the message and kept on every copy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mentioned_info: Option<MentionedInfo>,
    /// MSG-16: user information the sender put on the message; every copy carries it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_info: Option<UserInfo>,
    /// MSG-13, EXP-5: the expansion entries; `None` when expansion is off. Fixed when the message is sent (EXP-16).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expansion: Option<Expansion>,
    /// MSG-18: the sender's push options; only the sender's copy has them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub push_options: Option<MessagePushOptions>,
    /// MSG-15: the group read-receipt status; `None` on a message nobody asked receipts for (GRCPT).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_read_receipt_info: Option<GroupReadReceiptInfo>,
    /// The typed content; `content.message_type()` is MSG-4.
    #[serde(flatten)]
    pub content: MessageContent,
}

impl MessageDirection {
    fn default_send() -> MessageDirection {
        MessageDirection::Send
    }
}

impl ReceivedStatus {
    fn default_unread() -> ReceivedStatus {
        ReceivedStatus::Unread
    }
}

impl SentStatus {
    fn default_sending() -> SentStatus {
        SentStatus::Sending
    }
}

/// Bytes as lowercase hex, for `RCIMIWUnknownMessage.rawData`.
mod message_fields;

pub use message_fields::{
    AndroidPushOptions, Expansion, GroupReadReceiptInfo, ImportanceHw, IosPushOptions, MessagePushOptions, UserInfo,
    VivoPushType, is_expansion_key_char, validate_expansion, validate_expansion_keys,
};

mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&crate::token::hex(bytes))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        crate::token::unhex(&text)
            .ok_or_else(|| serde::de::Error::custom("rawData: expected an even number of hex digits"))
    }
}

manual_enum! {
    /// `RCIMIWMentionedType` (MENTION-5): whom an @ message alerts. The manual lists no values; these are the SDK's.
    MentionedType {
        /// @ everyone in the group.
        All = 0, "all";
        /// @ the users of `userIdList`.
        Part = 1, "part";
    }
}

/// `RCIMIWMentionedInfo` (MENTION-2): the @ alert of a message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MentionedInfo {
    /// Whom the message alerts.
    #[serde(rename = "type")]
    pub mentioned_type: MentionedType,
    /// The users alerted when the type is `part` (MENTION-9: then it must not be empty).
    #[serde(default)]
    pub user_id_list: Vec<String>,
    /// The text of the push and the local notification for the @ message (MENTION-8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mentioned_content: Option<String>,
}

impl MentionedInfo {
    /// MENTION-6: whether this alert mentions `user_id` (everyone, or a list that names the user).
    pub fn mentions(&self, user_id: &str) -> bool {
        match self.mentioned_type {
            MentionedType::All => true,
            MentionedType::Part => self.user_id_list.iter().any(|listed| listed == user_id),
        }
    }
}

impl Message {
    /// MSG-4: the message's type.
    pub fn message_type(&self) -> MessageType {
        self.content.message_type()
    }
}

manual_enum! {
    /// `RCIMIWChatRoomStatus` (CR-23, CR-43): why a joined chatroom's status changed.
    ChatRoomStatus {
        /// The chatroom was reset.
        Reset = 0, "reset";
        /// Destroyed through the IM Server API.
        DestroyManual = 1, "destroyManual";
        /// Destroyed automatically after inactivity (CR-4).
        DestroyAuto = 2, "destroyAuto";
    }
}

manual_enum! {
    /// `RCIMIWChatRoomMemberActionType` (CR-24, CR-44).
    ChatRoomMemberActionType {
        /// Not known.
        Unknown = 0, "unknown";
        /// The user joined.
        Join = 1, "join";
        /// The user left (or was evicted, CR-42).
        Leave = 2, "leave";
    }
}

manual_enum! {
    /// `RCIMIWChatRoomEntriesOperationType` (CRKV-14, CRKV-20).
    ChatRoomEntriesOperationType {
        /// Entries were set or modified.
        Update = 0, "update";
        /// Entries were removed.
        Remove = 1, "remove";
    }
}

manual_enum! {
    /// `RCIMIWTimeOrder` (CR-25): which way from a timestamp a history fetch goes.
    TimeOrder {
        /// Messages sent before the timestamp.
        Before = 0, "before";
        /// Messages sent after the timestamp.
        After = 1, "after";
    }
}

manual_enum! {
    /// `RCIMIWMessageOperationPolicy` (HIST-6, DEL-11): whether a history fetch or a clear works on the local
    /// database, the server's history, or both.
    MessageOperationPolicy {
        /// The local database only.
        Local = 0, "local";
        /// The server's history only.
        Remote = 1, "remote";
        /// Both.
        LocalRemote = 2, "localRemote";
    }
}

/// `RCIMIWChatRoomMemberAction` (CR-24, CR-44): one user's join or leave.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChatRoomMemberAction {
    /// The user.
    pub user_id: String,
    /// Joined or left.
    pub action_type: ChatRoomMemberActionType,
}

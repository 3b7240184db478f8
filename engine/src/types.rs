//! The manual's data model: enums with their Dart ordinals (part 1, "Enums and types") and the message object
//! (MSG rules).
//!
//! Each enum knows its ordinal (what crosses the wire and the store) and its manual name in camelCase (what the
//! trace and the YAML scenarios print), so that a scenario can say `status: kickedOfflineByOtherClient` and mean
//! exactly the manual's value.

use std::fmt;

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

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.manual_name())
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

/// The typed content of a message. Later message types (MTYPE) add variants here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MessageContent {
    /// `RCIMIWTextMessage` (`RC:TxtMsg`).
    Text {
        /// The text.
        text: String,
    },
    /// A message whose object name this engine does not know (MTYPE rules): kept as it arrived.
    Unknown {
        /// The object name, as `RC:Foo`.
        object_name: String,
        /// The encoded payload.
        raw_data: Vec<u8>,
    },
}

impl MessageContent {
    /// The manual's message type of this content.
    pub fn message_type(&self) -> MessageType {
        match self {
            MessageContent::Text { .. } => MessageType::Text,
            MessageContent::Unknown { .. } => MessageType::Unknown,
        }
    }
}

/// `RCIMIWMessage` (MSG-1 to MSG-19): a message as the app sees it, sent or received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// MSG-1.
    pub conversation_type: ConversationType,
    /// MSG-2: the conversation; for a received private message, the sender.
    pub target_id: String,
    /// MSG-3: only meaningful in ultra groups.
    pub channel_id: Option<String>,
    /// MSG-5: the local database index, once stored; `0` for a message that was never stored.
    pub message_id: i64,
    /// MSG-6: the server's unique ID, set once the server accepted the message.
    pub message_uid: Option<String>,
    /// MSG-7.
    pub direction: MessageDirection,
    /// MSG-8: Unix milliseconds.
    pub received_time: i64,
    /// MSG-9: Unix milliseconds; provisional until the server's acknowledgement (MSG-22).
    pub sent_time: i64,
    /// MSG-10.
    pub received_status: ReceivedStatus,
    /// MSG-11.
    pub sent_status: SentStatus,
    /// MSG-12.
    pub sender_user_id: String,
    /// MSG-14: meaningful in the receive callback only.
    pub offline: bool,
    /// MSG-19.
    pub extra: Option<String>,
    /// The typed content; `content.message_type()` is MSG-4.
    pub content: MessageContent,
}

impl Message {
    /// MSG-4: the message's type.
    pub fn message_type(&self) -> MessageType {
        self.content.message_type()
    }
}

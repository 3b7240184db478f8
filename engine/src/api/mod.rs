//! The manual's API as data: one [`Call`] variant per method, named as the manual names it, whose fields are the
//! method's parameters under the manual's names; and one dispatch, [`Engine::call`], onto the typed methods.
//!
//! The typed methods of [`Engine`] stay the engine's primary Rust API. `Call` is the one place that names them for
//! everything else: the simulator's scenarios (`call:` steps) and trace, the explorer, the generated API mapping
//! table and the scenarios' JSON Schema, and an out-of-process driver. Each method is described once, beside its
//! parameters ([`ApiMethod`]): how it is carried out (its dispatch arm) and how its result reaches the app
//! ([`Completion`]). Adding a method is its typed method, its parameter struct with that impl, and one line of the
//! table at the bottom of this file; nothing outside the engine changes.
//!
//! A `Call` serialises flat, tagged with its method: `{ "method": "joinChatRoom", "targetId": "r1",
//! "messageCount": -1, "autoCreate": false }`. The conversation type is `conversationType` everywhere (the Dart
//! parameter is named `type`; the message object's field, which names the same thing, is `conversationType`).

/// Declares a method's parameter struct (its fields the manual's parameters, serde naming them as the manual does)
/// whose call answers through `$completion`, and its dispatch onto the typed method, which returns `()`: the whole
/// description of a method whose result is an event.
macro_rules! api_method {
    ($(#[$doc:meta])* $name:ident { $( $(#[$fdoc:meta])* $field:ident: $ty:ty, )* } => $completion:expr, |$this:ident, $engine:ident| $call:expr) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        pub struct $name {
            $( $(#[$fdoc])* pub $field: $ty, )*
        }

        impl ApiMethod for $name {
            const COMPLETION: Completion = $completion;

            async fn invoke(self, engine: &Engine) -> Result<Returned, ImError> {
                let $this = self;
                let $engine = engine;
                $call.await.map(|()| Returned::Nothing)
            }
        }
    };
}

mod blacklist;
mod chatroom;
mod connection;
mod conversations;
mod media;
mod message_store;
mod messages;
mod notification;
mod receipts;

use std::future::Future;

use schemars::JsonSchema;
use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::{Serialize, Serializer};

use crate::core::CallId;
use crate::driver::{CallbackReceiver, CallbackRoute, Engine};
use crate::error::{ErrorCode, ImError};
use crate::types::Message;

// Each area file holds its methods' parameter structs and nothing else, so all of them are the API's.
pub use blacklist::*;
pub use chatroom::*;
pub use connection::*;
pub use conversations::*;
pub use media::*;
pub use message_store::*;
pub use messages::*;
pub use notification::*;
pub use receipts::*;

/// One method of the manual: its parameters are the implementing struct's fields (serde names them as the manual
/// does), and this says how it is carried out and how its result reaches the app.
pub trait ApiMethod: Sized {
    /// How the method's result reaches the app.
    const COMPLETION: Completion;

    /// Carries the call out through the typed engine method: the method's one dispatch arm.
    fn invoke(self, engine: &Engine) -> impl Future<Output = Result<Returned, ImError>>;
}

/// How a method's result reaches the app once the call was accepted (returned 0, CALL-1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Completion {
    /// The method returns its result itself: a message object (the `create…Message` methods).
    Returns,
    /// The status code is all there is (`disconnect`, `destroy`).
    StatusOnly,
    /// Exactly one `result` event per accepted call (CALL-13), through the engine listener, or the per-call
    /// callback when one was passed (CALL-4, CALL-5); `progress` events may come before it.
    Listener {
        /// The listener of the terminal result, such as `onMessageSent`.
        result: &'static str,
        /// Listeners of the call's progress before it, such as `onMessageAttached`.
        progress: &'static [&'static str],
        /// Whether the result comes within a bound of time whatever the network does: a request times out after
        /// 30 s (30003). `connect` with timeout 0 keeps trying for ever (CONN-16), and a media transfer takes as
        /// long as its file needs, so their results are unbounded.
        bounded: bool,
        /// The listener of a cancellation that ends the call instead of `result` (a media transfer: SEND-12,
        /// DL-5). It is another call's result (the cancel's), delivered as ending this one too
        /// ([`crate::core::Delivery::ends`]); this call's own listener (CALL-8) receives it.
        cancellation: Option<&'static str>,
        /// Whether an engine listener receives the result of a call made without a callback. `false` for the
        /// methods the manual gives a callback object and no listener (GET-4): `result` then names the callback
        /// interface, and without a callback the result is dropped ([`crate::core::Event::only_through_callback`]).
        engine_listener: bool,
    },
}

impl Completion {
    /// The terminal result of a call answered through a listener, with the listeners of its progress.
    const fn listener(result: &'static str, progress: &'static [&'static str]) -> Completion {
        Completion::Listener { result, progress, bounded: true, cancellation: None, engine_listener: true }
    }

    /// The result of a method with no engine listener, which only a per-call callback receives (GET-4).
    const fn callback_only(callback: &'static str) -> Completion {
        Completion::Listener {
            result: callback,
            progress: &[],
            bounded: true,
            cancellation: None,
            engine_listener: false,
        }
    }

    /// A transfer that ends in `result` or, once cancelled, in `cancellation`; its duration depends on its file.
    const fn cancellable(
        result: &'static str,
        progress: &'static [&'static str],
        cancellation: &'static str,
    ) -> Completion {
        Completion::Listener {
            result,
            progress,
            bounded: false,
            cancellation: Some(cancellation),
            engine_listener: true,
        }
    }

    /// Whether an event of `listener` ends a call of this method: its result, or its cancellation.
    pub fn is_end(self, listener: &str) -> bool {
        match self {
            Completion::Returns | Completion::StatusOnly => false,
            Completion::Listener { result, cancellation, .. } => {
                listener == result || cancellation.is_some_and(|cancellation| cancellation == listener)
            }
        }
    }

    /// Whether the result of a call made without a callback reaches an engine listener (`false`: it is dropped,
    /// GET-4).
    pub fn reaches_engine_listener(self) -> bool {
        matches!(self, Completion::Listener { engine_listener: true, .. })
    }

    /// The listeners that carry this method's results, the terminal one last.
    pub fn listeners(self) -> Vec<&'static str> {
        match self {
            Completion::Returns | Completion::StatusOnly => Vec::new(),
            Completion::Listener { result, progress, .. } => progress.iter().copied().chain([result]).collect(),
        }
    }
}

/// What an accepted call returns besides its status code 0.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Returned {
    /// Nothing: the result, if any, comes later as an event.
    Nothing,
    /// A message object (`create…Message`).
    Message(Box<Message>),
}

impl Serialize for Returned {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Returned::Nothing => serializer.serialize_unit(),
            Returned::Message(message) => message.as_ref().serialize(serializer),
        }
    }
}

/// What [`Engine::call`] gives back: the call's number, which tags the events that answer it, and what the typed
/// method returned (the status code as `Err`, a created message, or nothing).
#[derive(Debug)]
pub struct CallOutcome {
    /// The call's number: its results carry it ([`crate::core::Delivery::call`]).
    pub call: CallId,
    /// What the typed method returned.
    pub result: Result<Returned, ImError>,
}

impl Engine {
    /// Carries out `call` through the typed method it names: the one dispatch from the API as data to the Rust API.
    /// Its results come through the engine listeners (CALL-5), tagged with the call's number.
    pub async fn call(&self, call: Call) -> CallOutcome {
        let (engine, number) = self.for_call(None);
        let result = call.invoke(&engine).await;
        note_status(&result);
        CallOutcome { call: number, result }
    }

    /// Carries out `call` with a per-call callback (CALL-4): its progress and its terminal result come only through
    /// the returned receiver, and the engine listeners do not fire for them. A method that answers through no
    /// listener (a `create…Message`, `disconnect`) has nothing to call back: its receiver yields nothing.
    pub async fn call_with_callback(&self, call: Call) -> (CallOutcome, CallbackReceiver) {
        let (route, receiver) = match call.method().completion() {
            Completion::Listener { result, progress, cancellation, .. } => {
                CallbackRoute::new(result, progress, cancellation)
            }
            Completion::Returns | Completion::StatusOnly => CallbackRoute::new("", &[], None),
        };
        let (engine, number) = self.for_call(Some(route));
        let result = call.invoke(&engine).await;
        note_status(&result);
        (CallOutcome { call: number, result }, receiver)
    }
}

/// The status code a call returns (CALL-1, CODE-6): 0, or the code of a synchronous failure (CALL-12, CODE-11),
/// -101, -102 or -103 (CODE-2 to CODE-4).
fn note_status(result: &Result<Returned, ImError>) {
    crate::mark!("CALL-1");
    crate::mark!("CODE-6");
    if let Err(error) = result {
        crate::mark!("CALL-12");
        crate::mark!("CODE-11");
        match error.code {
            ErrorCode::PARAM_ERROR => crate::mark!("CODE-2"),
            ErrorCode::ENGINE_DESTROYED => crate::mark!("CODE-3"),
            ErrorCode::NATIVE_OPERATION_ERROR => crate::mark!("CODE-4"),
            _ => {}
        }
    }
}

/// The field names of the struct `T` deserialises, read from its `Deserialize` impl (serde passes them to
/// `deserialize_struct`).
fn parameter_names<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    struct Introspect<'a>(&'a mut &'static [&'static str]);

    impl<'de> Deserializer<'de> for Introspect<'_> {
        type Error = de::value::Error;

        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(de::Error::custom("not a struct"))
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            *self.0 = fields;
            Err(de::Error::custom("introspected"))
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
            unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
        }
    }

    let mut fields: &'static [&'static str] = &[];
    let _ = T::deserialize(Introspect(&mut fields));
    fields
}

/// Declares the API table: [`Call`], [`Method`] and the dispatch, from one line per method.
macro_rules! api_table {
    ($( $(#[$doc:meta])* $name:literal => $variant:ident, )*) => {
        /// A call of one of the manual's methods, with its arguments: see the module documentation.
        #[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize, JsonSchema)]
        #[serde(tag = "method")]
        pub enum Call {
            $( $(#[$doc])* #[serde(rename = $name)] $variant($variant), )*
        }

        /// The manual's methods that [`Call`] reaches, without their arguments.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Method {
            $( $(#[$doc])* $variant, )*
        }

        impl Method {
            /// Every method, in table order.
            pub const ALL: &'static [Method] = &[$( Method::$variant, )*];

            /// The manual's name, such as `joinChatRoom`.
            pub fn name(self) -> &'static str {
                match self {
                    $( Method::$variant => $name, )*
                }
            }

            /// The method the manual calls `name`.
            pub fn from_name(name: &str) -> Option<Method> {
                match name {
                    $( $name => Some(Method::$variant), )*
                    _ => None,
                }
            }

            /// How its result reaches the app.
            pub fn completion(self) -> Completion {
                match self {
                    $( Method::$variant => <$variant as ApiMethod>::COMPLETION, )*
                }
            }

            /// Its parameters' names, in the manual's order.
            pub fn parameters(self) -> &'static [&'static str] {
                match self {
                    $( Method::$variant => parameter_names::<$variant>(), )*
                }
            }
        }

        impl Call {
            /// The method called.
            pub fn method(&self) -> Method {
                match self {
                    $( Call::$variant(_) => Method::$variant, )*
                }
            }

            /// The call of `method` whose arguments `parameters` holds (a map of the parameters by name): how a
            /// scenario's `call:` step, which names its method apart from its arguments, becomes a `Call`.
            pub fn from_parameters<'de, D: Deserializer<'de>>(method: Method, parameters: D) -> Result<Call, D::Error> {
                match method {
                    $( Method::$variant => <$variant as Deserialize>::deserialize(parameters).map(Call::$variant), )*
                }
            }

            async fn invoke(self, engine: &Engine) -> Result<Returned, ImError> {
                match self {
                    $( Call::$variant(call) => call.invoke(engine).await, )*
                }
            }
        }
    };
}

api_table! {
    "connect" => Connect,
    "disconnect" => Disconnect,
    "destroy" => Destroy,
    "createTextMessage" => CreateTextMessage,
    "createVoiceMessage" => CreateVoiceMessage,
    "createImageMessage" => CreateImageMessage,
    "createFileMessage" => CreateFileMessage,
    "createSightMessage" => CreateSightMessage,
    "createGIFMessage" => CreateGIFMessage,
    "createReferenceMessage" => CreateReferenceMessage,
    "createLocationMessage" => CreateLocationMessage,
    "createCustomMessage" => CreateCustomMessage,
    "sendMessage" => SendMessage,
    "sendGroupMessageToDesignatedUsers" => SendGroupMessageToDesignatedUsers,
    "sendMediaMessage" => SendMediaMessage,
    "cancelSendingMediaMessage" => CancelSendingMediaMessage,
    "downloadMediaMessage" => DownloadMediaMessage,
    "cancelDownloadingMediaMessage" => CancelDownloadingMediaMessage,
    "getUnreadCount" => GetUnreadCount,
    "getTotalUnreadCount" => GetTotalUnreadCount,
    "getUnreadCountByConversationTypes" => GetUnreadCountByConversationTypes,
    "getFirstUnreadMessage" => GetFirstUnreadMessage,
    "getUnreadMentionedMessages" => GetUnreadMentionedMessages,
    "searchConversations" => SearchConversations,
    "changeMessageSentStatus" => ChangeMessageSentStatus,
    "changeMessageReceiveStatus" => ChangeMessageReceiveStatus,
    "getMessages" => GetMessages,
    "getMessageById" => GetMessageById,
    "getMessageByUid" => GetMessageByUid,
    "insertMessage" => InsertMessage,
    "insertMessages" => InsertMessages,
    "deleteLocalMessages" => DeleteLocalMessages,
    "deleteMessages" => DeleteMessages,
    "clearMessages" => ClearMessages,
    "recallMessage" => RecallMessage,
    "updateMessageExpansion" => UpdateMessageExpansion,
    "removeMessageExpansionForKeys" => RemoveMessageExpansionForKeys,
    "sendPrivateReadReceiptMessage" => SendPrivateReadReceiptMessage,
    "sendGroupReadReceiptRequest" => SendGroupReadReceiptRequest,
    "sendGroupReadReceiptResponse" => SendGroupReadReceiptResponse,
    "syncConversationReadStatus" => SyncConversationReadStatus,
    "syncUltraGroupReadStatus" => SyncUltraGroupReadStatus,
    "searchMessages" => SearchMessages,
    "searchMessagesByTimeRange" => SearchMessagesByTimeRange,
    "searchMessagesByUserId" => SearchMessagesByUserId,
    "changeConversationTypeNotificationLevel" => ChangeConversationTypeNotificationLevel,
    "getConversationTypeNotificationLevel" => GetConversationTypeNotificationLevel,
    "changeConversationNotificationLevel" => ChangeConversationNotificationLevel,
    "getConversationNotificationLevel" => GetConversationNotificationLevel,
    "getBlockedConversations" => GetBlockedConversations,
    "addToBlacklist" => AddToBlacklist,
    "removeFromBlacklist" => RemoveFromBlacklist,
    "getBlacklistStatus" => GetBlacklistStatus,
    "getBlacklist" => GetBlacklist,
    "joinChatRoom" => JoinChatRoom,
    "leaveChatRoom" => LeaveChatRoom,
    "getChatRoomMessages" => GetChatRoomMessages,
    "addChatRoomEntry" => AddChatRoomEntry,
    "addChatRoomEntries" => AddChatRoomEntries,
    "getChatRoomEntry" => GetChatRoomEntry,
    "getChatRoomAllEntries" => GetChatRoomAllEntries,
    "removeChatRoomEntry" => RemoveChatRoomEntry,
    "removeChatRoomEntries" => RemoveChatRoomEntries,
    "getConversations" => GetConversations,
    "getConversation" => GetConversation,
    "getUnreadConversations" => GetUnreadConversations,
    "clearUnreadCount" => ClearUnreadCount,
    "getUnreadMentionedCount" => GetUnreadMentionedCount,
    "removeConversation" => RemoveConversation,
    "removeConversations" => RemoveConversations,
    "saveDraftMessage" => SaveDraftMessage,
    "getDraftMessage" => GetDraftMessage,
    "clearDraftMessage" => ClearDraftMessage,
    "changeConversationTopStatus" => ChangeConversationTopStatus,
    "getConversationTopStatus" => GetConversationTopStatus,
    "getTopConversations" => GetTopConversations,
    "getConversationsForAllChannel" => GetConversationsForAllChannel,
    "sendTypingStatus" => SendTypingStatus,
}

#[cfg(test)]
mod tests;

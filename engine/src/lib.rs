//! # imsim-engine
//!
//! The client engine of imsim: an IMLib-style instant-messaging SDK core (connection, sending, receiving, the local
//! database), written to ship in a real app and to run unchanged inside the simulator.
//!
//! ## Shape
//!
//! - [`core`] is a sans-I/O state machine (the quinn-proto / rustls pattern). It never touches a socket, a clock or
//!   OS entropy: it is fed inputs (`handle_*`: API commands, frames, timeouts, transport events, all stamped with
//!   the caller's `now`) and polled for outputs (`poll_*`: transport actions, frames to send, the next deadline,
//!   events for the app). Every behaviour is therefore testable without a network, and every run reproducible.
//! - [`driver`] is the thin tokio layer: it owns a transport from a [`driver::Connector`] (tokio TCP in
//!   production, turmoil TCP in the simulator), an injected wall clock and a seeded `ChaCha8Rng`, and moves bytes,
//!   time and commands between the app and the core. [`driver::Engine`] is the public API, one method per manual
//!   method (snake_case, spec README decision 7).
//! - [`store`] is the local database: SQLite through rusqlite (bundled), one file per user, numbered migrations;
//!   and an in-memory twin for tests.
//! - [`codec`], [`proto`], [`content`]: the wire protocol (length-prefixed protobuf frames, DESIGN.md).
//! - [`error`], [`limits`], [`types`]: the code table, every limit beside its rule ID, the manual's data model.
//! - [`api`]: the manual's API as data ([`api::Call`], one variant per method), dispatched onto the typed methods by
//!   [`driver::Engine::call`]; with [`core::Event`] (one variant per listener) and the serde forms of the data
//!   model, the one description of the API that the simulator, the docs and the schema reach it through.

pub mod api;
pub mod codec;
pub mod content;
pub mod conversation;
pub mod core;
pub mod driver;
pub mod error;
pub mod files;
pub mod limits;
pub mod marks;
pub mod options;
pub mod store;
pub mod token;
pub mod types;

/// The wire protocol's protobuf types, generated from `proto/imsim.proto` at build time.
#[allow(missing_docs, unreachable_pub, clippy::all)]
pub mod proto {
    include!(concat!(env!("OUT_DIR"), "/imsim.v1.rs"));
}

pub use error::{ErrorCode, ImError};
pub use types::{
    BlacklistStatus, ChatRoomEntriesOperationType, ChatRoomMemberAction, ChatRoomMemberActionType, ChatRoomStatus,
    ConnectionStatus, ConversationType, CustomMessagePolicy, Degrees, EmbeddedMessage, Media, Message, MessageContent,
    MessageDirection, MessagePolicy, MessageType, Platform, ReceivedStatus, SentStatus, TimeOrder,
};

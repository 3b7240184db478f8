//! The public engine API and the thin tokio layer that runs the sans-I/O core.
//!
//! `Engine::create` returns three things: the [`Engine`] handle whose methods mirror the manual's (snake_case,
//! spec README decision 7), an [`EventReceiver`] that yields what the manual's listeners receive, and the
//! [`EngineDriver`], a future the app must run for anything to happen (the quinn `ConnectionDriver` pattern). The
//! driver owns the core, the transport and the database, so it is `!Send`: run it on a current-thread runtime or a
//! `LocalSet`. The handle is `Send + Sync`.
//!
//! Everything the outside world supplies comes through [`Runtime`]: the [`Connector`] that opens transports (tokio
//! TCP in production, turmoil TCP in the simulator), the wall [`Clock`], the RNG seed and where databases live.
//! Timers use `tokio::time`, which turmoil virtualises; nothing here reads `std::time::Instant`.

mod blacklist;
mod callbacks;
mod chatroom;
mod conversations;
mod local_messages;
mod media;
mod message_store;
mod notification;
mod receipts;
mod task;

use std::collections::BTreeMap;
use std::future::Future;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{mpsc, oneshot};

use crate::core::{CallId, Core, CoreConfig, Delivery, Now, StoreOpener};
use crate::error::ImError;
use crate::files::MediaFiles;
use crate::limits::{HEARTBEAT_INTERVAL_MS_DEFAULT, HEARTBEAT_TIMEOUT_MS_DEFAULT, MEDIA_FILE_SERVER_DEFAULT};
use crate::options::{DeploymentOptions, ServerAddress};
use crate::store::{MemoryStore, SqliteStore, Store, StoreError, Sync};
use crate::token::hex;
use crate::types::{ConnectionStatus, ConversationType, CustomMessagePolicy, Message, Platform};
pub use callbacks::CallbackReceiver;
pub(crate) use callbacks::CallbackRoute;
pub(crate) use callbacks::Callbacks;
pub use task::EngineDriver;

/// A byte stream to the server.
pub trait Transport: AsyncRead + AsyncWrite + Unpin {}

impl<T: AsyncRead + AsyncWrite + Unpin> Transport for T {}

/// A transport being opened.
pub type ConnectFuture = Pin<Box<dyn Future<Output = io::Result<Box<dyn Transport>>>>>;

/// Opens transports to the server: the seam between the engine and the network.
pub trait Connector {
    /// Starts opening a new connection.
    fn connect(&self) -> ConnectFuture;
}

/// Opens plain TCP connections with tokio, for production use.
#[derive(Clone, Debug)]
pub struct TcpConnector {
    address: String,
}

impl TcpConnector {
    /// A connector to `address` (`host:port`).
    pub fn new(address: impl Into<String>) -> TcpConnector {
        TcpConnector { address: address.into() }
    }
}

impl Connector for TcpConnector {
    fn connect(&self) -> ConnectFuture {
        let address = self.address.clone();
        Box::pin(async move {
            let stream = tokio::net::TcpStream::connect(address).await?;
            stream.set_nodelay(true)?;
            Ok(Box::new(stream) as Box<dyn Transport>)
        })
    }
}

/// The wall clock: Unix milliseconds for the timestamps the manual shows (sent and received times).
pub trait Clock {
    /// Milliseconds since the Unix epoch.
    fn unix_ms(&self) -> i64;

    /// Told each time the driver waits for input, how long until the earliest timer it is waiting on fires (`None`:
    /// it waits on none). A real clock ignores it; a simulated one uses it to jump over time in which nothing is
    /// due (the simulator's runner), so it must hear of every timer the driver waits on.
    fn next_timer(&self, _due_in: Option<std::time::Duration>) {}
}

/// The operating system's wall clock, for production use. The simulator injects its own clock instead.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn unix_ms(&self) -> i64 {
        let since_epoch = std::time::SystemTime::now() // determinism: ok, production clock; the simulator injects its own
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX)
    }
}

/// Where the engine keeps its databases, one per user.
#[derive(Clone, Debug)]
pub enum Storage {
    /// SQLite files under this directory: `<dir>/<hex app key>/<hex user id>.sqlite`.
    Directory(PathBuf),
    /// As `Directory`, with commits that survive the app's crash but not the machine's (`store::Sync::Off`): for
    /// a simulator, whose crashes are app crashes and whose runs should not wait on the real disk.
    DirectoryWithoutSync(PathBuf),
    /// In memory only; everything is lost with the engine. For tests.
    Memory,
}

/// The database file of `user_id` under `app_key` in a `Storage::Directory(root)` (or `DirectoryWithoutSync`).
pub fn database_path(root: &Path, app_key: &str, user_id: &str) -> PathBuf {
    root.join(hex(app_key.as_bytes())).join(format!("{}.sqlite", hex(user_id.as_bytes())))
}

impl StoreOpener for Storage {
    fn open(&mut self, app_key: &str, user_id: &str) -> Result<Box<dyn Store>, StoreError> {
        let (root, sync) = match self {
            Storage::Memory => return Ok(Box::new(MemoryStore::new())),
            Storage::Directory(root) => (root, Sync::Normal),
            Storage::DirectoryWithoutSync(root) => (root, Sync::Off),
        };
        let path = database_path(root, app_key, user_id);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        Ok(Box::new(SqliteStore::open_with(&path, sync)?))
    }
}

/// The start of the media URLs an engine's uploads get (ENG-9, SEND-13): the `fileServer` option's, or the default.
fn file_server_url(option: Option<&str>) -> Result<String, ImError> {
    if option.is_some() {
        crate::mark!("ENG-9");
    }
    let address = ServerAddress::parse(option.unwrap_or(MEDIA_FILE_SERVER_DEFAULT))?;
    Ok(address.base_url())
}

/// What the engine needs from its environment.
pub struct Runtime {
    /// Opens transports to the server.
    pub connector: Box<dyn Connector>,
    /// The wall clock.
    pub clock: Box<dyn Clock>,
    /// Seeds every random choice the engine makes.
    pub rng_seed: u64,
    /// Where databases live.
    pub storage: Storage,
    /// The device's platform class (MULTI).
    pub platform: Platform,
    /// A stable ID of this installation.
    pub device_id: String,
    /// The device's files, which media messages name: [`crate::files::DiskFiles`] in an app,
    /// [`crate::files::MemoryFiles`] in the simulator.
    pub files: Box<dyn MediaFiles>,
}

/// `RCIMIWEngineOptions` (ENG-3, ENG-7 to ENG-17 and the "Types" section of part 1). All configuration is given at
/// `create` (ENG-3) and can be read back (`Engine::options`), never changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngineOptions {
    /// ENG-14: on an automatic reconnect, `false` kicks the device that is online, `true` makes this device give up.
    pub kick_reconnect_device: bool,
    /// ENG-7 to ENG-13, ENG-15 to ENG-17: the server addresses of a private deployment, push and compression.
    pub deployment: DeploymentOptions,
    /// RECONN-12 (not a manual option): the interval between heartbeats.
    pub heartbeat_interval_ms: u64,
    /// RECONN-12 (not a manual option): how long a heartbeat may go unanswered.
    pub heartbeat_timeout_ms: u64,
}

impl Default for EngineOptions {
    fn default() -> EngineOptions {
        EngineOptions {
            kick_reconnect_device: false,
            deployment: DeploymentOptions::default(),
            heartbeat_interval_ms: HEARTBEAT_INTERVAL_MS_DEFAULT,
            heartbeat_timeout_ms: HEARTBEAT_TIMEOUT_MS_DEFAULT,
        }
    }
}

/// Receives the engine's events: what the manual delivers through its listeners, each tagged with the call it
/// answers when it answers one made through the API table (`Engine::call`).
pub type EventReceiver = mpsc::UnboundedReceiver<Delivery>;

/// A call the driver runs against the core, with the current time and the per-call callbacks.
type Command = Box<dyn FnOnce(&mut Core, Now, &mut Callbacks) + Send>;

/// The engine handle: the manual's `RCIMIWEngine`. Cheap to clone; every clone drives the same engine.
///
/// ENG-2: every method is called on this object, and it is obtained only through [`Engine::create`]; it cannot be
/// built any other way:
///
/// ```compile_fail
/// let engine = imsim_engine::driver::Engine { commands: todo!(), call_numbers: todo!(), context: None, options: todo!() };
/// ```
///
/// ```compile_fail
/// let engine: imsim_engine::driver::Engine = Default::default();
/// ```
#[derive(Clone, Debug)]
pub struct Engine {
    commands: mpsc::UnboundedSender<Command>,
    /// The numbers of the calls made through the API table, shared by every clone.
    call_numbers: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// Set on the handle `Engine::call` makes for one call: the events that call causes are tagged with it, and its
    /// results go to its callback, if it passed one.
    context: Option<CallContext>,
    /// The options given to `create`, which nothing changes afterwards (ENG-3).
    options: std::sync::Arc<EngineOptions>,
}

/// The call a handle carries out (see [`Engine::context`]).
#[derive(Clone, Debug)]
struct CallContext {
    call: CallId,
    callback: Option<CallbackRoute>,
}

impl Engine {
    /// `RCIMIWEngine.create(appKey, options)` (ENG-1): the engine, its events, and the driver to run.
    pub fn create(
        app_key: &str,
        options: EngineOptions,
        runtime: Runtime,
    ) -> Result<(Engine, EventReceiver, EngineDriver), ImError> {
        if app_key.is_empty() {
            return Err(ImError::param("app key must not be empty"));
        }
        if options.heartbeat_interval_ms == 0 || options.heartbeat_timeout_ms == 0 {
            return Err(ImError::param("heartbeat interval and timeout must be positive"));
        }
        // ENG-8 to ENG-12: a server address that is not one fails `create` with -101.
        options.deployment.validate()?;
        let config = CoreConfig {
            app_key: app_key.to_owned(),
            platform: runtime.platform,
            device_id: runtime.device_id,
            kick_reconnect_device: options.kick_reconnect_device,
            heartbeat_interval_ms: options.heartbeat_interval_ms,
            heartbeat_timeout_ms: options.heartbeat_timeout_ms,
            file_server: file_server_url(options.deployment.file_server.as_deref())?,
        };
        crate::mark!("ENG-1");
        let core = Core::new(config, Box::new(runtime.storage), runtime.files, runtime.rng_seed);
        let (command_sender, command_receiver) = mpsc::unbounded_channel();
        let (event_sender, event_receiver) = mpsc::unbounded_channel();
        let driver = EngineDriver::new(core, runtime.connector, runtime.clock, command_receiver, event_sender);
        let engine = Engine {
            commands: command_sender,
            call_numbers: Default::default(),
            context: None,
            options: std::sync::Arc::new(options),
        };
        Ok((engine, event_receiver, driver))
    }

    /// Sets (`set`) or removes (`engine?.onX = null`) the engine listener `listener`, such as `onMessageReceived`
    /// (CALL-3): while it is removed, its events, and the results of calls made without a callback, are dropped
    /// (CALL-5); the last assignment wins (CODE-9). Every listener is set when the engine is created. -101 for a name
    /// that is no listener, -102 once destroyed.
    pub async fn set_listener(&self, listener: &str, set: bool) -> Result<(), ImError> {
        if !crate::core::Event::listener_names().iter().any(|name| name == listener) {
            return Err(ImError::param(format!("{listener:?} is no listener of the engine")));
        }
        let listener = listener.to_owned();
        self.command(move |core, _, callbacks| {
            if core.is_destroyed() {
                return Err(ImError::destroyed());
            }
            callbacks.set_listener(&listener, set);
            Ok(())
        })
        .await
    }

    /// The options the engine was created with (ENG-3: given at `create`, never changed): the server addresses,
    /// push and compression options are stored as given (ENG-13, ENG-15, ENG-17).
    pub fn options(&self) -> &EngineOptions {
        &self.options
    }

    /// A handle that carries out one call made through the API table, with its new number: the events the call
    /// causes are tagged with the number, and with a `callback` route its results go to that route's receiver
    /// instead of the engine listeners (CALL-4).
    pub(crate) fn for_call(&self, callback: Option<CallbackRoute>) -> (Engine, CallId) {
        let call = CallId(self.call_numbers.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1);
        (Engine { context: Some(CallContext { call, callback }), ..self.clone() }, call)
    }

    /// Runs `call` on the core inside the driver, as this handle's call if it carries one, and returns its result;
    /// -102 once the engine is gone.
    async fn run<T: Send + 'static>(
        &self,
        call: impl FnOnce(&mut Core, Now) -> Result<T, ImError> + Send + 'static,
    ) -> Result<T, ImError> {
        let context = self.context.clone();
        self.command(move |core, now, callbacks| {
            let result = core.within_call(context.as_ref().map(|context| context.call), |core| call(core, now));
            if result.is_ok()
                && let Some(CallContext { call, callback: Some(route) }) = context
            {
                callbacks.insert(call, route);
            }
            result
        })
        .await
    }

    /// Runs `command` inside the driver, with the core, the time and the callbacks, and returns its result; -102 once
    /// the engine is gone.
    async fn command<T: Send + 'static>(
        &self,
        command: impl FnOnce(&mut Core, Now, &mut Callbacks) -> Result<T, ImError> + Send + 'static,
    ) -> Result<T, ImError> {
        let (reply_sender, reply) = oneshot::channel();
        let command: Command = Box::new(move |core, now, callbacks| {
            let _ = reply_sender.send(command(core, now, callbacks));
        });
        self.commands.send(command).map_err(|_| ImError::destroyed())?;
        reply.await.map_err(|_| ImError::destroyed())?
    }

    /// `connect(token, timeout)` (CONN-3): see `Core::connect`.
    pub async fn connect(&self, token: &str, timeout_seconds: i32) -> Result<(), ImError> {
        let token = token.to_owned();
        self.run(move |core, now| core.connect(now, &token, timeout_seconds)).await
    }

    /// `disconnect(receivePush)` (CONN-17): see `Core::disconnect`.
    pub async fn disconnect(&self, receive_push: bool) -> Result<(), ImError> {
        self.run(move |core, now| core.disconnect(now, receive_push)).await
    }

    /// `destroy()` (ENG-4, ENG-5): every later call returns -102.
    pub async fn destroy(&self) -> Result<(), ImError> {
        self.run(|core, now| core.destroy(now)).await
    }

    /// `createTextMessage(type, targetId, channelId, text)` (MTYPE-10): see `Core::create_text_message`. Like
    /// every `create_*_message`, it returns the message object (the manual's `create…` methods return one, not a
    /// status code) or the status code of a refused call: -101 for an argument error (CALL-12), -102 once
    /// destroyed.
    pub async fn create_text_message(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
        text: &str,
    ) -> Result<Message, ImError> {
        let (target_id, channel_id, text) = (target_id.to_owned(), channel_id.map(str::to_owned), text.to_owned());
        self.run(move |core, _| core.create_text_message(conversation_type, &target_id, channel_id.as_deref(), &text))
            .await
    }

    /// `createVoiceMessage(type, targetId, channelId, path, duration)` (MTYPE-11): see
    /// `Core::create_voice_message`.
    pub async fn create_voice_message(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
        path: &str,
        duration: u32,
    ) -> Result<Message, ImError> {
        let (target_id, channel_id, path) = (target_id.to_owned(), channel_id.map(str::to_owned), path.to_owned());
        self.run(move |core, _| {
            core.create_voice_message(conversation_type, &target_id, channel_id.as_deref(), &path, duration)
        })
        .await
    }

    /// `createImageMessage(type, targetId, channelId, path)` (MTYPE-12): see `Core::create_image_message`.
    pub async fn create_image_message(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
        path: &str,
    ) -> Result<Message, ImError> {
        let (target_id, channel_id, path) = (target_id.to_owned(), channel_id.map(str::to_owned), path.to_owned());
        self.run(move |core, _| core.create_image_message(conversation_type, &target_id, channel_id.as_deref(), &path))
            .await
    }

    /// `createFileMessage(type, targetId, channelId, path)` (MTYPE-13): see `Core::create_file_message`.
    pub async fn create_file_message(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
        path: &str,
    ) -> Result<Message, ImError> {
        let (target_id, channel_id, path) = (target_id.to_owned(), channel_id.map(str::to_owned), path.to_owned());
        self.run(move |core, _| core.create_file_message(conversation_type, &target_id, channel_id.as_deref(), &path))
            .await
    }

    /// `createSightMessage(type, targetId, channelId, path, duration)` (MTYPE-14): see
    /// `Core::create_sight_message`.
    pub async fn create_sight_message(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
        path: &str,
        duration: u32,
    ) -> Result<Message, ImError> {
        let (target_id, channel_id, path) = (target_id.to_owned(), channel_id.map(str::to_owned), path.to_owned());
        self.run(move |core, _| {
            core.create_sight_message(conversation_type, &target_id, channel_id.as_deref(), &path, duration)
        })
        .await
    }

    /// `createGIFMessage(type, targetId, channelId, path)` (MTYPE-15): see `Core::create_gif_message`.
    pub async fn create_gif_message(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
        path: &str,
    ) -> Result<Message, ImError> {
        let (target_id, channel_id, path) = (target_id.to_owned(), channel_id.map(str::to_owned), path.to_owned());
        self.run(move |core, _| core.create_gif_message(conversation_type, &target_id, channel_id.as_deref(), &path))
            .await
    }

    /// `createReferenceMessage(type, targetId, channelId, referenceMessage, text)` (MTYPE-17): see
    /// `Core::create_reference_message`.
    pub async fn create_reference_message(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
        reference_message: &Message,
        text: &str,
    ) -> Result<Message, ImError> {
        let (target_id, channel_id, text) = (target_id.to_owned(), channel_id.map(str::to_owned), text.to_owned());
        let reference_message = reference_message.clone();
        self.run(move |core, _| {
            core.create_reference_message(
                conversation_type,
                &target_id,
                channel_id.as_deref(),
                &reference_message,
                &text,
            )
        })
        .await
    }

    /// `createLocationMessage(type, targetId, channelId, longitude, latitude, poiName, thumbnailPath)`
    /// (MTYPE-18): see `Core::create_location_message`.
    #[allow(clippy::too_many_arguments)] // the manual's signature
    pub async fn create_location_message(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
        longitude: f64,
        latitude: f64,
        poi_name: &str,
        thumbnail_path: &str,
    ) -> Result<Message, ImError> {
        let (target_id, channel_id) = (target_id.to_owned(), channel_id.map(str::to_owned));
        let (poi_name, thumbnail_path) = (poi_name.to_owned(), thumbnail_path.to_owned());
        self.run(move |core, _| {
            core.create_location_message(
                conversation_type,
                &target_id,
                channel_id.as_deref(),
                longitude,
                latitude,
                &poi_name,
                &thumbnail_path,
            )
        })
        .await
    }

    /// `createCustomMessage(type, targetId, channelId, policy, messageIdentifier, fields)` (MTYPE-21): see
    /// `Core::create_custom_message`.
    #[allow(clippy::too_many_arguments)] // the manual's signature
    pub async fn create_custom_message(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
        policy: CustomMessagePolicy,
        message_identifier: &str,
        fields: BTreeMap<String, String>,
    ) -> Result<Message, ImError> {
        let (target_id, channel_id) = (target_id.to_owned(), channel_id.map(str::to_owned));
        let message_identifier = message_identifier.to_owned();
        self.run(move |core, _| {
            core.create_custom_message(
                conversation_type,
                &target_id,
                channel_id.as_deref(),
                policy,
                &message_identifier,
                fields,
            )
        })
        .await
    }

    /// `sendGroupMessageToDesignatedUsers(message, userIds)` (GRP): a group message only these members receive.
    pub async fn send_group_message_to_designated_users(
        &self,
        message: Message,
        user_ids: Vec<String>,
    ) -> Result<(), ImError> {
        self.run(move |core, now| core.send_group_message_to_designated_users(now, &message, &user_ids)).await
    }

    /// `sendMessage(message)` (SEND-3): see `Core::send_message`.
    pub async fn send_message(&self, message: Message) -> Result<(), ImError> {
        self.run(move |core, now| core.send_message(now, &message)).await
    }

    /// imsim's platform hook, not one of the manual's methods: the OS reports the network gone or back (RECONN-3,
    /// RECONN-5). A real app wires it to its connectivity listener; the simulator calls it on `network_lost` and
    /// `network_restored` steps.
    pub async fn notify_network_available(&self, available: bool) -> Result<(), ImError> {
        self.run(move |core, now| {
            core.handle_network_changed(now, available);
            Ok(())
        })
        .await
    }

    /// imsim's platform hook, not one of the manual's methods: the app came to the foreground (`true`) or went to
    /// the background (`false`) (RECONN-5, RECONN-13).
    pub async fn notify_app_foreground(&self, foreground: bool) -> Result<(), ImError> {
        self.run(move |core, now| {
            core.handle_app_state(now, foreground);
            Ok(())
        })
        .await
    }

    /// `getUnreadCount(type, targetId, channelId)` (UNREAD-2, UNREAD-6) → `onUnreadCountLoaded`: see
    /// `Core::load_unread_count`. Refused with -101 for an invalid conversation or a chatroom, -102 once destroyed,
    /// -103 before any `connect`.
    pub async fn get_unread_count(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
        channel_id: Option<&str>,
    ) -> Result<(), ImError> {
        let (target_id, channel_id) = (target_id.to_owned(), channel_id.map(str::to_owned));
        self.run(move |core, _| core.load_unread_count(conversation_type, &target_id, channel_id.as_deref())).await
    }

    /// `getTotalUnreadCount(channelId)` (UNREAD-1) → `onTotalUnreadCountLoaded`: see
    /// `Core::load_total_unread_count`. Refused with -102 once destroyed, -103 before any `connect`.
    pub async fn get_total_unread_count(&self, channel_id: Option<&str>) -> Result<(), ImError> {
        let channel_id = channel_id.map(str::to_owned);
        self.run(move |core, _| core.load_total_unread_count(channel_id.as_deref())).await
    }

    /// `getUnreadCountByConversationTypes(conversationTypes, channelId, contain)` (UNREAD-3) →
    /// `onUnreadCountByConversationTypesLoaded`: see `Core::load_unread_count_by_conversation_types`.
    pub async fn get_unread_count_by_conversation_types(
        &self,
        conversation_types: &[ConversationType],
        channel_id: Option<&str>,
        contain: bool,
    ) -> Result<(), ImError> {
        let (conversation_types, channel_id) = (conversation_types.to_vec(), channel_id.map(str::to_owned));
        self.run(move |core, _| {
            core.load_unread_count_by_conversation_types(&conversation_types, channel_id.as_deref(), contain)
        })
        .await
    }

    /// The current connection status (CONN-7).
    pub async fn connection_status(&self) -> Result<ConnectionStatus, ImError> {
        self.run(|core, _| if core.is_destroyed() { Err(ImError::destroyed()) } else { Ok(core.connection_status()) })
            .await
    }

    /// imsim's inspection call, not one of the manual's: every stored message of a conversation, oldest first.
    /// Checkers and scenarios use it to look at the local database.
    pub async fn local_messages(
        &self,
        conversation_type: ConversationType,
        target_id: &str,
    ) -> Result<Vec<Message>, ImError> {
        let target_id = target_id.to_owned();
        self.run(move |core, _| {
            let store = core
                .store()
                .ok_or_else(|| ImError::new(crate::ErrorCode::NATIVE_OPERATION_ERROR, "no database is open"))?;
            store
                .conversation_messages(conversation_type, &target_id)
                .map_err(|error| ImError::new(crate::ErrorCode::NATIVE_OPERATION_ERROR, error.to_string()))
        })
        .await
    }
}

#[cfg(test)]
mod tests;

//! The driver loop: one task that owns the core and moves commands, bytes and time in and actions and events out.
//!
//! Every `select!` is `biased`, so the order in which ready inputs are handled is fixed by the code, not by a
//! random draw: with the same inputs at the same simulated times, the core sees the same sequence.

use std::future::pending;
use std::io;
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _, ReadHalf, WriteHalf};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::{Callbacks, Clock, Command, ConnectFuture, Connector, Transport};
use crate::core::{Core, Delivery, Now, TransportAction};
use crate::limits::READ_CHUNK_BYTES;

/// How long a closing connection may take to write what was queued before it (a logout frame, say), and then to
/// be closed by the peer. The peer may be unreachable, so neither can be allowed to wait for ever.
const CLOSE_FLUSH_TIMEOUT_MS: u64 = 1_000;

/// Runs the engine. Nothing happens until this future is polled; it finishes when the engine is destroyed or every
/// `Engine` handle is dropped.
#[must_use = "the engine does nothing unless its driver runs"]
pub struct EngineDriver {
    core: Core,
    connector: Box<dyn Connector>,
    clock: Box<dyn Clock>,
    commands: mpsc::UnboundedReceiver<Command>,
    events: mpsc::UnboundedSender<Delivery>,
    /// The per-call callbacks waiting for their call's result.
    callbacks: Callbacks,
    started: Instant,
    connecting: Option<ConnectFuture>,
    reader: Option<ReadHalf<Box<dyn Transport>>>,
    writer: Option<WriteHalf<Box<dyn Transport>>>,
    /// Bytes queued for the open transport and not yet written.
    unwritten: Vec<u8>,
    /// A transport the core closed, half-closed after its last bytes and read (and discarded) until the peer closes
    /// it too or the deadline passes: closing a socket with unread input resets it, and a reset can overtake the
    /// last frames, a `Logout` among them (CONN-20; found by `push/offline-push-notifications.yaml`, seed 7).
    closing: Option<(ReadHalf<Box<dyn Transport>>, Instant)>,
}

impl EngineDriver {
    pub(super) fn new(
        core: Core,
        connector: Box<dyn Connector>,
        clock: Box<dyn Clock>,
        commands: mpsc::UnboundedReceiver<Command>,
        events: mpsc::UnboundedSender<Delivery>,
    ) -> EngineDriver {
        EngineDriver {
            core,
            connector,
            clock,
            commands,
            events,
            callbacks: Callbacks::default(),
            started: Instant::now(),
            connecting: None,
            reader: None,
            writer: None,
            unwritten: Vec::new(),
            closing: None,
        }
    }

    fn now(&self) -> Now {
        let monotonic_ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        Now { monotonic_ms, unix_ms: self.clock.unix_ms() }
    }

    /// Runs the engine until it is destroyed or every handle is gone.
    pub async fn run(mut self) {
        let mut read_buffer = vec![0_u8; READ_CHUNK_BYTES];
        let mut discarded = vec![0_u8; READ_CHUNK_BYTES];
        loop {
            self.apply_outputs().await;
            if self.core.is_destroyed() {
                self.clock.next_timer(None);
                return;
            }
            let deadline = self.core.poll_timeout().map(|ms| self.started + Duration::from_millis(ms));
            self.clock.next_timer(deadline.map(|deadline| deadline.saturating_duration_since(Instant::now())));
            tokio::select! {
                biased;
                command = self.commands.recv() => match command {
                    Some(command) => {
                        let now = self.now();
                        command(&mut self.core, now, &mut self.callbacks);
                    }
                    None => {
                        let now = self.now();
                        let _ = self.core.destroy(now);
                    }
                },
                opened = poll_connecting(&mut self.connecting) => {
                    self.connecting = None;
                    let now = self.now();
                    match opened {
                        Ok(transport) => {
                            let (reader, writer) = tokio::io::split(transport);
                            self.reader = Some(reader);
                            self.writer = Some(writer);
                            self.core.handle_transport_opened(now);
                        }
                        Err(_) => self.core.handle_transport_closed(now),
                    }
                },
                read = read_some(&mut self.reader, &mut read_buffer) => {
                    let now = self.now();
                    match read {
                        Ok(0) | Err(_) => {
                            self.drop_transport();
                            self.core.handle_transport_closed(now);
                        }
                        Ok(count) => self.core.handle_bytes(now, &read_buffer[..count]),
                    }
                },
                written = write_some(&mut self.writer, &self.unwritten) => match written {
                    Ok(count) => {
                        self.unwritten.drain(..count);
                    }
                    Err(_) => {
                        let now = self.now();
                        self.drop_transport();
                        self.core.handle_transport_closed(now);
                    }
                },
                () = sleep_until(deadline) => {
                    let now = self.now();
                    self.core.handle_timeout(now);
                },
                finished = drain(&mut self.closing, &mut discarded) => if finished {
                    self.closing = None;
                },
            }
        }
    }

    /// Carries out the core's transport actions and forwards its events, in order.
    async fn apply_outputs(&mut self) {
        while let Some(action) = self.core.poll_transport() {
            match action {
                TransportAction::Open => {
                    self.drop_transport();
                    self.connecting = Some(self.connector.connect());
                }
                TransportAction::Send(bytes) => {
                    if self.writer.is_some() {
                        self.unwritten.extend_from_slice(&bytes);
                    }
                }
                TransportAction::Close => self.close_transport().await,
            }
        }
        while let Some(delivery) = self.core.poll_event() {
            if let Some(delivery) = self.callbacks.route(delivery) {
                // An app that dropped its receiver has chosen not to listen.
                let _ = self.events.send(delivery);
            }
        }
    }

    /// Writes what is queued (for a bounded time) and half-closes the transport, then leaves it to `closing` to be
    /// read until the peer closes it.
    async fn close_transport(&mut self) {
        let mut flushed = false;
        if let Some(writer) = self.writer.as_mut() {
            let unwritten = std::mem::take(&mut self.unwritten);
            let flush = async {
                writer.write_all(&unwritten).await?;
                writer.shutdown().await
            };
            let bound = Duration::from_millis(CLOSE_FLUSH_TIMEOUT_MS);
            self.clock.next_timer(Some(bound));
            flushed = matches!(tokio::time::timeout(bound, flush).await, Ok(Ok(())));
        }
        if flushed && let Some(reader) = self.reader.take() {
            self.closing = Some((reader, Instant::now() + Duration::from_millis(CLOSE_FLUSH_TIMEOUT_MS)));
        }
        self.drop_transport();
    }

    fn drop_transport(&mut self) {
        self.connecting = None;
        self.reader = None;
        self.writer = None;
        self.unwritten.clear();
    }
}

async fn poll_connecting(connecting: &mut Option<ConnectFuture>) -> io::Result<Box<dyn Transport>> {
    match connecting {
        Some(future) => future.await,
        None => pending().await,
    }
}

async fn read_some(reader: &mut Option<ReadHalf<Box<dyn Transport>>>, buffer: &mut [u8]) -> io::Result<usize> {
    match reader {
        Some(reader) => reader.read(buffer).await,
        None => pending().await,
    }
}

async fn write_some(writer: &mut Option<WriteHalf<Box<dyn Transport>>>, bytes: &[u8]) -> io::Result<usize> {
    match writer {
        Some(writer) if !bytes.is_empty() => writer.write(bytes).await,
        _ => pending().await,
    }
}

/// Reads once from a closing transport, discarding what comes; true once it is over: the peer closed it, it failed,
/// or its deadline passed.
async fn drain(closing: &mut Option<(ReadHalf<Box<dyn Transport>>, Instant)>, discarded: &mut [u8]) -> bool {
    match closing {
        Some((reader, deadline)) => {
            !matches!(tokio::time::timeout_at(*deadline, reader.read(discarded)).await, Ok(Ok(count)) if count > 0)
        }
        None => pending().await,
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => pending().await,
    }
}

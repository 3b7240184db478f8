//! The fake server's turmoil host: a TCP listener and one task per connection around the sans-I/O `Server`.
//!
//! The server's state lives outside the host (an `Rc<RefCell<Server>>` the factory captures), like a database the
//! service keeps on disk; connections die with the host. Each connection task owns its socket and an outbox, so a
//! connection that misbehaves or stalls (a wedged TCP stream never drains) holds up nobody else: a malformed or
//! oversized frame closes that one connection with a protocol error, and the server keeps serving the rest.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Duration;

use imsim_engine::codec::{Deframer, encode_frame};
use imsim_engine::limits::READ_CHUNK_BYTES;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::sync::{Notify, mpsc};
use turmoil::net::{TcpListener, TcpStream};

use crate::check::journal::Journal;
use crate::device::HostFuture;
use crate::net::{SERVER_PORT, sim_unix_ms};
use crate::server::{ConnId, Server, ServerOutput};
use crate::wakes::{SharedWakes, Sleeper};

/// What a connection task is told to do.
enum Outgoing {
    Bytes(Vec<u8>),
    Close,
}

/// The outboxes of the open connections of one boot.
type Outboxes = Rc<RefCell<BTreeMap<ConnId, mpsc::UnboundedSender<Outgoing>>>>;

/// The factory turmoil calls at every boot of the server host.
///
/// `api_called` is notified after each App Server API call the runner makes, so that what the call produced (a
/// delivery, a kick) is handed to the connections at once rather than at the next timer tick. Every frame read or
/// written, and every connection's end, goes into `journal` for the checkers (`check::journal`).
///
/// Before each wait, the host writes when its earliest timer is due into `wakes`, so the runner can jump over the
/// time in between (`crate::wakes`).
pub fn server_host(
    server: Rc<RefCell<Server>>,
    api_called: Rc<Notify>,
    journal: Rc<RefCell<Journal>>,
    wakes: SharedWakes,
) -> impl Fn() -> HostFuture {
    // Connection IDs are never reused, not even across a restart of the host.
    let next_conn = Rc::new(Cell::new(1_u64));
    move || {
        let wire = Wire { server: server.clone(), outboxes: Rc::default(), journal: journal.clone() };
        Box::pin(run_server(wire, next_conn.clone(), api_called.clone(), wakes.clone()))
    }
}

/// What the listener and every connection task of one boot share: the server, the connections' outboxes, and the
/// journal of what crossed.
#[derive(Clone)]
struct Wire {
    server: Rc<RefCell<Server>>,
    outboxes: Outboxes,
    journal: Rc<RefCell<Journal>>,
}

async fn run_server(
    wire: Wire,
    next_conn: Rc<Cell<u64>>,
    api_called: Rc<Notify>,
    wakes: SharedWakes,
) -> turmoil::Result {
    let listener = TcpListener::bind(("0.0.0.0", SERVER_PORT)).await?;
    let server = wire.server.clone();
    // Connection tasks ring this after handling input, which may have moved the server's next deadline.
    let input_handled = Rc::new(Notify::new());
    loop {
        // The server's timers all live in `Server::poll_timeout` (idle sessions, a chatroom's inactivity deadline,
        // CR-4, its real-time eviction, CR-18), so the host wakes exactly when one is due and at no other time.
        let deadline = server.borrow().poll_timeout().map(wake_time);
        let due = deadline.map(|deadline| {
            turmoil::sim_elapsed().unwrap_or_default() + deadline.saturating_duration_since(tokio::time::Instant::now())
        });
        wakes.borrow_mut().set(Sleeper::Server, due);
        let accepted = tokio::select! {
            biased;
            accepted = listener.accept() => accepted,
            () = sleep_until_deadline(deadline) => {
                server.borrow_mut().handle_timeout(sim_unix_ms());
                wire.dispatch();
                continue;
            }
            () = api_called.notified() => {
                wire.dispatch();
                continue;
            }
            () = input_handled.notified() => continue,
        };
        let (stream, _) = accepted?;
        let conn = ConnId(next_conn.get());
        next_conn.set(next_conn.get() + 1);
        let (outbox, inbox) = mpsc::unbounded_channel();
        wire.outboxes.borrow_mut().insert(conn, outbox);
        server.borrow_mut().handle_connection_opened(conn, sim_unix_ms());
        wire.dispatch();
        let task = serve_connection(conn, stream, inbox, wire.clone(), input_handled.clone());
        tokio::task::spawn_local(task);
    }
}

/// The tokio instant (turmoil's simulated clock) at which the simulation's Unix time reaches `deadline_ms`. The
/// simulated clock moves in whole ticks, so waking then reads a Unix time of at least `deadline_ms`.
fn wake_time(deadline_ms: i64) -> tokio::time::Instant {
    let wait_ms = deadline_ms.saturating_sub(sim_unix_ms()).max(0);
    tokio::time::Instant::now() + Duration::from_millis(u64::try_from(wait_ms).unwrap_or(0))
}

/// Waits until `deadline`, or forever when there is none.
async fn sleep_until_deadline(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

impl Wire {
    /// Hands everything the server produced to the connections it is for, journalling each frame and close.
    fn dispatch(&self) {
        loop {
            let Some(output) = self.server.borrow_mut().poll_output() else { return };
            let mut outboxes = self.outboxes.borrow_mut();
            match output {
                ServerOutput::Send { conn, frame } => {
                    self.journal.borrow_mut().outbound(conn, &frame, sim_unix_ms());
                    let mut bytes = Vec::new();
                    // The server never builds a frame over the limit; if it did, dropping it beats crashing.
                    if encode_frame(&frame, &mut bytes).is_ok()
                        && let Some(outbox) = outboxes.get(&conn)
                    {
                        let _ = outbox.send(Outgoing::Bytes(bytes));
                    }
                }
                ServerOutput::Close { conn } => {
                    self.journal.borrow_mut().closed(conn, sim_unix_ms());
                    if let Some(outbox) = outboxes.remove(&conn) {
                        let _ = outbox.send(Outgoing::Close);
                    }
                }
            }
        }
    }

    /// The peer of `conn` went away (or its stream broke) at `now_ms`.
    fn peer_closed(&self, conn: ConnId, now_ms: i64) {
        self.journal.borrow_mut().closed(conn, now_ms);
        self.server.borrow_mut().handle_connection_closed(conn, now_ms);
    }
}

async fn serve_connection(
    conn: ConnId,
    stream: TcpStream,
    mut outgoing: mpsc::UnboundedReceiver<Outgoing>,
    wire: Wire,
    input_handled: Rc<Notify>,
) {
    let (mut reader, mut writer) = stream.into_split();
    let mut deframer = Deframer::new();
    let mut buffer = vec![0_u8; READ_CHUNK_BYTES];
    // Once the peer broke the protocol, nothing more is read from it; the close is on its way.
    let mut reading = true;
    loop {
        tokio::select! {
            biased;
            next = outgoing.recv() => match next {
                Some(Outgoing::Bytes(bytes)) => {
                    if writer.write_all(&bytes).await.is_err() {
                        wire.peer_closed(conn, sim_unix_ms());
                        break;
                    }
                }
                Some(Outgoing::Close) | None => {
                    let _ = writer.shutdown().await;
                    break;
                }
            },
            read = reader.read(&mut buffer), if reading => {
                let now_ms = sim_unix_ms();
                match read {
                    Ok(0) | Err(_) => {
                        wire.peer_closed(conn, now_ms);
                        break;
                    }
                    Ok(count) => {
                        deframer.push(&buffer[..count]);
                        loop {
                            match deframer.next_frame() {
                                Ok(Some(frame)) => {
                                    wire.journal.borrow_mut().inbound(conn, &frame, now_ms);
                                    wire.server.borrow_mut().handle_frame(conn, frame, now_ms);
                                }
                                Ok(None) => break,
                                Err(error) => {
                                    wire.server.borrow_mut().handle_frame_error(conn, &error, now_ms);
                                    reading = false;
                                    break;
                                }
                            }
                        }
                    }
                }
            },
        }
        wire.dispatch();
        input_handled.notify_one();
    }
    wire.outboxes.borrow_mut().remove(&conn);
    wire.dispatch();
    input_handled.notify_one();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::{NetworkSettings, SERVER_HOST, SIM_EPOCH_UNIX_MS, sim_builder};
    use crate::server::ServerConfig;

    /// CR-4: the host wakes at `Server::poll_timeout`, so a room is destroyed at exactly its deadline in simulated
    /// time.
    #[test]
    fn a_chatroom_is_destroyed_at_exactly_its_deadline() {
        let settings = NetworkSettings {
            rng_seed: 1,
            tick: Duration::from_millis(1),
            latency_min: Duration::from_millis(1),
            latency_max: Duration::from_millis(1),
        };
        let mut sim = sim_builder(settings).build();
        let server = Rc::new(RefCell::new(Server::new(ServerConfig::default())));
        server.borrow_mut().create_app("app", "secret");
        let mut config = server.borrow().app_config("app").expect("created").clone();
        config.chatroom_destroy_after_ms = 2_345;
        server.borrow_mut().set_app_config("app", config).expect("a valid config");
        let api_called = Rc::new(Notify::new());
        let wakes = SharedWakes::default();
        sim.host(SERVER_HOST, server_host(server.clone(), api_called.clone(), Rc::default(), wakes.clone()));
        let now = |sim: &turmoil::Sim<'_>| {
            i64::try_from(SIM_EPOCH_UNIX_MS).unwrap() + i64::try_from(sim.elapsed().as_millis()).unwrap()
        };
        for _ in 0..10 {
            sim.step().expect("the server runs");
        }
        assert_eq!(wakes.borrow().earliest(), None, "no timer is due before there is a room");
        let created = now(&sim);
        let created_elapsed = sim.elapsed();
        server.borrow_mut().create_chatroom("app", "room", created).expect("a valid room");
        api_called.notify_one();
        sim.step().expect("the server runs");
        // What the runner jumps to: the room's deadline, in simulated time since the start.
        assert_eq!(wakes.borrow().earliest(), Some(created_elapsed + Duration::from_millis(2_345)));
        let mut destroyed_at = None;
        while destroyed_at.is_none() && now(&sim) < created + 5_000 {
            let before = now(&sim);
            sim.step().expect("the server runs");
            if !server.borrow().chatroom_exists("app", "room") {
                destroyed_at = Some(before);
            }
        }
        assert_eq!(destroyed_at, Some(created + 2_345), "destroyed during the step that starts at the deadline");
    }
}

//! A hostile peer: an extra host that speaks the wire protocol badly, to show that the server closes that one
//! connection with a protocol error and keeps serving everyone else with nothing lost.
//!
//! A real IM service faces clients it did not write: old builds, fuzzers, attackers. The server's promise (and the
//! standard's: a malformed or oversized frame closes that connection with a protocol error while the server keeps
//! serving everyone else) is only worth something if it holds in the middle of live traffic, so a scenario or an
//! explored world can add a hostile peer at any step (`hostile_peer: SEED`). The peer is a turmoil client of its
//! own, signed in (when its attack needs a session) as a user of its own ([`HOSTILE_USER_PREFIX`]) that no device of
//! the world has; the
//! checkers keep judging the world's own devices, which must see nothing of it.
//!
//! Each attack knows exactly how the server must answer it (which `SessionClosed` code, or a silent close when the
//! peer itself stopped mid-frame), so a server that answers otherwise, or not at all within
//! [`HOSTILE_CLOSE_BOUND`], fails the run at the step that added the peer.

use std::time::Duration;

use imsim_engine::codec::{Deframer, encode_frame};
use imsim_engine::limits::{FRAME_HEADER_BYTES, FRAME_SIZE_BYTES_MAX};
use imsim_engine::proto::{self, frame::Body};
use imsim_engine::{ErrorCode, Platform};
use prost::Message as _;
use rand::{Rng as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use turmoil::net::TcpStream;

use crate::net::{SERVER_HOST, SERVER_PORT};
use crate::scenario::Location;
use crate::world::SharedWorld;

/// The start of a hostile peer's name, which is also its user and its device ID (`intruder-1`, …): each peer is a
/// user of its own, so that peers never kick one another. No device of a world may have such a user.
pub const HOSTILE_USER_PREFIX: &str = "intruder-";

/// How long a hostile peer waits, in simulated time, for the server to answer its attack by closing the connection.
/// The server closes at once on reading the bad frame, so this is a few network latencies with room to spare, and
/// well short of the idle timeout (90 s) that would close the connection for another reason.
pub const HOSTILE_CLOSE_BOUND: Duration = Duration::from_secs(10);

/// How many times a mutation is drawn again when it happens to yield a `ConnectRequest` (whose answer depends on
/// the token's checks, not on the protocol).
const MUTATION_ATTEMPTS: usize = 16;

/// What a hostile peer does wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Attack {
    /// A frame header announcing more than the 1 MiB a frame may hold.
    Oversized,
    /// A frame whose payload no protobuf decoder reads (a field with an invalid wire type).
    Undecodable,
    /// A valid frame with a few bytes flipped, sent as the connection's first frame.
    Mutated,
    /// A `ConnectRequest` cut short, after which the peer stops writing.
    Truncated,
    /// A frame out of order: anything but a `ConnectRequest` first.
    BeforeConnect,
    /// A signed-in session sends what only the server sends, or a second `ConnectRequest`.
    WrongDirection,
    /// A signed-in session acknowledges inbox positions it was never sent: another user's.
    ForeignAcknowledgement,
}

impl Attack {
    /// Every attack.
    pub const ALL: [Attack; 7] = [
        Attack::Oversized,
        Attack::Undecodable,
        Attack::Mutated,
        Attack::Truncated,
        Attack::BeforeConnect,
        Attack::WrongDirection,
        Attack::ForeignAcknowledgement,
    ];

    /// Its name, as a scenario writes it.
    pub fn name(self) -> &'static str {
        match self {
            Attack::Oversized => "oversized",
            Attack::Undecodable => "undecodable",
            Attack::Mutated => "mutated",
            Attack::Truncated => "truncated",
            Attack::BeforeConnect => "before_connect",
            Attack::WrongDirection => "wrong_direction",
            Attack::ForeignAcknowledgement => "foreign_acknowledgement",
        }
    }

    /// The attack a scenario names.
    pub fn from_name(name: &str) -> Option<Attack> {
        Attack::ALL.into_iter().find(|attack| attack.name() == name)
    }

    /// Whether the peer signs in first.
    fn signs_in(self) -> bool {
        matches!(self, Attack::WrongDirection | Attack::ForeignAcknowledgement)
    }
}

/// How the server must end a hostile connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Closing {
    /// With a `SessionClosed` of this code, then the close.
    WithError(ErrorCode),
    /// With no frame: the peer itself stopped writing in the middle of a frame, so there is no one to tell.
    Silently,
    /// Not within [`HOSTILE_CLOSE_BOUND`].
    NotClosed,
}

impl std::fmt::Display for Closing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Closing::WithError(code) => {
                write!(f, "closed with {} ({})", code.to_wire(), code.name().unwrap_or("unnamed"))
            }
            Closing::Silently => f.write_str("closed silently"),
            Closing::NotClosed => write!(f, "still open after {}s", HOSTILE_CLOSE_BOUND.as_secs()),
        }
    }
}

/// What the runner knows when it adds a peer.
#[derive(Clone, Debug)]
pub struct Setting {
    /// The peer's host name, user and device ID, unique in the run.
    pub name: String,
    /// The App Key it signs in to.
    pub app_key: String,
    /// A valid token of the peer's user.
    pub token: String,
    /// An inbox position of another user (at least 1), for [`Attack::ForeignAcknowledgement`].
    pub foreign_cursor: u64,
}

/// One hostile peer, fully drawn: what it sends, and how the server must answer.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Its host name.
    pub name: String,
    /// The attack.
    pub attack: Attack,
    /// The `ConnectRequest` it signs in with, for an attack on an open session.
    sign_in: Option<proto::Frame>,
    /// The bytes of the attack itself.
    bytes: Vec<u8>,
    /// Whether it stops writing after them.
    stop_writing: bool,
    /// How the server must answer.
    pub expected: Closing,
}

impl Plan {
    /// The peer of `seed`: `attack`, or one drawn from the seed.
    pub fn draw(seed: u64, attack: Option<Attack>, setting: &Setting) -> Plan {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x4057_11E0);
        let attack = attack.unwrap_or_else(|| Attack::ALL[rng.random_range(0..Attack::ALL.len())]);
        let connect = connect_request(setting);
        let (bytes, stop_writing, expected) = match attack {
            Attack::Oversized => {
                let announced = rng.random_range(FRAME_SIZE_BYTES_MAX + 1..=u32::MAX);
                let mut bytes = announced.to_be_bytes().to_vec();
                bytes.extend((0..rng.random_range(0..64)).map(|_| rng.random::<u8>()));
                (bytes, false, Closing::WithError(ErrorCode::PROTOCOL_FRAME_TOO_LARGE))
            }
            Attack::Undecodable => {
                // A first tag of wire type 6 or 7, which protobuf does not have: no decoder reads past it.
                let field = rng.random_range(1..=15_u8);
                let mut payload = vec![(field << 3) | rng.random_range(6..=7_u8)];
                payload.extend((0..rng.random_range(0..32)).map(|_| rng.random::<u8>()));
                (framed(&payload), false, Closing::WithError(ErrorCode::PROTOCOL_MALFORMED_FRAME))
            }
            Attack::Mutated => mutated(&mut rng),
            Attack::Truncated => {
                let mut bytes = Vec::new();
                encode_frame(&connect, &mut bytes).expect("invariant: a ConnectRequest is small");
                bytes.truncate(rng.random_range(1..bytes.len()));
                (bytes, true, Closing::Silently)
            }
            Attack::BeforeConnect => {
                let body = match rng.random_range(0..3) {
                    0 => Body::Publish(text_publish(&mut rng)),
                    1 => Body::InboxAck(proto::InboxAck { cursor: rng.random_range(0..100) }),
                    _ => Body::Ping(proto::Ping { nonce: rng.random() }),
                };
                (frame_bytes(body), false, Closing::WithError(ErrorCode::PROTOCOL_UNEXPECTED_FRAME))
            }
            Attack::WrongDirection => {
                let body = match rng.random_range(0..4) {
                    0 => connect.body.clone().expect("invariant: built with a body"),
                    1 => Body::PublishAck(proto::PublishAck { code: 0, ..Default::default() }),
                    2 => Body::InboxPackage(proto::InboxPackage::default()),
                    _ => Body::Pong(proto::Pong { nonce: rng.random() }),
                };
                (frame_bytes(body), false, Closing::WithError(ErrorCode::PROTOCOL_UNEXPECTED_FRAME))
            }
            Attack::ForeignAcknowledgement => {
                let body = Body::InboxAck(proto::InboxAck { cursor: setting.foreign_cursor.max(1) });
                (frame_bytes(body), false, Closing::WithError(ErrorCode::PROTOCOL_UNEXPECTED_FRAME))
            }
        };
        Plan {
            name: setting.name.clone(),
            attack,
            sign_in: attack.signs_in().then_some(connect),
            bytes,
            stop_writing,
            expected,
        }
    }
}

/// A valid `Publish` of a text message to a user of its own kind.
fn text_publish(rng: &mut ChaCha8Rng) -> proto::Publish {
    let text = proto::TextContent { text: format!("hostile {}", rng.random::<u16>()) };
    proto::Publish {
        client_message_id: format!("hostile-{}", rng.random::<u32>()),
        conversation_type: 1,
        target_id: format!("{HOSTILE_USER_PREFIX}0"),
        content: Some(proto::MessageContent { object_name: "RC:TxtMsg".into(), payload: text.encode_to_vec() }),
        ..Default::default()
    }
}

/// A `Publish` frame with a few payload bytes flipped, and the answer it must get: a payload no decoder reads, or
/// one without a body, is malformed; one that still reads as a frame is out of order, since it comes before any
/// `ConnectRequest` (a mutation that yields a `ConnectRequest` is drawn again).
fn mutated(rng: &mut ChaCha8Rng) -> (Vec<u8>, bool, Closing) {
    let original = proto::Frame { body: Some(Body::Publish(text_publish(rng))) }.encode_to_vec();
    for _ in 0..MUTATION_ATTEMPTS {
        let mut payload = original.clone();
        for _ in 0..rng.random_range(1..=3) {
            let at = rng.random_range(0..payload.len());
            payload[at] ^= rng.random_range(1..=u8::MAX);
        }
        let expected = match proto::Frame::decode(payload.as_slice()) {
            Err(_) | Ok(proto::Frame { body: None }) => ErrorCode::PROTOCOL_MALFORMED_FRAME,
            Ok(proto::Frame { body: Some(Body::Connect(_)) }) => continue,
            Ok(_) => ErrorCode::PROTOCOL_UNEXPECTED_FRAME,
        };
        return (framed(&payload), false, Closing::WithError(expected));
    }
    (framed(&[0x0F]), false, Closing::WithError(ErrorCode::PROTOCOL_MALFORMED_FRAME))
}

fn connect_request(setting: &Setting) -> proto::Frame {
    proto::Frame {
        body: Some(Body::Connect(proto::ConnectRequest {
            token: setting.token.clone(),
            app_key: setting.app_key.clone(),
            platform: Platform::Mobile.ordinal() as i32,
            device_id: setting.name.clone(),
            inbox_cursor: 0,
            reconnect: false,
            kick_reconnect_device: false,
        })),
    }
}

/// `payload` behind a header announcing exactly its length.
fn framed(payload: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(FRAME_HEADER_BYTES + payload.len());
    bytes.extend_from_slice(&u32::try_from(payload.len()).unwrap_or(u32::MAX).to_be_bytes());
    bytes.extend_from_slice(payload);
    bytes
}

fn frame_bytes(body: Body) -> Vec<u8> {
    let mut bytes = Vec::new();
    encode_frame(&proto::Frame { body: Some(body) }, &mut bytes).expect("invariant: the attack's frames are small");
    bytes
}

/// The peer's host: it carries out `plan`, then records in the trace how the server answered, and fails the run
/// (at `location`, the step that added it) if that is not what the plan expects.
pub async fn hostile_peer(plan: Plan, world: SharedWorld, location: Location) -> turmoil::Result {
    let observed = tokio::time::timeout(HOSTILE_CLOSE_BOUND, attack(&plan)).await;
    let mut world = world.borrow_mut();
    world.hostile_peers_pending = world.hostile_peers_pending.saturating_sub(1);
    let observed = match observed {
        Ok(Ok(closing)) => closing,
        Ok(Err(problem)) => {
            world.failures.push((location, format!("hostile peer {}: {problem}", plan.name)));
            return Ok(());
        }
        Err(_) => Closing::NotClosed,
    };
    let line = format!("{} -> {observed}", plan.attack.name());
    // The simulation's time, not the peer's own (`turmoil::elapsed` counts from the host's creation).
    world.trace.record(turmoil::sim_elapsed().unwrap_or_default(), &plan.name, &line);
    if observed != plan.expected {
        let message = format!(
            "hostile peer {} ({}): the server must answer it {}, but it was {observed}",
            plan.name,
            plan.attack.name(),
            plan.expected
        );
        world.failures.push((location, message));
    }
    Ok(())
}

/// Signs in if the attack needs a session, sends the attack, and reads until the server closes the connection.
async fn attack(plan: &Plan) -> Result<Closing, String> {
    let mut stream =
        TcpStream::connect((SERVER_HOST, SERVER_PORT)).await.map_err(|e| format!("cannot reach the server: {e}"))?;
    let mut deframer = Deframer::new();
    if let Some(connect) = &plan.sign_in {
        let mut bytes = Vec::new();
        encode_frame(connect, &mut bytes).expect("invariant: a ConnectRequest is small");
        stream.write_all(&bytes).await.map_err(|e| format!("cannot send its ConnectRequest: {e}"))?;
        match next_body(&mut stream, &mut deframer).await? {
            Some(Body::ConnectAck(ack)) if ack.code == 0 => {}
            other => return Err(format!("the server did not accept its valid ConnectRequest: {other:?}")),
        }
    }
    // The server may close before the whole attack is written; what it answered is what counts.
    if stream.write_all(&plan.bytes).await.is_ok() && plan.stop_writing {
        let _ = stream.shutdown().await;
    }
    let mut closed_with = None;
    while let Some(body) = next_body(&mut stream, &mut deframer).await? {
        if let Body::SessionClosed(closed) = body {
            closed_with = Some(ErrorCode::from_wire(closed.code));
        }
    }
    Ok(closed_with.map_or(Closing::Silently, Closing::WithError))
}

/// The next frame from the server, or `None` once it closed the stream.
async fn next_body(stream: &mut TcpStream, deframer: &mut Deframer) -> Result<Option<Body>, String> {
    let mut buffer = [0_u8; 4096];
    loop {
        match deframer.next_frame() {
            Ok(Some(frame)) => return Ok(frame.body),
            Ok(None) => {}
            Err(error) => return Err(format!("the server sent a bad frame: {error}")),
        }
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => return Ok(None),
            Ok(count) => deframer.push(&buffer[..count]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setting() -> Setting {
        Setting { name: "intruder-1".into(), app_key: "app".into(), token: "t".into(), foreign_cursor: 3 }
    }

    /// Every attack is drawn from some seed, and the same seed always draws the same bytes.
    #[test]
    fn seeds_draw_every_attack_and_the_same_seed_the_same_bytes() {
        let drawn: std::collections::BTreeSet<Attack> =
            (0..200).map(|seed| Plan::draw(seed, None, &setting()).attack).collect();
        assert_eq!(drawn.len(), Attack::ALL.len());
        for seed in 0..50 {
            assert_eq!(Plan::draw(seed, None, &setting()).bytes, Plan::draw(seed, None, &setting()).bytes);
        }
    }

    /// The expected answer of each attack is what the codec says of its bytes: an oversized header, an
    /// undecodable payload, or a whole frame that is out of order.
    #[test]
    fn each_attack_expects_what_its_bytes_are() {
        for seed in 0..300 {
            let plan = Plan::draw(seed, None, &setting());
            let mut deframer = Deframer::new();
            deframer.push(&plan.bytes);
            let decoded = deframer.next_frame();
            match plan.expected {
                Closing::WithError(ErrorCode::PROTOCOL_UNEXPECTED_FRAME) => {
                    assert!(matches!(decoded, Ok(Some(_))), "{:?} seed {seed}: {decoded:?}", plan.attack);
                }
                Closing::WithError(code) => {
                    assert_eq!(decoded.map_err(|error| error.code()).err(), Some(code), "{:?}", plan.attack);
                }
                Closing::Silently => assert_eq!(decoded, Ok(None), "a truncated frame is never whole"),
                Closing::NotClosed => panic!("no attack expects to stay open"),
            }
        }
    }
}

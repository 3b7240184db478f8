//! The server over the simulated network, fed bad bytes by raw TCP clients: a malformed or oversized frame closes
//! that one connection with a protocol error, and the server goes on serving everyone else.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use imsim_engine::codec::{Deframer, encode_frame};
use imsim_engine::proto::{self, frame::Body};
use imsim_engine::{ErrorCode, Platform};
use imsim_sim::net::{NetworkSettings, SERVER_HOST, SERVER_PORT, SIM_EPOCH_UNIX_MS, sim_builder};
use imsim_sim::server::{Server, ServerConfig};
use imsim_sim::server_host::server_host;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use turmoil::net::TcpStream;

const APP_KEY: &str = "app";

fn settings() -> NetworkSettings {
    NetworkSettings {
        rng_seed: 1,
        tick: Duration::from_millis(1),
        latency_min: Duration::from_millis(1),
        latency_max: Duration::from_millis(3),
    }
}

/// Reads frames until the server closes the stream; returns them.
async fn frames_until_close(stream: &mut TcpStream) -> Vec<Body> {
    let mut deframer = Deframer::new();
    let mut buffer = [0_u8; 4096];
    let mut bodies = Vec::new();
    loop {
        while let Some(frame) = deframer.next_frame().expect("the server sends valid frames") {
            bodies.push(frame.body.expect("frames have bodies"));
        }
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => return bodies,
            Ok(count) => deframer.push(&buffer[..count]),
        }
    }
}

async fn send(stream: &mut TcpStream, body: Body) {
    let mut bytes = Vec::new();
    encode_frame(&proto::Frame { body: Some(body) }, &mut bytes).expect("small");
    stream.write_all(&bytes).await.expect("writable");
}

fn connect_request(token: String) -> Body {
    Body::Connect(proto::ConnectRequest {
        token,
        app_key: APP_KEY.into(),
        platform: Platform::Mobile.ordinal() as i32,
        device_id: "d".into(),
        inbox_cursor: 0,
        reconnect: false,
        kick_reconnect_device: false,
    })
}

/// What each client received before its connection closed, by client name.
type Log = Rc<RefCell<Vec<(String, Vec<Body>)>>>;

async fn record(log: &Log, name: &str, stream: &mut TcpStream) {
    let bodies = frames_until_close(stream).await;
    log.borrow_mut().push((name.to_owned(), bodies));
}

fn closed_with(bodies: &[Body]) -> Option<ErrorCode> {
    bodies.iter().find_map(|body| match body {
        Body::SessionClosed(closed) => Some(ErrorCode::from_wire(closed.code)),
        _ => None,
    })
}

#[test]
fn bad_frames_close_only_their_own_connection() {
    let mut server = Server::new(ServerConfig::default());
    server.create_app(APP_KEY, "secret");
    let token = server.issue_token(APP_KEY, "alice", SIM_EPOCH_UNIX_MS as i64, None).expect("registered");
    let late_token = server.issue_token(APP_KEY, "bob", SIM_EPOCH_UNIX_MS as i64, None).expect("registered");
    let server = Rc::new(RefCell::new(server));
    let results: Log = Rc::default();

    let mut sim = sim_builder(settings()).build();
    sim.host(SERVER_HOST, server_host(server, Rc::default(), Rc::default(), Rc::default()));

    // A well-behaved client, connected first and still served after the others misbehave.
    let log = results.clone();
    let good_token = token;
    sim.client("good", async move {
        let mut stream = TcpStream::connect((SERVER_HOST, SERVER_PORT)).await?;
        send(&mut stream, connect_request(good_token)).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        send(&mut stream, Body::Ping(proto::Ping { nonce: 42 })).await;
        tokio::time::sleep(Duration::from_millis(50)).await;
        send(&mut stream, Body::Logout(proto::Logout { receive_push: true })).await;
        record(&log, "good", &mut stream).await;
        Ok(())
    });

    // A length prefix far over the limit.
    let log = results.clone();
    sim.client("oversized", async move {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let mut stream = TcpStream::connect((SERVER_HOST, SERVER_PORT)).await?;
        stream.write_all(&u32::MAX.to_be_bytes()).await?;
        record(&log, "oversized", &mut stream).await;
        Ok(())
    });

    // A valid prefix followed by bytes that are not a protobuf frame.
    let log = results.clone();
    sim.client("garbage", async move {
        tokio::time::sleep(Duration::from_millis(60)).await;
        let mut stream = TcpStream::connect((SERVER_HOST, SERVER_PORT)).await?;
        stream.write_all(&[0, 0, 0, 4, 0xff, 0xff, 0xff, 0xff]).await?;
        record(&log, "garbage", &mut stream).await;
        Ok(())
    });

    // A well-formed frame that may not come first.
    let log = results.clone();
    sim.client("out-of-order", async move {
        tokio::time::sleep(Duration::from_millis(70)).await;
        let mut stream = TcpStream::connect((SERVER_HOST, SERVER_PORT)).await?;
        send(&mut stream, Body::InboxAck(proto::InboxAck { cursor: 1 })).await;
        record(&log, "out-of-order", &mut stream).await;
        Ok(())
    });

    // A client that connects after all of that is served normally.
    let log = results.clone();
    sim.client("late", async move {
        tokio::time::sleep(Duration::from_millis(150)).await;
        let mut stream = TcpStream::connect((SERVER_HOST, SERVER_PORT)).await?;
        send(&mut stream, connect_request(late_token)).await;
        tokio::time::sleep(Duration::from_millis(50)).await;
        send(&mut stream, Body::Logout(proto::Logout { receive_push: false })).await;
        record(&log, "late", &mut stream).await;
        Ok(())
    });

    sim.run().expect("the simulation completes without a panic");

    let results = results.borrow();
    let by_name = |name: &str| &results.iter().find(|(n, _)| n == name).expect("client finished").1;
    assert_eq!(closed_with(by_name("oversized")), Some(ErrorCode::PROTOCOL_FRAME_TOO_LARGE));
    assert_eq!(closed_with(by_name("garbage")), Some(ErrorCode::PROTOCOL_MALFORMED_FRAME));
    assert_eq!(closed_with(by_name("out-of-order")), Some(ErrorCode::PROTOCOL_UNEXPECTED_FRAME));
    for name in ["good", "late"] {
        let bodies = by_name(name);
        assert!(matches!(bodies.first(), Some(Body::ConnectAck(ack)) if ack.code == 0), "{name} connected: {bodies:?}");
        assert_eq!(closed_with(bodies), None, "{name} was never closed with an error");
    }
    assert!(
        by_name("good").iter().any(|body| matches!(body, Body::Pong(pong) if pong.nonce == 42)),
        "the first client is still served after the bad ones"
    );
}

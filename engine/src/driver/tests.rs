//! Driver tests over an in-memory duplex stream, with tokio's paused clock: the real driver loop, a hand-played
//! server, and no wall-clock waits.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _, DuplexStream};
use tokio::sync::mpsc;

use super::*;
use crate::codec::{Deframer, encode_frame};
use crate::error::ErrorCode;
use crate::proto::{self, frame::Body};
use crate::token::TokenClaims;

/// Hands the engine one end of a fresh duplex pair per connection and the test the other.
struct DuplexConnector {
    server_ends: mpsc::UnboundedSender<DuplexStream>,
}

impl Connector for DuplexConnector {
    fn connect(&self) -> ConnectFuture {
        let (client, server) = tokio::io::duplex(64 * 1024);
        let sent = self.server_ends.send(server);
        Box::pin(async move {
            sent.map_err(|_| io::Error::other("test over"))?;
            Ok(Box::new(client) as Box<dyn Transport>)
        })
    }
}

struct FixedClock(Arc<Mutex<i64>>);

impl Clock for FixedClock {
    fn unix_ms(&self) -> i64 {
        *self.0.lock().expect("not poisoned")
    }
}

async fn read_frame(stream: &mut DuplexStream, deframer: &mut Deframer) -> Body {
    loop {
        if let Some(frame) = deframer.next_frame().expect("the engine sends valid frames") {
            return frame.body.expect("has a body");
        }
        let mut buffer = [0_u8; 4096];
        let count = stream.read(&mut buffer).await.expect("readable");
        assert!(count > 0, "the engine closed the stream");
        deframer.push(&buffer[..count]);
    }
}

async fn write_frame(stream: &mut DuplexStream, body: Body) {
    let mut bytes = Vec::new();
    encode_frame(&proto::Frame { body: Some(body) }, &mut bytes).expect("small");
    stream.write_all(&bytes).await.expect("writable");
}

#[tokio::test(start_paused = true)]
async fn the_driver_connects_sends_and_is_destroyed() {
    let (server_ends, mut accepted) = mpsc::unbounded_channel();
    let runtime = Runtime {
        connector: Box::new(DuplexConnector { server_ends }),
        clock: Box::new(FixedClock(Arc::new(Mutex::new(1_700_000_000_000)))),
        rng_seed: 1,
        storage: Storage::Memory,
        platform: Platform::Mobile,
        device_id: "device-1".into(),
    };
    let (engine, mut events, driver) = Engine::create("app", EngineOptions::default(), runtime).expect("valid");
    let local = tokio::task::LocalSet::new();
    local.spawn_local(driver.run());
    local
        .run_until(async move {
            let token =
                TokenClaims { app_key: "app".into(), user_id: "alice".into(), issued_at_ms: 0, expires_at_ms: None }
                    .to_token(&[1]);
            engine.connect(&token, 0).await.expect("accepted");
            let mut server = accepted.recv().await.expect("the engine opened a connection");
            let mut deframer = Deframer::new();
            let Body::Connect(request) = read_frame(&mut server, &mut deframer).await else { panic!("handshake") };
            assert_eq!(request.device_id, "device-1");
            write_frame(
                &mut server,
                Body::ConnectAck(proto::ConnectAck { code: 0, user_id: "alice".into(), server_time: 0 }),
            )
            .await;
            let mut seen = Vec::new();
            while !seen.iter().any(|event| matches!(event, Event::Connected { .. })) {
                seen.push(events.recv().await.expect("events flow"));
            }
            assert_eq!(seen[0], Event::DatabaseOpened { code: ErrorCode::SUCCESS });
            assert_eq!(engine.connection_status().await, Ok(ConnectionStatus::Connected));

            let message =
                engine.create_text_message(ConversationType::Private, "bob", None, "hi").await.expect("valid");
            engine.send_message(message).await.expect("accepted");
            let Body::Publish(publish) = read_frame(&mut server, &mut deframer).await else { panic!("publish") };
            write_frame(
                &mut server,
                Body::PublishAck(proto::PublishAck {
                    client_message_id: publish.client_message_id,
                    code: 0,
                    message_uid: "U1".into(),
                    sent_time: 5,
                }),
            )
            .await;
            loop {
                if let Event::MessageSent { code, message } = events.recv().await.expect("events flow") {
                    assert_eq!(code, ErrorCode::SUCCESS);
                    assert_eq!(message.message_uid.as_deref(), Some("U1"));
                    break;
                }
            }
            let stored = engine.local_messages(ConversationType::Private, "bob").await.expect("readable");
            assert_eq!(stored.len(), 1);

            engine.destroy().await.expect("accepted");
            let Body::Logout(logout) = read_frame(&mut server, &mut deframer).await else { panic!("logout") };
            assert!(logout.receive_push, "destroy disconnects as disconnect(true) would (ENG-5)");
            assert_eq!(engine.connect(&token, 0).await.unwrap_err().code, ErrorCode::ENGINE_DESTROYED);
            assert_eq!(engine.connection_status().await.unwrap_err().code, ErrorCode::ENGINE_DESTROYED);
        })
        .await;
}

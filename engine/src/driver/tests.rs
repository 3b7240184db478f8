//! Driver tests over an in-memory duplex stream, with tokio's paused clock: the real driver loop, a hand-played
//! server, and no wall-clock waits.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _, DuplexStream};
use tokio::sync::mpsc;

use super::*;
use crate::codec::{Deframer, encode_frame};
use crate::core::Event;
use crate::error::ErrorCode;
use crate::proto::{self, frame::Body};
use crate::token::TokenClaims;
use crate::types::{MessageContent, MessageType};

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
        files: Box::new(crate::files::MemoryFiles::default()),
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
                seen.push(events.recv().await.expect("events flow").event);
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
                if let Event::MessageSent { code, message } = events.recv().await.expect("events flow").event {
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

#[tokio::test(start_paused = true)]
async fn message_types_and_unread_counts_through_the_driver() {
    // MTYPE, UNREAD-1, UNREAD-2: the `create_*_message` family and the unread counts are plain results here.
    let (server_ends, mut accepted) = mpsc::unbounded_channel();
    let files = crate::files::MemoryFiles::default();
    for path in ["/v.aac", "/i.jpg", "/f.txt", "/s.mp4", "/g.gif", "/t.png"] {
        files.insert(path, vec![7]);
    }
    let runtime = Runtime {
        connector: Box::new(DuplexConnector { server_ends }),
        clock: Box::new(FixedClock(Arc::new(Mutex::new(1_700_000_000_000)))),
        rng_seed: 1,
        storage: Storage::Memory,
        platform: Platform::Mobile,
        device_id: "device-1".into(),
        files: Box::new(files),
    };
    let (engine, mut events, driver) = Engine::create("app", EngineOptions::default(), runtime).expect("valid");
    let local = tokio::task::LocalSet::new();
    local.spawn_local(driver.run());
    local
        .run_until(async move {
            let no_database = engine.get_total_unread_count(None).await.unwrap_err().code;
            assert_eq!(no_database, ErrorCode::NATIVE_OPERATION_ERROR);
            let token =
                TokenClaims { app_key: "app".into(), user_id: "alice".into(), issued_at_ms: 0, expires_at_ms: None }
                    .to_token(&[1]);
            engine.connect(&token, 0).await.expect("accepted");
            let mut server = accepted.recv().await.expect("the engine opened a connection");
            let mut deframer = Deframer::new();
            let Body::Connect(_) = read_frame(&mut server, &mut deframer).await else { panic!("handshake") };
            write_frame(
                &mut server,
                Body::ConnectAck(proto::ConnectAck { code: 0, user_id: "alice".into(), server_time: 0 }),
            )
            .await;
            let contents = [
                MessageContent::Text { text: "hi".into() },
                MessageContent::CommandNotification { name: "n".into(), data: "d".into() },
                MessageContent::Custom {
                    identifier: "App:Card".into(),
                    policy: CustomMessagePolicy::Normal,
                    fields: BTreeMap::new(),
                },
            ];
            let messages = contents
                .iter()
                .zip(1..)
                .map(|(content, seq)| proto::DeliveredMessage {
                    seq,
                    message_uid: format!("U{seq}"),
                    conversation_type: ConversationType::Private.ordinal(),
                    target_id: "bob".into(),
                    sender_user_id: "bob".into(),
                    content: Some(crate::content::encode_content(content)),
                    ..Default::default()
                })
                .collect();
            write_frame(&mut server, Body::InboxPackage(proto::InboxPackage { messages, has_package: false })).await;
            let Body::InboxAck(ack) = read_frame(&mut server, &mut deframer).await else { panic!("ack") };
            assert_eq!(ack.cursor, 3);
            let mut received = 0;
            while received < 3 {
                if let Event::MessageReceived { .. } = events.recv().await.expect("events flow").event {
                    received += 1;
                }
            }
            assert_eq!(events.recv().await.map(|delivery| delivery.event), Some(Event::OfflineMessageSyncCompleted));
            assert_eq!(engine.get_unread_count(ConversationType::Private, "bob", None).await, Ok(()));
            let loaded = events.recv().await.expect("events flow").event;
            let expected = Event::UnreadCountLoaded {
                code: ErrorCode::SUCCESS,
                conversation_type: ConversationType::Private,
                target_id: "bob".into(),
                channel_id: None,
                count: 2,
            };
            assert_eq!(loaded, expected);
            assert_eq!(engine.get_total_unread_count(Some("ch")).await, Ok(()));
            let loaded = events.recv().await.expect("events flow").event;
            let expected =
                Event::TotalUnreadCountLoaded { code: ErrorCode::SUCCESS, channel_id: Some("ch".into()), count: 2 };
            assert_eq!(loaded, expected, "the count, with the channel echoed (CALL-11)");
            let chatroom = engine.get_unread_count(ConversationType::Chatroom, "room", None).await.unwrap_err().code;
            assert_eq!(chatroom, ErrorCode::PARAM_ERROR);

            let private = ConversationType::Private;
            let created = [
                engine.create_voice_message(private, "bob", None, "/v.aac", 4).await,
                engine.create_image_message(private, "bob", None, "/i.jpg").await,
                engine.create_file_message(private, "bob", None, "/f.txt").await,
                engine.create_sight_message(private, "bob", None, "/s.mp4", 9).await,
                engine.create_gif_message(private, "bob", None, "/g.gif").await,
                engine.create_location_message(private, "bob", None, 1.0, 2.0, "poi", "/t.png").await,
                engine
                    .create_custom_message(
                        private,
                        "bob",
                        None,
                        CustomMessagePolicy::Status,
                        "App:Typing",
                        BTreeMap::new(),
                    )
                    .await,
            ];
            let types: Vec<MessageType> =
                created.into_iter().map(|message| message.expect("valid").message_type()).collect();
            assert_eq!(
                types,
                [
                    MessageType::Voice,
                    MessageType::Image,
                    MessageType::File,
                    MessageType::Sight,
                    MessageType::Gif,
                    MessageType::Location,
                    MessageType::Custom
                ]
            );
            let text = engine.create_text_message(private, "bob", None, "quoted").await.expect("valid");
            let reference = engine.create_reference_message(private, "bob", None, &text, "re").await.expect("valid");
            assert_eq!(reference.message_type(), MessageType::Reference);
            let reserved = engine
                .create_custom_message(private, "bob", None, CustomMessagePolicy::Normal, "RC:Mine", BTreeMap::new())
                .await;
            assert_eq!(reserved.unwrap_err().code, ErrorCode::PARAM_ERROR);
            engine.destroy().await.expect("accepted");
            assert_eq!(engine.get_total_unread_count(None).await.unwrap_err().code, ErrorCode::ENGINE_DESTROYED);
        })
        .await;
}

/// ENG-3, ENG-8 to ENG-13, ENG-15 and ENG-17: the options are given at `create`, a server address that is not one
/// fails it with -101 and no engine, and everything else is stored as given and readable back.
#[test]
fn create_validates_the_server_addresses_and_keeps_every_option() {
    use crate::options::{CompressOptions, PushOptions};
    let runtime = || Runtime {
        connector: Box::new(DuplexConnector { server_ends: mpsc::unbounded_channel().0 }),
        clock: Box::new(FixedClock(Arc::new(Mutex::new(1_700_000_000_000)))),
        rng_seed: 1,
        storage: Storage::Memory,
        platform: Platform::Mobile,
        device_id: "device-1".into(),
        files: Box::new(crate::files::MemoryFiles::default()),
    };
    let deployment = DeploymentOptions {
        navi_server: Some("https://nav.example.com".into()),
        file_server: Some("files.example.com:8080".into()),
        statistic_server: Some("http://1.2.3.4".into()),
        push_options: Some(PushOptions { id_mi: Some("mi".into()), enable_fcm: Some(true), ..PushOptions::default() }),
        compress_options: Some(CompressOptions { thumbnail_quality: Some(-1), ..CompressOptions::default() }),
    };
    let options = EngineOptions { deployment: deployment.clone(), ..EngineOptions::default() };
    let (engine, _, _) = Engine::create("app", options.clone(), runtime()).expect("valid options");
    assert_eq!(engine.options(), &options);
    for bad in ["", "ftp://stats", "https://"] {
        let deployment = DeploymentOptions { statistic_server: Some(bad.into()), ..deployment.clone() };
        let options = EngineOptions { deployment, ..EngineOptions::default() };
        let error = Engine::create("app", options, runtime()).map(|_| ()).expect_err(bad);
        assert_eq!(error.code, ErrorCode::PARAM_ERROR, "{bad:?}");
    }
}

//! The conversation list's queries (issue 15's benchmarks), on SQLite files built once before any timing:
//!
//! - **A page of the list** (`conversation_page/large`): `getConversations`' query, a page of 20 at a spread of
//!   `startTime` bounds, with 10,000 conversations stored, beside the same pages with 100. A page is two seeks in
//!   the list's index (pinned, then not), and each conversation's last message and counts are index lookups, so
//!   the list's size must not matter. Goal: within 1.5×, a ratio of at least 0.67.
//! - **The total unread count** (`total_unread_count`): `getTotalUnreadCount` with 10,000 conversations and
//!   1,000,000 messages, one in ten unread, beside the bare statement the store issues, on raw rusqlite. No goal:
//!   the report gives the time per call and the ratio. A received message updates no count: counts are read from
//!   the partial index of unread messages, so storing one never rescans its conversation.

use std::rc::Rc;

use imsim_engine::store::{ConversationQuery, SqliteStore, Store, Sync, TOTAL_UNREAD_COUNT_SQL};
use imsim_engine::{ConversationType, Message, MessageContent, MessageDirection, ReceivedStatus, SentStatus};
use rusqlite::{Connection, OpenFlags};

use super::{Baseline, Scale, Side, Unit, Workload};

/// The first message's sent time; message `n` was sent `n` ms later.
const FIRST_SENT_MS: i64 = 1_724_976_000_000;
/// CONV-6: the page size asked for.
const PAGE: u32 = 20;
/// One message in this many is unread.
const UNREAD_EVERY: usize = 10;
/// One conversation in this many is pinned.
const PINNED_EVERY: usize = 50;

/// (conversations of the large list, of the small one, messages of the unread workload) at `scale`.
fn sizes(scale: Scale) -> (usize, usize, usize) {
    match scale {
        Scale::Full => (10_000, 100, 1_000_000),
        Scale::Quick => (1_000, 100, 20_000),
    }
}

/// Calls per timed iteration: (pages, total unread counts).
fn calls(scale: Scale) -> (usize, usize) {
    match scale {
        Scale::Full => (500, 20),
        Scale::Quick => (20, 2),
    }
}

/// The conversation list's workloads at `scale`, in the order they are measured.
pub fn workloads(scale: Scale) -> Vec<Workload> {
    let (large, small, messages) = sizes(scale);
    let (pages, totals) = calls(scale);
    let large_list = Rc::new(List::build("conversations-large.db", large, large));
    let small_list = Rc::new(List::build("conversations-small.db", small, small));
    let unread = Rc::new(List::build("conversations-unread.db", large, messages));
    vec![
        Workload {
            group: "Conversation list",
            name: "conversation_page/large".to_owned(),
            description: format!(
                "{pages} pages of {PAGE} (getConversations) from a list of {large} conversations, beside the same \
                 from a list of {small}"
            ),
            unit: Unit::Queries,
            goal: Some(1.0 / 1.5),
            subject: store_pages("imsim store, large", &large_list, pages),
            baseline: Baseline::Run(store_pages("imsim store, small", &small_list, pages)),
        },
        Workload {
            group: "Conversation list",
            name: "total_unread_count".to_owned(),
            description: format!(
                "{totals} calls of getTotalUnreadCount over {large} conversations and {messages} messages (one in \
                 {UNREAD_EVERY} unread), beside the bare statement the store issues on raw rusqlite"
            ),
            unit: Unit::Queries,
            goal: None,
            subject: store_totals(&unread, totals),
            baseline: Baseline::Run(raw_totals(&unread, totals)),
        },
    ]
}

/// `conversations` private conversations holding `messages` received messages between them, in a file of its own.
struct List {
    path: std::path::PathBuf,
    conversations: usize,
    unread: u32,
}

impl List {
    fn build(name: &str, conversations: usize, messages: usize) -> List {
        let path = super::workloads::scratch_database(name);
        let mut store = SqliteStore::open_with(&path, Sync::Off).expect("a store");
        let all: Vec<Message> = (0..messages).map(|n| message(n, conversations)).collect();
        for batch in all.chunks(1_000) {
            store.insert_received_outside_inbox(batch).expect("stored");
        }
        for index in (0..conversations).step_by(PINNED_EVERY) {
            store.set_top((ConversationType::Private, &peer(index), None), true, FIRST_SENT_MS).expect("pinned");
        }
        let unread =
            u32::try_from(all.iter().filter(|message| message.received_status == ReceivedStatus::Unread).count())
                .unwrap_or(u32::MAX);
        List { path, conversations, unread }
    }

    /// The `index`th of `of` bounds, spread over the list's operation times (0: from the newest).
    fn bound(&self, index: usize, of: usize) -> i64 {
        if index == 0 {
            return 0;
        }
        let step = self.conversations / of.max(1);
        FIRST_SENT_MS + i64::try_from(PAGE as usize + (index * step.max(1)) % self.conversations.max(1)).unwrap_or(0)
    }

    fn store(&self) -> SqliteStore {
        SqliteStore::open_with(&self.path, Sync::Off).expect("the store reopens")
    }
}

fn peer(index: usize) -> String {
    format!("user-{index:06}")
}

/// Message `n`, to conversation `n % conversations`: a received text, one in `UNREAD_EVERY` unread.
fn message(n: usize, conversations: usize) -> Message {
    let peer = peer(n % conversations.max(1));
    Message {
        conversation_type: ConversationType::Private,
        target_id: peer.clone(),
        channel_id: None,
        message_id: 0,
        message_uid: Some(format!("UID-{n:012}")),
        direction: MessageDirection::Receive,
        received_time: FIRST_SENT_MS + 60_000,
        sent_time: FIRST_SENT_MS + i64::try_from(n).unwrap_or(i64::MAX),
        received_status: if n.is_multiple_of(UNREAD_EVERY) { ReceivedStatus::Unread } else { ReceivedStatus::Read },
        sent_status: SentStatus::Received,
        sender_user_id: peer,
        offline: false,
        extra: None,
        mentioned_info: None,
        user_info: None,
        expansion: None,
        push_options: None,
        group_read_receipt_info: None,
        content: MessageContent::Text { text: format!("message {n}") },
    }
}

fn store_pages(label: &str, list: &Rc<List>, pages: usize) -> Side {
    let list = Rc::clone(list);
    Side::new(label, move || {
        let store = list.store();
        let list = Rc::clone(&list);
        Box::new(move || {
            let mut read = 0;
            for index in 0..pages {
                let bound = list.bound(index, pages);
                let query = ConversationQuery {
                    conversation_types: &[ConversationType::Private, ConversationType::Group],
                    operation_time_before: if bound == 0 { i64::MAX } else { bound },
                    only_top: false,
                    only_unread: false,
                    limit: Some(PAGE),
                    ultra_group_channel: None,
                };
                read += store.conversations(&query, "me").expect("a page").len();
            }
            assert!(read >= pages, "every page holds conversations");
            pages as u64
        })
    })
}

fn store_totals(list: &Rc<List>, totals: usize) -> Side {
    let list = Rc::clone(list);
    Side::new("imsim store", move || {
        let store = list.store();
        let list = Rc::clone(&list);
        Box::new(move || {
            for _ in 0..totals {
                assert_eq!(store.total_unread_count().expect("a count"), list.unread);
            }
            totals as u64
        })
    })
}

fn raw_totals(list: &Rc<List>, totals: usize) -> Side {
    let list = Rc::clone(list);
    Side::new("raw rusqlite", move || {
        let connection =
            Connection::open_with_flags(&list.path, OpenFlags::SQLITE_OPEN_READ_ONLY).expect("the file opens");
        let list = Rc::clone(&list);
        Box::new(move || {
            let mut statement = connection.prepare_cached(TOTAL_UNREAD_COUNT_SQL).expect("the statement");
            for _ in 0..totals {
                let count: i64 = statement.query_row([], |row| row.get(0)).expect("a count");
                assert_eq!(count, i64::from(list.unread));
            }
            totals as u64
        })
    })
}

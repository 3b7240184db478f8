//! The message store's queries (issue 14's benchmarks), on one SQLite file per conversation size, built once before
//! any timing:
//!
//! - **History page** (`history_page/large`): `getMessages`' local query, a page of 20 strictly before an anchor
//!   (HIST-5), in a conversation of 100,000 messages, beside the same pages from a conversation of 100. The
//!   statement walks the conversation index from the anchor, so the size must not matter. Goal: within 1.5×, a ratio
//!   of at least 0.67.
//! - **History page on raw rusqlite** (`history_page/raw`): the same pages through the store (rows read back into
//!   messages, content decoded) beside raw rusqlite issuing the store's own statement on the same file and reading
//!   the same columns. Goal: 50 %.
//! - **Search** (`search_messages`): `searchMessages`' query for a keyword (SEARCH-5) in the conversation of 100,000,
//!   one match in a hundred, a page of 50, beside the bare statement the store issues, on raw rusqlite. No goal: the
//!   report gives the time per query and the ratio.
//!
//! Persisting a received package of 200 messages is `store_ingestion` (in `workloads`).

use std::rc::Rc;

use imsim_engine::store::{HISTORY_PAGE_BEFORE_SQL, MessageFilter, SEARCH_MESSAGES_SQL, SqliteStore, Store, Sync};
use imsim_engine::types::{TimeOrder, fold_for_search};
use imsim_engine::{ConversationType, Message, MessageContent, MessageDirection, ReceivedStatus, SentStatus};
use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags, params};

use super::{Baseline, Scale, Side, Unit, Workload};

/// The conversation every workload reads.
const PEER: &str = "bob";
/// The first message's sent time; message `n` was sent `n` ms later.
const FIRST_SENT_MS: i64 = 1_724_976_000_000;
/// HIST-7: the page size asked for.
const PAGE: u32 = 20;
/// SEARCH-2: the search's page size.
const SEARCH_PAGE: u32 = 50;
/// One message in this many holds the searched keyword.
const KEYWORD_EVERY: usize = 100;
/// The keyword.
const KEYWORD: &str = "Needle";

/// The large conversation's size at `scale`, and the small one's.
fn sizes(scale: Scale) -> (usize, usize) {
    match scale {
        Scale::Full => (100_000, 100),
        Scale::Quick => (2_000, 100),
    }
}

/// Queries per timed iteration: (history pages, searches).
fn queries(scale: Scale) -> (usize, usize) {
    match scale {
        Scale::Full => (2_000, 20),
        Scale::Quick => (20, 2),
    }
}

/// The store's workloads at `scale`, in the order they are measured.
pub fn workloads(scale: Scale) -> Vec<Workload> {
    let (large, small) = sizes(scale);
    let (pages, searches) = queries(scale);
    let large_file = Rc::new(Database::build("history-large.db", large));
    let small_file = Rc::new(Database::build("history-small.db", small));
    vec![
        Workload {
            group: "Message store",
            name: "history_page/large".to_owned(),
            description: format!(
                "{pages} pages of {PAGE} before an anchor (getMessages, local) from a conversation of {large} \
                 messages, beside the same from a conversation of {small}"
            ),
            unit: Unit::Queries,
            goal: Some(1.0 / 1.5),
            subject: store_pages("imsim store, large", &large_file, pages),
            baseline: Baseline::Run(store_pages("imsim store, small", &small_file, pages)),
        },
        Workload {
            group: "Message store",
            name: "history_page/raw".to_owned(),
            description: format!(
                "{pages} pages of {PAGE} before an anchor from a conversation of {large} messages, read into messages, \
                 beside raw rusqlite issuing the same statement and reading the same columns"
            ),
            unit: Unit::Queries,
            goal: Some(0.5),
            subject: store_pages("imsim store", &large_file, pages),
            baseline: Baseline::Run(raw_pages(&large_file, pages)),
        },
        Workload {
            group: "Message store",
            name: "search_messages".to_owned(),
            description: format!(
                "{searches} keyword searches (searchMessages, one message in {KEYWORD_EVERY} matches, pages of \
                 {SEARCH_PAGE}) over a conversation of {large} messages, beside the bare statement on raw rusqlite"
            ),
            unit: Unit::Queries,
            goal: None,
            subject: store_searches(&large_file, searches),
            baseline: Baseline::Run(raw_searches(&large_file, searches)),
        },
    ]
}

/// A conversation of `count` received messages, in a file of its own.
struct Database {
    path: std::path::PathBuf,
    count: usize,
}

impl Database {
    fn build(name: &str, count: usize) -> Database {
        let path = super::workloads::scratch_database(name);
        let mut store = SqliteStore::open_with(&path, Sync::Off).expect("a store");
        let messages: Vec<Message> = (0..count).map(message).collect();
        for batch in messages.chunks(1_000) {
            store.insert_received_outside_inbox(batch).expect("stored");
        }
        Database { path, count }
    }

    /// The `index`th of `of` anchors, spread evenly over the conversation (never 0, which means "the newest").
    fn anchor(&self, index: usize, of: usize) -> i64 {
        let step = self.count / of.max(1);
        FIRST_SENT_MS + i64::try_from(PAGE as usize + (index * step) % self.count.max(1)).unwrap_or(i64::MAX)
    }

    fn store(&self) -> SqliteStore {
        SqliteStore::open_with(&self.path, Sync::Off).expect("the store reopens")
    }

    fn raw(&self) -> Connection {
        Connection::open_with_flags(&self.path, OpenFlags::SQLITE_OPEN_READ_ONLY).expect("the file opens")
    }
}

/// Message `n` of the conversation: a received text, one in `KEYWORD_EVERY` holding the keyword.
fn message(n: usize) -> Message {
    let text =
        if n.is_multiple_of(KEYWORD_EVERY) { format!("a {KEYWORD} in message {n}") } else { format!("message {n}") };
    Message {
        conversation_type: ConversationType::Private,
        target_id: PEER.to_owned(),
        channel_id: None,
        message_id: 0,
        message_uid: Some(format!("UID-{n:012}")),
        direction: MessageDirection::Receive,
        received_time: FIRST_SENT_MS + 60_000,
        sent_time: FIRST_SENT_MS + i64::try_from(n).unwrap_or(i64::MAX),
        received_status: ReceivedStatus::Read,
        sent_status: SentStatus::Received,
        sender_user_id: PEER.to_owned(),
        offline: false,
        extra: None,
        mentioned_info: None,
        user_info: None,
        expansion: None,
        push_options: None,
        group_read_receipt_info: None,
        content: MessageContent::Text { text },
    }
}

fn store_pages(label: &str, database: &Rc<Database>, pages: usize) -> Side {
    let database = Rc::clone(database);
    Side::new(label, move || {
        let store = database.store();
        let database = Rc::clone(&database);
        Box::new(move || {
            let mut read = 0;
            for index in 0..pages {
                let anchor = database.anchor(index, pages);
                let conversation = (ConversationType::Private, PEER, None);
                let page = store.history_page(conversation, anchor, TimeOrder::Before, PAGE).expect("a page");
                read += page.len();
            }
            assert!(read >= pages, "every page holds messages");
            pages as u64
        })
    })
}

fn raw_pages(database: &Rc<Database>, pages: usize) -> Side {
    let database = Rc::clone(database);
    Side::new("raw rusqlite", move || {
        let connection = database.raw();
        let database = Rc::clone(&database);
        Box::new(move || {
            let mut statement = connection.prepare_cached(HISTORY_PAGE_BEFORE_SQL).expect("the statement");
            let mut read = 0;
            for index in 0..pages {
                let anchor = database.anchor(index, pages);
                let private = ConversationType::Private.ordinal();
                let rows = statement
                    .query_map(params![private, PEER, anchor, true, Option::<String>::None, PAGE], read_row)
                    .expect("a page");
                read += rows.collect::<rusqlite::Result<Vec<_>>>().expect("the rows").len();
            }
            assert!(read >= pages, "every page holds messages");
            pages as u64
        })
    })
}

fn store_searches(database: &Rc<Database>, searches: usize) -> Side {
    let database = Rc::clone(database);
    Side::new("imsim store", move || {
        let store = database.store();
        Box::new(move || {
            let filter = MessageFilter { keyword: Some(KEYWORD), sender_user_id: None, sent_time: i64::MIN..=i64::MAX };
            for _ in 0..searches {
                let found = store
                    .search_messages((ConversationType::Private, PEER, None), &filter, 0, SEARCH_PAGE)
                    .expect("a search");
                assert!(!found.is_empty(), "the keyword is there");
            }
            searches as u64
        })
    })
}

fn raw_searches(database: &Rc<Database>, searches: usize) -> Side {
    let database = Rc::clone(database);
    Side::new("raw rusqlite", move || {
        let connection = database.raw();
        Box::new(move || {
            let mut statement = connection.prepare_cached(SEARCH_MESSAGES_SQL).expect("the statement");
            let keyword = fold_for_search(KEYWORD);
            for _ in 0..searches {
                let rows = statement
                    .query_map(
                        params![
                            ConversationType::Private.ordinal(),
                            PEER,
                            true,
                            Option::<String>::None,
                            keyword,
                            Option::<String>::None,
                            i64::MIN,
                            i64::MAX,
                            SEARCH_PAGE,
                            0
                        ],
                        read_row,
                    )
                    .expect("a search");
                let found = rows.collect::<rusqlite::Result<Vec<_>>>().expect("the rows");
                assert!(!found.is_empty(), "the keyword is there");
            }
            searches as u64
        })
    })
}

/// Every column the store's statements select, read as SQLite holds them (what raw rusqlite does with the rows).
fn read_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Vec<Value>> {
    (0..row.as_ref().column_count()).map(|column| row.get::<_, Value>(column)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The raw baselines issue the store's statements with the store's parameters: they read the same rows.
    #[test]
    fn the_raw_statements_read_the_rows_the_store_returns() {
        let database = Database::build("same-pages.db", 1_000);
        let store = database.store();
        let connection = database.raw();
        let anchor = database.anchor(3, 10);
        let page =
            store.history_page((ConversationType::Private, PEER, None), anchor, TimeOrder::Before, PAGE).unwrap();
        let private = ConversationType::Private.ordinal();
        let raw: Vec<i64> = connection
            .prepare(HISTORY_PAGE_BEFORE_SQL)
            .unwrap()
            .query_map(params![private, PEER, anchor, true, Option::<String>::None, PAGE], |row| row.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(page.iter().map(|message| message.message_id).collect::<Vec<_>>(), raw);
        assert_eq!(page.len(), PAGE as usize);
        let filter = MessageFilter { keyword: Some(KEYWORD), sender_user_id: None, sent_time: i64::MIN..=i64::MAX };
        let found = store.search_messages((ConversationType::Private, PEER, None), &filter, 0, SEARCH_PAGE).unwrap();
        let keyword = fold_for_search(KEYWORD);
        let raw: Vec<i64> = connection
            .prepare(SEARCH_MESSAGES_SQL)
            .unwrap()
            .query_map(
                params![
                    private,
                    PEER,
                    true,
                    Option::<String>::None,
                    keyword,
                    Option::<String>::None,
                    i64::MIN,
                    i64::MAX,
                    SEARCH_PAGE,
                    0
                ],
                |row| row.get(0),
            )
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(found.iter().map(|message| message.message_id).collect::<Vec<_>>(), raw);
        assert_eq!(found.len(), 1_000 / KEYWORD_EVERY);
    }
}

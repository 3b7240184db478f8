//! The contract of the message store's own methods (issue 14): inserting local messages, deleting by ID and by
//! time, and searching one conversation. Run against each implementation like the rest of `conformance`.

use super::{outgoing, received, stored_as};
use crate::store::{MessageFilter, SignalChange, Store};
use crate::types::{ConversationType, Media, Message, MessageContent, MessageDirection, ReceivedStatus, SentStatus};

/// The texts (or file names) of `messages`, in order.
fn texts(messages: &[Message]) -> Vec<String> {
    messages.iter().map(|message| message.content.searchable_text().unwrap_or("<none>").to_owned()).collect()
}

pub(super) fn insert_local_stores_every_message_as_given_without_a_uid(store: &mut impl Store) {
    let sent =
        Message { sent_status: SentStatus::Sent, message_uid: Some("ignored".to_owned()), ..outgoing("bob", 10, "a") };
    let inbound = Message {
        direction: MessageDirection::Receive,
        sender_user_id: "bob".to_owned(),
        sent_status: SentStatus::Received,
        received_status: ReceivedStatus::Unread,
        ..outgoing("bob", 5, "b")
    };
    store.insert_outgoing(&outgoing("carol", 1, "first")).unwrap();
    let ids = store.insert_local(&[sent.clone(), inbound.clone()]).unwrap();
    assert_eq!(ids, [2, 3]);
    let stored = store.conversation_messages(ConversationType::Private, "bob").unwrap();
    assert_eq!(stored, [stored_as(&inbound, 3), Message { message_uid: None, ..stored_as(&sent, 2) }]);
    // An inserted received message counts as unread like any other (INS-9).
    assert_eq!(store.unread_count((ConversationType::Private, "bob", None)).unwrap(), 1);
    assert_eq!(store.insert_local(&[]).unwrap(), Vec::<i64>::new());
}

pub(super) fn delete_messages_deletes_the_known_ids_and_ignores_the_rest(store: &mut impl Store) {
    for (sent_time, text) in [(1, "a"), (2, "b"), (3, "c")] {
        store.insert_outgoing(&outgoing("bob", sent_time, text)).unwrap();
    }
    store.insert_received(&[received("bob", "u4", 4, "d")], 1).unwrap();
    // DEL-16: unknown and repeated IDs are ignored; the deleted come back by ID, as they were stored.
    let deleted = store.delete_messages(&[4, 99, 2, 4, 0, -1]).unwrap();
    assert_eq!(deleted.iter().map(|message| message.message_id).collect::<Vec<_>>(), [2, 4]);
    assert_eq!(texts(&deleted), ["b", "d"]);
    assert_eq!(texts(&store.conversation_messages(ConversationType::Private, "bob").unwrap()), ["a", "c"]);
    // The UID went with its message: the same UID may be stored again.
    assert_eq!(store.message_by_uid("u4").unwrap(), None);
    assert_eq!(store.delete_messages(&[2]).unwrap(), Vec::<Message>::new());
    // IDs are never reused.
    assert_eq!(store.insert_outgoing(&outgoing("bob", 5, "e")).unwrap(), 5);
}

pub(super) fn delete_messages_sent_up_to_keeps_what_came_after_and_other_conversations(store: &mut impl Store) {
    for (sent_time, text) in [(100, "a"), (200, "b"), (201, "c")] {
        store.insert_outgoing(&outgoing("bob", sent_time, text)).unwrap();
    }
    store.insert_outgoing(&outgoing("carol", 50, "other")).unwrap();
    // DEL-11: at or before the timestamp goes; one millisecond later stays.
    assert_eq!(store.delete_messages_sent_up_to((ConversationType::Private, "bob", None), 200).unwrap(), 2);
    assert_eq!(texts(&store.conversation_messages(ConversationType::Private, "bob").unwrap()), ["c"]);
    assert_eq!(store.delete_messages_sent_up_to((ConversationType::Private, "bob", None), i64::MAX).unwrap(), 1);
    assert_eq!(store.conversation_message_count(ConversationType::Private, "bob").unwrap(), 0);
    assert_eq!(texts(&store.conversation_messages(ConversationType::Private, "carol").unwrap()), ["other"]);
    // An ultra group's channel is part of the conversation.
    let in_channel = |channel: &str, text: &str| Message {
        conversation_type: ConversationType::UltraGroup,
        channel_id: Some(channel.to_owned()),
        ..outgoing("guild", 10, text)
    };
    store.insert_outgoing(&in_channel("c1", "one")).unwrap();
    store.insert_outgoing(&in_channel("c2", "two")).unwrap();
    let guild = (ConversationType::UltraGroup, "guild", Some("c1"));
    assert_eq!(store.delete_messages_sent_up_to(guild, i64::MAX).unwrap(), 1);
    assert_eq!(texts(&store.conversation_messages(ConversationType::UltraGroup, "guild").unwrap()), ["two"]);
}

pub(super) fn search_messages_filters_one_conversation_newest_first(store: &mut impl Store) {
    let file = |name: &str, sent_time| Message {
        content: MessageContent::File {
            media: Media::default(),
            name: name.to_owned(),
            file_type: "pdf".to_owned(),
            size: 1,
        },
        ..outgoing("bob", sent_time, "")
    };
    store.insert_outgoing(&outgoing("bob", 100, "Hello one")).unwrap();
    store
        .insert_received(&[received("bob", "u2", 200, "hello two"), received("bob", "u3", 200, "HELLO three")], 1)
        .unwrap();
    store.insert_outgoing(&file("hello.pdf", 300)).unwrap();
    store.insert_outgoing(&outgoing("bob", 400, "bye")).unwrap();
    store.insert_outgoing(&outgoing("carol", 250, "hello carol")).unwrap();
    let bob = (ConversationType::Private, "bob", None);
    let everything = MessageFilter { keyword: None, sender_user_id: None, sent_time: i64::MIN..=i64::MAX };
    let search = |store: &dyn Store, filter: &MessageFilter<'_>, offset, count| {
        texts(&store.search_messages(bob, filter, offset, count).unwrap())
    };
    let hello = MessageFilter { keyword: Some("HeLLo"), ..everything.clone() };
    // SEARCH-5, SEARCH-6: ignoring case, text and file names; newest first, a tie by ID the same way round.
    assert_eq!(search(store, &hello, 0, 50), ["hello.pdf", "HELLO three", "hello two", "Hello one"]);
    assert_eq!(search(store, &hello, 0, 2), ["hello.pdf", "HELLO three"]);
    // SEARCH-7: the offset skips matches; the range includes both ends.
    assert_eq!(search(store, &hello, 3, 50), ["Hello one"]);
    assert_eq!(search(store, &hello, 4, 50), Vec::<String>::new());
    let ranged = MessageFilter { sent_time: 100..=200, ..hello.clone() };
    assert_eq!(search(store, &ranged, 0, 50), ["HELLO three", "hello two", "Hello one"]);
    let inside = MessageFilter { sent_time: 101..=199, ..hello.clone() };
    assert_eq!(search(store, &inside, 0, 50), Vec::<String>::new());
    // SEARCH-4: by sender, every type.
    let from_bob = MessageFilter { sender_user_id: Some("bob"), ..everything.clone() };
    assert_eq!(search(store, &from_bob, 0, 50), ["HELLO three", "hello two"]);
    let from_me = MessageFilter { sender_user_id: Some("me"), sent_time: i64::MIN..=399, ..everything.clone() };
    assert_eq!(search(store, &from_me, 0, 50), ["hello.pdf", "Hello one"]);
    assert_eq!(search(store, &everything, 0, 0), Vec::<String>::new());
}

pub(super) fn signals_recall_and_change_expansion_with_the_cursor(store: &mut impl Store) {
    let with_expansion = |uid: &str, entries: &[(&str, &str)]| Message {
        expansion: Some(entries.iter().map(|(key, value)| (key.to_string(), value.to_string())).collect()),
        ..received("bob", uid, 1, uid)
    };
    let without = received("bob", "plain", 2, "plain");
    store.insert_received(&[with_expansion("gift", &[("state", "new"), ("note", "x")]), without], 2).unwrap();
    let notice = |time| MessageContent::RecallNotification {
        admin: false,
        deleted: false,
        recall_time: time,
        recall_action_time: time,
        original_message: None,
        operator_id: "bob".to_owned(),
    };
    let update = |entries: &[(&str, &str)], removed: &[&str]| SignalChange::Expansion {
        updated: entries.iter().map(|(key, value)| (key.to_string(), value.to_string())).collect(),
        removed_keys: removed.iter().map(|key| key.to_string()).collect(),
    };
    let signals = [
        ("gift".to_owned(), update(&[("state", "claimed"), ("by", "ann")], &[])),
        ("gift".to_owned(), update(&[], &["note", "absent"])),
        // Expansion off: left alone; an unknown UID: nothing.
        ("plain".to_owned(), update(&[("state", "x")], &[])),
        ("nowhere".to_owned(), SignalChange::Recall(notice(5))),
        ("plain".to_owned(), SignalChange::Recall(notice(6))),
        // Already recalled: nothing.
        ("plain".to_owned(), SignalChange::Recall(notice(7))),
    ];
    let applied = store.apply_signals(&signals, 9).unwrap();
    let expansions: Vec<Option<Vec<(String, String)>>> = applied
        .iter()
        .map(|message| {
            message.as_ref().map(|message| message.expansion.clone().unwrap_or_default().into_iter().collect())
        })
        .collect();
    let pairs = |entries: &[(&str, &str)]| entries.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    assert_eq!(
        expansions,
        [
            Some(pairs(&[("by", "ann"), ("note", "x"), ("state", "claimed")])),
            Some(pairs(&[("by", "ann"), ("state", "claimed")])),
            None,
            None,
            Some(Vec::new()),
            None,
        ]
    );
    assert_eq!(store.inbox_cursor().unwrap(), 9);
    let recalled = store.message_by_uid("plain").unwrap().unwrap();
    assert_eq!(recalled.content, notice(6));
    assert_eq!(
        store.message_by_uid("gift").unwrap().unwrap().expansion,
        Some(pairs(&[("by", "ann"), ("state", "claimed")]).into_iter().collect())
    );
    // The caller's own change: the same merge, and `None` without expansion.
    let own = store.change_expansion("gift", &pairs(&[("state", "done")]).into_iter().collect(), &["by".to_owned()]);
    assert_eq!(own.unwrap().unwrap().expansion, Some(pairs(&[("state", "done")]).into_iter().collect()));
    assert_eq!(store.change_expansion("plain", &Default::default(), &[]).unwrap(), None);
    assert_eq!(store.change_expansion("nowhere", &Default::default(), &[]).unwrap(), None);
    // An unstorable cursor applies nothing.
    let later = [("gift".to_owned(), update(&[("late", "1")], &[]))];
    assert!(store.apply_signals(&later, u64::MAX).is_err());
    assert_eq!(store.message_by_uid("gift").unwrap().unwrap().expansion.unwrap().get("late"), None);
    assert_eq!(store.inbox_cursor().unwrap(), 9);
}

//! The contract of the conversation list (issue 15, migration 0007): which messages make a conversation, its own
//! state (operation time, pinned flag, draft), the list's order and bounds, removal and marking as read. Run against
//! each implementation like the rest of `conformance`.

use super::{outgoing, received};
use crate::store::{ConversationQuery, Store};
use crate::types::{ConversationType, Message, ReceivedStatus};

const PRIVATE: ConversationType = ConversationType::Private;
const GROUP: ConversationType = ConversationType::Group;

/// Every list type but chatroom and invalid.
const LISTED: &[ConversationType] =
    &[ConversationType::Private, ConversationType::Group, ConversationType::System, ConversationType::UltraGroup];

/// The whole list of `types` in CONV-7's order.
fn list(types: &[ConversationType]) -> ConversationQuery<'_> {
    ConversationQuery {
        conversation_types: types,
        operation_time_before: i64::MAX,
        only_top: false,
        only_unread: false,
        limit: None,
        ultra_group_channel: None,
    }
}

/// The targets and operation times of the conversations `query` selects, in order.
fn targets(store: &impl Store, query: &ConversationQuery<'_>) -> Vec<(String, i64)> {
    let states = store.conversation_states(query).unwrap();
    states.into_iter().map(|state| (state.target_id, state.operation_time)).collect()
}

fn pairs(expected: &[(&str, i64)]) -> Vec<(String, i64)> {
    expected.iter().map(|&(target, time)| (target.to_owned(), time)).collect()
}

pub(super) fn stored_messages_make_conversations_but_chatrooms_none(store: &mut impl Store) {
    // CONV-5, CTYPE-1, CTYPE-9: a sent, a received and an inserted message each make one; a chatroom's never.
    store.insert_outgoing(&outgoing("bob", 100, "a")).unwrap();
    store.insert_received(&[received("carol", "u1", 50, "b")], 1).unwrap();
    store.insert_local(&[Message { conversation_type: GROUP, ..outgoing("team", 70, "c") }]).unwrap();
    let room = Message { conversation_type: ConversationType::Chatroom, ..received("room", "u2", 500, "d") };
    store.insert_received_outside_inbox(&[room]).unwrap();
    let all = [LISTED, &[ConversationType::Chatroom]].concat();
    assert_eq!(targets(store, &list(&all)), pairs(&[("bob", 100), ("team", 70), ("carol", 50)]));
    assert_eq!(store.conversation_state((ConversationType::Chatroom, "room", None)).unwrap(), None);
    // CONV-2: a newer message moves the conversation forward, an older one does not move it back.
    store.insert_received(&[received("carol", "u3", 200, "e"), received("carol", "u4", 10, "f")], 2).unwrap();
    assert_eq!(targets(store, &list(LISTED)), pairs(&[("carol", 200), ("bob", 100), ("team", 70)]));
    // A send's authoritative time (MSG-22) moves it too.
    store.update_send_result(1, crate::types::SentStatus::Sent, Some("u5"), 300).unwrap();
    assert_eq!(targets(store, &list(LISTED))[0], ("bob".to_owned(), 300));
    assert_eq!(targets(store, &list(&[GROUP])), pairs(&[("team", 70)]), "only the types asked for");
}

pub(super) fn the_list_puts_pinned_first_and_pages_by_operation_time(store: &mut impl Store) {
    // CONV-6, CONV-7, TOP-6, TOP-10.
    for (target, sent_time) in [("a", 10), ("b", 20), ("c", 30), ("d", 40), ("e", 40)] {
        store.insert_outgoing(&outgoing(target, sent_time, "x")).unwrap();
    }
    assert!(store.set_top((PRIVATE, "b", None), true, 999).unwrap());
    assert!(!store.set_top((PRIVATE, "b", None), true, 999).unwrap(), "already pinned: no change");
    // Ties on the operation time go by type, then target, ascending.
    let everything = pairs(&[("b", 20), ("d", 40), ("e", 40), ("c", 30), ("a", 10)]);
    assert_eq!(targets(store, &list(LISTED)), everything);
    let page = |before, limit| ConversationQuery { operation_time_before: before, limit: Some(limit), ..list(LISTED) };
    assert_eq!(targets(store, &page(i64::MAX, 2)), pairs(&[("b", 20), ("d", 40)]));
    // The next page starts strictly before the last one's operation time: a pinned conversation older than the
    // bound is in it, at the top.
    assert_eq!(targets(store, &page(40, 2)), pairs(&[("b", 20), ("c", 30)]));
    assert_eq!(targets(store, &page(20, 5)), pairs(&[("a", 10)]));
    assert_eq!(targets(store, &page(10, 5)), pairs(&[]));
    let pinned = ConversationQuery { only_top: true, ..list(LISTED) };
    assert_eq!(targets(store, &pinned), pairs(&[("b", 20)]));
    assert!(store.set_top((PRIVATE, "b", None), false, 999).unwrap());
    assert_eq!(targets(store, &pinned), pairs(&[]));
    assert_eq!(targets(store, &list(LISTED))[0], ("d".to_owned(), 40));
}

pub(super) fn pinning_a_missing_conversation_creates_it_and_unpinning_does_not(store: &mut impl Store) {
    // TOP-7: created empty at `now`; unpinning a missing one changes nothing.
    assert!(!store.set_top((PRIVATE, "ghost", None), false, 5).unwrap());
    assert_eq!(store.conversation_state((PRIVATE, "ghost", None)).unwrap(), None);
    assert!(store.set_top((GROUP, "new", None), true, 5).unwrap());
    let conversation = store.conversation((GROUP, "new", None), "me").unwrap().unwrap();
    assert_eq!((conversation.top, conversation.operation_time, conversation.last_message), (true, 5, None));
}

pub(super) fn drafts_create_and_move_the_conversation_and_clearing_keeps_its_time(store: &mut impl Store) {
    // DRAFT-1, DRAFT-4 to DRAFT-6.
    store.insert_outgoing(&outgoing("bob", 100, "a")).unwrap();
    store.save_draft((PRIVATE, "bob", None), "half a thought", 250).unwrap();
    let bob = store.conversation((PRIVATE, "bob", None), "me").unwrap().unwrap();
    assert_eq!((bob.draft.as_str(), bob.operation_time), ("half a thought", 250));
    store.save_draft((PRIVATE, "nobody", None), "hi", 260).unwrap();
    let nobody = store.conversation((PRIVATE, "nobody", None), "me").unwrap().unwrap();
    assert_eq!((nobody.draft.as_str(), nobody.operation_time, nobody.last_message), ("hi", 260, None));
    store.clear_draft((PRIVATE, "bob", None)).unwrap();
    let bob = store.conversation((PRIVATE, "bob", None), "me").unwrap().unwrap();
    assert_eq!((bob.draft.as_str(), bob.operation_time), ("", 250));
    store.clear_draft((PRIVATE, "missing", None)).unwrap();
    assert_eq!(store.conversation_state((PRIVATE, "missing", None)).unwrap(), None);
    // DRAFT-7: sending does not clear it.
    store.save_draft((PRIVATE, "bob", None), "again", 270).unwrap();
    store.insert_outgoing(&outgoing("bob", 280, "b")).unwrap();
    let bob = store.conversation((PRIVATE, "bob", None), "me").unwrap().unwrap();
    assert_eq!((bob.draft.as_str(), bob.operation_time), ("again", 280));
}

pub(super) fn removing_keeps_the_messages_until_the_next_one_brings_it_back(store: &mut impl Store) {
    // CREM-1, CREM-4, CREM-6.
    store.insert_received(&[received("bob", "u1", 100, "a"), received("bob", "u2", 200, "b")], 2).unwrap();
    store.set_top((PRIVATE, "bob", None), true, 300).unwrap();
    store.save_draft((PRIVATE, "bob", None), "draft", 300).unwrap();
    assert!(store.remove_conversation((PRIVATE, "bob", None)).unwrap());
    assert!(!store.remove_conversation((PRIVATE, "bob", None)).unwrap(), "already gone");
    assert_eq!(store.conversation((PRIVATE, "bob", None), "me").unwrap(), None);
    assert_eq!(store.conversation_messages(PRIVATE, "bob").unwrap().len(), 2, "the messages stay");
    // An older message brings it back, with the newest stored message's time, unpinned, no draft, unread 3.
    store.insert_received(&[received("bob", "u3", 150, "c")], 3).unwrap();
    let bob = store.conversation((PRIVATE, "bob", None), "me").unwrap().unwrap();
    assert_eq!((bob.top, bob.draft.as_str(), bob.operation_time, bob.unread_count), (false, "", 200, 3));
}

pub(super) fn notification_levels_belong_to_the_user_not_to_the_list(store: &mut impl Store) {
    // DND-17, DND-19, DND-38: a level is kept per conversation and per type (the empty target), says when it
    // changes, shows on the conversation, and outlives the conversation's removal.
    use crate::types::PushNotificationLevel::{AllMessage, Blocked, Mention, None as NotSet};
    assert_eq!(store.notification_level(PRIVATE, "bob").unwrap(), NotSet);
    assert!(store.set_notification_level(PRIVATE, "bob", Blocked).unwrap());
    assert!(!store.set_notification_level(PRIVATE, "bob", Blocked).unwrap(), "the same level: no change");
    assert!(store.set_notification_level(PRIVATE, "", Mention).unwrap());
    assert!(store.set_notification_level(GROUP, "team", AllMessage).unwrap());
    assert!(store.set_notification_level(PRIVATE, "carol", NotSet).unwrap(), "none is recorded like any level");
    assert_eq!(store.notification_level(PRIVATE, "bob").unwrap(), Blocked);
    assert_eq!(store.notification_level(PRIVATE, "").unwrap(), Mention);
    assert_eq!(store.notification_level(GROUP, "bob").unwrap(), NotSet, "per type and target");
    let private = store.conversation_notification_levels(PRIVATE).unwrap();
    let expected = [("bob".to_owned(), Blocked), ("carol".to_owned(), NotSet)];
    assert_eq!(private.into_iter().collect::<Vec<_>>(), expected, "the per-type level is not a conversation's");
    store.insert_received(&[received("bob", "u1", 100, "a")], 1).unwrap();
    assert_eq!(store.conversation((PRIVATE, "bob", None), "me").unwrap().unwrap().notification_level, Blocked);
    assert!(store.remove_conversation((PRIVATE, "bob", None)).unwrap());
    assert_eq!(store.notification_level(PRIVATE, "bob").unwrap(), Blocked, "removal keeps the level");
    assert!(store.set_notification_level(PRIVATE, "bob", AllMessage).unwrap());
    assert_eq!(store.notification_level(PRIVATE, "bob").unwrap(), AllMessage);
}

pub(super) fn removing_types_deletes_their_conversations_and_messages(store: &mut impl Store) {
    // CREM-2, CREM-3.
    store.insert_outgoing(&outgoing("bob", 1, "a")).unwrap();
    store.insert_outgoing(&Message { conversation_type: GROUP, ..outgoing("team", 2, "b") }).unwrap();
    store.insert_outgoing(&Message { conversation_type: ConversationType::System, ..outgoing("sys", 3, "c") }).unwrap();
    assert_eq!(store.remove_conversations_of_types(&[PRIVATE, ConversationType::System]).unwrap(), 2);
    assert_eq!(targets(store, &list(LISTED)), pairs(&[("team", 2)]));
    let left: Vec<String> = store.all_messages().unwrap().into_iter().map(|message| message.target_id).collect();
    assert_eq!(left, ["team"]);
}

pub(super) fn marking_read_up_to_a_time_leaves_the_later_ones_unread(store: &mut impl Store) {
    // UNREAD-4, UNREAD-7, CONV-10.
    let batch = [received("bob", "u1", 100, "a"), received("bob", "u2", 200, "b"), received("bob", "u3", 300, "c")];
    store.insert_received(&batch, 3).unwrap();
    store.insert_received(&[received("carol", "u4", 50, "d")], 4).unwrap();
    store.insert_outgoing(&outgoing("dave", 60, "e")).unwrap();
    let unread = ConversationQuery { only_unread: true, ..list(LISTED) };
    assert_eq!(targets(store, &unread), pairs(&[("bob", 300), ("carol", 50)]));
    assert_eq!(store.mark_read_sent_up_to((PRIVATE, "bob", None), 0).unwrap(), 0);
    assert_eq!(store.mark_read_sent_up_to((PRIVATE, "bob", None), 200).unwrap(), 2, "at or before the timestamp");
    assert_eq!(store.unread_count((PRIVATE, "bob", None)).unwrap(), 1);
    assert_eq!(store.mark_read_sent_up_to((PRIVATE, "bob", None), 200).unwrap(), 0, "already read");
    let statuses: Vec<ReceivedStatus> = store
        .conversation_messages(PRIVATE, "bob")
        .unwrap()
        .into_iter()
        .map(|message| message.received_status)
        .collect();
    assert_eq!(statuses, [ReceivedStatus::Read, ReceivedStatus::Read, ReceivedStatus::Unread]);
    store.mark_read_sent_up_to((PRIVATE, "bob", None), i64::MAX).unwrap();
    assert_eq!(targets(store, &unread), pairs(&[("carol", 50)]));
    assert_eq!(store.unread_count((PRIVATE, "carol", None)).unwrap(), 1, "other conversations untouched");
}

pub(super) fn each_ultra_group_channel_is_a_conversation_of_its_own(store: &mut impl Store) {
    // CTYPE-5, UG-4: an ultra group's messages, unread counts, drafts, pinned flags and places in the list are per
    // channel; its messages in no channel (UG-7) are one more conversation. Other types ignore a channel (CALL-11).
    const ULTRA: ConversationType = ConversationType::UltraGroup;
    let in_channel = |channel_id: Option<&str>, message: Message| Message {
        conversation_type: ULTRA,
        channel_id: channel_id.map(str::to_owned),
        ..message
    };
    let batch = [
        in_channel(Some("news"), received("ug", "u1", 100, "a")),
        in_channel(Some("news"), received("ug", "u2", 110, "b")),
        in_channel(Some("chat"), received("ug", "u3", 120, "c")),
        in_channel(None, received("ug", "u4", 130, "d")),
    ];
    store.insert_received(&batch, 4).unwrap();
    store.insert_outgoing(&in_channel(Some("news"), outgoing("ug", 140, "e"))).unwrap();
    let rows = |store: &dyn Store, query: &ConversationQuery<'_>| -> Vec<(Option<String>, i64)> {
        let states = store.conversation_states(query).unwrap();
        states.into_iter().map(|state| (state.channel_id, state.operation_time)).collect()
    };
    let channel = |name: &str, time: i64| (Some(name.to_owned()), time);
    assert_eq!(rows(store, &list(&[ULTRA])), [channel("news", 140), (None, 130), channel("chat", 120)]);
    let news = (ULTRA, "ug", Some("news"));
    let conversation = store.conversation(news, "me").unwrap().unwrap();
    let last_text = conversation.last_message.as_ref().map(|message| message.content.clone());
    assert_eq!(
        (conversation.channel_id.as_deref(), conversation.unread_count, conversation.first_unread_msg_send_time),
        (Some("news"), 2, 100)
    );
    assert_eq!(last_text, Some(crate::types::MessageContent::Text { text: "e".to_owned() }));
    let last_of = |store: &dyn Store, channel_id| {
        let last = store.last_message((ULTRA, "ug", channel_id)).unwrap();
        last.map(|message| message.message_uid.unwrap_or_default())
    };
    assert_eq!(last_of(store, Some("chat")), Some("u3".to_owned()), "not the newer news message");
    assert_eq!(last_of(store, None), Some("u4".to_owned()));
    assert_eq!(store.unread_count((ULTRA, "ug", Some("chat"))).unwrap(), 1);
    assert_eq!(store.unread_count((ULTRA, "ug", None)).unwrap(), 1, "no channel is a conversation too");
    assert_eq!(store.unread_count((ULTRA, "ug", Some("gone"))).unwrap(), 0);
    assert_eq!(store.unread_count_of_target(ULTRA, "ug").unwrap(), 4, "every channel");
    // A list narrowed to one channel keeps every other type whole.
    store.insert_outgoing(&Message { channel_id: Some("news".to_owned()), ..outgoing("bob", 90, "f") }).unwrap();
    let narrowed = ConversationQuery { ultra_group_channel: Some("chat"), ..list(LISTED) };
    assert_eq!(rows(store, &narrowed), [channel("chat", 120), (None, 90)]);
    assert_eq!(
        store.conversation_state((PRIVATE, "bob", Some("other"))).unwrap().map(|state| state.channel_id),
        Some(None)
    );
    // Drafts and pins belong to one channel.
    store.save_draft((ULTRA, "ug", Some("chat")), "later", 200).unwrap();
    assert!(store.set_top((ULTRA, "ug", Some("news")), true, 200).unwrap());
    assert_eq!(rows(store, &ConversationQuery { only_top: true, ..list(&[ULTRA]) }), [channel("news", 140)]);
    let draft_of =
        |store: &dyn Store, channel_id| store.conversation_state((ULTRA, "ug", channel_id)).unwrap().unwrap().draft;
    assert_eq!((draft_of(store, Some("chat")), draft_of(store, Some("news"))), ("later".to_owned(), String::new()));
    // Unread is per channel: the unread list holds the channels with unread messages.
    store.mark_read_sent_up_to(news, i64::MAX).unwrap();
    let unread = ConversationQuery { only_unread: true, ..list(&[ULTRA]) };
    assert_eq!(rows(store, &unread), [channel("chat", 200), (None, 130)]);
    // Removing one channel's conversation leaves the others; its next message brings it back.
    assert!(store.remove_conversation((ULTRA, "ug", Some("chat"))).unwrap());
    assert_eq!(rows(store, &list(&[ULTRA])), [channel("news", 140), (None, 130)]);
    store.insert_received(&[in_channel(Some("chat"), received("ug", "u6", 150, "g"))], 5).unwrap();
    assert_eq!(
        rows(store, &list(&[ULTRA])),
        [channel("news", 140), channel("chat", 150), (None, 130)],
        "news is pinned"
    );
}

#!/usr/bin/env python3
"""Regenerates docs/API-MAPPING.md: every method and listener of the manual's API surface (part 2, "Full API
surface") with its Rust name in imsim and whether imsim implements it yet.

Run from the repository root: `python3 scripts/api-mapping.py [SPEC_DIR]`. Update IMPLEMENTED when a method lands.
"""
import re
import sys

spec_dir = sys.argv[1] if len(sys.argv) > 1 else "../shared/spec"

# Manual name -> the Rust item that implements it. Methods are `Engine::snake_case` (spec README decision 7);
# listeners are variants of `core::Event`.
IMPLEMENTED = {
    "RCIMIWEngine.create": "`Engine::create(app_key, options, runtime)`",
    "destroy": "`Engine::destroy()`",
    "connect": "`Engine::connect(token, timeout_seconds)`",
    "disconnect": "`Engine::disconnect(receive_push)`",
    "createTextMessage": "`Engine::create_text_message(type, target_id, channel_id, text)`",
    "sendMessage": "`Engine::send_message(message)`",
    "onConnected": "`Event::Connected { code, user_id }`",
    "onDatabaseOpened": "`Event::DatabaseOpened { code }`",
    "onConnectionStatusChanged": "`Event::ConnectionStatusChanged { status }`",
    "onMessageAttached": "`Event::MessageAttached { message }`",
    "onMessageSent": "`Event::MessageSent { code, message }`",
    "onMessageReceived": "`Event::MessageReceived { message, left, offline, has_package }`",
    "createImageMessage": "`Engine::create_image_message`",
    "createFileMessage": "`Engine::create_file_message`",
    "createSightMessage": "`Engine::create_sight_message`",
    "createVoiceMessage": "`Engine::create_voice_message`",
    "createReferenceMessage": "`Engine::create_reference_message`",
    "createGIFMessage": "`Engine::create_gif_message`",
    "createCustomMessage": "`Engine::create_custom_message`",
    "createLocationMessage": "`Engine::create_location_message`",
    "getTotalUnreadCount": "`Engine::get_total_unread_count()`, returning the count (no listener)",
    "getUnreadCount": "`Engine::get_unread_count(type, target_id)`, returning the count (no listener)",
    "addToBlacklist": "`Engine::add_to_blacklist(user_id)`",
    "removeFromBlacklist": "`Engine::remove_from_blacklist(user_id)`",
    "getBlacklistStatus": "`Engine::get_blacklist_status(user_id)`",
    "getBlacklist": "`Engine::get_blacklist()`",
    "onBlacklistAdded": "`Event::BlacklistAdded { code, user_id }`",
    "onBlacklistRemoved": "`Event::BlacklistRemoved { code, user_id }`",
    "onBlacklistStatusLoaded": "`Event::BlacklistStatusLoaded { code, user_id, status }`",
    "onBlacklistLoaded": "`Event::BlacklistLoaded { code, user_ids }`",
    "sendGroupMessageToDesignatedUsers": "`Engine::send_group_message_to_designated_users(message, user_ids)`",
    "joinChatRoom": "`Engine::join_chat_room(target_id, message_count, auto_create)`",
    "leaveChatRoom": "`Engine::leave_chat_room(target_id)`",
    "getChatRoomMessages": "`Engine::get_chat_room_messages(target_id, timestamp, order, count)`",
    "onChatRoomJoining": "`Event::ChatRoomJoining { target_id }`",
    "onChatRoomJoined": "`Event::ChatRoomJoined { code, target_id }`",
    "onChatRoomLeft": "`Event::ChatRoomLeft { code, target_id }`",
    "onChatRoomStatusChanged": "`Event::ChatRoomStatusChanged { target_id, status }`",
    "onChatRoomMemberChanged": "`Event::ChatRoomMemberChanged { target_id, actions }`",
    "onChatRoomMessagesLoaded": "`Event::ChatRoomMessagesLoaded { code, target_id, messages, sync_time }`",
    "addChatRoomEntry": "`Engine::add_chat_room_entry(target_id, key, value, delete_when_left, overwrite)`",
    "addChatRoomEntries": "`Engine::add_chat_room_entries(target_id, entries, delete_when_left, overwrite)`",
    "getChatRoomEntry": "`Engine::get_chat_room_entry(target_id, key)`, returning the entry (no listener)",
    "getChatRoomAllEntries": "`Engine::get_chat_room_all_entries(target_id)`, returning the entries (no listener)",
    "removeChatRoomEntry": "`Engine::remove_chat_room_entry(target_id, key, force)`",
    "removeChatRoomEntries": "`Engine::remove_chat_room_entries(target_id, keys, force)`",
    "onChatRoomEntryAdded": "`Event::ChatRoomEntryAdded { code, target_id, key }`",
    "onChatRoomEntriesAdded": "`Event::ChatRoomEntriesAdded { code, target_id, entries, error_entries }`",
    "onChatRoomEntryLoaded": "the result of `Engine::get_chat_room_entry` (no event)",
    "onChatRoomAllEntriesLoaded": "the result of `Engine::get_chat_room_all_entries` (no event)",
    "onChatRoomEntryRemoved": "`Event::ChatRoomEntryRemoved { code, target_id, key }`",
    "onChatRoomEntriesRemoved": "`Event::ChatRoomEntriesRemoved { code, target_id, keys }`",
    "onChatRoomEntriesSynced": "`Event::ChatRoomEntriesSynced { room_id }`",
    "onChatRoomEntriesChanged": "`Event::ChatRoomEntriesChanged { operation, room_id, entries }`",
}


def snake(name):
    name = name.split(".")[-1]
    name = re.sub(r"GIF", "Gif", name)
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


text = open(f"{spec_dir}/part2.md", encoding="utf-8").read()
surface = text[text.index("## Full API surface"):text.index("### Counts")]
rows, seen = [], set()
area = ""
# An entry may wrap onto indented continuation lines: join them first.
lines = []
for line in surface.split("\n"):
    if line.startswith("  ") and lines and lines[-1].startswith("- "):
        lines[-1] += " " + line.strip()
    else:
        lines.append(line)
for line in lines:
    if line.startswith("### "):
        area = line[4:].strip()
        continue
    match = re.match(r"- (M|L) (.*)", line)
    if not match:
        continue
    kind, rest = match.groups()
    names = re.findall(r"`([A-Za-z][A-Za-z0-9_.]*)", rest)
    if kind == "M" and rest.startswith("`create"):
        names = re.findall(r"`(create[A-Za-z]+Message)`", rest)
    for name in names[:1] if kind == "L" or not rest.startswith("`create") else names:
        if name in seen or not re.match(r"^(on[A-Z]|[a-z]|RCIMIWEngine\.create)", name):
            continue
        seen.add(name)
        if kind == "L":
            rust = IMPLEMENTED.get(name, f"`Event::{name[2:]}`")
        else:
            rust = IMPLEMENTED.get(name, f"`Engine::{snake(name)}`")
        status = "implemented" if name in IMPLEMENTED else "planned"
        rows.append(f"| {area} | {'method' if kind == 'M' else 'listener'} | `{name}` | {rust} | {status} |")

done = sum(1 for name in seen if name in IMPLEMENTED)
with open("docs/API-MAPPING.md", "w", encoding="utf-8") as out:
    out.write("# The manual's API and imsim's\n\n")
    out.write("Generated by `scripts/api-mapping.py` from the spec's \"Full API surface\". The Rust API keeps the\n")
    out.write("manual's names in snake_case (spec README decision 7): a method `fooBar(...)` is `Engine::foo_bar(...)`,\n")
    out.write("and a listener `onFooBar(...)` is the event `Event::FooBar { ... }` on the engine's event stream. A call's\n")
    out.write("status code (CALL-1) is its `Result`: `Ok(())` for 0, `Err(ImError { code, .. })` otherwise; a\n")
    out.write("per-call callback object (CALL-4) has no Rust twin, since every result arrives as an event.\n\n")
    out.write(f"{done} of {len(rows)} names implemented.\n\n")
    out.write("| area | kind | manual | imsim | status |\n|---|---|---|---|---|\n")
    out.write("\n".join(rows) + "\n")
print(f"{len(rows)} names, {done} implemented")

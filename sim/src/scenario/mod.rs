//! YAML scenarios: the file format and its parser.
//!
//! A scenario names the spec rules it checks, a seed, settings, the devices and the steps to run:
//!
//! ```yaml
//! name: private text both ways           # required, non-empty
//! rules: [SEND-4, SEND-5, RECV-1]        # required, non-empty, no repeats; rule IDs of docs/spec/
//! seed: 7                                # required, 0..=u64::MAX
//! settings:                              # optional, every field optional
//!   tick: 1ms                            # the simulated tick, 1ms..=1s; default 1ms
//!   latency: { min: 0ms, max: 20ms }     # one-way latency, both bounds, min <= max; default 1ms..5ms
//!   app_key: imsim-app                   # default imsim-app
//!   heartbeat: { interval: 30s, timeout: 10s }   # the engine's heartbeat (RECONN-12); both required when present,
//!                                        # interval >= 1s, 1ms <= timeout < interval; default 30s and 10s
//!   app:                                 # the App Key's console switches; every field optional
//!     reconnect_kick_policy: true        # reconnectKickPolicyEnabled (CFG-6); default false
//!     mobile_devices_max: 2              # mobile devices of a user online at once (CFG-7); >= 1, default 1
//!     mini_program_devices_max: 1        # mini-program connections of a user at once (CFG-7); >= 1, default 1
//!     multi_device_sync: false           # multiDeviceSync (CFG-2); default false
//!     token_ttl: 1h                      # tokenTtl (CFG-10): a token's lifetime, >= 1ms; default: permanent
//!     compensation_days: 3               # compensationDays (CFG-3): 1..=7, default 1
//!     private_offline_days: 2            # privateOfflineDays (CFG-8): 1..=7, default 7
//!     group_offline_days: 5              # groupOfflineDays (CFG-8): 1..=7, default 7
//!     send_rate_limit: 500               # clientSendRate (CFG-11, BIZ-8): sends per second per connection;
//!                                        # >= 1, default 5
//!     chatroom_multi_room: true          # a user may be in several chatrooms (BIZ-6, CR-9); default false
//!     chatroom_destroy_after: 10m        # a chatroom inactive this long is destroyed (CR-4, BIZ-21); 1ms..=24h,
//!                                        # default 1h
//!     chatroom_member_events: true       # member-change notifications (CR-24); default false
//!     chatroom_cloud_storage: true       # chatroom history for getChatRoomMessages (CR-25); default false
//!     chatroom_kv: true                  # chatroom attributes, KV (CRKV-1); default false
//!     chatroom_messages_per_second: 3    # the server's cap per chatroom before it discards (BIZ-13, CR-27);
//!                                        # >= 1, default 100
//!     chatroom_join_message_types: [RC:TxtMsg]   # a join fetches only these object names (CR-12); default: all
//!     chatroom_realtime_eviction: true   # offline members evicted after 5 minutes, messages or not (CR-18);
//!                                        # default false
//!     chatroom_status_callback: true     # chatroom status sync to the app server (CR-36); default false
//!     chatroom_kv_callback: true         # chatroom KV sync to the app server (CRKV-15); default false
//!     push_service: true                 # a push service is integrated (DND-5, PUSH-2); default false
//!     cloud_storage: true                # the server keeps each user's history (CFG-1, HIST); default false
//!     delete_compensation_on_timestamp_delete: true  # CFG-4, DEL-6; default false
//!     recall_own_only: true              # only the sender may recall (CFG-5, RECALL-3); default false
//!     directed_message_cloud_storage: true  # directed group messages kept in the cloud history (GRP-19)
//!     group_pre_join_history: true       # new members fetch the group's earlier history (GRP-14)
//! devices:                               # required, non-empty; file order is kept and significant
//!   a: { user: zhangsan, platform: mobile, kick_reconnect_device: true }
//!                                        # name [a-z0-9_-]+, not `server`; platform default mobile;
//!                                        # kick_reconnect_device: the engine option (ENG-14), default false
//!                                        # file_server: the engine option fileServer (ENG-9), a server address
//!   b: { user: lisi }
//! steps:                                 # required, may be empty; each step is a mapping with one key
//!   - connect: a                                          # short for { device: a }
//!   - connect: { device: a, timeout: 5, token: valid }    # timeout: whole seconds (i32), default 0 = keep
//!                                                         # trying (CONN-16); token: valid (default),
//!                                                         # malformed, revoked, other_app or expired (its
//!                                                         # lifetime has already passed)
//!   - disconnect: a                                       # or { device: a, receive_push: false }; default true
//!   - send: { device: a, to: lisi, text: "hello" }        # `type` default private; `to` is the target ID
//!   - send: { device: a, to: lisi, text: "m{n}", count: 450 }  # 450 messages back to back, "m1" to "m450";
//!                                                         # count 1..=10000, default 1; every `{n}` in the
//!                                                         # text is the message's number, from 1
//!   - send: { device: a, type: group, to: g1, text: hi, directed: [lisi, wangwu] }
//!   - send: { device: a, to: lisi, text: hi, as: m1 }     # keeps the message as its send's events give it: $m1
//!                                                         # sendGroupMessageToDesignatedUsers (GRP-16): only
//!                                                         # with `type: group`; a non-empty list
//!   - advance: 1500ms
//!   - partition: [a, server]                              # two different endpoints: devices or `server`
//!   - repair: [a, server]
//!   - revoke_tokens: zhangsan                             # App Server API: revoke every token issued so far
//!                                                         # to a user of the devices
//!   - ban: { user: zhangsan, duration: 1h }               # App Server API (USER-9): ban a user of the devices;
//!                                                         # both required, duration >= 1ms
//!   - unban: zhangsan                                     # App Server API (USER-9): lift the user's ban
//!   - background: a                                       # the app goes to the background (RECONN-13)
//!   - foreground: a                                       # the app comes to the foreground (RECONN-5)
//!   - network_lost: a                                     # the device's OS reports the network gone (RECONN-3)
//!   - network_restored: a                                 # ... and back
//!   - crash: a                                            # the device's host crashes: process gone, disk kept
//!   - restart: a                                          # the host boots again, with its disk
//!   - file: { device: a, path: cat.jpg, size: 200000 }    # a file on the device's disk for a media message
//!                                                         # (SEND-13); size in bytes, at most 16 MiB
//!   - blacklist_add: { device: a, user: lisi }            # addToBlacklist (BLACK-5); both required
//!   - blacklist_remove: { device: a, user: lisi }         # removeFromBlacklist (BLACK-6)
//!   - blacklist_status: { device: a, user: lisi }         # getBlacklistStatus (BLACK-7)
//!   - blacklist_get: a                                    # getBlacklist (BLACK-8)
//!   - create_group: { id: g1, name: Team, members: [zhangsan, lisi] }   # App Server API (GRP-5): all three
//!                                                         # required; members may be `[]`
//!   - dismiss_group: g1                                   # App Server API (GRP-5)
//!   - add_members: { group: g1, users: [wangwu] }         # App Server API (GRP-6); users non-empty
//!   - remove_members: { group: g1, users: [lisi] }        # App Server API (GRP-6); users non-empty
//!   - mute_member: { group: g1, user: lisi, duration: 1h }    # App Server API (GRP-9); duration >= 1ms,
//!                                                         # optional: without it, until unmute_member
//!   - unmute_member: { group: g1, user: lisi }            # App Server API (GRP-9)
//!   - mute_all: { group: g1, whitelist: [zhangsan] }      # App Server API (GRP-10); whitelist optional, default
//!                                                         # none; `mute_all: g1` is short for { group: g1 }
//!   - unmute_all: g1                                      # App Server API (GRP-10)
//!   - server_send: { from: admin, to: lisi, type: private, text: hi, verify_blacklist: true }
//!   - server_broadcast: { from: notices, text: hi }
//!                                                         # App Server API message: from, to and text required;
//!                                                         # type private (default), group or system;
//!                                                         # verify_blacklist (BLACK-4) only for private,
//!                                                         # default false
//!   - join_chatroom: { device: a, room: r1, count: 10, auto_create: true }
//!                                                         # joinChatRoom (CR-10): count (i32) default -1,
//!                                                         # auto_create default false
//!   - leave_chatroom: { device: a, room: r1 }             # leaveChatRoom (CR-20)
//!   - send: { device: a, type: chatroom, to: r1, text: hi }   # a chatroom message (CR-37)
//!   - chatroom_history: { device: a, room: r1, timestamp: 0, order: before, count: 20 }
//!                                                         # getChatRoomMessages (CR-25): count (i32) required,
//!                                                         # timestamp (i64 Unix ms) default 0, order before
//!                                                         # (default) or after
//!   - chatroom_history: { device: a, room: r1, timestamp: sync_time, count: 20 }
//!                                                         # the next page (CR-26): from the syncTime of a's
//!                                                         # latest chatRoomMessagesLoaded of r1
//!   - kv_add: { device: a, room: r1, key: k, value: v, delete_when_left: true, overwrite: true }
//!                                                         # addChatRoomEntry (CRKV-7); both flags default false
//!   - kv_add: { device: a, room: r1, key: k, value: { repeat: x, times: 4097 } }   # a 4097-character value
//!   - kv_add_many: { device: a, room: r1, entries: { k1: v1, k2: v2 }, delete_when_left: false, overwrite: false }
//!                                                         # addChatRoomEntries (CRKV-8)
//!   - kv_remove: { device: a, room: r1, key: k, force: true }        # removeChatRoomEntry (CRKV-11); force
//!                                                         # default false
//!   - kv_remove_many: { device: a, room: r1, keys: [k1, k2], force: false }   # removeChatRoomEntries (CRKV-12)
//!   - create_chatroom: r1                                 # App Server API (CR-2)
//!   - destroy_chatroom: r1                                # App Server API (CR-2, CR-5): destroyManual
//!   - chatroom_keep_alive: r1                             # App Server API (CR-7); or { room: r1, keep_alive: false }
//!   - chatroom_whitelist: { room: r1, users: [lisi] }     # App Server API (CR-19, CR-29): adds users
//!   - chatroom_unwhitelist: { room: r1, users: [lisi] }   # ... removes them
//!   - chatroom_message_whitelist: ["RC:TxtMsg"]           # App Server API (CR-28): replaces the App Key's list
//!   - chatroom_low_priority: ["RC:TxtMsg"]                # App Server API (CR-27): replaces the App Key's list
//!   - chatroom_ban: { room: r1, users: [lisi], duration: 1h }   # App Server API (CR-30): kicks members; joins
//!                                                         # answer 23409 until the ban ends
//!   - chatroom_unban: { room: r1, users: [lisi] }         # ... lifts the ban
//!   - chatroom_mute: { room: r1, users: [lisi], duration: 1h }  # App Server API (CR-31): sends answer 23408;
//!                                                         # no duration: until chatroom_unmute
//!   - chatroom_unmute: { room: r1, users: [lisi] }        # ... lifts the mute
//!   - chatroom_mute_all: { room: r1, whitelist: [zhangsan] }    # App Server API (CR-32); whitelist default []
//!   - chatroom_unmute_all: r1                             # ... lifts it
//!   - chatroom_global_mute: { users: [lisi], duration: 1h }     # App Server API (CR-33): every room of the app;
//!                                                         # no duration: until chatroom_global_unmute
//!   - chatroom_global_unmute: { users: [lisi] }           # ... lifts it
//!   - chatroom_broadcast: { from: admin, text: hi }       # App Server API (CR-35): a text into every room
//!   - call: { device: a, method: joinChatRoom, targetId: r1, messageCount: -1, autoCreate: true }
//!                                                         # any method of the engine's API table, by its manual
//!                                                         # name, with its parameters under their names
//!   - call: { device: a, method: createTextMessage, conversationType: private, targetId: lisi, text: hi, as: m }
//!   - call: { device: a, method: sendMessage, message: $m }   # `as` keeps what a call returns; `$m` takes it
//!   - expect: { device: b, event: onMessageReceived, message: { text: hi }, left: 0, as: got }
//!                                                         # a listener by its manual name, and the fields its
//!                                                         # serialised event must match (see `pattern`)
//!   - expect: { device: b, no_event: onMessageReceived, message: { text: hi }, for: 2s }
//!   - expect: { device: b, event: onMessageReceived, times: 3 }   # three matching events, one after the other;
//!   - expect: { device: b, no_event: onMessageReceived, for: 2s } # with this, exactly three (matched ones are left out)
//!   - checkpoint: settled                                 # a named point: `since: settled` opens a negative
//!   - expect: { device: b, no_event: onConnectionStatusChanged, for: 5s, since: settled }   # check's window there
//!   - expect: { device: b, event: messageReceived, text: hello, from: zhangsan, left: 0, offline: false,
//!               has_package: false, within: 5s }
//!   - expect: { device: a, event: messageSent, code: 0, sent_status: sent }
//!   - expect: { device: a, event: connectionStatusChanged, status: connecting }
//!   - expect: { device: a, status: signOut }              # the device's connection status
//!   - expect: { devices: [c, d], statuses: [connected, kickedOfflineByOtherClient] }   # in any order: a race
//!   - expect: { device: a, no_event: connected, for: 5s } # no such event during the next 5s
//!   - expect: { device: b, no_event: messageReceived, text: hi, for: 1m }
//!   - expect: { device: a, event: blacklistStatusLoaded, code: 0, user: lisi, blacklist_status: inBlacklist }
//!   - expect: { device: a, event: blacklistLoaded, code: 0, users: [lisi, wangwu] }
//!   - expect: { device: a, stored: { type: private, target: lisi,
//!               messages: [ { direction: send, text: hi, sent_status: sent }, { direction: receive, text: yo } ] } }
//!   - expect: { device: a, stored: { target: lisi, count: 450 } }   # how many messages, whatever they are
//!   - expect: { device: b, unread: { target: zhangsan, type: private, count: 3 } }   # getUnreadCount (UNREAD-2)
//!   - expect: { device: b, unread: { total: 5 } }        # getTotalUnreadCount (UNREAD-1)
//!   - expect: { device: a, event: chatRoomJoined, code: 0, room: r1 }
//!   - expect: { device: b, event: chatRoomMemberChanged, room: r1, user: zhangsan, action: join }
//!   - expect: { device: a, event: chatRoomEntriesChanged, room: r1, operation: update, entries: { k: v } }
//!   - expect: { device: a, stored: { type: chatroom, target: r1, count: 10 } }
//!   - expect: { device: a, entries: { room: r1, entries: { k1: v1 } } }   # getChatRoomAllEntries (CRKV-10)
//!   - expect: { device: a, entries: { room: r1, key: k1, value: v1 } }    # getChatRoomEntry (CRKV-9)
//!   - expect: { device: a, entries: { room: r1, key: k9, code: 23427 } }  # a read that fails
//!   - expect: { device: a, call: join_chatroom, code: -101 }   # what the app's call returned at once
//!   - expect: { server_callback: chatroomMemberLeft, room: r1, user: lisi, within: 5s }   # no device
//!   - expect: { no_server_callback: chatroomMemberLeft, for: 10s }
//! ```
//!
//! - **Durations** are a whole number and a unit, `ms`, `s`, `m` or `h`: `250ms`, `10s`, `2m`, `1h`.
//! - **Enum values** are the manual's camelCase names (`ConnectionStatus`, `ConversationType`, `Platform`,
//!   `SentStatus`, `MessageDirection`, `BlacklistStatus` of `imsim_engine::types`), such as
//!   `kickedOfflineByOtherClient` or `notInBlacklist`.
//! - **call** takes `device`, `method` (a method of `imsim_engine::api::Method`, by its manual name), `as` (a name to
//!   keep what the call returns under) and the method's parameters under their manual names, which the engine's own
//!   `Deserialize` reads (an unknown, missing or mistyped parameter is an error at its place, naming the method's
//!   parameters). A parameter may be a reference, `$name` or `$name.field.0`, to a kept value, resolved when the
//!   device makes the call; then only the parameters' names are checked when the file is read.
//! - An **expect of a listener** (`event: onX` or `no_event: onX`, the manual's listener name) takes `device`, `within`
//!   (or `for`, with `no_event`), `as`, and any of the listener's parameters (read from the engine's `Event` schema),
//!   each a pattern (`pattern`'s module documentation: maps by the keys given, lists in full, scalars exactly,
//!   `$name` references, `$exactly`, `$contains`, `$sameAs`).
//! - **expect** takes `device`, `within` (default `10s`: the simulated time the check may take to hold) and exactly
//!   one check: `event`, `no_event`, `status`, `stored`, `unread`, `entries` or `call` (or, without `device`,
//!   `server_callback` or `no_server_callback`, below). A `no_event` check holds when the device's app gets no
//!   matching event in its window: from the start of the last step before it that acted (or from the
//!   `checkpoint` its `since` names) to `for` (required) after it begins, leaving out the events positive checks
//!   matched (`negative_windows`); it takes `for` instead of `within`, which it does not allow, and `for` and
//!   `since` belong to it alone. An `event` or `no_event` check may add the
//!   fields of its event, and only those:
//!
//!   | event                     | fields                                                        |
//!   |---------------------------|---------------------------------------------------------------|
//!   | `databaseOpened`          | `code`                                                        |
//!   | `connected`               | `code`, `user`                                                |
//!   | `connectionStatusChanged` | `status`                                                      |
//!   | `messageAttached`         | `text`, `sent_status`                                         |
//!   | `messageSent`             | `code`, `text`, `sent_status`                                 |
//!   | `messageReceived`         | `text`, `from`, `left`, `offline`, `has_package`, `sent_status`, `room` |
//!   | `offlineMessageSyncCompleted` | (none)                                                    |
//!   | `blacklistAdded`          | `code`, `user`                                                |
//!   | `blacklistRemoved`        | `code`, `user`                                                |
//!   | `blacklistStatusLoaded`   | `code`, `user`, `blacklist_status`                            |
//!   | `blacklistLoaded`         | `code`, `users`                                               |
//!   | `chatRoomJoining`         | `room`                                                        |
//!   | `chatRoomJoined`          | `code`, `room`                                                |
//!   | `chatRoomLeft`            | `code`, `room`                                                |
//!   | `chatRoomStatusChanged`   | `room`, `chatroom_status`                                     |
//!   | `chatRoomMemberChanged`   | `room`, `user`, `action`                                      |
//!   | `chatRoomMessagesLoaded`  | `code`, `room`, `texts`, `sync_time`                          |
//!   | `chatRoomEntryAdded`      | `code`, `room`, `key`                                         |
//!   | `chatRoomEntriesAdded`    | `code`, `room`, `entries`, `error_entries`                    |
//!   | `chatRoomEntryRemoved`    | `code`, `room`, `key`                                         |
//!   | `chatRoomEntriesRemoved`  | `code`, `room`, `keys`                                        |
//!   | `chatRoomEntriesSynced`   | `room`                                                        |
//!   | `chatRoomEntriesChanged`  | `room`, `operation`, `entries`                                |
//!
//!   `code` is an i32, `left` a u32, `offline` and `has_package` booleans; `users` is a list of user IDs that must
//!   be the event's whole list, in the same order (`[]` for an empty blacklist). `room` is the chatroom ID; on
//!   `messageReceived` it matches a chatroom message of that room. `chatroom_status` is `reset`, `destroyManual` or
//!   `destroyAuto`. A `chatRoomMemberChanged` check matches when one of the event's actions has the `user` and the
//!   `action` (`join` or `leave`) given. `texts` lists the texts of all the loaded messages, in order; `sync_time`
//!   is an i64 (Unix ms), or `oldest` / `newest`: the sent time of the oldest / newest loaded message (CR-45; no
//!   match on an empty page), since sent times are the server's clock, which the network's latency decides.
//!   `keys` is the event's whole list of keys, in order; `entries` (`{ key: value, ... }`) and `error_entries`
//!   (`{ key: code, ... }`) are the event's whole maps. `operation` is `update` or `remove`.
//!   With an `event` or `no_event`, `status` and `entries` are these fields; without one, they are checks.
//! - A **statuses** check (`devices`, two or more, distinct; `statuses`, one per device; `within`; nothing else) is
//!   for a race whose winner the network decides, such as two logins at the same instant: it holds when the
//!   devices' connection statuses are the ones listed, in some order (which device has which is the outcome).
//! - A **stored** check is about one conversation in the device's database (`target`, required, and `type`,
//!   default private) and takes exactly one of `messages` and `count`. `messages` lists its messages, oldest
//!   first: `direction` and `text` required, `sent_status` optional. `count` (a u32) is how many messages it
//!   holds, whatever they are.
//! - An **unread** check takes either `total` alone, the count `getTotalUnreadCount` gives (UNREAD-1), or `target`
//!   (required), `type` (default private) and `count` (required), the count `getUnreadCount` gives for that
//!   conversation (UNREAD-2); for an ultra group, every channel's together. Counts are u32s.
//! - An **entries** check reads the device engine's copy of a chatroom's KV entries (CRKV-9, CRKV-10), again on
//!   every tick until it holds: `{ room, entries: { k: v, ... } }` (`getChatRoomAllEntries` gives exactly this
//!   map; `{}` for none), `{ room, key, value }` (`getChatRoomEntry` gives this value) or `{ room, code }` /
//!   `{ room, key, code }` (the read fails with this code, such as 34004 before the sync, 23406 for a room not
//!   joined, 23427 for a missing key). The reads are not app actions and do not show in the trace.
//! - A **call** check is about what an app call returned at once, before any event: `call` names the step that
//!   made it (`connect`, `send`, `join_chatroom`, `kv_add`, ... any step that calls the engine API), `code` (required,
//!   an i32) is 0 when the engine took the call, or the code it refused it with (such as -101 for an invalid
//!   argument, -103 when not connected). Call checks of a device are matched in order, like event checks: each
//!   consumes the first call of that step with that code after the previous match. Every call also shows in the
//!   trace as `call <API> <arguments> -> <code>`.
//! - A **server_callback** check (it takes no `device`, which is refused) is about the calls the server makes outside
//!   the IM connection: callbacks to the app's own server, with the `chatroom_status_callback` (CR-36) and
//!   `chatroom_kv_callback` (CRKV-15) switches, and notifications handed to the push service, with `push_service`
//!   (`push`). It names the kind and may add the kind's fields, and only those:
//!
//!   | callback                 | fields                                   |
//!   |--------------------------|------------------------------------------|
//!   | `chatroomCreated`        | `room`                                   |
//!   | `chatroomDestroyed`      | `room`, `chatroom_status`                |
//!   | `chatroomMemberJoined`   | `room`, `user`                           |
//!   | `chatroomMemberLeft`     | `room`, `user`                           |
//!   | `chatroomEntriesChanged` | `room`, `user`, `operation`, `entries`   |
//!   | `push`                   | `user`, `target`, `title`, `content`     |
//!
//!   `user` of `push` is the user notified, and `target` the conversation as that user sees it (the sender of a
//!   private message, the group).
//!   `user` of `chatroomEntriesChanged` is who changed the entries, `""` for a cleanup (deleteWhenLeft, or a room
//!   destroyed with entries); `entries` is the whole map. `server_callback` checks consume the run's callbacks in
//!   order, like event checks, within `within` (default 10s); `no_server_callback` takes `for` instead, like
//!   `no_event`. The runner drains the callbacks after every tick and every App Server API step and writes each to
//!   the trace as `server callback <kind> room=... ...`.
//! - **Step values** that name a device (`connect: a`, `crash: a`, `blacklist_add.device`, ...) must name a declared
//!   device; those that name a user (`revoke_tokens`, `ban.user`, `unban`) must name a user of the devices.
//! - **Arguments of the app's calls** (`send.to`, `send.text`, `send.directed`, the blacklist steps' `user`, every
//!   argument of the chatroom and KV steps) are passed as written, even empty, repeated or out of range: the SDK's
//!   own argument checks are under test. A text argument of `kv_add` and `kv_remove` (`key`, `value`) may also be
//!   `{ repeat: ab, times: 3 }`, for `ababab`, to write the long keys and values the limits need. The **group and
//!   chatroom administration steps and `server_send`** play the App Server API: their user, group and room IDs
//!   and object names are any non-empty text (not only users of the devices), and their lists (`members`,
//!   `users`, `whitelist`, object names) never hold an item twice. An App Server API call that fails (such as
//!   `destroy_chatroom` of a room that does not exist) fails the step.
//! - Scalars are read as written: `user: 007` is the user `007`; booleans are only `true` and `false`.
//!
//! Every error, from YAML syntax to an undeclared device, is a [`ScenarioError`] naming the file, the line and
//! column of the offending node, and what was expected there.

pub mod arguments;
pub mod listeners;
mod model;
pub mod negative_windows;
mod parse;
pub mod run_length;
mod yaml;

pub use parse::schema::scenario_schema;
pub use yaml::{DURATION_FORM, Node, Scalar, Value as NodeValue, parse_duration};

use std::fmt;
use std::path::{Path, PathBuf};

pub use model::pattern::{self, Pattern, ScalarKind};
pub use model::{
    AppSettings, CHATROOM_DESTROY_AFTER_MAX, CallArguments, CallStep, CallbackExpectation, CallbackKind,
    CallbackPattern, ChatroomAdmin, ChatroomCall, Check, DeviceSpec, Endpoint, EntriesRead, Expectation,
    FILE_BYTES_MAX, HistoryFrom, LATENCY_MAX, Location, PartialClaim, RuleId, SEND_COUNT_MAX, Scenario, ServerApiStep,
    Settings, StatusesExpectation, Step, StepKind, StoredContents, StoredPattern, TokenChoice, describe_call_arguments,
    describe_callback, file_content, format_duration, numbered_text,
};

/// A scenario file that could not be read or is not a valid scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// The file.
    pub path: PathBuf,
    /// The line of the offending node, 1-based.
    pub line: u64,
    /// Its column, 1-based, in characters.
    pub column: u64,
    /// What is wrong and what was expected.
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.path.display(), self.line, self.column, self.message)
    }
}

impl std::error::Error for ScenarioError {}

/// Parses the scenario `text`, read from `path` (used in errors and kept in the scenario).
pub fn parse_scenario(path: &Path, text: &str) -> Result<Scenario, ScenarioError> {
    let scenario = parse::scenario(path, text).map_err(|problem| ScenarioError {
        path: path.to_owned(),
        line: problem.at.line,
        column: problem.at.column,
        message: problem.message,
    })?;
    run_length::check(&scenario)
        .and_then(|()| negative_windows::check(&scenario))
        .map_err(|(at, message)| ScenarioError { path: path.to_owned(), line: at.line, column: at.column, message })?;
    Ok(scenario)
}

/// Reads and parses the scenario file at `path`.
pub fn load_scenario(path: &Path) -> Result<Scenario, ScenarioError> {
    let error = |line, column, message| ScenarioError { path: path.to_owned(), line, column, message };
    let bytes = std::fs::read(path).map_err(|e| error(1, 1, format!("cannot read the file: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = String::from_utf8_lossy(&e.as_bytes()[..e.utf8_error().valid_up_to()]).into_owned();
        let line = valid.matches('\n').count() as u64 + 1;
        let column = valid.rsplit('\n').next().map_or(0, |last| last.chars().count()) as u64 + 1;
        error(line, column, "the file is not valid UTF-8".to_owned())
    })?;
    parse_scenario(path, &text)
}

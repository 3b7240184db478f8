//! An accepted message, out to its recipients: into each recipient's inbox with the route the app's sync mode gives
//! (the `sync` module), plus the sender's own copy when sync is on, then pushed to the devices that are live. A
//! status message skips the inboxes and goes only to the devices live at that moment (SYNC-3).
//!
//! Outputs come in this order: the sender's `PublishAck` (so the sender learns the UID before any delivery of the
//! same message, even one to itself), then the deliveries, recipient by recipient in the given order, then the
//! sender's other devices.

use imsim_engine::content::{Signal, encode_signal};
use imsim_engine::proto::{self, frame::Body};
use imsim_engine::types::ConversationType;

use super::inbox::Route;
use super::{ConnId, Server, push};

/// Where one accepted message goes.
#[derive(Debug)]
pub(super) struct Fanout {
    /// The message as delivered, except `target_id` (and `seq`, which each inbox sets).
    pub(super) message: proto::DeliveredMessage,
    /// Each recipient's user ID with the conversation as they see it (`target_id`), without duplicates.
    pub(super) recipients: Vec<(String, String)>,
    /// The sender's own copy for their other devices, if the sender is a device and sync is on.
    pub(super) sender_copy: Option<SenderCopy>,
    /// How long the message waits in inboxes (CFG-8).
    pub(super) retention_ms: i64,
}

/// SYNC-17: what the sender's other devices get of a message sent from `device_id`.
#[derive(Debug)]
pub(super) struct SenderCopy {
    pub(super) user_id: String,
    /// The sending device, which never gets the copy; `None` for a message no device sent (the Server API's
    /// `isIncludeSender`, SYNC-16).
    pub(super) device_id: Option<String>,
    /// The conversation from the sender's side: the peer, or the group.
    pub(super) target_id: String,
}

/// Where a signal (a recall, an expansion change, a read receipt) goes: from `from` to `recipients`, each with the
/// conversation as they see it, and to the caller's other devices when `sender_copy` is given (and sync is on).
#[derive(Debug)]
pub(super) struct SignalRoute {
    pub(super) from: String,
    pub(super) conversation_type: u32,
    pub(super) recipients: Vec<(String, String)>,
    pub(super) sender_copy: Option<SenderCopy>,
}

impl SignalRoute {
    /// The route to every participant of a message (`views`, the caller's own among them) but the calling device:
    /// the others as recipients, the caller's other devices through the sender's copy.
    pub(super) fn to_participants(
        conversation_type: u32,
        views: Vec<(String, String)>,
        caller: &str,
        device_id: String,
    ) -> SignalRoute {
        let (recipients, own): (Vec<_>, Vec<_>) = views.into_iter().partition(|(user_id, _)| user_id != caller);
        let sender_copy = own.into_iter().next().map(|(user_id, target_id)| SenderCopy {
            user_id,
            device_id: Some(device_id),
            target_id,
        });
        SignalRoute { from: caller.to_owned(), conversation_type, recipients, sender_copy }
    }
}

impl Server {
    /// Sends `signal` along `route` through the inboxes, like a message of its conversation (so it waits for offline
    /// devices as long as one would), marked neither stored nor counted. `(message_uid, sent_time)` is its stamp
    /// (`App::stamp`), taken by the caller when the signal's content needs its time.
    pub(super) fn send_signal(
        &mut self,
        app_key: &str,
        route: SignalRoute,
        signal: &Signal,
        (message_uid, sent_time): (String, i64),
        now_ms: i64,
    ) {
        let retention_ms = if route.conversation_type == ConversationType::Group.ordinal() {
            self.group_retention_ms()
        } else {
            self.private_retention_ms()
        };
        let message = proto::DeliveredMessage {
            message_uid,
            conversation_type: route.conversation_type,
            sender_user_id: route.from,
            sent_time,
            content: Some(encode_signal(signal)),
            not_stored: true,
            not_counted: true,
            ..Default::default()
        };
        let fanout = Fanout { message, recipients: route.recipients, sender_copy: route.sender_copy, retention_ms };
        self.fan_out(app_key, fanout, None, now_ms);
    }

    /// Delivers `fanout` in `app_key`, sending `ack` (to the publishing connection) first. See the module
    /// documentation.
    pub(super) fn fan_out(
        &mut self,
        app_key: &str,
        fanout: Fanout,
        ack: Option<(ConnId, proto::PublishAck)>,
        now_ms: i64,
    ) {
        imsim_engine::mark!("CFG-2");
        let sync = self.apps.get(app_key).is_some_and(|app| app.config.multi_device_sync);
        let Fanout { message, recipients, sender_copy, retention_ms } = fanout;
        // A status message can be neither recalled nor expanded, and no history keeps it.
        if !message.status_message
            && let Some(app) = self.apps.get_mut(app_key)
        {
            app.sent.record(&message, &recipients, sender_copy.as_ref());
            if app.config.cloud_storage {
                self.record_history(app_key, &message, &recipients, sender_copy.as_ref());
            }
        }
        // SYNC-17: a device's own copy goes to its user's other devices only with sync on. SYNC-16: a Server-API
        // sender's copy goes, with sync off, to the user's newest device if one is online, and nowhere otherwise.
        let sender_copy = sender_copy.filter(|copy| sync || copy.device_id.is_none());
        if message.status_message {
            self.fan_out_status(app_key, &message, &recipients, sender_copy.as_ref(), sync, ack);
            return;
        }
        let routes: Vec<Route> = recipients.iter().map(|(user_id, _)| self.route_for(app_key, user_id, sync)).collect();
        let sender_route = sender_copy.and_then(|copy| {
            let route = match &copy.device_id {
                Some(device_id) => Route::AllDevices { origin: Some(device_id.clone()) },
                None => match self.route_for(app_key, &copy.user_id, sync) {
                    Route::OneDevice { device: None } => return None,
                    route => route,
                },
            };
            Some((copy, route))
        });
        let group_offline_max_count = self.apps.get(app_key).and_then(|app| app.config.group_offline_max_count);
        let app = self.apps.get_mut(app_key).expect("invariant: the caller found the app");
        if app.config.push_service {
            let pushes: Vec<_> = recipients
                .iter()
                .flat_map(|(user_id, target_id)| push::notifications(app, &message, user_id, target_id, now_ms))
                .collect();
            for notification in pushes {
                app.chatrooms.callbacks.push(notification);
            }
        }
        let mut touched = Vec::with_capacity(recipients.len() + 1);
        for ((user_id, target_id), route) in recipients.into_iter().zip(routes) {
            imsim_engine::mark!("OFFLINE-2");
            imsim_engine::mark!("OFFLINE-3");
            let inbox = app.inboxes.entry(user_id.clone()).or_default();
            inbox.expire(now_ms);
            // The publish's ID stays only in the sender's own inbox (a message to oneself).
            let client_message_id =
                if user_id == message.sender_user_id { message.client_message_id.clone() } else { String::new() };
            let group_id = (message.conversation_type == ConversationType::Group.ordinal()).then(|| target_id.clone());
            inbox.append(
                proto::DeliveredMessage { target_id, client_message_id, ..message.clone() },
                retention_ms,
                route,
            );
            if let Some((group_id, max_count)) = group_id.zip(group_offline_max_count) {
                inbox.cap_queued_group(&group_id, max_count);
            }
            touched.push(user_id);
        }
        if let Some((SenderCopy { user_id, target_id, .. }, route)) = sender_route {
            let inbox = app.inboxes.entry(user_id.clone()).or_default();
            inbox.expire(now_ms);
            inbox.append(proto::DeliveredMessage { target_id, ..message }, retention_ms, route);
            touched.push(user_id);
        }
        if let Some((conn, ack)) = ack {
            self.send(conn, Body::PublishAck(ack));
        }
        for user_id in touched {
            self.deliver_to_live_sessions(app_key, &user_id, now_ms);
        }
    }

    /// CFG-1, HIST-14: records an accepted message in the history of each recipient and of its sending user.
    fn record_history(
        &mut self,
        app_key: &str,
        message: &proto::DeliveredMessage,
        recipients: &[(String, String)],
        sender_copy: Option<&SenderCopy>,
    ) {
        let app = self.apps.get_mut(app_key).expect("invariant: the caller found the app");
        // GRP-19: a directed group message is kept only with the directed-message storage ticket as well.
        if !message.directed_user_ids.is_empty() && !app.config.directed_message_cloud_storage {
            imsim_engine::mark!("GRP-19");
            return;
        }
        for (user_id, target_id) in recipients {
            app.histories.record(user_id, &proto::DeliveredMessage { target_id: target_id.clone(), ..message.clone() });
        }
        if let Some(copy) = sender_copy
            && !recipients.iter().any(|(user_id, _)| *user_id == copy.user_id)
        {
            let own = proto::DeliveredMessage { target_id: copy.target_id.clone(), ..message.clone() };
            app.histories.record(&copy.user_id, &own);
        }
    }

    fn fan_out_status(
        &mut self,
        app_key: &str,
        message: &proto::DeliveredMessage,
        recipients: &[(String, String)],
        sender_copy: Option<&SenderCopy>,
        sync: bool,
        ack: Option<(ConnId, proto::PublishAck)>,
    ) {
        let mut pushes = Vec::new();
        for (user_id, target_id) in recipients {
            let conns = self.status_targets(app_key, user_id, None, sync);
            let client_message_id =
                if *user_id == message.sender_user_id { message.client_message_id.clone() } else { String::new() };
            pushes.push((
                conns,
                proto::DeliveredMessage { target_id: target_id.clone(), client_message_id, ..message.clone() },
            ));
        }
        if let Some(copy) = sender_copy {
            let conns = self.status_targets(app_key, &copy.user_id, copy.device_id.as_deref(), sync);
            pushes.push((conns, proto::DeliveredMessage { target_id: copy.target_id.clone(), ..message.clone() }));
        }
        if let Some((conn, ack)) = ack {
            self.send(conn, Body::PublishAck(ack));
        }
        for (conns, message) in pushes {
            self.push_status(&conns, &message);
        }
    }
}

//! Per-call callbacks (CALL-4, CALL-5, CALL-7): a call made with a callback has its results (its progress and its
//! one terminal result) delivered to that callback only, and the engine listener of the same name does not fire for
//! it; every other event goes to the engine listeners.
//!
//! The core tags each event with the call it answers ([`Delivery::call`]); the driver keeps, for every accepted
//! call that passed a callback and has not had its terminal result yet, which of its listeners the callback takes.
//!
//! It also keeps which engine listeners the app has removed (CALL-3: `engine?.onX = null`): an event for a removed
//! listener, and a call's result when no callback was passed, is dropped (CALL-5: "otherwise the result is
//! dropped"). Setting a listener again takes effect for what comes next; the last assignment wins (CODE-9).

use std::collections::{BTreeMap, BTreeSet};

use tokio::sync::mpsc;

use crate::core::{CallId, Delivery};

/// Receives what one call's callback receives: its progress events and its terminal result, each tagged with the
/// call. It yields nothing more once the terminal result has come.
pub type CallbackReceiver = mpsc::UnboundedReceiver<Delivery>;

/// Where a call's results go instead of the engine listeners, and which of its events are results.
#[derive(Clone, Debug)]
pub(crate) struct CallbackRoute {
    /// The listener of the call's terminal result, such as `onChatRoomJoined`.
    pub(super) result: &'static str,
    /// The listeners of its progress events, such as `onMessageAttached` for `sendMessage`.
    pub(super) progress: &'static [&'static str],
    /// The listener of a cancellation that ends the call instead of its result (a media transfer), if it can be
    /// cancelled.
    pub(super) cancellation: Option<&'static str>,
    pub(super) sender: mpsc::UnboundedSender<Delivery>,
}

impl CallbackRoute {
    /// A route for the results whose listeners are `result`, `progress` and `cancellation`, and the receiver it
    /// delivers to.
    pub(crate) fn new(
        result: &'static str,
        progress: &'static [&'static str],
        cancellation: Option<&'static str>,
    ) -> (CallbackRoute, CallbackReceiver) {
        let (sender, receiver) = mpsc::unbounded_channel();
        (CallbackRoute { result, progress, cancellation, sender }, receiver)
    }
}

/// The callbacks of the calls still waiting for their terminal result, by call, and the listeners removed.
#[derive(Debug, Default)]
pub(crate) struct Callbacks {
    routes: BTreeMap<CallId, CallbackRoute>,
    removed: BTreeSet<String>,
}

impl Callbacks {
    /// Registers the callback of an accepted call.
    pub(super) fn insert(&mut self, call: CallId, route: CallbackRoute) {
        self.routes.insert(call, route);
    }

    /// Sets (`set`) or removes the engine listener `listener` (CALL-3).
    pub(super) fn set_listener(&mut self, listener: &str, set: bool) {
        crate::mark!("CALL-3");
        crate::mark!("CODE-9");
        if set {
            self.removed.remove(listener);
        } else {
            self.removed.insert(listener.to_owned());
        }
    }

    /// Delivers `delivery` to its call's callback if it is one of that call's results, and gives it back otherwise
    /// for the engine listeners, unless the app removed that listener (then it is dropped, CALL-5). The terminal
    /// result retires the callback.
    ///
    /// A cancellation that ends another call ([`Delivery::ends`]) is first copied to that call's callback, if it
    /// has one (CALL-8: the transfer's own listener hears it), which retires it; the cancellation itself then goes
    /// where the cancel call's result goes, no longer marked as ending a call whose callback already heard it.
    pub(super) fn route(&mut self, mut delivery: Delivery) -> Option<Delivery> {
        let listener = delivery.event.listener();
        if let Some(ended) = delivery.ends
            && let Some(route) = self.routes.get(&ended)
            && route.cancellation == Some(listener)
        {
            crate::mark!("CALL-8");
            crate::mark!("CALL-9");
            let _ = route.sender.send(Delivery { call: Some(ended), event: delivery.event.clone(), ends: None });
            self.routes.remove(&ended);
            delivery.ends = None;
        }
        let for_listeners = |delivery: Delivery, removed: &BTreeSet<String>| {
            if delivery.event.only_through_callback() {
                // GET-4: no engine listener exists for it; the call passed no callback.
                crate::mark!("GET-4");
                return None;
            }
            crate::mark!("CALL-5");
            if removed.contains(listener) {
                crate::mark!("CALL-3");
                return None;
            }
            Some(delivery)
        };
        let Some(call) = delivery.call else { return for_listeners(delivery, &self.removed) };
        let Some(route) = self.routes.get(&call) else { return for_listeners(delivery, &self.removed) };
        let terminal = listener == route.result;
        if !terminal && !route.progress.contains(&listener) {
            return for_listeners(delivery, &self.removed);
        }
        // An app that dropped its callback has chosen not to hear the result.
        crate::mark!("CALL-4");
        crate::mark!("CODE-8");
        if !terminal {
            crate::mark!("CALL-8");
            crate::mark!("CALL-9");
        }
        let _ = route.sender.send(delivery);
        if terminal {
            crate::mark!("CALL-13");
            self.routes.remove(&call);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Event;
    use crate::error::ErrorCode;

    fn joined(call: Option<CallId>) -> Delivery {
        Delivery { call, event: Event::ChatRoomJoined { code: ErrorCode::SUCCESS, target_id: "r1".into() }, ends: None }
    }

    #[test]
    fn a_callback_takes_its_calls_progress_and_one_terminal_result_and_nothing_else() {
        let (sender, mut receiver) = mpsc::unbounded_channel();
        let mut callbacks = Callbacks::default();
        callbacks.insert(
            CallId(7),
            CallbackRoute { result: "onChatRoomJoined", progress: &["onChatRoomJoining"], cancellation: None, sender },
        );
        let joining =
            Delivery { call: Some(CallId(7)), event: Event::ChatRoomJoining { target_id: "r1".into() }, ends: None };
        let synced = Delivery {
            call: Some(CallId(7)),
            event: Event::ChatRoomEntriesSynced { room_id: "r1".into() },
            ends: None,
        };
        // Progress and the result go to the callback; another listener's event of the same call does not (CALL-4).
        assert_eq!(callbacks.route(joining.clone()), None);
        assert_eq!(callbacks.route(synced.clone()), Some(synced));
        // Another call's result, and an untagged one, go to the engine listeners.
        assert_eq!(callbacks.route(joined(Some(CallId(8)))), Some(joined(Some(CallId(8)))));
        assert_eq!(callbacks.route(joined(None)), Some(joined(None)));
        assert_eq!(callbacks.route(joined(Some(CallId(7)))), None);
        // The terminal result retired the callback: a second one would go to the listeners.
        assert_eq!(callbacks.route(joined(Some(CallId(7)))), Some(joined(Some(CallId(7)))));
        assert_eq!(receiver.try_recv(), Ok(joining));
        assert_eq!(receiver.try_recv(), Ok(joined(Some(CallId(7)))));
        assert!(receiver.try_recv().is_err());
    }

    #[test]
    fn a_removed_listener_drops_its_events_until_it_is_set_again_and_a_callback_still_gets_its_result() {
        let (sender, mut receiver) = mpsc::unbounded_channel();
        let mut callbacks = Callbacks::default();
        callbacks.set_listener("onChatRoomJoined", false);
        // CALL-5: no callback, no listener: the result is dropped.
        assert_eq!(callbacks.route(joined(Some(CallId(1)))), None);
        assert_eq!(callbacks.route(joined(None)), None);
        // CALL-4: a callback takes its result whatever the listener.
        callbacks
            .insert(CallId(2), CallbackRoute { result: "onChatRoomJoined", progress: &[], cancellation: None, sender });
        assert_eq!(callbacks.route(joined(Some(CallId(2)))), None);
        assert_eq!(receiver.try_recv(), Ok(joined(Some(CallId(2)))));
        // CODE-9: the last assignment wins.
        callbacks.set_listener("onChatRoomJoined", false);
        callbacks.set_listener("onChatRoomJoined", true);
        assert_eq!(callbacks.route(joined(Some(CallId(3)))), Some(joined(Some(CallId(3)))));
    }
}

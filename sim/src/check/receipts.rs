//! Group read receipts (GRCPT-9): every request is answered at most once per reader.
//!
//! Each `onGroupMessageReadReceiptResponseReceived` a device reports carries every answer so far to the request for
//! one message, by reader with the time of the answer. A reader who answered twice, or an answer counted again after
//! a reconnect, would show as a reader whose time changed from one report to the next; a report that drops a reader
//! means an answer was lost or the map was replaced by an older one. So, per device and message, each report must
//! keep every reader of the one before, with the same time.

use std::collections::BTreeMap;

use imsim_engine::core::Event;

use super::{Checker, History, Index};

/// An answer counted twice, or one lost between two reports.
pub(super) const RECEIPTS: Checker = Checker {
    name: "receipts",
    invariant: "each member answers a request for read receipts at most once: a reader's time never changes from one \
                report of the answers to the next, and no reader is dropped",
    check: receipts,
};

fn receipts(history: &History, _index: &Index) -> Vec<String> {
    let mut breaches = Vec::new();
    for (device, events) in &history.events {
        let mut last: BTreeMap<&str, &BTreeMap<String, i64>> = BTreeMap::new();
        for event in events {
            let Event::GroupMessageReadReceiptResponseReceived { message_uid, respond_user_ids, .. } = event else {
                continue;
            };
            if let Some(before) = last.get(message_uid.as_str()) {
                for (reader, time) in *before {
                    match respond_user_ids.get(reader) {
                        Some(now) if now == time => {}
                        Some(now) => breaches.push(format!(
                            "{device}: {reader}'s answer for {message_uid} moved from {time} to {now}: answered twice"
                        )),
                        None => breaches
                            .push(format!("{device}: {reader}'s answer for {message_uid} was reported, then dropped")),
                    }
                }
            }
            last.insert(message_uid, respond_user_ids);
        }
    }
    breaches
}

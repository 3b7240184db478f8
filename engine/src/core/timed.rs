//! A map whose entries each carry a deadline, indexed both by key and by deadline.
//!
//! The core holds work that waits for an answer: publishes awaiting their acknowledgement and requests awaiting
//! their response, each with a deadline. An app may have tens of thousands of them in flight (a burst of sends), and
//! the driver asks for the earliest deadline after every input, so finding it must not cost a scan: this map keeps
//! a second, ordered index of `(deadline, key)` beside the entries. Every operation is O(log n) in the entries held;
//! taking the due entries is O(k log n) in the k that are due.

use std::collections::{BTreeMap, BTreeSet};

/// Entries by key, each with the monotonic millisecond at which it expires.
#[derive(Clone, Debug)]
pub(super) struct TimedMap<K: Ord + Clone, V> {
    entries: BTreeMap<K, (u64, V)>,
    by_deadline: BTreeSet<(u64, K)>,
}

impl<K: Ord + Clone, V> Default for TimedMap<K, V> {
    fn default() -> Self {
        TimedMap { entries: BTreeMap::new(), by_deadline: BTreeSet::new() }
    }
}

impl<K: Ord + Clone, V> TimedMap<K, V> {
    /// Adds (or replaces) the entry of `key`, due at `deadline_ms`.
    pub(super) fn insert(&mut self, key: K, deadline_ms: u64, value: V) {
        if let Some((previous, _)) = self.entries.insert(key.clone(), (deadline_ms, value)) {
            self.by_deadline.remove(&(previous, key.clone()));
        }
        self.by_deadline.insert((deadline_ms, key));
    }

    /// Takes the entry of `key` out, if there is one.
    pub(super) fn remove(&mut self, key: &K) -> Option<V> {
        let (deadline_ms, value) = self.entries.remove(key)?;
        self.by_deadline.remove(&(deadline_ms, key.clone()));
        Some(value)
    }

    pub(super) fn contains_key(&self, key: &K) -> bool {
        self.entries.contains_key(key)
    }

    /// The earliest deadline of all entries.
    pub(super) fn earliest_deadline_ms(&self) -> Option<u64> {
        self.by_deadline.first().map(|(deadline_ms, _)| *deadline_ms)
    }

    /// Takes out every entry due at `now_ms` (deadline at or before it), in key order.
    pub(super) fn take_due(&mut self, now_ms: u64) -> Vec<(K, V)> {
        let mut due_keys = Vec::new();
        while let Some((deadline_ms, _)) = self.by_deadline.first()
            && *deadline_ms <= now_ms
        {
            let Some((_, key)) = self.by_deadline.pop_first() else { break };
            due_keys.push(key);
        }
        due_keys.sort_unstable();
        due_keys.into_iter().filter_map(|key| self.entries.remove(&key).map(|(_, value)| (key, value))).collect()
    }

    /// Takes out every entry, in key order.
    pub(super) fn take_all(&mut self) -> Vec<(K, V)> {
        self.by_deadline.clear();
        std::mem::take(&mut self.entries).into_iter().map(|(key, (_, value))| (key, value)).collect()
    }

    /// Every value, in key order.
    pub(super) fn values(&self) -> impl Iterator<Item = &V> {
        self.entries.values().map(|(_, value)| value)
    }
}

#[cfg(test)]
mod tests {
    use super::TimedMap;

    #[test]
    fn the_earliest_deadline_follows_inserts_and_removes() {
        let mut map = TimedMap::default();
        assert_eq!(map.earliest_deadline_ms(), None);
        map.insert("b", 30, 'b');
        map.insert("a", 20, 'a');
        map.insert("c", 10, 'c');
        assert_eq!(map.earliest_deadline_ms(), Some(10));
        assert_eq!(map.remove(&"c"), Some('c'));
        assert_eq!(map.earliest_deadline_ms(), Some(20));
        // Replacing an entry moves its deadline.
        map.insert("a", 40, 'A');
        assert_eq!(map.earliest_deadline_ms(), Some(30));
        assert_eq!(map.values().count(), 2);
        assert_eq!(map.remove(&"c"), None);
    }

    #[test]
    fn due_entries_come_out_in_key_order_and_the_rest_stay() {
        let mut map = TimedMap::default();
        map.insert(3, 5, "three");
        map.insert(1, 7, "one");
        map.insert(2, 6, "two");
        map.insert(4, 8, "four");
        assert_eq!(map.take_due(4), vec![]);
        assert_eq!(map.take_due(7), vec![(1, "one"), (2, "two"), (3, "three")]);
        assert_eq!(map.values().count(), 1);
        assert!(map.contains_key(&4));
        assert_eq!(map.earliest_deadline_ms(), Some(8));
        assert_eq!(map.take_all(), vec![(4, "four")]);
        assert_eq!(map.earliest_deadline_ms(), None);
    }
}

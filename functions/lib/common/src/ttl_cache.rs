//! What a container keeps in memory for a bounded time (`VerificationCacheSeconds`): values
//! by key, each with when it was read, at most `max` of them (the expired go first, then
//! all), so memory stays bounded by what was read within the lifetime.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

pub struct TtlCache<V> {
    entries: Mutex<HashMap<String, (u64, V)>>,
    max: usize,
}

impl<V: Clone> TtlCache<V> {
    pub fn new(max: usize) -> Self {
        TtlCache {
            entries: Mutex::new(HashMap::new()),
            max,
        }
    }

    /// Locked; a panic elsewhere leaves the entries usable.
    fn entries(&self) -> MutexGuard<'_, HashMap<String, (u64, V)>> {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The value read within `lifetime_secs` of `now`, if any.
    pub fn get(&self, key: &str, now: u64, lifetime_secs: u64) -> Option<V> {
        let entries = self.entries();
        let (read_at, value) = entries.get(key)?;
        (now < read_at + lifetime_secs).then(|| value.clone())
    }

    /// Keeps `value`, read at `now`.
    pub fn put(&self, key: String, now: u64, lifetime_secs: u64, value: V) {
        let mut entries = self.entries();
        if entries.len() >= self.max {
            entries.retain(|_, (read_at, _)| now < *read_at + lifetime_secs);
            if entries.len() >= self.max {
                entries.clear();
            }
        }
        entries.insert(key, (now, value));
    }

    pub fn remove(&self, key: &str) {
        self.entries().remove(key);
    }

    /// Changes a kept value in place (its read time stays).
    pub fn update(&self, key: &str, change: impl FnOnce(&mut V)) {
        if let Some((_, value)) = self.entries().get_mut(key) {
            change(value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_live_for_their_lifetime_and_memory_stays_bounded() {
        let cache = TtlCache::new(2);
        cache.put("a".into(), 100, 5, 1);
        assert_eq!(cache.get("a", 104, 5), Some(1));
        assert_eq!(cache.get("a", 105, 5), None, "expired at read + lifetime");
        cache.put("b".into(), 103, 5, 2);
        // Full: "a" (expired at 106) goes, "b" stays.
        cache.put("c".into(), 106, 5, 3);
        assert_eq!(cache.get("b", 106, 5), Some(2));
        assert_eq!(cache.get("c", 106, 5), Some(3));
        cache.update("c", |v| *v = 4);
        assert_eq!(cache.get("c", 106, 5), Some(4));
        cache.remove("c");
        assert_eq!(cache.get("c", 106, 5), None);
    }
}

//! Term key → term number, one table per field.
//!
//! Index keys are already well-mixed hashes and terms are never removed (a
//! term whose claims are all gone keeps its number and an empty posting
//! list), so a plain open-addressing table does: the home slot is the key's
//! low bits, collisions probe linearly, there is no deletion. What a general
//! map cannot offer and this one does is [`TermTable::prefetch`]: a bulk
//! insertion asks for the slots of keys a few steps ahead, so the cache
//! misses of successive lookups overlap instead of queueing.

/// A slot: the key's two halves and the number, 12 bytes rather than the 16
/// a `(u64, u32)` takes. `number == EMPTY` marks a free one.
#[derive(Clone, Copy)]
struct Slot {
    key: [u32; 2],
    number: u32,
}

impl Slot {
    fn key(&self) -> u64 {
        u64::from(self.key[0]) | u64::from(self.key[1]) << 32
    }
}

fn split(key: u64) -> [u32; 2] {
    [key as u32, (key >> 32) as u32]
}

const EMPTY: u32 = u32::MAX;
const FREE: Slot = Slot {
    key: [0, 0],
    number: EMPTY,
};

#[derive(Default)]
pub(crate) struct TermTable {
    slots: Vec<Slot>,
    len: usize,
}

impl TermTable {
    /// Bytes held on the heap.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<Slot>()
    }

    fn home(&self, key: u64) -> usize {
        // Capacity is a power of two (or zero, when nothing is looked up).
        (key as usize) & self.slots.len().wrapping_sub(1)
    }

    pub(crate) fn get(&self, key: u64) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut i = self.home(key);
        loop {
            let s = self.slots[i];
            if s.number == EMPTY {
                return None;
            }
            if s.key() == key {
                return Some(s.number);
            }
            i = (i + 1) & mask;
        }
    }

    /// Hints the CPU to load `key`'s home slot.
    pub(crate) fn prefetch(&self, key: u64) {
        if let Some(s) = self.slots.get(self.home(key)) {
            crate::prefetch(s);
        }
    }

    /// The number of `key`, inserting it as `next` when absent (then the
    /// second value is true).
    pub(crate) fn get_or_insert(&mut self, key: u64, next: u32) -> (u32, bool) {
        // At most 3/4 full: linear probing stays short, hits and misses
        // alike (at 3/4, a miss reads 8.5 slots on average: two cache lines).
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut i = self.home(key);
        loop {
            let s = &mut self.slots[i];
            if s.number == EMPTY {
                *s = Slot {
                    key: split(key),
                    number: next,
                };
                self.len += 1;
                return (next, true);
            }
            if s.key() == key {
                return (s.number, false);
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let cap = (self.slots.len() * 2).max(64);
        let old = std::mem::replace(&mut self.slots, vec![FREE; cap]);
        let mask = cap - 1;
        for s in old.into_iter().filter(|s| s.number != EMPTY) {
            let mut i = self.home(s.key());
            while self.slots[i].number != EMPTY {
                i = (i + 1) & mask;
            }
            self.slots[i] = s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_was_inserted_across_growth_and_collisions() {
        let mut t = TermTable::default();
        assert_eq!(t.get(7), None);
        // Keys sharing their low bits collide at every capacity.
        let keys: Vec<u64> = (1..5000u64)
            .map(|i| {
                if i % 3 == 0 {
                    i << 40
                } else {
                    i.wrapping_mul(0x9e37_79b9_7f4a_7c15)
                }
            })
            .collect();
        for (n, &k) in keys.iter().enumerate() {
            let n = n as u32;
            assert_eq!(t.get_or_insert(k, n), (n, true));
            assert_eq!(t.get_or_insert(k, n + 1), (n, false));
            // Never fuller than 3/4, so a probe always meets a free slot.
            assert!(
                t.len * 4 <= t.slots.len() * 3,
                "{} of {}",
                t.len,
                t.slots.len()
            );
        }
        assert_eq!(t.len, keys.len());
        for (n, &k) in keys.iter().enumerate() {
            assert_eq!(t.get(k), Some(n as u32));
        }
        assert_eq!(t.get(0x1234_5678_9abc_def1), None);
        // At the growth limit, a key that is absent is still found absent.
        let mut full = TermTable::default();
        for k in 1..=48u64 {
            full.get_or_insert(k << 20, k as u32);
        }
        assert_eq!((full.len, full.slots.len()), (48, 64));
        assert_eq!(full.get(7 << 20 | 1), None);
        // Key 0 is a key like any other.
        assert_eq!(t.get_or_insert(0, 9999), (9999, true));
        assert_eq!(t.get(0), Some(9999));
    }
}

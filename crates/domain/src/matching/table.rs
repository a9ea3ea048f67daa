//! Every place's choices as flat arrays, each with the enabler's rank of that place beside
//! it, so deferred acceptance compares two numbers per proposal and looks nothing up.

use super::Instance;

/// The rank of a pair that cannot be matched (a conflict): worse than every rank.
pub(super) const UNACCEPTABLE: u32 = u32::MAX;

/// Marks a place the enabler has not ranked, while their ranks are worked out.
const NOT_RANKED: u32 = u32::MAX - 1;

/// The choices of every place, one slot per (place, chosen enabler).
pub(super) struct Table {
    /// Place `p`'s choices are the slots `start[p]..start[p + 1]`, best first.
    start: Vec<u32>,
    /// The enabler chosen in each slot.
    enabler: Vec<u32>,
    /// The enabler's rank of the slot's place (0 is their favourite), or [`UNACCEPTABLE`].
    rank: Vec<u32>,
    /// How many places chose each enabler.
    pub(super) chosen_by: Vec<u32>,
}

impl Table {
    /// One pass over the places' lists and one over the enablers'.
    pub(super) fn new(instance: &Instance) -> Table {
        let total: usize = instance.places.iter().map(|p| p.ranks.len()).sum();
        let mut start = Vec::with_capacity(instance.places.len() + 1);
        let mut enabler = Vec::with_capacity(total);
        start.push(0);
        for place in &instance.places {
            enabler.extend(place.ranks.iter().map(|&e| e as u32));
            start.push(enabler.len() as u32);
        }
        let mut table = Table {
            start,
            enabler,
            rank: Vec::new(),
            chosen_by: vec![0; instance.enablers.len()],
        };
        table.rank = table.enabler_ranks(instance);
        table
    }

    /// The first slot of a place and the one after its last.
    pub(super) fn slots(&self, place: usize) -> (u32, u32) {
        (self.start[place], self.start[place + 1])
    }

    /// The enabler and their rank of the place in a slot.
    #[inline]
    pub(super) fn slot(&self, slot: u32) -> (u32, u32) {
        (self.enabler[slot as usize], self.rank[slot as usize])
    }

    /// A place's choices, best first: each enabler and their rank of the place.
    pub(super) fn choices(&self, place: usize) -> impl Iterator<Item = (usize, u32)> + '_ {
        let (first, end) = self.slots(place);
        (first..end).map(|s| {
            let (enabler, rank) = self.slot(s);
            (enabler as usize, rank)
        })
    }

    /// Each slot's rank, by the module's rule: an enabler's ranked places first, in their
    /// order, then the other places that chose them in index order; a conflict is
    /// [`UNACCEPTABLE`]. Also counts `chosen_by`.
    fn enabler_ranks(&mut self, instance: &Instance) -> Vec<u32> {
        // The slots grouped by enabler, each group in place order (a counting sort).
        let enablers = instance.enablers.len();
        let mut group = vec![0u32; enablers + 1];
        for &e in &self.enabler {
            group[e as usize + 1] += 1;
        }
        self.chosen_by.copy_from_slice(&group[1..]);
        for e in 0..enablers {
            group[e + 1] += group[e];
        }
        let mut fill = group.clone();
        let mut choosers = vec![(0u32, 0u32); self.enabler.len()];
        for place in 0..instance.places.len() {
            let (first, end) = self.slots(place);
            for slot in first..end {
                let e = self.enabler[slot as usize] as usize;
                choosers[fill[e] as usize] = (place as u32, slot);
                fill[e] += 1;
            }
        }
        // Each enabler's explicit ranks are written into `given` and wiped after them.
        let mut given = vec![NOT_RANKED; instance.places.len()];
        let mut rank = vec![UNACCEPTABLE; self.enabler.len()];
        for (e, choices) in instance.enablers.iter().enumerate() {
            for (r, &p) in choices.ranks.iter().enumerate() {
                given[p] = r as u32;
            }
            for &p in &choices.conflicts {
                given[p] = UNACCEPTABLE;
            }
            let mut next_unranked = choices.ranks.len() as u32;
            for &(place, slot) in &choosers[group[e] as usize..group[e + 1] as usize] {
                rank[slot as usize] = match given[place as usize] {
                    NOT_RANKED => {
                        next_unranked += 1;
                        next_unranked - 1
                    }
                    r => r,
                };
            }
            for &p in choices.ranks.iter().chain(&choices.conflicts) {
                given[p] = NOT_RANKED;
            }
        }
        rank
    }
}

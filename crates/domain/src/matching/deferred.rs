//! Deferred acceptance, places proposing (McVitie and Wilson's order: a place let go
//! proposes again at once, so no queue is needed).
//!
//! Each enabler's held places are a max-heap on the enabler's rank of them, the worst at
//! the top, in one flat array cut into a stretch per enabler: a proposal to a full enabler
//! is one comparison with the top, and taking it is one sift down. Nothing is allocated
//! after the start.

use super::Instance;
use super::table::{Table, UNACCEPTABLE};

/// A held place, packed so the worst (highest rank) compares greatest: rank, then place.
type Held = u64;

fn held(rank: u32, place: u32) -> Held {
    (u64::from(rank) << 32) | u64::from(place)
}

fn rank_of(held: Held) -> u32 {
    (held >> 32) as u32
}

fn place_of(held: Held) -> u32 {
    held as u32
}

/// What an enabler says to a proposal.
enum Answer {
    /// Taken, with room to spare.
    Taken,
    /// Taken, letting go of the place they liked least.
    TakenLettingGo(u32),
    /// Full with places they prefer.
    Full,
}

/// Every enabler's held places: enabler `e` holds `heap[first[e]..first[e] + len[e]]`.
struct Holding {
    first: Vec<u32>,
    len: Vec<u32>,
    /// How many places each can hold: their capacity, or fewer if fewer chose them.
    room: Vec<u32>,
    heap: Vec<Held>,
}

impl Holding {
    fn new(instance: &Instance, table: &Table) -> Holding {
        let room: Vec<u32> = instance
            .enablers
            .iter()
            .zip(&table.chosen_by)
            .map(|(e, chosen_by)| e.capacity.min(*chosen_by))
            .collect();
        let mut first = Vec::with_capacity(room.len());
        let mut total = 0u32;
        for r in &room {
            first.push(total);
            total += r;
        }
        Holding {
            first,
            len: vec![0; room.len()],
            room,
            heap: vec![0; total as usize],
        }
    }

    /// The enabler's answer to a place they rank `rank`.
    #[inline]
    fn propose(&mut self, enabler: usize, rank: u32, place: u32) -> Answer {
        let (len, room) = (self.len[enabler], self.room[enabler]);
        let first = self.first[enabler] as usize;
        let heap = &mut self.heap[first..first + room as usize];
        if len < room {
            sift_up(&mut heap[..=len as usize], held(rank, place));
            self.len[enabler] = len + 1;
            return Answer::Taken;
        }
        match heap.first() {
            Some(&worst) if rank_of(worst) > rank => {
                sift_down(heap, held(rank, place));
                Answer::TakenLettingGo(place_of(worst))
            }
            _ => Answer::Full,
        }
    }

    /// Each place's enabler, read off the heaps.
    fn enabler_of(&self, places: usize) -> Vec<Option<usize>> {
        let mut enabler_of = vec![None; places];
        for (e, (&first, &len)) in self.first.iter().zip(&self.len).enumerate() {
            for &h in &self.heap[first as usize..(first + len) as usize] {
                enabler_of[place_of(h) as usize] = Some(e);
            }
        }
        enabler_of
    }
}

/// Puts `item` in the last position of `heap` and lifts it to its place.
fn sift_up(heap: &mut [Held], item: Held) {
    let mut i = heap.len() - 1;
    while i > 0 {
        let parent = (i - 1) / 2;
        if heap[parent] >= item {
            break;
        }
        heap[i] = heap[parent];
        i = parent;
    }
    heap[i] = item;
}

/// Replaces the top of a full `heap` with `item` and lowers it to its place.
fn sift_down(heap: &mut [Held], item: Held) {
    let mut i = 0;
    loop {
        let left = 2 * i + 1;
        if left >= heap.len() {
            break;
        }
        let right = left + 1;
        let child = if right < heap.len() && heap[right] > heap[left] {
            right
        } else {
            left
        };
        if heap[child] <= item {
            break;
        }
        heap[i] = heap[child];
        i = child;
    }
    heap[i] = item;
}

/// The place-proposing stable matching: each place's enabler, if any.
pub(super) fn accept(instance: &Instance, table: &Table) -> Vec<Option<usize>> {
    let places = instance.places.len();
    let mut holding = Holding::new(instance, table);
    // The next slot each place will propose to.
    let mut next: Vec<u32> = (0..places).map(|p| table.slots(p).0).collect();
    for place in 0..places as u32 {
        let mut proposer = Some(place);
        while let Some(p) = proposer {
            proposer = propose_down_the_list(table, &mut holding, &mut next[p as usize], p);
        }
    }
    holding.enabler_of(places)
}

/// Place `p` proposes from slot `next` on until an enabler takes it; the place that
/// enabler let go, if any.
#[inline]
fn propose_down_the_list(table: &Table, holding: &mut Holding, next: &mut u32, p: u32) -> Option<u32> {
    let end = table.slots(p as usize).1;
    while *next < end {
        let (enabler, rank) = table.slot(*next);
        *next += 1;
        if rank == UNACCEPTABLE {
            continue;
        }
        match holding.propose(enabler as usize, rank, p) {
            Answer::Taken => return None,
            Answer::TakenLettingGo(let_go) => return Some(let_go),
            Answer::Full => {}
        }
    }
    None
}

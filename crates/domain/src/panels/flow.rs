//! The min-cost flow behind the reviewer assignment (docs/decisions/0010).
//!
//! The network: source → member (capacity = load cap), member → application (capacity 1,
//! cost `C − affinity`, so every cost is positive), application → sink (capacity k), and a
//! slack arc source → application (capacity k, cost `BIG`) that stands for "nobody", so the
//! flow always reaches k·N and a slack unit marks a review that cannot be given.
//!
//! It is solved by the primal–dual method: Dijkstra on reduced costs sets node potentials,
//! then a maximum flow (Dinic) on the arcs of zero reduced cost; repeat until the sink is
//! full. With affinities in a small range the number of phases is small.
//!
//! A full network has a member → application arc for nearly every pair (20 million at the
//! benchmark's size), so it starts from a few candidate pairs per application and per
//! member, and then *prices* every pair left out against the optimal potentials: a pair of
//! negative reduced cost could improve the result, so it is added and the network solved
//! again. When no pair prices negative, the potentials prove the flow optimal for the full
//! network (LP complementary slackness), so the answer is exact.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::assignment::{Indexed, Pair, affinity};

/// Candidate members first offered to each application (and candidate applications beyond
/// their load cap to each member).
pub(super) const DEFAULT_CANDIDATES: usize = 12;

pub(super) struct Solved {
    pub pairs: Vec<Pair>,
}

/// Costs shared by every network built for one instance.
struct Scale {
    /// Larger than any affinity, so `C − affinity ≥ 1`.
    c: i64,
    /// The cost of a review nobody gives: more than any total of real costs, so the
    /// solution fills every review it can before it weighs affinity.
    big: i64,
}

pub(super) fn solve(ix: &Indexed<'_>, candidates: usize) -> Solved {
    let inst = ix.instance;
    let max_themes = inst
        .members
        .iter()
        .map(|m| m.themes.count_ones())
        .max()
        .unwrap_or(0);
    let c = 10 * i64::from(max_themes) + 5 + i64::from(super::assignment::MAX_BID) + 1;
    let demand = i64::from(inst.reviews_per_application) * inst.applications.len() as i64;
    let scale = Scale {
        c,
        big: c * (demand + 1),
    };
    let mut arcs = initial_candidates(ix, candidates);
    loop {
        let mut net = Network::build(ix, &arcs, &scale);
        net.run();
        let extra = price(ix, &arcs, &net, &scale, candidates);
        if extra.iter().all(Vec::is_empty) {
            return Solved { pairs: net.pairs() };
        }
        for (m, apps) in extra.into_iter().enumerate() {
            if !apps.is_empty() {
                arcs[m].extend(apps);
                arcs[m].sort_unstable();
            }
        }
    }
}

/// A tie-breaker that spreads equal-affinity candidates over members, so every
/// application does not pick the same few.
fn mix(member: u32, application: u32) -> u32 {
    let mut x = (u64::from(member) << 32 | u64::from(application)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^= x >> 29;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    (x >> 32) as u32
}

/// Per member, the applications offered first: each application's best `candidates`
/// members, each member's best `load cap + candidates` applications, and every bid.
fn initial_candidates(ix: &Indexed<'_>, candidates: usize) -> Vec<Vec<u32>> {
    let inst = ix.instance;
    let (members, applications) = (inst.members.len(), inst.applications.len());
    let mut arcs: Vec<Vec<u32>> = vec![Vec::new(); members];
    let mut bids_by_app: Vec<Vec<(u32, u8)>> = vec![Vec::new(); applications];
    let mut conflicts_by_app: Vec<Vec<u32>> = vec![Vec::new(); applications];
    for (m, list) in ix.bids.iter().enumerate() {
        for (a, bid) in list {
            bids_by_app[*a as usize].push((m as u32, *bid));
            arcs[m].push(*a);
        }
    }
    for (m, list) in ix.conflicts.iter().enumerate() {
        for a in list {
            conflicts_by_app[*a as usize].push(m as u32);
        }
    }
    best_members(ix, candidates, &bids_by_app, &conflicts_by_app, &mut arcs);
    best_applications(ix, candidates, &mut arcs);
    arcs
}

/// Adds each application's best `candidates` members.
fn best_members(
    ix: &Indexed<'_>,
    candidates: usize,
    bids_by_app: &[Vec<(u32, u8)>],
    conflicts_by_app: &[Vec<u32>],
    arcs: &mut [Vec<u32>],
) {
    let inst = ix.instance;
    let members = inst.members.len();
    let mut bid_of = vec![0u8; members];
    let mut blocked = vec![false; members];
    let mut keys: Vec<(u64, u32)> = Vec::with_capacity(members);
    for a in 0..inst.applications.len() {
        for (m, bid) in &bids_by_app[a] {
            bid_of[*m as usize] = *bid;
        }
        for m in &conflicts_by_app[a] {
            blocked[*m as usize] = true;
        }
        keys.clear();
        let app = &inst.applications[a];
        for (m, member) in inst.members.iter().enumerate() {
            if !blocked[m] {
                let aff = affinity(member, app, bid_of[m]) as u64;
                keys.push((aff << 32 | u64::from(mix(m as u32, a as u32)), m as u32));
            }
        }
        for (_, m) in top(&mut keys, candidates) {
            arcs[*m as usize].push(a as u32);
        }
        for (m, _) in &bids_by_app[a] {
            bid_of[*m as usize] = 0;
        }
        for m in &conflicts_by_app[a] {
            blocked[*m as usize] = false;
        }
    }
}

/// Adds each member's best `load cap + candidates` applications, then sorts each member's
/// list and drops repeats and conflicted pairs.
fn best_applications(ix: &Indexed<'_>, candidates: usize, arcs: &mut [Vec<u32>]) {
    let inst = ix.instance;
    let applications = inst.applications.len();
    let mut bid_of = vec![0u8; applications];
    let mut blocked = vec![false; applications];
    let mut keys: Vec<(u64, u32)> = Vec::with_capacity(applications);
    for (m, member) in inst.members.iter().enumerate() {
        for (a, bid) in &ix.bids[m] {
            bid_of[*a as usize] = *bid;
        }
        for a in &ix.conflicts[m] {
            blocked[*a as usize] = true;
        }
        keys.clear();
        for (a, app) in inst.applications.iter().enumerate() {
            if !blocked[a] {
                let aff = affinity(member, app, bid_of[a]) as u64;
                keys.push((aff << 32 | u64::from(mix(m as u32, a as u32)), a as u32));
            }
        }
        let want = member.load_cap as usize + candidates;
        let best: Vec<u32> = top(&mut keys, want).iter().map(|(_, a)| *a).collect();
        arcs[m].extend(best);
        for (a, _) in &ix.bids[m] {
            bid_of[*a as usize] = 0;
        }
        for a in &ix.conflicts[m] {
            blocked[*a as usize] = false;
        }
        arcs[m].sort_unstable();
        arcs[m].dedup();
        // Bids may name conflicted applications; those pairs are never offered.
        let conflicts = &ix.conflicts[m];
        arcs[m].retain(|a| conflicts.binary_search(a).is_err());
    }
}

/// The `n` largest keys (in no particular order).
fn top(keys: &mut [(u64, u32)], n: usize) -> &[(u64, u32)] {
    if keys.len() > n && n > 0 {
        keys.select_nth_unstable_by(n - 1, |x, y| y.0.cmp(&x.0));
        &keys[..n]
    } else {
        keys
    }
}

/// Pairs left out whose reduced cost is negative under the network's potentials, the most
/// negative first, at most `load cap + candidates` per member per round.
fn price(
    ix: &Indexed<'_>,
    arcs: &[Vec<u32>],
    net: &Network,
    scale: &Scale,
    candidates: usize,
) -> Vec<Vec<u32>> {
    let inst = ix.instance;
    let applications = inst.applications.len();
    let mut out = vec![Vec::new(); inst.members.len()];
    let mut skip = vec![false; applications];
    let mut bid_of = vec![0u8; applications];
    let mut found: Vec<(i64, u32)> = Vec::new();
    for (m, member) in inst.members.iter().enumerate() {
        for a in arcs[m].iter().chain(&ix.conflicts[m]) {
            skip[*a as usize] = true;
        }
        for (a, bid) in &ix.bids[m] {
            bid_of[*a as usize] = *bid;
        }
        found.clear();
        let pm = net.pi[net.member_node(m)];
        for (a, app) in inst.applications.iter().enumerate() {
            if skip[a] {
                continue;
            }
            let reduced = scale.c - affinity(member, app, bid_of[a]) + pm - net.pi[net.application_node(a)];
            if reduced < 0 {
                found.push((reduced, a as u32));
            }
        }
        let limit = member.load_cap as usize + candidates;
        if found.len() > limit {
            found.select_nth_unstable(limit - 1);
            found.truncate(limit);
        }
        out[m] = found.iter().map(|(_, a)| *a).collect();
        for a in arcs[m].iter().chain(&ix.conflicts[m]) {
            skip[*a as usize] = false;
        }
        for (a, _) in &ix.bids[m] {
            bid_of[*a as usize] = 0;
        }
    }
    out
}

/// A residual network in compressed adjacency form. Node 0 is the source, then the
/// members, then the applications, then the sink.
struct Network {
    start: Vec<u32>,
    to: Vec<u32>,
    rev: Vec<u32>,
    cap: Vec<i32>,
    cost: Vec<i64>,
    pi: Vec<i64>,
    members: usize,
    applications: usize,
    demand: i64,
}

impl Network {
    fn member_node(&self, m: usize) -> usize {
        1 + m
    }

    fn application_node(&self, a: usize) -> usize {
        1 + self.members + a
    }

    fn sink(&self) -> usize {
        1 + self.members + self.applications
    }

    fn build(ix: &Indexed<'_>, arcs: &[Vec<u32>], scale: &Scale) -> Network {
        let inst = ix.instance;
        let (members, applications) = (inst.members.len(), inst.applications.len());
        let k = inst.reviews_per_application as i32;
        let nodes = members + applications + 2;
        let sink = (nodes - 1) as u32;
        let app_node = |a: u32| 1 + members as u32 + a;
        let mut edges: Vec<(u32, u32, i32, i64)> =
            Vec::with_capacity(members + 2 * applications + arcs.iter().map(Vec::len).sum::<usize>());
        for (m, member) in inst.members.iter().enumerate() {
            edges.push((0, 1 + m as u32, member.load_cap as i32, 0));
            for a in &arcs[m] {
                let cost = scale.c
                    - ix.affinity(Pair {
                        member: m as u32,
                        application: *a,
                    });
                edges.push((1 + m as u32, app_node(*a), 1, cost));
            }
        }
        for a in 0..applications as u32 {
            edges.push((app_node(a), sink, k, 0));
            edges.push((0, app_node(a), k, scale.big));
        }
        let mut start = vec![0u32; nodes + 1];
        for (u, v, _, _) in &edges {
            start[*u as usize + 1] += 1;
            start[*v as usize + 1] += 1;
        }
        for i in 0..nodes {
            start[i + 1] += start[i];
        }
        let total = start[nodes] as usize;
        let mut next = start.clone();
        let (mut to, mut rev, mut cap, mut cost) = (
            vec![0u32; total],
            vec![0u32; total],
            vec![0i32; total],
            vec![0i64; total],
        );
        for (u, v, c, w) in edges {
            let (a, b) = (next[u as usize], next[v as usize]);
            next[u as usize] += 1;
            next[v as usize] += 1;
            (to[a as usize], rev[a as usize], cap[a as usize], cost[a as usize]) = (v, b, c, w);
            (to[b as usize], rev[b as usize], cap[b as usize], cost[b as usize]) = (u, a, 0, -w);
        }
        Network {
            start,
            to,
            rev,
            cap,
            cost,
            pi: vec![0; nodes],
            members,
            applications,
            demand: i64::from(k) * applications as i64,
        }
    }

    fn arcs(&self, u: usize) -> std::ops::Range<usize> {
        self.start[u] as usize..self.start[u + 1] as usize
    }

    fn reduced(&self, u: usize, e: usize) -> i64 {
        self.cost[e] + self.pi[u] - self.pi[self.to[e] as usize]
    }

    /// Routes the whole demand at least cost.
    fn run(&mut self) {
        let mut flowed = 0i64;
        let nodes = self.pi.len();
        let mut dist = vec![i64::MAX; nodes];
        let mut level = vec![u32::MAX; nodes];
        let mut iter = vec![0u32; nodes];
        while flowed < self.demand {
            let Some(d) = self.dijkstra(&mut dist) else {
                break;
            };
            for (p, dv) in self.pi.iter_mut().zip(&dist) {
                *p += (*dv).min(d);
            }
            let pushed = self.max_admissible_flow(&mut level, &mut iter);
            if pushed == 0 {
                break;
            }
            flowed += pushed;
        }
    }

    /// Shortest reduced-cost distances from the source, stopping once the sink is settled;
    /// returns the sink's distance, or `None` when it cannot be reached.
    fn dijkstra(&self, dist: &mut [i64]) -> Option<i64> {
        dist.fill(i64::MAX);
        let sink = self.sink();
        let mut heap = BinaryHeap::new();
        dist[0] = 0;
        heap.push(Reverse((0i64, 0u32)));
        while let Some(Reverse((d, u))) = heap.pop() {
            let u = u as usize;
            if d > dist[u] {
                continue;
            }
            if u == sink {
                return Some(d);
            }
            for e in self.arcs(u) {
                if self.cap[e] > 0 {
                    let v = self.to[e] as usize;
                    let nd = d + self.reduced(u, e);
                    if nd < dist[v] {
                        dist[v] = nd;
                        heap.push(Reverse((nd, v as u32)));
                    }
                }
            }
        }
        None
    }

    /// Dinic's maximum flow on the arcs of zero reduced cost; returns the flow pushed.
    fn max_admissible_flow(&mut self, level: &mut [u32], iter: &mut [u32]) -> i64 {
        let sink = self.sink();
        let mut total = 0i64;
        let mut queue: Vec<u32> = Vec::new();
        loop {
            level.fill(u32::MAX);
            level[0] = 0;
            queue.clear();
            queue.push(0);
            let mut head = 0;
            while head < queue.len() {
                let u = queue[head] as usize;
                head += 1;
                for e in self.arcs(u) {
                    let v = self.to[e] as usize;
                    if self.cap[e] > 0 && level[v] == u32::MAX && self.reduced(u, e) == 0 {
                        level[v] = level[u] + 1;
                        queue.push(v as u32);
                    }
                }
            }
            if level[sink] == u32::MAX {
                return total;
            }
            for (i, s) in iter.iter_mut().zip(&self.start) {
                *i = *s;
            }
            loop {
                let pushed = self.augment(level, iter);
                if pushed == 0 {
                    break;
                }
                total += pushed;
            }
        }
    }

    /// One augmenting path along the level graph (iteratively, so long paths cannot
    /// overflow the stack); returns its bottleneck, or 0 when none is left.
    fn augment(&mut self, level: &[u32], iter: &mut [u32]) -> i64 {
        let sink = self.sink();
        let mut path: Vec<usize> = Vec::new();
        let mut u = 0usize;
        loop {
            if u == sink {
                let bottleneck = path.iter().map(|e| self.cap[*e]).min().unwrap_or(0);
                for e in &path {
                    self.cap[*e] -= bottleneck;
                    self.cap[self.rev[*e] as usize] += bottleneck;
                }
                return i64::from(bottleneck);
            }
            let end = self.start[u + 1];
            let mut advanced = false;
            while iter[u] < end {
                let e = iter[u] as usize;
                let v = self.to[e] as usize;
                if self.cap[e] > 0 && level[v] == level[u] + 1 && self.reduced(u, e) == 0 {
                    path.push(e);
                    u = v;
                    advanced = true;
                    break;
                }
                iter[u] += 1;
            }
            if !advanced {
                // A dead end: retreat and skip the arc that led here.
                let Some(e) = path.pop() else {
                    return 0;
                };
                u = self.to[self.rev[e] as usize] as usize;
                iter[u] += 1;
            }
        }
    }

    /// The member → application arcs that carry flow.
    fn pairs(&self) -> Vec<Pair> {
        let first_app = 1 + self.members;
        let mut pairs = Vec::new();
        for m in 0..self.members {
            let u = self.member_node(m);
            for e in self.arcs(u) {
                let v = self.to[e] as usize;
                if v >= first_app && v < first_app + self.applications && self.cost[e] > 0 && self.cap[e] == 0
                {
                    pairs.push(Pair {
                        member: m as u32,
                        application: (v - first_app) as u32,
                    });
                }
            }
        }
        pairs
    }
}

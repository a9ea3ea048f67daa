//! Who reviews what: the exact reviewer assignment (docs/decisions/0010).
//!
//! Each application needs `reviews_per_application` reviews from distinct panel members;
//! each member reviews at most their load cap; nobody reviews an application they are
//! conflicted on. Among all assignments that honour those rules, [`assign`] finds one of
//! greatest total affinity. It is a min-cost flow solved exactly (primal-dual successive
//! shortest paths over a sparse set of candidate pairs, widened by LP pricing until no
//! left-out pair could improve it), so the answer is a proven optimum, never a greedy guess.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::flow;

/// The largest bid a member may place on an application.
pub const MAX_BID: u8 = 3;

/// A panel member as the assignment sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// The round's themes the member knows, one bit per theme (bit i = the round's theme i).
    pub themes: u64,
    /// One of England's nine regions (0–8), when the member has one.
    pub region: Option<u8>,
    /// The most applications the member will review.
    pub load_cap: u32,
}

/// An application as the assignment sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    /// The theme(s) the application picked, one bit per theme.
    pub themes: u64,
    /// The region of the applying place.
    pub region: Option<u8>,
}

/// One member and one application, by their positions in the [`Instance`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Pair {
    pub member: u32,
    pub application: u32,
}

/// A member's bid (0–3) on an application: how much they would like to review it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bid {
    pub member: u32,
    pub application: u32,
    pub value: u8,
}

/// Everything the assignment needs, by position: members and applications are numbered
/// from 0 in the order given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instance {
    pub reviews_per_application: u32,
    pub members: Vec<Member>,
    pub applications: Vec<Application>,
    pub bids: Vec<Bid>,
    pub conflicts: Vec<Pair>,
}

/// The affinity of a member for an application: 10 for each shared theme, 5 when they
/// share a region, plus the member's bid.
pub fn affinity(member: &Member, application: &Application, bid: u8) -> i64 {
    let shared = i64::from((member.themes & application.themes).count_ones());
    let region = match (member.region, application.region) {
        (Some(a), Some(b)) if a == b => 5,
        _ => 0,
    };
    10 * shared + region + i64::from(bid)
}

/// An optimal assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// Every (member, application) pair assigned, sorted.
    pub pairs: Vec<Pair>,
    /// The sum of the pairs' affinities: no assignment honouring the rules has more.
    pub total_affinity: i64,
}

/// Why an instance cannot be assigned, in words an admin can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssignmentError {
    #[error("each application needs at least one review")]
    NoReviewsNeeded,
    #[error("member {member} has a maximum load of zero")]
    ZeroLoadCap { member: u32 },
    #[error("each application needs {needed} reviews but the panel has only {members} members")]
    PanelTooSmall { needed: u32, members: u32 },
    #[error("a bid of {value} is outside 0 to {MAX_BID}")]
    BidOutOfRange { value: u8 },
    #[error("a bid or conflict names a member or application that is not in the instance")]
    UnknownIndex,
    /// No assignment gives every application its reviews. `short` names each application
    /// left short by the best partial assignment, with how many unconflicted members it has.
    #[error("no assignment gives every application {needed} reviews ({} short)", short.len())]
    NoFullAssignment {
        needed: u32,
        capacity: u64,
        demand: u64,
        short: Vec<Shortfall>,
    },
}

/// An application the panel cannot fully review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shortfall {
    pub application: u32,
    /// Members not conflicted on it.
    pub unconflicted: u32,
    /// Reviewers the best partial assignment found it.
    pub assigned: u32,
}

impl Shortfall {
    /// True when the application has fewer unconflicted members than the reviews it needs,
    /// so no load cap could ever fill it.
    pub fn lacks_unconflicted(&self, needed: u32) -> bool {
        self.unconflicted < needed
    }
}

/// The instance checked and indexed for the solver: bids and conflicts per member.
pub(super) struct Indexed<'a> {
    pub instance: &'a Instance,
    /// `bids[m]`: (application, bid) sorted by application.
    pub bids: Vec<Vec<(u32, u8)>>,
    /// `conflicts[m]`: applications sorted.
    pub conflicts: Vec<Vec<u32>>,
}

impl Instance {
    /// Checks the rules an admin's input must meet, then indexes bids and conflicts.
    pub(super) fn indexed(&self) -> Result<Indexed<'_>, AssignmentError> {
        let k = self.reviews_per_application;
        if k == 0 {
            return Err(AssignmentError::NoReviewsNeeded);
        }
        if let Some(member) = self.members.iter().position(|m| m.load_cap == 0) {
            return Err(AssignmentError::ZeroLoadCap {
                member: member as u32,
            });
        }
        if k as usize > self.members.len() {
            return Err(AssignmentError::PanelTooSmall {
                needed: k,
                members: self.members.len() as u32,
            });
        }
        let (members, applications) = (self.members.len() as u32, self.applications.len() as u32);
        let in_range = |member: u32, application: u32| member < members && application < applications;
        let mut bids = vec![Vec::new(); self.members.len()];
        for bid in &self.bids {
            if bid.value > MAX_BID {
                return Err(AssignmentError::BidOutOfRange { value: bid.value });
            }
            if !in_range(bid.member, bid.application) {
                return Err(AssignmentError::UnknownIndex);
            }
            bids[bid.member as usize].push((bid.application, bid.value));
        }
        for list in &mut bids {
            // A repeated bid counts once, at its highest.
            list.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
            list.dedup_by_key(|b| b.0);
        }
        let mut conflicts = vec![Vec::new(); self.members.len()];
        for pair in &self.conflicts {
            if !in_range(pair.member, pair.application) {
                return Err(AssignmentError::UnknownIndex);
            }
            conflicts[pair.member as usize].push(pair.application);
        }
        for list in &mut conflicts {
            list.sort_unstable();
            list.dedup();
        }
        Ok(Indexed {
            instance: self,
            bids,
            conflicts,
        })
    }

    /// The affinity of one pair, bid included (for showing what a hand change loses).
    pub fn pair_affinity(&self, pair: Pair) -> i64 {
        let bid = self
            .bids
            .iter()
            .filter(|b| b.member == pair.member && b.application == pair.application)
            .map(|b| b.value)
            .max()
            .unwrap_or(0);
        affinity(
            &self.members[pair.member as usize],
            &self.applications[pair.application as usize],
            bid,
        )
    }

    /// True when the member is conflicted on the application.
    pub fn conflicted(&self, pair: Pair) -> bool {
        self.conflicts.contains(&pair)
    }
}

/// Finds an assignment of greatest total affinity that gives every application exactly
/// `reviews_per_application` distinct unconflicted reviewers and no member more than their
/// load cap; or says why none exists.
pub fn assign(instance: &Instance) -> Result<Assignment, AssignmentError> {
    assign_with(instance, flow::DEFAULT_CANDIDATES)
}

/// [`assign`] with the number of candidate members first offered to each application (the
/// pricing rounds add any other pair that could improve the result, so the answer does not
/// depend on it; tests use 1 to exercise pricing).
pub fn assign_with(instance: &Instance, candidates: usize) -> Result<Assignment, AssignmentError> {
    let indexed = instance.indexed()?;
    let solved = flow::solve(&indexed, candidates.max(1));
    let k = instance.reviews_per_application;
    let mut per_application = vec![0u32; instance.applications.len()];
    for pair in &solved.pairs {
        per_application[pair.application as usize] += 1;
    }
    if per_application.iter().any(|n| *n < k) {
        let mut unconflicted = vec![instance.members.len() as u32; instance.applications.len()];
        for list in &indexed.conflicts {
            for a in list {
                unconflicted[*a as usize] -= 1;
            }
        }
        let short = per_application
            .iter()
            .enumerate()
            .filter(|(_, n)| **n < k)
            .map(|(a, n)| Shortfall {
                application: a as u32,
                unconflicted: unconflicted[a],
                assigned: *n,
            })
            .collect();
        return Err(AssignmentError::NoFullAssignment {
            needed: k,
            capacity: instance.members.iter().map(|m| u64::from(m.load_cap)).sum(),
            demand: u64::from(k) * instance.applications.len() as u64,
            short,
        });
    }
    let total_affinity = solved.pairs.iter().map(|p| indexed.affinity(*p)).sum();
    let mut pairs = solved.pairs;
    pairs.sort_unstable();
    Ok(Assignment {
        pairs,
        total_affinity,
    })
}

impl Indexed<'_> {
    /// The bid member `m` placed on application `a`, or 0.
    pub fn bid(&self, pair: Pair) -> u8 {
        let list = &self.bids[pair.member as usize];
        list.binary_search_by_key(&pair.application, |b| b.0)
            .map(|i| list[i].1)
            .unwrap_or(0)
    }

    pub fn affinity(&self, pair: Pair) -> i64 {
        affinity(
            &self.instance.members[pair.member as usize],
            &self.instance.applications[pair.application as usize],
            self.bid(pair),
        )
    }
}

/// How a hand change compares with the optimum: the affinity of the pair removed minus
/// that of the pair put in its place (positive = affinity lost).
pub fn affinity_lost(instance: &Instance, removed: Pair, added: Pair) -> i64 {
    instance.pair_affinity(removed) - instance.pair_affinity(added)
}

/// The bits of the `chosen` themes among a round's themes (bit i = the round's theme i).
pub fn theme_bits(round_themes: &[String], chosen: &[&str]) -> u64 {
    round_themes
        .iter()
        .enumerate()
        .filter(|(i, t)| *i < 64 && chosen.contains(&t.as_str()))
        .fold(0, |bits, (i, _)| bits | 1 << i)
}

/// A region's number (0–8) among England's nine regions.
pub fn region_index(region: Option<&str>) -> Option<u8> {
    region
        .and_then(|r| crate::imports::REGIONS.iter().position(|x| *x == r))
        .map(|i| i as u8)
}

/// Positions of rows by key, for callers that number records (user ids, application ids)
/// into an [`Instance`].
pub fn positions<K: std::hash::Hash + Eq + Copy>(keys: &[K]) -> HashMap<K, u32> {
    keys.iter().enumerate().map(|(i, k)| (*k, i as u32)).collect()
}

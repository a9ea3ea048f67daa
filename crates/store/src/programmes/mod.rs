//! Programmes, their partner bodies and fund, rounds, and the places taking part.
//!
//! One file per concept; everything is re-exported here, so callers name
//! `programmes::X` whatever file `X` lives in.

mod chairs;
mod partners;
mod places;
mod programme;
mod rounds;

pub use chairs::{ChairProposal, decide_chair_proposal, open_chair_proposals, propose_chair};
pub use partners::{Partner, partners, set_contribution};
pub use places::{
    Place, PlaceInProgramme, place, place_by_reference, places_by_ids, places_in, set_hwb_chair,
};
pub use programme::{Programme, by_ids, by_slug, contact_day_minutes, list, set_page_markdown, set_summary};
pub use rounds::{Round, all_rounds, insert_round, round, rounds, set_signoff_required};

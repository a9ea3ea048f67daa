//! Convene's domain: records, rules and algorithms in plain Rust, with no I/O.
//!
//! Nothing here knows about HTTP, SQL or the clock on the wall: callers pass "now" in,
//! so every rule can be tested and benchmarked alone.

pub mod accounts;
pub mod applications;
pub mod audit;
pub mod awards;
pub mod cells;
pub mod email;
pub mod engagements;
pub mod forms;
pub mod ids;
pub mod imports;
pub mod links;
pub mod matching;
pub mod money;
pub mod news;
pub mod open_data;
pub mod panels;
pub mod policy;
pub mod programmes;
pub mod retention;
pub mod rounds;
pub mod secret_box;
pub mod selection;
pub mod time;
pub mod two_factor;

pub use email::Email;
pub use ids::{ApplicationId, PlaceId, ProgrammeId, RoundId, UserId};
pub use money::Pence;
pub use time::{Clock, Timestamp};

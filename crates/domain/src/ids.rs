//! Typed record ids. Each record's id is its own type, so a place id cannot be passed
//! where a round id is wanted: the compiler refuses what a test might miss. Each wraps the
//! store's integer key; the store binds and reads `.0`.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

macro_rules! record_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = std::num::ParseIntError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }

        impl PartialEq<i64> for $name {
            fn eq(&self, other: &i64) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<$name> for i64 {
            fn eq(&self, other: &$name) -> bool {
                *self == other.0
            }
        }
    };
}

record_id!(
    /// A programme's id.
    ProgrammeId
);
record_id!(
    /// A round's id.
    RoundId
);
record_id!(
    /// A place's id.
    PlaceId
);
record_id!(
    /// An application's id.
    ApplicationId
);
record_id!(
    /// An account's id.
    UserId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_reads_and_writes_as_its_number() {
        let id: RoundId = "42".parse().unwrap();
        assert_eq!(id, RoundId(42));
        assert_eq!(id.to_string(), "42");
        assert_eq!(serde_json::to_string(&id).unwrap(), "42");
        assert_eq!(serde_json::from_str::<PlaceId>("7").unwrap(), PlaceId(7));
        assert!("x".parse::<UserId>().is_err());
    }
}

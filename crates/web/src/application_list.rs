//! A round's list of applications as admins filter it, shared by the page and the API: the
//! filters as they arrive in a query string, and the page size.

use convene_app::applications::ListFilter;
use convene_domain::applications::ApplicationStatus;
use convene_domain::imports::REGIONS;
use convene_domain::programmes::PlaceKind;
use serde::Deserialize;

/// The list's filters as they arrive in the query string.
#[derive(Deserialize, Default, Clone)]
pub struct ListQuery {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub page: Option<i64>,
}

impl ListQuery {
    /// The filter, ignoring values that name nothing.
    pub fn filter(&self) -> ListFilter {
        ListFilter {
            status: ApplicationStatus::from_key(&self.status),
            place_kind: PlaceKind::from_key(&self.kind).map(|k| k.key().to_string()),
            region: REGIONS.iter().find(|r| **r == self.region).map(|r| r.to_string()),
        }
    }

    /// The query string of this filter (without the page).
    pub fn query_string(&self) -> String {
        let f = self.filter();
        let mut parts = Vec::new();
        if let Some(s) = f.status {
            parts.push(format!("status={}", s.key()));
        }
        if let Some(k) = f.place_kind {
            parts.push(format!("kind={k}"));
        }
        if let Some(r) = f.region {
            parts.push(serde_urlencoded::to_string([("region", r)]).unwrap_or_default());
        }
        parts.join("&")
    }
}

/// Applications shown on one page of the list.
pub const PER_PAGE: i64 = 50;

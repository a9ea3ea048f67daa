//! What a signed-in person's dashboard is made of: the catalogue (programmes and rounds,
//! from the few-second cache), the places they lead and those places' applications.
//! Which parts each role sees is decided from the person's grants by the page.

use crate::catalogue::Entry;
use crate::{App, Result};
use convene_domain::accounts::Role;
use convene_domain::applications::Application;
use convene_domain::policy::Principal;
use convene_domain::programmes::Place;
use convene_store::{applications, programmes};
use std::sync::Arc;

/// A person's dashboard, before it is laid out.
#[derive(Debug, Clone)]
pub struct Dashboard {
    /// Every programme with its rounds.
    pub catalogue: Arc<Vec<Entry>>,
    /// The places `who` leads.
    pub places: Vec<Place>,
    /// Those places' applications.
    pub applications: Vec<Application>,
}

/// What `who`'s dashboard shows. Someone who leads no place costs no query (the catalogue
/// is cached).
pub async fn dashboard(app: &App, who: &Principal) -> Result<Dashboard> {
    let catalogue = app.catalogue.get(&app.db).await?;
    let place_ids: Vec<i64> = who
        .grants
        .iter()
        .filter(|g| g.role == Role::PlaceLead)
        .filter_map(|g| g.scope_id)
        .collect();
    let (places, applications) = if place_ids.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        let places = programmes::places_by_ids(&app.db, &place_ids).await?;
        let applications = if places.is_empty() {
            Vec::new()
        } else {
            applications::for_places(&app.db, &place_ids).await?
        };
        (places, applications)
    };
    Ok(Dashboard {
        catalogue,
        places,
        applications,
    })
}

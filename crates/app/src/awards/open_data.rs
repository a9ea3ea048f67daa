//! The programme's open data: its accepted awards as a 360Giving package (JSON) and the
//! same grants flattened under the standard's column titles (CSV). Public.

use super::Result;
use crate::App;
use convene_domain::open_data::{self as rules, Area, Grant, Org, Publisher};
use convene_domain::programmes::Programme;
use convene_store::awards::open_data as stored;

/// Why a programme's open data could not be made.
#[derive(Debug, thiserror::Error)]
pub enum OpenDataError {
    #[error("not found")]
    NotFound,
    /// A clear message for the asker (no awards yet, no prefix set).
    #[error("{0}")]
    Nothing(String),
    #[error(transparent)]
    Store(#[from] convene_store::StoreError),
}

/// The programme's published grants, ready for either format.
pub async fn grants(app: &App, slug: &str) -> Result<(Publisher, Vec<Grant>), OpenDataError> {
    let programme: Programme = convene_store::programmes::by_slug(&app.db, slug)
        .await?
        .ok_or(OpenDataError::NotFound)?;
    let prefix = stored::grant_prefix(&app.db, programme.id).await?;
    let awards = stored::published(&app.db, programme.id).await?;
    if awards.is_empty() {
        return Err(OpenDataError::Nothing(format!(
            "{} has no accepted awards yet, so there are no grants to publish",
            programme.name
        )));
    }
    if prefix.trim().is_empty() {
        return Err(OpenDataError::Nothing(format!(
            "{} has no 360Giving identifier prefix yet: an admin sets it on the programme's open data page",
            programme.name
        )));
    }
    let funders: Vec<Org> = stored::funders(&app.db, programme.id)
        .await?
        .into_iter()
        .map(|(org_id, name)| Org { org_id, name })
        .collect();
    let mut grants = Vec::new();
    for a in awards {
        let areas = stored::areas(&app.db, a.place_id)
            .await?
            .into_iter()
            .map(|(ons_code, name)| Area { ons_code, name })
            .collect();
        grants.push(Grant {
            reference: a.reference.clone(),
            title: format!("{}: {}", programme.name, a.place_name),
            description: format!(
                "A year of systems leadership support for {} on its breakthrough issue: {}",
                a.place_name, a.breakthrough_issue
            ),
            amount: a.value,
            award_date: a.offered_at,
            planned_start: london_date(a.starts_at),
            planned_end: london_date(a.ends_at),
            recipient: Org {
                org_id: a.recipient_org_id.clone(),
                name: a.recipient_name.clone(),
            },
            funders: funders.clone(),
            areas,
            programme: programme.name.clone(),
        });
    }
    let publisher = Publisher {
        prefix,
        title: programme.name.clone(),
    };
    Ok((publisher, grants))
}

fn london_date(at: convene_domain::Timestamp) -> jiff::civil::Date {
    at.to_jiff()
        .to_zoned_datetime(convene_domain::time::london())
        .date()
}

/// The 360Giving package as JSON text.
pub async fn json(app: &App, slug: &str) -> Result<String, OpenDataError> {
    let (publisher, grants) = grants(app, slug).await?;
    let package = rules::package(&publisher, &grants).map_err(|e| OpenDataError::Nothing(e.to_string()))?;
    serde_json::to_string_pretty(&package).map_err(|e| OpenDataError::Nothing(e.to_string()))
}

/// The grants flattened: the standard's column titles, then one row per grant.
pub async fn table(app: &App, slug: &str) -> Result<(Vec<String>, Vec<Vec<String>>), OpenDataError> {
    let (publisher, grants) = grants(app, slug).await?;
    rules::table(&publisher, &grants).map_err(|e| OpenDataError::Nothing(e.to_string()))
}

/// The grants as CSV: the standard's column titles, then a row per grant; a cell a
/// spreadsheet would run as a formula is defused (no 360Giving value starts that way).
pub async fn csv(app: &App, slug: &str) -> Result<Vec<u8>, OpenDataError> {
    let (headers, rows) = table(app, slug).await?;
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    for record in std::iter::once(headers).chain(rows) {
        writer
            .write_record(record.iter().map(|cell| convene_domain::cells::defuse(cell)))
            .map_err(|e| OpenDataError::Nothing(e.to_string()))?;
    }
    writer
        .into_inner()
        .map_err(|e| OpenDataError::Nothing(e.to_string()))
}

/// The programme's 360Giving prefix as saved ("" until set), for its admins.
pub async fn prefix(
    app: &App,
    who: &convene_domain::policy::Principal,
    programme: &Programme,
) -> Result<String, super::PanelError> {
    crate::programmes::permit(who, convene_domain::policy::Action::View, programme)?;
    Ok(stored::grant_prefix(&app.db, programme.id).await?)
}

/// Sets a programme's 360Giving prefix (its admins): "360G-" and the funder's own part.
pub async fn set_prefix(
    app: &App,
    who: &convene_domain::policy::Principal,
    programme: &Programme,
    prefix: &str,
) -> Result<(), super::PanelError> {
    crate::programmes::permit(who, convene_domain::policy::Action::Edit, programme)?;
    let prefix = prefix.trim();
    let ok = prefix.len() > 5
        && prefix.starts_with("360G-")
        && prefix.len() <= 60
        && prefix[5..]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !ok {
        return Err(super::invalid(
            "grant_prefix",
            "Enter the prefix 360Giving gave the funders, starting 360G-, like 360G-localvision",
        ));
    }
    let mut work = app.begin(Some(who.user_id.0)).await?;
    stored::set_grant_prefix(work.tx(), programme.id, prefix).await?;
    work.audit(
        convene_domain::audit::AuditAction::GrantPrefixSet,
        Some(programme.id.0),
    )
    .await?;
    work.commit().await?;
    Ok(())
}

//! Support offers: a programme's limited consultancy days (by named partner), national
//! programme places and learning network memberships. Funded places request units; admins
//! approve within what is left, under the offer's lock, so two approving at once never give
//! out more than the offer holds; every place sees what it has.

use super::{PanelError, Result, invalid};
use crate::App;
use convene_domain::ProgrammeId;
use convene_domain::audit::AuditAction;
use convene_domain::awards::AwardStatus;
use convene_domain::policy::{Action, Principal, Resource, allows};
use convene_store::awards as award_store;
use convene_store::enablers::support as store;

pub use convene_store::enablers::support::{Offer, SupportRequest, SupportStatus};

/// The kinds of offer, with their labels.
pub const KINDS: [(&str, &str); 3] = [
    ("consultancy_days", "Consultancy days"),
    ("national_programme", "National programme places"),
    ("learning_network", "Learning network memberships"),
];

/// An offer as an admin types it.
#[derive(Debug, Clone, Default)]
pub struct OfferInput {
    pub kind: String,
    pub name: String,
    pub partner: String,
    pub units: String,
}

fn units_of(text: &str, field: &str) -> Result<i64> {
    match text.trim().replace(',', "").parse::<i64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(invalid(field, "Enter a whole number more than 0, like 10")),
    }
}

/// An admin adds an offer to the programme.
pub async fn create_offer(
    app: &App,
    who: &Principal,
    programme: ProgrammeId,
    input: &OfferInput,
) -> Result<i64> {
    if !allows(who, Action::Edit, Resource::Programme { id: programme }) {
        return Err(PanelError::NotFound);
    }
    if !KINDS.iter().any(|(k, _)| *k == input.kind) {
        return Err(invalid("kind", "Choose what kind of support it is"));
    }
    if input.name.trim().is_empty() {
        return Err(invalid("name", "Enter the offer's name"));
    }
    let units = units_of(&input.units, "units")?;
    let mut work = app.begin(Some(who.user_id.0)).await?;
    let now = work.now();
    let kind = (input.kind.as_str(), input.name.trim(), input.partner.trim());
    let id = store::create_offer(work.tx(), programme, kind, units, now).await?;
    work.audit(AuditAction::SupportOfferAdded, Some(programme.0))
        .await?;
    work.commit().await?;
    Ok(id)
}

/// Whether `who` may request support for a funded place (by its award): its leads may;
/// others are refused as [`request`] refuses them. Writes nothing.
pub async fn may_request(app: &App, who: &Principal, award_id: i64) -> Result<()> {
    super::funded_place(app, who, award_id).await.map(|_| ())
}

/// A lead of a funded place (by its award) requests units of one of its programme's offers.
pub async fn request(
    app: &App,
    who: &Principal,
    (offer_id, award_id): (i64, i64),
    units: &str,
    note: &str,
) -> Result<i64> {
    let award = super::funded_place(app, who, award_id).await?;
    let offers = store::offers(&app.db, award.programme_id).await?;
    let offer = offers
        .iter()
        .find(|o| o.id == offer_id)
        .ok_or(PanelError::NotFound)?;
    let units = units_of(units, "units")?;
    if units > offer.left() {
        return Err(invalid(
            "units",
            format!(
                "{} has {} left: ask for {} or fewer",
                offer.name,
                offer.left(),
                offer.left()
            ),
        ));
    }
    let mut work = app.begin(Some(who.user_id.0)).await?;
    let now = work.now();
    let id = store::request(
        work.tx(),
        (offer_id, award_id),
        units,
        note.trim(),
        who.user_id,
        now,
    )
    .await?;
    work.audit(AuditAction::SupportRequested, Some(award_id)).await?;
    work.commit().await?;
    Ok(id)
}

/// An admin approves (within what is left, under the offer's lock) or declines with a
/// reason a waiting request, once.
pub async fn decide(app: &App, who: &Principal, request_id: i64, approve: bool, reason: &str) -> Result<()> {
    let asked = store::request_by_id(&app.db, request_id).await?;
    let award = award_store::award(&app.db, asked.award_id).await?;
    if !allows(
        who,
        Action::Edit,
        Resource::Programme {
            id: award.programme_id,
        },
    ) {
        return Err(PanelError::NotFound);
    }
    if !approve && reason.trim().is_empty() {
        return Err(invalid("reason", "Say why the request is declined"));
    }
    let mut work = app.begin(Some(who.user_id.0)).await?;
    // The offer's lock is the change's first statement, so what is left, and the request
    // read after it, are current while this change decides.
    let offer = store::lock_offer(work.tx(), asked.offer_id).await?;
    let wanted = store::request_in(work.tx(), request_id).await?;
    if approve && wanted.units > offer.left() {
        return Err(invalid(
            "decision",
            format!(
                "{} has only {} left: this request asks for {}",
                offer.name,
                offer.left(),
                wanted.units
            ),
        ));
    }
    let status = if approve {
        SupportStatus::Approved
    } else {
        SupportStatus::Declined
    };
    let now = work.now();
    if !store::decide(work.tx(), request_id, status, reason.trim(), who.user_id, now).await? {
        return Err(PanelError::State("This request has already been decided".into()));
    }
    let action = if approve {
        AuditAction::SupportApproved
    } else {
        AuditAction::SupportDeclined
    };
    work.audit(action, Some(wanted.award_id)).await?;
    work.commit().await?;
    Ok(())
}

/// A programme's offers with what is left, for its admins and its funded places' leads.
pub async fn offers(app: &App, who: &Principal, programme: ProgrammeId) -> Result<Vec<Offer>> {
    let funded_lead = award_store::of_programme(&app.db, programme)
        .await?
        .iter()
        .any(|a| {
            a.status == AwardStatus::Accepted
                && allows(
                    who,
                    Action::Edit,
                    Resource::PlaceSupport {
                        programme_id: programme,
                        place_id: a.place_id,
                    },
                )
        });
    let pool = Resource::EnablerPool {
        programme_id: programme,
        in_pool: false,
        funded_lead,
    };
    if !allows(who, Action::View, pool) {
        return Err(PanelError::NotFound);
    }
    Ok(store::offers(&app.db, programme).await?)
}

/// What a place (by its award) has asked for and been given.
pub async fn of_place(app: &App, who: &Principal, award_id: i64) -> Result<Vec<SupportRequest>> {
    // A funded place only: an award not yet accepted (or announced) is not found, so its
    // place learns nothing before its letter.
    super::place_part(app, who, award_id, Action::View).await?;
    Ok(store::requests_of_award(&app.db, award_id).await?)
}

/// A request as the programme's admins see it: with its place and its offer's name.
#[derive(Debug, Clone)]
pub struct RequestLine {
    pub request: SupportRequest,
    pub place: String,
    pub offer: String,
}

/// A programme's offers and every request for them, for its admins.
#[derive(Debug, Clone)]
pub struct ProgrammeSupport {
    pub programme: convene_domain::programmes::Programme,
    pub offers: Vec<Offer>,
    /// Oldest first.
    pub requests: Vec<RequestLine>,
}

/// The programme `slug`'s offers and requests. Its admins only: not found for anyone else.
pub async fn of_programme(app: &App, who: &Principal, slug: &str) -> Result<ProgrammeSupport> {
    let programme = convene_store::programmes::by_slug(&app.db, slug)
        .await?
        .ok_or(PanelError::NotFound)?;
    if !allows(who, Action::Edit, Resource::Programme { id: programme.id }) {
        return Err(PanelError::NotFound);
    }
    let offers = store::offers(&app.db, programme.id).await?;
    let awards = award_store::of_programme(&app.db, programme.id).await?;
    let requests = store::requests_of_programme(&app.db, programme.id)
        .await?
        .into_iter()
        .map(|request| RequestLine {
            place: awards
                .iter()
                .find(|a| a.id == request.award_id)
                .map(|a| a.place_name.clone())
                .unwrap_or_default(),
            offer: offers
                .iter()
                .find(|o| o.id == request.offer_id)
                .map(|o| o.name.clone())
                .unwrap_or_default(),
            request,
        })
        .collect();
    Ok(ProgrammeSupport {
        programme,
        offers,
        requests,
    })
}

/// A funded place's support: its programme's offers, what the place has asked for and
/// been given, and whether the asker may ask (its leads; its programme's admins read).
#[derive(Debug, Clone)]
pub struct PlaceSupport {
    pub award_id: i64,
    pub place: String,
    pub programme: String,
    pub programme_slug: String,
    pub offers: Vec<Offer>,
    /// Oldest first.
    pub requests: Vec<SupportRequest>,
    pub may_request: bool,
}

/// The support of a funded place (by its accepted award): not found for anyone who may
/// not read the place's part.
pub async fn of_award(app: &App, who: &Principal, award_id: i64) -> Result<PlaceSupport> {
    let award = super::place_part(app, who, award_id, Action::View).await?;
    let programme = convene_store::programmes::by_ids(&app.db, &[award.programme_id])
        .await?
        .into_iter()
        .next()
        .ok_or(PanelError::NotFound)?;
    let may_request = allows(
        who,
        Action::Edit,
        Resource::PlaceSupport {
            programme_id: award.programme_id,
            place_id: award.place_id,
        },
    );
    Ok(PlaceSupport {
        award_id,
        place: award.place_name,
        programme: programme.name,
        programme_slug: programme.slug,
        offers: store::offers(&app.db, award.programme_id).await?,
        requests: store::requests_of_award(&app.db, award_id).await?,
        may_request,
    })
}

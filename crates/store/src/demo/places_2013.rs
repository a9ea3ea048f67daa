//! The 2013 round's other applicants: made-up places that each submitted an application in
//! the round's last week, decided by the 2013 panel (`awards` records what it decided).
//! One of the funded places is an integrated care system, listed in open data as the
//! councils it covers.

use super::applications::{Letter, sign_off_and_submit, write_answers};
use super::london;
use super::places::{NewPlace, load_place};
use crate::awards::open_data::set_areas;
use crate::{Result, Tx, on_tx};
use convene_domain::awards::Outcome;
use convene_domain::forms::FormDefinition;
use convene_domain::{PlaceId, RoundId};

use Outcome::{Decline, Fund, Reserve};

/// Made-up places that applied to the 2013 round: name, reference, region, breakthrough
/// issue, the theme its application picked, and what the panel decided. With Oakhurst
/// Cross (funded), 22 funded, 4 on the reserve list and 4 not funded.
pub(super) const ROUND_2013_PLACES: [(&str, &str, &str, &str, &str, Outcome); 29] = [
    (
        "Tumbleford",
        "PL-0043",
        "North West",
        "Falls among older people living alone",
        "Support for vulnerable older people",
        Fund,
    ),
    (
        "Glimmerdale",
        "PL-0044",
        "North East",
        "Heavy drinking among men out of work",
        "Alcohol",
        Fund,
    ),
    (
        "Saffron Heyes",
        "PL-0045",
        "Yorkshire and the Humber",
        "Children who never walk to school",
        "Physical activity",
        Fund,
    ),
    (
        "Wendle Valley",
        "PL-0046",
        "South East",
        "Delays leaving three hospitals for home",
        "Integrated care pathways",
        Fund,
    ),
    (
        "Plumstowe",
        "PL-0047",
        "East Midlands",
        "One record for people living with dementia",
        "Data sharing between agencies",
        Fund,
    ),
    (
        "Wickerby Fen",
        "PL-0048",
        "East of England",
        "Loneliness after retirement",
        "Support for vulnerable older people",
        Fund,
    ),
    (
        "Cloverhythe",
        "PL-0049",
        "London",
        "Young people drinking in parks",
        "Alcohol",
        Fund,
    ),
    (
        "Rookspire",
        "PL-0050",
        "West Midlands",
        "Care homes and the hospital sharing records",
        "Data sharing between agencies",
        Fund,
    ),
    (
        "Marrowgate",
        "PL-0051",
        "South West",
        "Getting active after a heart attack",
        "Physical activity",
        Fund,
    ),
    (
        "Dapplemere",
        "PL-0052",
        "North West",
        "Carers of people with dementia",
        "Other",
        Fund,
    ),
    (
        "Candlewick Bay",
        "PL-0053",
        "North East",
        "Mental health support on leaving hospital",
        "Integrated care pathways",
        Fund,
    ),
    (
        "Sparrowholt",
        "PL-0054",
        "Yorkshire and the Humber",
        "Older people cut off in winter",
        "Support for vulnerable older people",
        Fund,
    ),
    (
        "Mallowbeck",
        "PL-0055",
        "East Midlands",
        "Drinking during pregnancy",
        "Alcohol",
        Fund,
    ),
    (
        "Tansyford",
        "PL-0056",
        "West Midlands",
        "Inactive office workers",
        "Physical activity",
        Fund,
    ),
    (
        "Gildenmoor",
        "PL-0057",
        "East of England",
        "Families known to five agencies",
        "Data sharing between agencies",
        Fund,
    ),
    (
        "Pebblemouth",
        "PL-0058",
        "South West",
        "A seaside town's seasonal health",
        "Other",
        Fund,
    ),
    (
        "Yarrowby",
        "PL-0059",
        "South East",
        "Stroke care across two counties",
        "Integrated care pathways",
        Fund,
    ),
    (
        "Hollyhock Cross",
        "PL-0060",
        "London",
        "Frail residents of tower blocks",
        "Support for vulnerable older people",
        Fund,
    ),
    (
        "Fernhallow",
        "PL-0061",
        "North West",
        "Cycling in a hilly town",
        "Physical activity",
        Fund,
    ),
    (
        "Quenby Marsh",
        "PL-0062",
        "East of England",
        "Diabetes care in the villages",
        "Integrated care pathways",
        Fund,
    ),
    (
        "Shinglebourne",
        "PL-0063",
        "South East",
        "Drinking among retired people",
        "Alcohol",
        Fund,
    ),
    (
        "Lindenfold",
        "PL-0064",
        "West Midlands",
        "Sharing records at the hospital's front door",
        "Data sharing between agencies",
        Reserve,
    ),
    (
        "Corvenholt",
        "PL-0065",
        "Yorkshire and the Humber",
        "Sport for girls after primary school",
        "Physical activity",
        Reserve,
    ),
    (
        "Oxlip Vale",
        "PL-0066",
        "South West",
        "Hospital at home for frail people",
        "Integrated care pathways",
        Reserve,
    ),
    (
        "Brindlemoor",
        "PL-0067",
        "North East",
        "Befriending for people leaving care homes",
        "Support for vulnerable older people",
        Reserve,
    ),
    (
        "Kilnholt",
        "PL-0068",
        "London",
        "Health of people sleeping rough",
        "Other",
        Decline,
    ),
    (
        "Dovecote Reach",
        "PL-0069",
        "East Midlands",
        "Alcohol and domestic abuse",
        "Alcohol",
        Decline,
    ),
    (
        "Sallowmere",
        "PL-0070",
        "South East",
        "A single front door for social care",
        "Data sharing between agencies",
        Decline,
    ),
    (
        "Mistlebury",
        "PL-0071",
        "North West",
        "Walking groups for people with depression",
        "Physical activity",
        Decline,
    ),
];

/// The integrated care system among them (funded).
const ICS_REFERENCE: &str = "PL-0046";

/// The made-up councils the integrated care system covers: ONS code (made up like the
/// places' own) and name.
const ICS_COUNCILS: [(&str, &str); 3] = [
    ("E06900201", "Wendlemouth Council"),
    ("E07900202", "Upper Wendle District Council"),
    ("E07900203", "Hartsbridge District Council"),
];

/// Makes (or finds) the places, each in Local Vision as an applicant (`awards` marks the
/// funded ones underway); returns their ids in the order of [`ROUND_2013_PLACES`].
pub(super) async fn load_places_2013(tx: &mut Tx, local_vision: i64) -> Result<Vec<i64>> {
    let mut place_ids = Vec::new();
    for (name, reference, region, issue, _, _) in ROUND_2013_PLACES {
        let ics = reference == ICS_REFERENCE;
        let place = NewPlace {
            name,
            reference,
            region,
            kind: if ics { "ics" } else { "council" },
            issue,
            status: "applicant",
        };
        let id = load_place(tx, local_vision, &place).await?;
        if ics {
            list_councils(tx, id).await?;
        }
        place_ids.push(id);
    }
    Ok(place_ids)
}

/// Lists the integrated care system's councils, unless some are listed (an admin may have
/// changed them).
async fn list_councils(tx: &mut Tx, place_id: i64) -> Result<()> {
    let (listed,): (i64,) = on_tx!(tx, |conn| {
        sqlx::query_as("SELECT COUNT(*) FROM place_areas WHERE place_id = $1")
            .bind(place_id)
            .fetch_one(conn)
            .await?
    });
    if listed > 0 {
        return Ok(());
    }
    let areas: Vec<(String, String)> = ICS_COUNCILS
        .iter()
        .map(|(code, name)| (code.to_string(), name.to_string()))
        .collect();
    set_areas(tx, PlaceId(place_id), &areas).await
}

/// Each place's application to the 2013 round, written on 21 May 2013 (after Oakhurst
/// Cross's, so the references follow on from it), signed off by its board chair two days
/// later and submitted. An application already started is left as it is.
pub(super) async fn submit_applications_2013(
    tx: &mut Tx,
    round_id: i64,
    place_ids: &[i64],
    form_id: i64,
    form: &FormDefinition,
) -> Result<()> {
    let first = london(2013, 5, 21, 9, 0, 0)?;
    for (i, ((name, _, _, issue, theme, _), place_id)) in ROUND_2013_PLACES.iter().zip(place_ids).enumerate()
    {
        let written = first.plus_seconds(i as i64 * 20 * 60);
        let (id, created) =
            crate::applications::start(tx, RoundId(round_id), PlaceId(*place_id), form_id, None, written)
                .await?;
        if !created {
            continue;
        }
        let texts = letter_texts(i, name, issue);
        let texts: Vec<(&str, &str)> = texts.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let letter = Letter { theme, texts: &texts };
        let all = write_answers(tx, id, *place_id, form, &letter, false, written).await?;
        sign_off_and_submit(tx, id, *place_id, &all, "submitted", written).await?;
    }
    Ok(())
}

/// A made-up letter's answers for the `i`th place, varied from a few turns of phrase.
fn letter_texts(i: usize, name: &str, issue: &str) -> [(&'static str, String); 4] {
    let history = [
        format!(
            "Partners in {name} have each worked on it alone for years; this is the first time they \
             will plan it together."
        ),
        format!(
            "It came top of {name}'s joint strategic needs assessment, and residents raised it at every \
             listening event last year."
        ),
        format!(
            "A small pilot in two of {name}'s neighbourhoods showed what joined-up work can do; we want \
             it to be how the whole place works."
        ),
    ];
    let gain = [
        "Fewer people reaching crisis, and help sooner and closer to home for those who do.",
        "Residents telling their story once, and services that join up around them.",
        "Better health for the people most affected, shown by measures every partner already collects.",
    ];
    let leadership = [
        "Leaders of the council, the health service and the voluntary sector will share one plan and \
         one budget.",
        "Front-line managers will be trusted to change how services work together, with senior leaders \
         clearing the way.",
        "A leadership group that outlasts the project and a habit of deciding together.",
    ];
    let lessons = [
        "How a small place can pool budgets without making a new organisation; we will write it up on \
         the knowledge hub.",
        "What it takes to share information safely between agencies; we will publish our agreements \
         for others to reuse.",
        "How to involve residents from the start; we will host visits from other places.",
    ];
    [
        ("breakthrough_issue", format!("{issue}. {}", history[i % 3])),
        ("gain_for_residents", gain[(i / 3) % 3].to_string()),
        ("leadership_impact", leadership[(i + 1) % 3].to_string()),
        ("wider_lessons", lessons[(i / 2) % 3].to_string()),
    ]
}

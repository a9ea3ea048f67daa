//! The panel pack: a round's applications with their answers, the scores by reviewer and
//! criterion, and the decisions, one sheet each, for the panel and the programme's admins.
//! Nothing the exporter's conflicts cover is in it.

use super::{Result, decision_panel, moderated_score};
use crate::App;
use crate::panels::Panel;
use crate::panels::ranking::Standing;
use convene_domain::RoundId;
use convene_domain::audit::AuditAction;
use convene_domain::forms::Question;
use convene_domain::policy::{Action, Principal};
use convene_store::applications::{self, ListFilter};
use convene_store::awards::decisions;
use convene_store::panels::reviews;

/// One sheet: its name, column titles and rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    pub name: &'static str,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// The pack: the round's name (for the file name) and its three sheets.
#[derive(Debug, Clone)]
pub struct PanelPack {
    pub round_slug: String,
    pub sheets: Vec<Sheet>,
}

/// The round's panel pack for someone who may read its decisions; the export is audited.
pub async fn panel_pack(app: &App, who: &Principal, round_id: RoundId) -> Result<PanelPack> {
    let panel = decision_panel(app, who, round_id, Action::View).await?;
    let standings = crate::panels::ranking::standings(app, &panel).await?;
    let shown: Vec<&Standing> = standings
        .iter()
        .filter(|s| panel.admin || !s.stood_aside.contains(&who.user_id))
        .collect();
    let sheets = vec![
        applications_sheet(app, round_id, &shown).await?,
        scores_sheet(app, &panel, &shown).await?,
        decisions_sheet(app, &panel, &shown).await?,
    ];
    let mut work = app.begin(Some(who.user_id.0)).await?;
    work.audit_with(AuditAction::ApplicationsExported, Some(round_id.0), "panel pack")
        .await?;
    work.commit().await?;
    Ok(PanelPack {
        round_slug: panel.round.slug.clone(),
        sheets,
    })
}

fn strings<const N: usize>(titles: [&str; N]) -> Vec<String> {
    titles.map(String::from).to_vec()
}

/// Each application shown, with its answer to every question.
async fn applications_sheet(app: &App, round_id: RoundId, shown: &[&Standing]) -> Result<Sheet> {
    let ids: Vec<i64> = shown.iter().map(|s| s.id().0).collect();
    let questions = questions(app, round_id).await?;
    let filter = ListFilter {
        status: Some(convene_domain::applications::ApplicationStatus::Submitted),
        ..ListFilter::default()
    };
    let mut rows = Vec::new();
    let mut after = 0;
    loop {
        let batch = applications::export_batch(&app.db, round_id, &filter, after, 500).await?;
        let last = batch.len() < 500;
        for e in batch {
            after = e.listed.id;
            if ids.contains(&e.listed.id) {
                let mut row = vec![
                    e.listed.reference.clone().unwrap_or_default(),
                    e.listed.place_name.clone(),
                    e.listed.region.clone().unwrap_or_default(),
                ];
                row.extend(
                    questions
                        .iter()
                        .map(|q| e.answers.get(&q.key).cloned().unwrap_or_default()),
                );
                rows.push(row);
            }
        }
        if last {
            break;
        }
    }
    let mut headers = strings(["Reference", "Place", "Region"]);
    headers.extend(questions.iter().map(|q| q.label.clone()));
    Ok(Sheet {
        name: "Applications",
        headers,
        rows,
    })
}

/// Every submitted score on the applications shown, by reviewer and criterion.
async fn scores_sheet(app: &App, panel: &Panel, shown: &[&Standing]) -> Result<Sheet> {
    let mut rows = Vec::new();
    for r in reviews::submitted_in_round(&app.db, panel.round.id).await? {
        let Some(standing) = shown.iter().find(|s| s.id() == r.application_id) else {
            continue;
        };
        for c in &r.scores {
            let criterion = panel
                .rubric
                .criteria
                .iter()
                .find(|k| k.key == c.criterion)
                .map_or_else(|| c.criterion.clone(), |k| k.title.clone());
            rows.push(vec![
                standing.listed.reference.clone().unwrap_or_default(),
                panel.member_name(r.user_id),
                criterion,
                c.score.map(|s| s.to_string()).unwrap_or_default(),
                c.comment.clone(),
            ]);
        }
    }
    Ok(Sheet {
        name: "Scores",
        headers: strings(["Reference", "Reviewer", "Criterion", "Score", "Comment"]),
        rows,
    })
}

/// The decision on each application shown, and who stood aside from it.
async fn decisions_sheet(app: &App, panel: &Panel, shown: &[&Standing]) -> Result<Sheet> {
    let decided = decisions::of_round(&app.db, panel.round.id).await?;
    let rows = shown
        .iter()
        .map(|s| {
            let d = decided.iter().find(|d| d.application_id == s.id());
            vec![
                s.listed.reference.clone().unwrap_or_default(),
                s.listed.place_name.clone(),
                moderated_score(s)
                    .map(super::selection::points)
                    .unwrap_or_default(),
                d.map_or_else(|| "Not decided".into(), |d| d.outcome.label().to_string()),
                d.map(|d| d.feedback.clone()).unwrap_or_default(),
                s.stood_aside
                    .iter()
                    .map(|u| panel.member_name(*u))
                    .collect::<Vec<_>>()
                    .join(", "),
            ]
        })
        .collect();
    Ok(Sheet {
        name: "Decisions",
        headers: strings([
            "Reference",
            "Place",
            "Moderated score",
            "Decision",
            "Feedback",
            "Stood aside",
        ]),
        rows,
    })
}

/// Every question asked in any version of the round's form, the newest version's first.
async fn questions(app: &App, round_id: RoundId) -> Result<Vec<Question>> {
    let versions = convene_store::forms::all_versions(&app.db, round_id).await?;
    let mut questions: Vec<Question> = Vec::new();
    for version in versions.iter().rev() {
        for q in version.definition.questions() {
            if !questions.iter().any(|known| known.key == q.key) {
                questions.push(q.clone());
            }
        }
    }
    Ok(questions)
}

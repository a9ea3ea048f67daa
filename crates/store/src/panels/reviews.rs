//! Reviews (a reviewer's scores and comments per criterion, a draft until submitted, saved
//! over a version) and the moderation record (the panel's agreed score and note).

use std::collections::BTreeMap;

use crate::rows::named_row;
use crate::{Db, Result, StoreError, Tx, on_db, on_tx};
use convene_domain::panels::scoring::CriterionScore;
use convene_domain::{ApplicationId, RoundId, Timestamp, UserId};

/// A reviewer's review of one application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub id: i64,
    pub application_id: ApplicationId,
    pub user_id: UserId,
    pub version: i64,
    pub updated_at: Timestamp,
    pub submitted_at: Option<Timestamp>,
    pub scores: Vec<CriterionScore>,
}

impl Review {
    pub fn submitted(&self) -> bool {
        self.submitted_at.is_some()
    }

    /// The scores given, by criterion key.
    pub fn score_map(&self) -> BTreeMap<String, u8> {
        self.scores
            .iter()
            .filter_map(|s| s.score.map(|v| (s.criterion.clone(), v)))
            .collect()
    }
}

named_row! {
    struct ReviewRow {
        id: i64,
        application_id: i64,
        user_id: i64,
        version: i64,
        updated_at: i64,
        submitted_at: Option<i64>,
    }
}

named_row! {
    struct ScoreRow {
        review_id: i64,
        criterion: String,
        score: Option<i64>,
        comment: String,
    }
}

const REVIEW_SELECT: &str =
    "SELECT r.id, r.application_id, r.user_id, r.version, r.updated_at, r.submitted_at FROM reviews r";
const SCORE_SELECT: &str = "SELECT s.review_id, s.criterion, s.score, s.comment FROM review_scores s \
     JOIN reviews r ON r.id = s.review_id";

/// Reviews matching `filter` (on `r`), with their scores, read in two queries.
async fn reviews_where(db: &Db, filter: &str, binds: &[i64]) -> Result<Vec<Review>> {
    let review_sql = format!("{REVIEW_SELECT} WHERE {filter} ORDER BY r.application_id, r.user_id");
    let score_sql = format!("{SCORE_SELECT} WHERE {filter} ORDER BY s.review_id, s.criterion");
    let (reviews, scores): (Vec<ReviewRow>, Vec<ScoreRow>) = on_db!(db, |pool| {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(review_sql));
        let mut s = sqlx::query_as(sqlx::AssertSqlSafe(score_sql));
        for b in binds {
            q = q.bind(*b);
            s = s.bind(*b);
        }
        (q.fetch_all(pool).await?, s.fetch_all(pool).await?)
    });
    let mut by_review: BTreeMap<i64, Vec<CriterionScore>> = BTreeMap::new();
    for s in scores {
        by_review.entry(s.review_id).or_default().push(CriterionScore {
            criterion: s.criterion,
            score: s.score.and_then(|v| u8::try_from(v).ok()),
            comment: s.comment,
        });
    }
    Ok(reviews
        .into_iter()
        .map(|r| Review {
            id: r.id,
            application_id: ApplicationId(r.application_id),
            user_id: UserId(r.user_id),
            version: r.version,
            updated_at: Timestamp(r.updated_at),
            submitted_at: r.submitted_at.map(Timestamp),
            scores: by_review.remove(&r.id).unwrap_or_default(),
        })
        .collect())
}

/// One reviewer's review of an application, if begun.
pub async fn review(db: &Db, application_id: ApplicationId, user_id: UserId) -> Result<Option<Review>> {
    Ok(reviews_where(
        db,
        "r.application_id = $1 AND r.user_id = $2",
        &[application_id.0, user_id.0],
    )
    .await?
    .pop())
}

/// Every review of an application (drafts too; callers show only what may be seen).
pub async fn of_application(db: &Db, application_id: ApplicationId) -> Result<Vec<Review>> {
    reviews_where(db, "r.application_id = $1", &[application_id.0]).await
}

/// Every submitted review in a round.
pub async fn submitted_in_round(db: &Db, round_id: RoundId) -> Result<Vec<Review>> {
    reviews_where(
        db,
        "r.round_id = $1 AND r.submitted_at IS NOT NULL",
        &[round_id.0],
    )
    .await
}

/// Every review (draft or submitted) by one member in a round.
pub async fn of_member(db: &Db, round_id: RoundId, user_id: UserId) -> Result<Vec<Review>> {
    reviews_where(db, "r.round_id = $1 AND r.user_id = $2", &[round_id.0, user_id.0]).await
}

/// True once anyone has begun a review in the round.
pub async fn any_in_round(db: &Db, round_id: RoundId) -> Result<bool> {
    let n: i64 = on_db!(db, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM reviews WHERE round_id = $1"
    )
    .bind(round_id.0)
    .fetch_one(pool)
    .await?);
    Ok(n > 0)
}

/// What became of saving a review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewSaved {
    Saved {
        version: i64,
    },
    /// Saved elsewhere (another tab) since it was loaded, or already submitted: nothing was
    /// written.
    Stale,
}

/// A review to save over `expected_version` (0 when never saved).
#[derive(Debug, Clone, Copy)]
pub struct ReviewSave<'a> {
    pub round_id: RoundId,
    pub application_id: ApplicationId,
    pub user_id: UserId,
    pub expected_version: i64,
    pub scores: &'a [CriterionScore],
    pub submit: bool,
}

/// Saves a draft or submits it. A submitted review is final.
pub async fn save(tx: &mut Tx, save: &ReviewSave<'_>, now: Timestamp) -> Result<ReviewSaved> {
    let submitted_at = save.submit.then_some(now.0);
    let id: Option<i64> = on_tx!(tx, |conn| {
        if save.expected_version == 0 {
            sqlx::query_scalar(
                "INSERT INTO reviews (application_id, user_id, round_id, version, updated_at, submitted_at) \
                 VALUES ($1, $2, $3, 1, $4, $5) ON CONFLICT (application_id, user_id) DO NOTHING RETURNING id",
            )
            .bind(save.application_id.0)
            .bind(save.user_id.0)
            .bind(save.round_id.0)
            .bind(now.0)
            .bind(submitted_at)
            .fetch_optional(&mut *conn)
            .await?
        } else {
            sqlx::query_scalar(
                "UPDATE reviews SET version = version + 1, updated_at = $1, submitted_at = $2 \
                 WHERE application_id = $3 AND user_id = $4 AND version = $5 AND submitted_at IS NULL RETURNING id",
            )
            .bind(now.0)
            .bind(submitted_at)
            .bind(save.application_id.0)
            .bind(save.user_id.0)
            .bind(save.expected_version)
            .fetch_optional(&mut *conn)
            .await?
        }
    });
    let Some(id) = id else {
        return Ok(ReviewSaved::Stale);
    };
    on_tx!(tx, |conn| {
        sqlx::query("DELETE FROM review_scores WHERE review_id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
        for s in save.scores {
            sqlx::query(
                "INSERT INTO review_scores (review_id, criterion, score, comment) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(&s.criterion)
            .bind(s.score.map(i64::from))
            .bind(&s.comment)
            .execute(&mut *conn)
            .await?;
        }
    });
    Ok(ReviewSaved::Saved {
        version: save.expected_version + 1,
    })
}

/// The panel's agreed score and note on an application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moderation {
    pub application_id: ApplicationId,
    pub agreed_tenths: i64,
    pub note: String,
    pub version: i64,
    pub updated_by: Option<UserId>,
    pub updated_at: Timestamp,
}

named_row! {
    struct ModerationRow {
        application_id: i64,
        agreed_tenths: i64,
        note: String,
        version: i64,
        updated_by: Option<i64>,
        updated_at: i64,
    }
}

impl From<ModerationRow> for Moderation {
    fn from(r: ModerationRow) -> Self {
        Moderation {
            application_id: ApplicationId(r.application_id),
            agreed_tenths: r.agreed_tenths,
            note: r.note,
            version: r.version,
            updated_by: r.updated_by.map(UserId),
            updated_at: Timestamp(r.updated_at),
        }
    }
}

const MODERATION_SELECT: &str =
    "SELECT application_id, agreed_tenths, note, version, updated_by, updated_at FROM moderations";

/// Every moderation record in a round, by application.
pub async fn moderations(db: &Db, round_id: RoundId) -> Result<BTreeMap<ApplicationId, Moderation>> {
    let sql = format!("{MODERATION_SELECT} WHERE round_id = $1");
    let rows: Vec<ModerationRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(round_id.0)
        .fetch_all(pool)
        .await?);
    Ok(rows
        .into_iter()
        .map(|r| (ApplicationId(r.application_id), Moderation::from(r)))
        .collect())
}

/// One application's moderation record.
pub async fn moderation(db: &Db, application_id: ApplicationId) -> Result<Option<Moderation>> {
    let sql = format!("{MODERATION_SELECT} WHERE application_id = $1");
    let row: Option<ModerationRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(application_id.0)
        .fetch_optional(pool)
        .await?);
    Ok(row.map(Moderation::from))
}

/// The chair's agreed score and note on an application, typed over `expected_version`
/// (0 when none was recorded).
#[derive(Debug, Clone, Copy)]
pub struct ModerationSave<'a> {
    pub round_id: RoundId,
    pub application_id: ApplicationId,
    pub expected_version: i64,
    pub agreed_tenths: i64,
    pub note: &'a str,
    pub by: UserId,
}

/// Saves the agreed score and note over its expected version. `Ok(None)` when someone saved
/// since: nothing was written.
pub async fn moderate(tx: &mut Tx, save: &ModerationSave<'_>, now: Timestamp) -> Result<Option<i64>> {
    let ModerationSave {
        round_id,
        application_id,
        expected_version,
        agreed_tenths,
        note,
        by,
    } = *save;
    let written = on_tx!(tx, |conn| {
        if expected_version == 0 {
            sqlx::query(
                "INSERT INTO moderations (application_id, round_id, agreed_tenths, note, version, updated_by, updated_at) \
                 VALUES ($1, $2, $3, $4, 1, $5, $6) ON CONFLICT (application_id) DO NOTHING",
            )
            .bind(application_id.0)
            .bind(round_id.0)
            .bind(agreed_tenths)
            .bind(note)
            .bind(by.0)
            .bind(now.0)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        } else {
            sqlx::query(
                "UPDATE moderations SET agreed_tenths = $1, note = $2, version = version + 1, updated_by = $3, \
                 updated_at = $4 WHERE application_id = $5 AND version = $6",
            )
            .bind(agreed_tenths)
            .bind(note)
            .bind(by.0)
            .bind(now.0)
            .bind(application_id.0)
            .bind(expected_version)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        }
    });
    if written == 0 {
        return Ok(None);
    }
    if written > 1 {
        return Err(StoreError::Malformed("moderation written twice".into()));
    }
    Ok(Some(expected_version + 1))
}

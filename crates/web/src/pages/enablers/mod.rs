//! Enablers' pages: the pool, joining it and each profile (`pool`), a funded place's ranking of the pool and an enabler's ranking of the
//! places that chose them (`rankings`), and the admin's matching page (`matching`). The
//! use cases are `convene_app::enablers`.

use crate::state::AppState;
use axum::Router;
use axum::routing::{get, post};

mod matching;
mod pool;
mod rankings;

/// Enablers' routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/programmes/{slug}/enablers", get(pool::browse))
        .route(
            "/programmes/{slug}/enablers/join",
            get(pool::join_page).post(pool::join),
        )
        .route("/enablers/{id}", get(pool::profile_page).post(pool::save_profile))
        .route(
            "/awards/{award}/enablers",
            get(rankings::place_page).post(rankings::save_place),
        )
        .route(
            "/enablers/{id}/places",
            get(rankings::enabler_page).post(rankings::save_enabler),
        )
        .route("/programmes/{slug}/matching", get(matching::show))
        .route("/programmes/{slug}/matching/run", post(matching::run))
        .route("/programmes/{slug}/matching/change", post(matching::change))
        .route("/programmes/{slug}/matching/confirm", post(matching::confirm))
}

/// The ids in the order their boxes number them, skipping blank boxes (and "cannot", an
/// enabler's conflict). A box that is not a whole number from 1, or a number given twice,
/// is a problem against that box.
fn ranked(choices: &[(i64, String)], field: impl Fn(i64) -> String) -> Result<Vec<i64>, (String, String)> {
    let mut numbered: Vec<(u32, i64)> = Vec::new();
    for (id, text) in choices {
        let text = text.trim();
        if text.is_empty() || text == "cannot" {
            continue;
        }
        let Some(rank) = text.parse::<u32>().ok().filter(|r| *r > 0) else {
            return Err((
                field(*id),
                "Enter a whole number from 1, or leave it blank".into(),
            ));
        };
        if numbered.iter().any(|(r, _)| *r == rank) {
            return Err((
                field(*id),
                format!("You gave choice {rank} twice: give each a different number"),
            ));
        }
        numbered.push((rank, *id));
    }
    numbered.sort_unstable();
    Ok(numbered.into_iter().map(|(_, id)| id).collect())
}

/// Form fields named `{prefix}{id}`, as (id, value).
fn fields_with(prefix: &str, form: &[(String, String)]) -> Vec<(i64, String)> {
    form.iter()
        .filter_map(|(k, v)| Some((k.strip_prefix(prefix)?.parse().ok()?, v.clone())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_are_read_in_order_and_blanks_skipped() {
        let choices = vec![(7, "2".to_string()), (3, String::new()), (9, "1".into())];
        assert_eq!(ranked(&choices, |id| format!("rank_{id}")), Ok(vec![9, 7]));
    }

    #[test]
    fn a_rank_given_twice_is_refused_at_the_second() {
        let choices = vec![(7, "1".to_string()), (9, "1".into())];
        let (field, message) = ranked(&choices, |id| format!("rank_{id}")).unwrap_err();
        assert_eq!(field, "rank_9");
        assert!(message.contains("choice 1 twice"), "{message}");
    }

    #[test]
    fn words_and_noughts_are_refused_and_cannot_is_skipped() {
        let field = |id| format!("rank_{id}");
        assert_eq!(ranked(&[(1, "first".into())], field).unwrap_err().0, "rank_1");
        assert_eq!(ranked(&[(2, "0".into())], field).unwrap_err().0, "rank_2");
        assert_eq!(
            ranked(&[(3, "cannot".into()), (4, " 1 ".into())], field),
            Ok(vec![4])
        );
    }

    #[test]
    fn fields_are_read_by_their_prefix() {
        let form = vec![
            ("csrf_token".to_string(), "x".to_string()),
            ("rank_12".into(), "1".into()),
            ("choice_4".into(), "cannot".into()),
        ];
        assert_eq!(fields_with("rank_", &form), vec![(12, "1".to_string())]);
        assert_eq!(fields_with("choice_", &form), vec![(4, "cannot".to_string())]);
    }
}

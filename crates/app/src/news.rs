//! News and announcements: what readers see (published items only, scheduled ones once
//! their time comes), and a programme's admins writing items in Markdown with a publish
//! time that may be in the future.

/// A news item as stored.
pub use convene_store::news::NewsItem;

use crate::{App, Cache, Error, Result};
use convene_domain::ProgrammeId;
use convene_domain::audit::AuditAction;
use convene_domain::forms::FieldProblem;
use convene_domain::policy::{Action, Principal, Resource, allows};
use convene_domain::programmes::Programme;
use convene_domain::time::{DateInputError, london_instant, parse_date_input, parse_time_input};
use convene_domain::{Timestamp, news as rules};
use convene_store::news::{self, Draft};

/// Published items, newest first: of one programme, or (with `None`) of the whole service.
pub async fn published(app: &App, programme_id: Option<i64>, limit: i64) -> Result<Vec<NewsItem>> {
    Ok(news::published(&app.db, programme_id, app.clock.now(), limit).await?)
}

/// A published item by its address; one still to be published is not found, for everyone
/// (admins preview it from their list).
pub async fn public_item(app: &App, slug: &str) -> Result<NewsItem> {
    let now = app.clock.now();
    news::by_slug(&app.db, slug)
        .await?
        .filter(|i| i.publish_at <= now)
        .ok_or(Error::NotFound)
}

/// Published items sharing a tag with `item`: most shared tags first, then newest.
pub async fn related(app: &App, item: &NewsItem, limit: i64) -> Result<Vec<NewsItem>> {
    Ok(news::related(&app.db, item, app.clock.now(), limit).await?)
}

fn permit(who: &Principal, programme: &Programme) -> Result<()> {
    if allows(who, Action::Edit, Resource::Programme { id: programme.id }) {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

/// Every item of a programme, scheduled ones included (its admins).
pub async fn of_programme(app: &App, who: &Principal, programme: &Programme) -> Result<Vec<NewsItem>> {
    permit(who, programme)?;
    Ok(news::of_programme(&app.db, programme.id).await?)
}

/// One item of a programme, for its admins.
pub async fn item(app: &App, who: &Principal, programme: &Programme, id: i64) -> Result<NewsItem> {
    permit(who, programme)?;
    news::by_id(&app.db, id)
        .await?
        .filter(|i| i.programme_id == Some(programme.id.0))
        .ok_or(Error::NotFound)
}

/// An item as typed: the publish date as day, month and year boxes and a time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemInput {
    pub title: String,
    pub summary: String,
    pub body: String,
    /// Comma-separated.
    pub tags: String,
    pub publish_day: String,
    pub publish_month: String,
    pub publish_year: String,
    /// "9am" when empty.
    pub publish_time: String,
}

impl ItemInput {
    /// A stored item as its form shows it (publish time in UK time).
    pub fn of(item: &NewsItem) -> ItemInput {
        let zoned = item
            .publish_at
            .to_jiff()
            .to_zoned_datetime(convene_domain::time::london());
        ItemInput {
            title: item.title.clone(),
            summary: item.summary.clone(),
            body: item.body_markdown.clone(),
            tags: item.tags.join(", "),
            publish_day: zoned.day().to_string(),
            publish_month: zoned.month().to_string(),
            publish_year: zoned.year().to_string(),
            publish_time: format!("{}:{:02}", zoned.hour(), zoned.minute()),
        }
    }

    /// The tags and publish time once checked, or every problem by field (a date's problem
    /// is on its first box, a time's on the time box, so an error summary links to what
    /// needs changing).
    pub fn check(&self) -> std::result::Result<(Vec<String>, Timestamp), Vec<FieldProblem>> {
        let mut problems: Vec<FieldProblem> = Vec::new();
        let mut add = |field: &str, message: String| problems.push((field.to_string(), message));
        limit(&mut add, "title", &self.title, "a title", 120);
        limit(&mut add, "summary", &self.summary, "a summary", 300);
        if limit(&mut add, "body", &self.body, "the text of the news item", 20_000)
            && let Some(problem) = crate::markdown::check(&self.body)
        {
            add("body", problem);
        }
        let tags = rules::parse_tags(&self.tags).unwrap_or_else(|e| {
            add("tags", e.to_string());
            Vec::new()
        });
        let publish_at = self.publish_at(&mut add);
        match publish_at {
            Some(t) if problems.is_empty() => Ok((tags, t)),
            _ => Err(problems),
        }
    }

    fn publish_at(&self, add: &mut impl FnMut(&str, String)) -> Option<Timestamp> {
        let date = match parse_date_input(&self.publish_day, &self.publish_month, &self.publish_year) {
            Err(e) => {
                let message = match e {
                    DateInputError::Missing => "Enter the date to publish on".to_string(),
                    other => other.to_string(),
                };
                add("publish_day", message);
                return None;
            }
            Ok(date) => date,
        };
        let typed = self.publish_time.trim();
        let Ok(time) = parse_time_input(if typed.is_empty() { "9am" } else { typed }) else {
            add("publish_time", "Enter a time, like 9am or 14:30".to_string());
            return None;
        };
        london_instant(date, time, false)
            .map_err(|e| add("publish_day", e.to_string()))
            .ok()
    }

    fn draft<'a>(
        &'a self,
        programme_id: ProgrammeId,
        tags: &'a [String],
        publish_at: Timestamp,
    ) -> Draft<'a> {
        Draft {
            programme_id: Some(programme_id.0),
            title: self.title.trim(),
            summary: self.summary.trim(),
            body_markdown: self.body.trim(),
            publish_at,
            tags,
        }
    }
}

/// Checks a required text field's presence and length; true when it is fine.
fn limit(add: &mut impl FnMut(&str, String), field: &str, value: &str, what: &str, max: usize) -> bool {
    if value.trim().is_empty() {
        add(field, format!("Enter {what}"));
        false
    } else if value.chars().count() > max {
        let name = match field {
            "title" => "Title",
            "summary" => "Summary",
            _ => "Text",
        };
        add(
            field,
            format!("{name} must be {} characters or fewer", thousands(max)),
        );
        false
    } else {
        true
    }
}

/// 20000 → "20,000".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A saved item: when it is published, and whether readers can see it already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Saved {
    pub publish_at: Timestamp,
    pub published: bool,
}

/// Adds an item to the programme's news (its admins), or gives the problems by field.
pub async fn create(
    app: &App,
    who: &Principal,
    programme: &Programme,
    input: &ItemInput,
) -> Result<std::result::Result<Saved, Vec<FieldProblem>>> {
    permit(who, programme)?;
    let (tags, publish_at) = match input.check() {
        Ok(ok) => ok,
        Err(problems) => return Ok(Err(problems)),
    };
    let mut work = app.begin(Some(who.user_id.0)).await?;
    let now = work.now();
    let draft = input.draft(programme.id, &tags, publish_at);
    let (id, item_slug) = news::create(work.tx(), &draft, Some(who.user_id.0), now).await?;
    // The item's address is kept with the entry: it names the item even once edited.
    work.audit_with(AuditAction::NewsCreated, Some(id), &item_slug)
        .await?;
    work.clears(Cache::Catalogue);
    work.commit().await?;
    Ok(Ok(Saved {
        publish_at,
        published: publish_at <= now,
    }))
}

/// Changes one of the programme's items (its admins); its address stays.
pub async fn update(
    app: &App,
    who: &Principal,
    programme: &Programme,
    id: i64,
    input: &ItemInput,
) -> Result<std::result::Result<Saved, Vec<FieldProblem>>> {
    let existing = item(app, who, programme, id).await?;
    let (tags, publish_at) = match input.check() {
        Ok(ok) => ok,
        Err(problems) => return Ok(Err(problems)),
    };
    let mut work = app.begin(Some(who.user_id.0)).await?;
    let now = work.now();
    let draft = input.draft(programme.id, &tags, publish_at);
    news::update(work.tx(), id, &draft, now).await?;
    work.audit_with(AuditAction::NewsChanged, Some(id), &existing.slug)
        .await?;
    work.clears(Cache::Catalogue);
    work.commit().await?;
    Ok(Ok(Saved {
        publish_at,
        published: publish_at <= now,
    }))
}

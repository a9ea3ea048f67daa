//! `convene import`: read a CSV file, check every row, then write all rows in one
//! transaction or none, reporting each problem by line and field.

use crate::{Fail, ImportCommand, open};
use convene_domain::Clock;
use convene_domain::imports::{self, Row, RowError};
use convene_store::organisations::{self, Imported};
use convene_web::state::SystemClock;
use indicatif::ProgressBar;

pub async fn run(command: ImportCommand) -> Result<(), Fail> {
    let (file, database_url, is_places) = match command {
        ImportCommand::Organisations { file, database_url } => (file, database_url, false),
        ImportCommand::Places { file, database_url } => (file, database_url, true),
    };
    let (header, records) = read_csv(&file, is_places)?;
    let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
    let progress = ProgressBar::new(records.len() as u64 * 2);
    let mut errors: Vec<RowError> = Vec::new();
    let mut organisations_parsed = Vec::new();
    let mut places_parsed = Vec::new();
    for (line, record) in &records {
        let cells = header_refs.iter().copied().zip(record.iter()).collect();
        let row = Row { line: *line, cells };
        if is_places {
            match imports::place(&row) {
                Ok(p) => places_parsed.push((*line, p)),
                Err(e) => errors.extend(e),
            }
        } else {
            match imports::organisation(&row) {
                Ok(o) => organisations_parsed.push((*line, o)),
                Err(e) => errors.extend(e),
            }
        }
        progress.inc(1);
    }
    if errors.is_empty() {
        let db = open(&database_url, 1).await?;
        let now = SystemClock.now();
        let result = if is_places {
            organisations::import_places(&db, &places_parsed, None, now, || progress.inc(1)).await?
        } else {
            organisations::import_organisations(&db, &organisations_parsed, None, now, || progress.inc(1))
                .await?
        };
        progress.finish_and_clear();
        match result {
            Imported::Done { rows } => {
                let what = if is_places { "places" } else { "organisations" };
                println!("Imported {rows} {what} from {}.", file.display());
                return Ok(());
            }
            Imported::Refused(refused) => errors = refused,
        }
    }
    progress.finish_and_clear();
    let mut report = format!(
        "nothing was imported from {}: {} problems\n",
        file.display(),
        errors.len()
    );
    for e in &errors {
        report.push_str(&format!("  {e}\n"));
    }
    Err(Fail(report.trim_end().to_string()))
}

/// A CSV row with the line it was read from.
type NumberedRecord = (usize, csv::StringRecord);

/// The CSV file's header (trimmed, lower case) and its rows with their line numbers,
/// refused when a column the import needs is missing.
fn read_csv(file: &std::path::Path, is_places: bool) -> Result<(Vec<String>, Vec<NumberedRecord>), Fail> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(file)
        .map_err(|e| Fail(format!("cannot read {}: {e}", file.display())))?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| Fail(format!("cannot read the header row of {}: {e}", file.display())))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
    let required: &[&str] = if is_places {
        &imports::PLACE_COLUMNS
    } else {
        &imports::ORGANISATION_COLUMNS
    };
    let missing = imports::missing_columns(&header_refs, required);
    if !missing.is_empty() {
        return Err(Fail(format!(
            "{} has no column {}",
            file.display(),
            missing.join(", ")
        )));
    }
    let mut records = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| Fail(format!("cannot read {}: {e}", file.display())))?;
        let line = record.position().map(|p| p.line() as usize).unwrap_or(0);
        records.push((line, record));
    }
    Ok((header, records))
}

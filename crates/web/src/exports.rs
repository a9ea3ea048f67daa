//! Exports of a round's applications: one row per application, one column per question,
//! money in pounds. Rows are read in batches and written as they come, so memory does not
//! grow with the round: CSV streams straight to the client; XLSX is written by
//! rust_xlsxwriter in constant-memory mode to an unnamed temporary file, then streamed.

use crate::error::AppError;
use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use bytes::Bytes;
use convene_app::applications::{EXPORT_BATCH as BATCH, Export, Exported};
use convene_app::awards::panel_pack::Sheet;
use convene_domain::forms::{Question, QuestionKind};
use convene_domain::programmes::{PlaceKind, Round};
use std::io::{Seek, SeekFrom};

/// Which file to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

/// A cell's value.
enum Cell {
    Text(String),
    Pounds(f64),
}

/// The columns of a round's export: fixed ones, then every question asked in any version
/// of its form (the newest version's order first).
struct Columns {
    questions: Vec<Question>,
}

const FIXED: [&str; 7] = [
    "Reference",
    "Place",
    "Type of place",
    "Region",
    "Status",
    "Submitted (UK time)",
    "Match contribution (£)",
];

impl Columns {
    fn headers(&self) -> Vec<String> {
        FIXED
            .iter()
            .map(|h| h.to_string())
            .chain(self.questions.iter().map(|q| q.label.clone()))
            .collect()
    }

    fn row(&self, e: &Exported) -> Vec<Cell> {
        let l = &e.listed;
        let mut cells = vec![
            Cell::Text(l.reference.clone().unwrap_or_default()),
            Cell::Text(l.place_name.clone()),
            Cell::Text(
                PlaceKind::from_key(&l.place_kind)
                    .map_or("Other", |k| k.label())
                    .to_string(),
            ),
            Cell::Text(l.region.clone().unwrap_or_default()),
            Cell::Text(l.status.label().to_string()),
            Cell::Text(l.submitted_at.map(|t| t.london_words()).unwrap_or_default()),
            match l.pledge {
                Some(p) => Cell::Pounds(p.0 as f64 / 100.0),
                None => Cell::Text(String::new()),
            },
        ];
        for q in &self.questions {
            let value = e.answers.get(&q.key).map(String::as_str).unwrap_or("");
            cells.push(match q.kind {
                QuestionKind::Money { .. } if !value.is_empty() => match value.parse::<i64>() {
                    Ok(p) => Cell::Pounds(p as f64 / 100.0),
                    Err(_) => Cell::Text(value.to_string()),
                },
                QuestionKind::Organisations => Cell::Text(value.lines().collect::<Vec<_>>().join("; ")),
                QuestionKind::File if !value.is_empty() => Cell::Text("File uploaded".to_string()),
                QuestionKind::YesNo => Cell::Text(convene_domain::forms::display_answer(q, value)),
                _ => Cell::Text(value.to_string()),
            });
        }
        cells
    }
}

/// Streams an export (begun by `convene_app::applications::export`) of `round`.
pub async fn respond(mut export: Export, round: &Round, format: ExportFormat) -> Result<Response, AppError> {
    let columns = Columns {
        questions: std::mem::take(&mut export.questions),
    };
    let (body, content_type, extension, length) = match format {
        ExportFormat::Csv => (csv_body(export, columns), "text/csv; charset=utf-8", "csv", None),
        ExportFormat::Xlsx => {
            let (body, length) = xlsx_body(export, columns).await?;
            (
                body,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "xlsx",
                Some(length),
            )
        }
    };
    let mut res = Response::new(body);
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    let disposition = format!("attachment; filename=\"{}-applications.{extension}\"", round.slug);
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    if let Some(n) = length {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(n));
    }
    Ok(res)
}

fn channel_body(rx: tokio::sync::mpsc::Receiver<Result<Bytes, std::io::Error>>) -> Body {
    Body::from_stream(futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    }))
}

fn csv_body(export: Export, columns: Columns) -> Body {
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    tokio::spawn(async move {
        // Each batch is written into a fresh buffer and sent on, so nothing accumulates.
        let encode = |rows: &mut dyn Iterator<Item = Vec<String>>| -> Bytes {
            let mut writer = csv::Writer::from_writer(Vec::new());
            for record in rows {
                let _ = writer.write_record(&record);
            }
            Bytes::from(writer.into_inner().unwrap_or_default())
        };
        let header = encode(&mut std::iter::once(
            columns
                .headers()
                .iter()
                .map(|h| convene_domain::cells::defuse(h))
                .collect(),
        ));
        if tx.send(Ok(header)).await.is_err() {
            return;
        }
        let mut after = 0;
        loop {
            let batch = match export.batch(after).await {
                Ok(b) => b,
                Err(e) => {
                    tracing::error!(error = %e, "export failed");
                    let _ = tx.send(Err(std::io::Error::other("export failed"))).await;
                    return;
                }
            };
            let chunk = encode(&mut batch.iter().map(|e| {
                columns
                    .row(e)
                    .into_iter()
                    .map(|c| match c {
                        Cell::Text(t) => convene_domain::cells::defuse(&t),
                        Cell::Pounds(p) => format!("{p:.2}"),
                    })
                    .collect()
            }));
            if !chunk.is_empty() && tx.send(Ok(chunk)).await.is_err() {
                return;
            }
            match batch.last() {
                Some(last) if batch.len() as i64 == BATCH => after = last.listed.id,
                _ => break,
            }
        }
    });
    channel_body(rx)
}

/// Writes the workbook to an unnamed temporary file and returns it as a streamed body with
/// its length.
async fn xlsx_body(export: Export, columns: Columns) -> Result<(Body, u64), AppError> {
    let handle = tokio::runtime::Handle::current();
    let file = tokio::task::spawn_blocking(move || -> Result<std::fs::File, String> {
        use rust_xlsxwriter::{Format, Workbook};
        let mut workbook = Workbook::new();
        let sheet = workbook
            .add_worksheet_with_constant_memory()
            .map_err(|e| e.to_string())?;
        sheet.set_name("Applications").map_err(|e| e.to_string())?;
        let bold = Format::new().set_bold();
        let money = Format::new().set_num_format("£#,##0.00");
        for (c, h) in columns.headers().iter().enumerate() {
            sheet
                .write_string_with_format(0, c as u16, h, &bold)
                .map_err(|e| e.to_string())?;
        }
        let mut row: u32 = 1;
        let mut after = 0;
        loop {
            let batch = handle.block_on(export.batch(after)).map_err(|e| e.to_string())?;
            for e in &batch {
                for (c, cell) in columns.row(e).into_iter().enumerate() {
                    let col = c as u16;
                    match cell {
                        Cell::Text(t) if t.is_empty() => {}
                        Cell::Text(t) => {
                            sheet.write_string(row, col, &t).map_err(|e| e.to_string())?;
                        }
                        Cell::Pounds(p) => {
                            sheet
                                .write_number_with_format(row, col, p, &money)
                                .map_err(|e| e.to_string())?;
                        }
                    }
                }
                row += 1;
            }
            match batch.last() {
                Some(last) if batch.len() as i64 == BATCH => after = last.listed.id,
                _ => break,
            }
        }
        let mut file = tempfile::tempfile().map_err(|e| e.to_string())?;
        workbook.save_to_writer(&mut file).map_err(|e| e.to_string())?;
        file.seek(SeekFrom::Start(0)).map_err(|e| e.to_string())?;
        Ok(file)
    })
    .await
    .map_err(|e| AppError::internal(format!("export task: {e}")))?
    .map_err(|e| AppError::internal(format!("export: {e}")))?;
    let length = file.metadata().map_err(AppError::internal)?.len();
    Ok((file_body(file), length))
}

/// Sheets of text (a panel pack) as an XLSX workbook, written off the async threads to an
/// unnamed temporary file, then streamed; with its length.
pub(crate) async fn workbook(sheets: Vec<Sheet>) -> Result<(Body, u64), AppError> {
    let file = tokio::task::spawn_blocking(move || write_workbook(&sheets))
        .await
        .map_err(|e| AppError::internal(format!("workbook task: {e}")))?
        .map_err(|e| AppError::internal(format!("workbook: {e}")))?;
    let length = file.metadata().map_err(AppError::internal)?.len();
    Ok((file_body(file), length))
}

/// The longest text a spreadsheet cell holds.
const CELL_CHARS: usize = 32_767;

/// True for text a spreadsheet would read as a formula when the cell is edited.
fn formula_like(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// Writes the sheets into a workbook in an unnamed temporary file, rewound to its start.
/// Score columns hold numbers; everything else is text, and text that looks like a formula
/// gets Excel's quote prefix so that it stays text (as exports.rs's `defuse` does for CSV).
fn write_workbook(sheets: &[Sheet]) -> Result<std::fs::File, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let quoted = Format::new().set_quote_prefix();
    for s in sheets {
        let sheet = workbook.add_worksheet_with_constant_memory()?;
        sheet.set_name(s.name)?;
        sheet.set_freeze_panes(1, 0)?;
        let numeric: Vec<bool> = s
            .headers
            .iter()
            .map(|h| h.to_lowercase().contains("score"))
            .collect();
        for (c, h) in s.headers.iter().enumerate() {
            let col = u16::try_from(c).unwrap_or(u16::MAX);
            sheet.set_column_width(col, if numeric[c] { 12 } else { 24 })?;
            sheet.write_string_with_format(0, col, h, &bold)?;
        }
        for (r, row) in s.rows.iter().enumerate() {
            let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
            for (c, text) in row.iter().enumerate() {
                let col = u16::try_from(c).unwrap_or(u16::MAX);
                let number = text.parse::<f64>().ok().filter(|n| n.is_finite());
                match number {
                    _ if text.is_empty() => {}
                    Some(n) if numeric.get(c).copied().unwrap_or(false) => {
                        sheet.write_number(r, col, n)?;
                    }
                    _ if formula_like(text) => {
                        sheet.write_string_with_format(r, col, cell_text(text), &quoted)?;
                    }
                    _ => {
                        sheet.write_string(r, col, cell_text(text))?;
                    }
                }
            }
        }
    }
    let mut file = tempfile::tempfile()?;
    workbook.save_to_writer(&mut file)?;
    file.seek(SeekFrom::Start(0))?;
    Ok(file)
}

/// Text cut to what a cell holds.
fn cell_text(text: &str) -> &str {
    match text.char_indices().nth(CELL_CHARS) {
        Some((at, _)) => &text[..at],
        None => text,
    }
}

/// A file streamed in 64 KiB pieces.
pub(crate) fn file_body(file: std::fs::File) -> Body {
    let file = tokio::fs::File::from_std(file);
    Body::from_stream(futures_util::stream::unfold(file, |mut file| async move {
        use tokio::io::AsyncReadExt;
        let mut buf = vec![0u8; 64 * 1024];
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok::<_, std::io::Error>(Bytes::from(buf)), file))
            }
            Err(e) => Some((Err(e), file)),
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_like_text_stays_text_and_scores_are_numbers() {
        let sheets = vec![Sheet {
            name: "Decisions",
            headers: vec!["Reference".into(), "Moderated score".into(), "Feedback".into()],
            rows: vec![vec!["LV-001".into(), "3.45".into(), "=HYPERLINK(\"x\")".into()]],
        }];
        let mut file = write_workbook(&sheets).unwrap();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut file, &mut bytes).unwrap();
        assert!(bytes.starts_with(b"PK"), "an XLSX is a zip file");
        assert!(formula_like("+1") && formula_like("@SUM(A1)") && !formula_like("3.45"));
        assert_eq!(cell_text(&"x".repeat(40_000)).len(), CELL_CHARS);
    }
}

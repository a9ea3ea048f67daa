//! Rows written many to a statement: the generated data set is too large to insert a row
//! at a time.

use crate::{Result, Tx, on_tx};

/// A value to bind.
pub(super) enum Val {
    I(i64),
    N(Option<i64>),
    T(String),
    O(Option<String>),
}

/// Inserts `rows` into `table` with one statement per `chunk` rows.
pub(super) async fn insert_rows(
    tx: &mut Tx,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Val>>,
) -> Result<()> {
    let width = columns.len();
    // Well under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters; smaller
    // statements also prepare faster.
    let chunk = (3_000 / width).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let batch: Vec<Vec<Val>> = rows.by_ref().take(chunk).collect();
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        for (r, _) in batch.iter().enumerate() {
            if r > 0 {
                sql.push(',');
            }
            sql.push('(');
            for c in 0..width {
                if c > 0 {
                    sql.push(',');
                }
                sql.push_str(&format!("${}", r * width + c + 1));
            }
            sql.push(')');
        }
        on_tx!(tx, |conn| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for v in batch.into_iter().flatten() {
                q = match v {
                    Val::I(i) => q.bind(i),
                    Val::N(i) => q.bind(i),
                    Val::T(t) => q.bind(t),
                    Val::O(t) => q.bind(t),
                };
            }
            q.execute(conn).await?;
        });
    }
    Ok(())
}

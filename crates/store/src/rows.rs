//! Named rows: structs read from a query's columns by name, not by position.
//!
//! A tuple row breaks silently when a column is added or moved in its SELECT (two columns
//! of one type just swap); a named row reads each field from the column of the same name,
//! so the SQL aliases say what each value is and a mismatch fails loudly.
//!
//! sqlx can derive this (`#[derive(sqlx::FromRow)]`), but only with its `derive` feature,
//! which builds sqlx's SQLite and PostgreSQL drivers a second time for the proc-macro host
//! in release builds. [`named_row!`] writes the same implementation the derive would: one
//! `FromRow` for any `R: sqlx::Row`, so a row type serves both stores.

/// Declares a struct and implements [`sqlx::FromRow`] for it on every store, reading each
/// field from the column named after it (alias computed columns in the SQL to match).
///
/// ```ignore
/// named_row! {
///     /// A round as stored.
///     struct RoundRow {
///         id: i64,
///         programme_id: i64,
///     }
/// }
/// ```
macro_rules! named_row {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $($(#[$field_meta:meta])* $field_vis:vis $field:ident : $ty:ty),* $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis struct $name {
            $($(#[$field_meta])* $field_vis $field: $ty,)*
        }

        // The bounds sqlx's own derive generates: the row takes column names, and each
        // field's type decodes from that store's values.
        impl<'r, R> ::sqlx::FromRow<'r, R> for $name
        where
            R: ::sqlx::Row,
            &'r str: ::sqlx::ColumnIndex<R>,
            $($ty: ::sqlx::Decode<'r, R::Database> + ::sqlx::Type<R::Database>,)*
        {
            fn from_row(row: &'r R) -> ::std::result::Result<Self, ::sqlx::Error> {
                Ok(Self {
                    $($field: ::sqlx::Row::try_get(row, stringify!($field))?,)*
                })
            }
        }
    };
}

pub(crate) use named_row;

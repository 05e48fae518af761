//! Read models: what a screen shows, declared once in the browser-safe domain and read by the
//! store straight from a query's row, so a column is named in its query and in its struct,
//! nowhere else.
//!
//! [`read_model!`] wraps a struct's declaration and, with the `server` feature, implements
//! `sqlx::FromRow` for it: each field comes from the column of the same name (the query
//! aliases columns to field names), read through [`crate::store::column::Column`], where a
//! stored value's type is checked (a flag must be 0 or 1, not any integer).
//!
//! Why not `#[derive(sqlx::FromRow)]`: that derive lives in `sqlx-macros`, which cargo builds
//! with this project's sqlx features, so the SQLite driver (with the bundled SQLite C source)
//! and the PostgreSQL driver would be compiled a second time, for the compiler itself — on
//! the path of every fresh build (`cargo tree -e features -i sqlx-macros-core` shows it).

/// Declares a read model: the struct as written, and, on the server, its `FromRow`.
macro_rules! read_model {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$field_meta:meta])* pub $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        pub struct $name {
            $( $(#[$field_meta])* pub $field: $ty, )*
        }

        #[cfg(feature = "server")]
        impl<'r> ::sqlx::FromRow<'r, ::sqlx::any::AnyRow> for $name {
            fn from_row(row: &'r ::sqlx::any::AnyRow) -> ::std::result::Result<Self, ::sqlx::Error> {
                Ok(Self {
                    $( $field: <$ty as $crate::store::column::Column>::read(row, stringify!($field))?, )*
                })
            }
        }
    };
}

pub(crate) use read_model;

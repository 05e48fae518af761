//! The storage boundary's types: how a stored value becomes the Rust value a read model holds.
//! Both engines store the same shapes (text for dates and instants, integers for flags), so
//! one reading serves both; a value of the wrong shape is an error, not a default.

use sqlx::Row;
use sqlx::any::AnyRow;

/// A value read from one named column of a row.
pub trait Column: Sized {
    fn read(row: &AnyRow, name: &str) -> Result<Self, sqlx::Error>;
}

/// Types the driver decodes as they are.
macro_rules! decoded {
    ($($t:ty),* $(,)?) => {
        $(impl Column for $t {
            fn read(row: &AnyRow, name: &str) -> Result<Self, sqlx::Error> {
                row.try_get(name)
            }
        })*
    };
}

decoded!(i64, f64, String, Option<i64>, Option<f64>, Option<String>);

/// A flag is stored as 0 or 1 (the same integer column on both engines).
impl Column for bool {
    fn read(row: &AnyRow, name: &str) -> Result<Self, sqlx::Error> {
        flag(row.try_get(name)?, name)
    }
}

impl Column for Option<bool> {
    fn read(row: &AnyRow, name: &str) -> Result<Self, sqlx::Error> {
        row.try_get::<Option<i64>, _>(name)?
            .map(|v| flag(v, name))
            .transpose()
    }
}

/// Statuses and kinds stored as their names: a name the domain does not know is an error
/// (a row written by something else, or a status added without its reader), never a guess.
macro_rules! named {
    ($($t:ty),* $(,)?) => {
        $(impl Column for $t {
            fn read(row: &AnyRow, name: &str) -> Result<Self, sqlx::Error> {
                let text: String = row.try_get(name)?;
                <$t>::parse(&text).ok_or_else(|| sqlx::Error::ColumnDecode {
                    index: name.to_owned(),
                    source: format!("'{text}' is not a {}", stringify!($t)).into(),
                })
            }
        })*
    };
}

named!(
    crate::warranty::WarrantyStart,
    crate::recall::RecallStatus,
    crate::recall::Remedy,
    crate::recall::RemedyStatus,
    crate::recall::Severity,
    crate::theft::ReportStatus,
);

/// A day is stored as ISO text (`YYYY-MM-DD`); text that is no day is an error, never read
/// as "no date" (a unit's manufacture date decides whether a purchase date is possible).
impl Column for time::Date {
    fn read(row: &AnyRow, name: &str) -> Result<Self, sqlx::Error> {
        day(row.try_get(name)?, name)
    }
}

impl Column for Option<time::Date> {
    fn read(row: &AnyRow, name: &str) -> Result<Self, sqlx::Error> {
        row.try_get::<Option<String>, _>(name)?
            .map(|text| day(text, name))
            .transpose()
    }
}

fn day(text: String, name: &str) -> Result<time::Date, sqlx::Error> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(&text, &format).map_err(|_| sqlx::Error::ColumnDecode {
        index: name.to_owned(),
        source: format!("'{text}' is not a day (YYYY-MM-DD)").into(),
    })
}

fn flag(value: i64, name: &str) -> Result<bool, sqlx::Error> {
    match value {
        0 => Ok(false),
        1 => Ok(true),
        other => Err(sqlx::Error::ColumnDecode {
            index: name.to_owned(),
            source: format!("a flag is stored as 0 or 1, not {other}").into(),
        }),
    }
}

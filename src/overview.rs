//! What the staff dashboard (`/staff`) shows a manufacturer: its units, active recalls, open
//! theft reports, lookups over the last 30 days and the counterfeit signals.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Overview {
    pub manufacturer: String,
    /// Units by status.
    pub units: Vec<(String, i64)>,
    /// Active recalls: (id, number, title, members, remedied).
    pub recalls: Vec<(i64, String, String, i64, i64)>,
    pub open_thefts: i64,
    /// Found lookups of our units for each of the last 30 days, oldest first: (day, hits).
    pub daily: Vec<(String, i64)>,
    /// Not-found serials that fit one of our formats: (serial, hits, model), and how many.
    pub counterfeit: Vec<(String, i64, String)>,
    pub counterfeit_total: usize,
    /// Genuine serials looked up from many networks in a week: (serial, networks, lookups).
    pub widespread: Vec<(String, i64, i64)>,
    /// Networks stepping through the serial space.
    pub enumerations: Vec<crate::signals::Enumeration>,
    /// Serials marked as known counterfeits: (serial, note, marked_at).
    pub marks: Vec<(String, Option<String>, String)>,
}

//! The activity log view (SPEC §8): one query across every connection of a site, its rows'
//! details with what changed, the CSV export of what a filter selects, and retention. Rows are
//! written by `kernel::activity`, in the transaction of what they record; nothing here changes
//! one.

pub mod csv_export;
pub mod detail;
pub mod query;
pub mod retention;

pub use detail::{ActivityDetail, FieldChange};
pub use query::{ActivityFilters, ActivityPage, ActivityQuery, ActivityRow};

//! Administrator settings (SPEC §8) that are not a single domain's own: the outbound allow-list
//! and the retry schedule. Each change writes an activity row with its before and after values.

pub(crate) mod outbound_allow_list;
pub(crate) mod retry_schedule;

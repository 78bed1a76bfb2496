//! Administrator settings (SPEC §8) that are not a single domain's own: the outbound allow-list,
//! the retry schedule and the inbound listener's port. Each change writes an activity row with
//! its before and after values.

pub(crate) mod inbound_port;
pub(crate) mod outbound_allow_list;
pub(crate) mod retry_schedule;

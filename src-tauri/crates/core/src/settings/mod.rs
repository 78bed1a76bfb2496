//! Administrator settings (SPEC §8) that are not a single domain's own: the outbound allow-list,
//! the retry schedule, the inbound listener's port and the rotation of a site's encryption key.
//! Each change writes an activity row with its before and after values.

pub(crate) mod inbound_port;
pub(crate) mod outbound_allow_list;
pub(crate) mod retry_schedule;
pub mod site_key_rotation;

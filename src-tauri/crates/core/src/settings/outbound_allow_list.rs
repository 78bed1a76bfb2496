//! A site's outbound settings (SPEC §8): the hosts an Administrator allow-listed for addresses
//! the SSRF policy would otherwise refuse, kept per site in `app_settings`, and the policy a
//! site's requests are judged by (`kernel::destination_policy`).

use crate::access::{self, Target};
use crate::kernel::destination_policy::{check_destination, Allowance};
use crate::kernel::events::CoreEvent;
use crate::kernel::sites::SiteEnvironment;
use crate::{Core, CoreError, CoreResult, SANDBOX_ENDPOINT};
use sgen_store::connections::ConnectionRecord;
use sgen_store::settings;

/// At most this many hosts: an allow-list is a short list of exceptions, not a second internet.
const MAX_ALLOWED_HOSTS: usize = 100;

pub(crate) fn is_sandbox(api_base: Option<&str>) -> bool {
    api_base == Some(SANDBOX_ENDPOINT)
}

pub(crate) fn allow_list_key(site_id: &str) -> String {
    format!("outbound_allow_list:{site_id}")
}

impl Core {
    pub fn outbound_allow_list(&self, site_id: &str) -> CoreResult<Vec<String>> {
        let stored = self
            .store
            .read(|conn| Ok::<_, CoreError>(settings::get(conn, &allow_list_key(site_id))?))?;
        Ok(stored
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default())
    }

    /// Replaces the site's allow-list; Administrators only. Hosts are names or IP addresses,
    /// without scheme, port or path.
    pub fn set_outbound_allow_list(
        &self,
        scope: &SiteEnvironment,
        hosts: Vec<String>,
    ) -> CoreResult<Vec<String>> {
        let operator = self.authorize(access::Operation::SetAllowList, Target::App)?;
        let mut cleaned: Vec<String> = Vec::new();
        for host in hosts {
            let host = host
                .trim()
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_ascii_lowercase();
            let valid = !host.is_empty()
                && host.len() <= 253
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:".contains(c));
            if !valid {
                return Err(CoreError::invalid(format!(
                    "`{host}` is not a host name or address (no scheme, port or path)"
                )));
            }
            if !cleaned.contains(&host) {
                cleaned.push(host);
            }
        }
        if cleaned.len() > MAX_ALLOWED_HOSTS {
            return Err(CoreError::invalid(format!(
                "the allow-list holds at most {MAX_ALLOWED_HOSTS} hosts"
            )));
        }
        let before = self.outbound_allow_list(&scope.site_id)?;
        let environment_id = self.environment_id(scope)?;
        let now = self.now();
        self.write(|tx| {
            settings::set(
                tx,
                &allow_list_key(&scope.site_id),
                &serde_json::to_string(&cleaned).unwrap_or_default(),
            )?;
            crate::kernel::activity::log(
                tx,
                &crate::kernel::activity::Activity {
                    at: now,
                    operator_id: &operator.id,
                    site_id: Some(&scope.site_id),
                    environment_id: Some(environment_id),
                    connection_id: None,
                    action: "settings.outbound_allow_list",
                    outcome: "success",
                    details: serde_json::json!({ "before": before, "after": cleaned }),
                },
            )?;
            tx.publish(CoreEvent::SettingsChanged {
                setting: "outbound_allow_list".into(),
            });
            Ok(())
        })?;
        Ok(cleaned)
    }

    /// The SSRF policy for a webhook connection about to be made: where it will send (its API
    /// address if one was given, else its destination URL) judged for the site.
    pub(crate) fn check_webhook_destination(
        &self,
        scope: &SiteEnvironment,
        api_base: Option<&str>,
        destination_url: Option<&str>,
    ) -> CoreResult<()> {
        let target = match api_base {
            Some(SANDBOX_ENDPOINT) => return Ok(()),
            Some(url) => url,
            None => destination_url
                .ok_or_else(|| CoreError::invalid("the destination URL is missing"))?,
        };
        check_destination(target, &self.site_allowance(&scope.site_id)?)
    }

    /// What the site permits beyond public addresses: this computer on a sandbox site, and
    /// the hosts an Administrator allow-listed.
    pub(crate) fn site_allowance(&self, site_id: &str) -> CoreResult<Allowance> {
        let sandbox_site = self.sites()?.iter().any(|s| s.id == site_id && s.demo);
        Ok(Allowance::new(
            sandbox_site,
            &self.outbound_allow_list(site_id)?,
        ))
    }

    /// The policy a site's requests are judged by: none for the app's own sandbox vendors,
    /// which listen on this computer by design; the site's for every other address.
    pub(crate) fn policy_for(
        &self,
        site_id: &str,
        to_sandbox: bool,
    ) -> CoreResult<Option<Allowance>> {
        match to_sandbox {
            true => Ok(None),
            false => self.site_allowance(site_id).map(Some),
        }
    }

    /// The policy a connection's API calls (test calls, deliveries) are judged by.
    pub(crate) fn send_policy(&self, record: &ConnectionRecord) -> CoreResult<Option<Allowance>> {
        let site_id = self.site_of_environment(record.environment_id)?;
        self.policy_for(&site_id, is_sandbox(record.base_url_override.as_deref()))
    }

    /// The policy a connection's token and revocation requests are judged by: its
    /// authorization server is the sandbox's only when no other was given.
    pub(crate) fn token_policy(&self, record: &ConnectionRecord) -> CoreResult<Option<Allowance>> {
        let site_id = self.site_of_environment(record.environment_id)?;
        let to_sandbox =
            is_sandbox(record.base_url_override.as_deref()) && record.oauth_server.is_none();
        self.policy_for(&site_id, to_sandbox)
    }
}

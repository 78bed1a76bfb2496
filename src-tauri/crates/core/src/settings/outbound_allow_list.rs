//! A site's outbound settings (SPEC §8): the hosts an Administrator allow-listed for webhook
//! destinations the SSRF policy would otherwise refuse. Kept per site in `app_settings`.

use crate::delivery::destination_policy::{check_destination, Allowance};
use crate::kernel::events::CoreEvent;
use crate::kernel::sites::SiteEnvironment;
use crate::{Core, CoreError, CoreResult, SANDBOX_ENDPOINT};
use sgen_store::settings;

/// At most this many hosts: an allow-list is a short list of exceptions, not a second internet.
const MAX_ALLOWED_HOSTS: usize = 100;

fn allow_list_key(site_id: &str) -> String {
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
        let operator = self.require_administrator("change the outbound allow-list")?;
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
                    site_id: &scope.site_id,
                    environment_id,
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
        let sandbox_site = self
            .sites()?
            .iter()
            .any(|s| s.id == scope.site_id && s.demo);
        let allowed_hosts = self.outbound_allow_list(&scope.site_id)?;
        check_destination(
            target,
            &Allowance {
                sandbox_site,
                allowed_hosts: &allowed_hosts,
            },
        )
    }
}

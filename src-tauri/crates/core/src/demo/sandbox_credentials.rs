//! Real credentials for the demo's connections, obtained from this process's sandbox vendors
//! through the same flows an operator's connections go through: a key or basic pair the vendor
//! checks, a client-credentials token fetch, an OAuth authorization (PKCE, `state`, the loopback
//! listener, the code redeemed at the token endpoint) consented to over HTTP by the demo's
//! "person at the browser", and a webhook secret registered with the sandbox receiver. Each is
//! then tested; only a credential whose test connects is kept.

use super::plan::ConnectionPlan;
use crate::connections::signed_token::SIGNING_SECRET;
use crate::connections::test_outcome::TestOutcome;
use crate::kernel::http::{self, TEST_TIMEOUT};
use crate::kernel::vendor_http::{self, ACCESS_TOKEN};
use crate::oauth::authorization::Granted;
use crate::{Core, CoreError, CoreResult, SANDBOX_ENDPOINT};
use sgen_catalog::{AuthFlow, Manifest};
use sgen_vault::webhook_signing::generate_signing_secret;
use sgen_vault::{Secret, SecretFields};
use sha2::{Digest, Sha256};
use std::sync::atomic::AtomicBool;

/// A tested demo credential, not yet stored.
pub(crate) struct DemoCredential {
    pub(crate) fields: SecretFields,
    pub(crate) refresh_token: Option<Secret>,
    pub(crate) expires_in_s: Option<i64>,
    /// The scopes an OAuth grant holds; None keeps the plan's.
    pub(crate) scopes: Option<Vec<String>>,
    pub(crate) account_id: Option<String>,
}

impl Core {
    pub(crate) fn demo_credential(
        &self,
        manifest: &Manifest,
        plan: &ConnectionPlan,
        scopes: &[String],
    ) -> CoreResult<DemoCredential> {
        let flow = AuthFlow::parse(plan.auth_flow)
            .ok_or_else(|| CoreError::Internal(format!("demo flow {}", plan.auth_flow)))?;
        if flow == AuthFlow::Oauth2 {
            return self.demo_authorization(manifest, plan, scopes);
        }
        let mut fields = SecretFields::new();
        for field in manifest
            .credential_fields
            .iter()
            .filter(|f| f.flows.is_empty() || f.flows.contains(&flow))
        {
            // Keys differ per connection; addresses and ids are the catalog's examples.
            let varied = vary(
                &field.example,
                &format!("{}/{}", plan.display_name, field.name),
            );
            let value = if field.secret && field.accepts(&varied) {
                varied
            } else {
                field.example.clone()
            };
            fields.insert(&field.name, Secret::new(value));
        }
        let mut expires_in_s = None;
        match flow {
            AuthFlow::ClientCredentials => {
                let (with_token, tokens) =
                    self.fetch_client_token(manifest, Some(SANDBOX_ENDPOINT), &fields)?;
                fields = with_token;
                expires_in_s = tokens.expires_in_s;
            }
            AuthFlow::SignedToken => {
                let secret = generate_signing_secret();
                self.register_with_sandbox_receiver(&manifest.slug, &secret)?;
                fields.insert(SIGNING_SECRET, secret);
            }
            _ => {}
        }
        let base = self.sandbox_api_base(&manifest.slug)?;
        // The app's own sandbox vendor: no SSRF policy to apply.
        match vendor_http::test_call(manifest, flow, &fields, Some(&base), None)? {
            TestOutcome::Connected { account_id } => Ok(DemoCredential {
                fields,
                refresh_token: None,
                expires_in_s,
                scopes: None,
                account_id,
            }),
            outcome => Err(CoreError::TestFailed(outcome)),
        }
    }

    /// The whole loopback flow, with the consent given over HTTP on a second thread while
    /// this one waits at the listener, as the app waits for a real browser.
    fn demo_authorization(
        &self,
        manifest: &Manifest,
        plan: &ConnectionPlan,
        scopes: &[String],
    ) -> CoreResult<DemoCredential> {
        // The app's own sandbox vendor: no SSRF policy to apply.
        let authorization = self.prepare_authorization(
            manifest,
            Some(SANDBOX_ENDPOINT.to_string()),
            None,
            scopes,
            Default::default(),
        )?;
        let issuer = self.sandbox_oauth(&manifest.slug)?.issuer;
        let authorize_url = authorization.authorize_url.clone();
        let redeemed = std::thread::scope(|scope| {
            let browser = scope.spawn(|| {
                let back_to_app = consent(&issuer, &authorize_url, plan.account)?;
                // A loopback redirect is followed; an app link is what the OS hands the app.
                if back_to_app.starts_with("http") {
                    follow(&back_to_app)
                } else {
                    self.receive_deep_link(&back_to_app)
                }
            });
            let redeemed = self.redeem(authorization, &AtomicBool::new(false));
            let browsed = browser
                .join()
                .map_err(|_| CoreError::Internal("the demo consent thread panicked".into()));
            browsed??;
            redeemed
        });
        let (granted, _) = redeemed?;
        let Granted {
            credential,
            refresh_token,
            expires_in_s,
            scopes,
            account_id,
            ..
        } = granted;
        debug_assert!(credential.get(ACCESS_TOKEN).is_some());
        Ok(DemoCredential {
            fields: credential,
            refresh_token,
            expires_in_s,
            scopes: Some(scopes),
            account_id,
        })
    }
}

fn failed(what: &str, e: String) -> CoreError {
    CoreError::Internal(format!("demo consent: {what}: {e}"))
}

/// What a person does on the sandbox consent page: sign in as `login` and approve. Returns
/// where the vendor sends the browser back to.
fn consent(issuer: &str, authorize_url: &str, login: &str) -> CoreResult<String> {
    let url = url::Url::parse(authorize_url).map_err(|e| failed("authorize URL", e.to_string()))?;
    let param = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    let decided = http::client(TEST_TIMEOUT)
        .post(format!("{issuer}/oauth/decide"))
        .form(&[
            ("decision", "approve"),
            ("login", login),
            ("client_id", &param("client_id")),
            ("redirect_uri", &param("redirect_uri")),
            ("scope", &param("scope")),
            ("state", &param("state")),
            ("code_challenge", &param("code_challenge")),
        ])
        .send()
        .map_err(|e| failed("consent", http::no_answer(&e).reason))?;
    decided
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .ok_or_else(|| {
            failed(
                "consent",
                format!("HTTP {} without a redirect", decided.status()),
            )
        })
}

/// The browser following the redirect to the app's loopback listener.
fn follow(back_to_app: &str) -> CoreResult<()> {
    http::client(TEST_TIMEOUT)
        .get(back_to_app)
        .send()
        .map_err(|e| failed("callback", http::no_answer(&e).reason))?;
    Ok(())
}

/// The example credential with its characters after the first eight replaced, class for class
/// (digit for digit, a–f for a–f so hex stays hex, other letters for letters), from a hash of
/// `salt`: a different credential for each demo connection that still has the vendor's shape.
fn vary(example: &str, salt: &str) -> String {
    let mut digest = Sha256::digest(salt.as_bytes()).to_vec();
    let mut next = {
        let mut i = 0usize;
        move || {
            if i == digest.len() {
                digest = Sha256::digest(&digest).to_vec();
                i = 0;
            }
            i += 1;
            digest[i - 1]
        }
    };
    example
        .chars()
        .enumerate()
        .map(|(i, c)| match c {
            _ if i < 8 => c,
            '0'..='9' => char::from(b'0' + next() % 10),
            'a'..='f' => char::from(b'a' + next() % 6),
            'g'..='z' => char::from(b'a' + next() % 26),
            'A'..='F' => char::from(b'A' + next() % 6),
            'G'..='Z' => char::from(b'A' + next() % 26),
            _ => c,
        })
        .collect()
}

//! The authorization request (RFC 6749 §4.1, RFC 7636) by the `oauth2` crate: PKCE with S256,
//! a random single-use `state`, and the authorize URL the system browser opens.

use oauth2::basic::BasicClient;
use oauth2::{AuthUrl, ClientId, CsrfToken, PkceCodeChallenge, RedirectUrl, Scope};

pub(crate) struct Pkce {
    pub verifier: String,
    challenge: PkceCodeChallenge,
    pub state: String,
}

impl Pkce {
    pub(crate) fn new() -> Self {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        Pkce {
            verifier: verifier.into_secret(),
            challenge,
            state: CsrfToken::new_random_len(24).into_secret(),
        }
    }
}

/// What goes into the authorize URL besides PKCE and `state`.
pub(crate) struct AuthorizeRequest<'a> {
    pub authorize_url: &'a str,
    pub client_id: &'a str,
    pub redirect_uri: String,
    pub scopes: &'a [String],
    /// A vendor's own parameters (`access_type=offline`, …), from the manifest.
    pub extra_params: Vec<(&'a str, &'a str)>,
}

/// The URL for the browser, or why the vendor's authorize address cannot make one.
pub(crate) fn authorize_url(request: AuthorizeRequest<'_>, pkce: &Pkce) -> Result<String, String> {
    let auth_url = AuthUrl::new(request.authorize_url.to_string())
        .map_err(|_| "the vendor's authorize address is not a URL".to_string())?;
    let redirect = RedirectUrl::new(request.redirect_uri)
        .map_err(|_| "the return address is not a URL".to_string())?;
    let client = BasicClient::new(ClientId::new(request.client_id.to_string()))
        .set_auth_uri(auth_url)
        .set_redirect_uri(redirect);
    let state = pkce.state.clone();
    let mut authorize = client
        .authorize_url(move || CsrfToken::new(state))
        .add_scopes(request.scopes.iter().map(|s| Scope::new(s.clone())))
        .set_pkce_challenge(pkce.challenge.clone());
    for (name, value) in request.extra_params {
        authorize = authorize.add_extra_param(name, value);
    }
    Ok(authorize.url().0.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use sha2::{Digest, Sha256};

    fn param(url: &str, name: &str) -> String {
        url::Url::parse(url)
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    }

    #[test]
    fn the_challenge_is_the_s256_of_the_verifier_sent_and_new_per_flow() {
        let request = || AuthorizeRequest {
            authorize_url: "https://vendor.example/authorize",
            client_id: "sgen",
            redirect_uri: "http://127.0.0.1:4000/callback/hubspot".into(),
            scopes: &[],
            extra_params: vec![],
        };
        let (first, second) = (Pkce::new(), Pkce::new());
        let url = authorize_url(request(), &first).unwrap();
        let expected = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(Sha256::digest(first.verifier.as_bytes()));
        assert_eq!(param(&url, "code_challenge"), expected);
        assert_eq!(param(&url, "code_challenge_method"), "S256");
        assert!(first.verifier.len() >= 43, "RFC 7636: 43 to 128 characters");
        assert_eq!(param(&url, "state"), first.state);
        let other = authorize_url(request(), &second).unwrap();
        assert_ne!(first.verifier, second.verifier);
        assert_ne!(first.state, second.state);
        assert_ne!(
            param(&url, "code_challenge"),
            param(&other, "code_challenge")
        );
    }
}

//! The pages a person sees at a sandbox vendor: the consent page and the error page. They load
//! nothing from anywhere, send no referrer, and may only post back to the vendor itself.

use crate::oauth::AuthorizeParams;
use crate::vendor::VendorState;
use axum::http::header;
use axum::response::Response;

pub(crate) fn without_referrer(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::REFERRER_POLICY,
        header::HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        header::HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
        ),
    );
    response
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const STYLE: &str = "body{font:15px system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#18202b}\
h1{font-size:1.3rem}.box{border:1px solid #dde1e7;border-radius:10px;padding:1rem 1.2rem}\
li{margin:.2rem 0}input{font:inherit;padding:.35rem .5rem;width:100%;box-sizing:border-box}\
button{font:inherit;padding:.45rem 1rem;border-radius:6px;border:1px solid #2457d6;margin-right:.5rem}\
.approve{background:#2457d6;color:#fff}.deny{background:#fff;color:#2457d6}.muted{color:#5b6675;font-size:.9rem}";

pub(crate) fn consent_page(vendor: &VendorState, p: &AuthorizeParams) -> String {
    let name = escape(&vendor.manifest.display_name);
    let scopes: Vec<String> = p
        .scope
        .as_deref()
        .unwrap_or("")
        .split_whitespace()
        .map(|s| format!("<li><code>{}</code></li>", escape(s)))
        .collect();
    let hidden = [
        ("client_id", p.client_id.as_deref()),
        ("redirect_uri", p.redirect_uri.as_deref()),
        ("scope", p.scope.as_deref()),
        ("state", p.state.as_deref()),
        ("code_challenge", p.code_challenge.as_deref()),
    ]
    .iter()
    .map(|(k, v)| {
        format!(
            r#"<input type="hidden" name="{k}" value="{}">"#,
            escape(v.unwrap_or(""))
        )
    })
    .collect::<String>();
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{name} (sandbox) — allow access?</title><style>{STYLE}</style></head>
<body><h1>{name} <span class="muted">sandbox vendor</span></h1><div class="box">
<p><strong>SGEN Integrations Desktop</strong> asks for access to your {name} account.</p>
{scope_list}
<form method="post" action="/oauth/decide">{hidden}
<p><label>Sign in as<br><input name="login" value="demo@{slug}.sandbox" autocomplete="off"></label></p>
<p><button class="approve" name="decision" value="approve" type="submit">Allow</button><button class="deny" name="decision" value="deny" type="submit">Deny</button></p>
</form></div><p class="muted">A simulated vendor running on this computer. Nothing leaves it.</p></body></html>"#,
        scope_list = if scopes.is_empty() {
            "<p class=\"muted\">No scopes: full access to the account.</p>".to_string()
        } else {
            format!("<p>It will be able to:</p><ul>{}</ul>", scopes.join(""))
        },
        slug = escape(&vendor.manifest.slug),
    )
}

pub(crate) fn error_page(vendor: &VendorState, problem: &str) -> String {
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Authorization error</title><style>{STYLE}</style></head>
<body><h1>{} <span class="muted">sandbox vendor</span></h1><div class="box"><p>This authorization request cannot be completed: {}.</p></div></body></html>"#,
        escape(&vendor.manifest.display_name),
        escape(problem)
    )
}

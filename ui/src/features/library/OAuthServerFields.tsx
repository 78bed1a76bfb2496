// Another authorization server for an OAuth connection than the catalog's: a vendor instance
// (Salesforce My Domain, a Zoho data centre), a test server, or the vendor's own server with
// an OAuth client you registered there. The app is a public client: PKCE, no client secret.
import type { OAuthServer } from "../../bindings/OAuthServer";

export const EMPTY_SERVER: OAuthServer = { authorize_url: "", token_url: "", revoke_url: null, issuer: null, client_id: "" };

export function OAuthServerFields({ server, onChange }: { server: OAuthServer; onChange: (next: OAuthServer) => void }) {
  const text = (label: string, key: keyof OAuthServer, required: boolean, placeholder: string) => (
    <label>
      {label}
      <input
        name={`oauth_${key}`}
        type={key === "client_id" ? "text" : "url"}
        required={required}
        spellCheck={false}
        placeholder={placeholder}
        value={server[key] ?? ""}
        onChange={(e) => onChange({ ...server, [key]: required || e.target.value ? e.target.value : null })}
      />
    </label>
  );
  return (
    <div className="oauth-server" data-testid="oauth-server">
      {text("Authorize URL", "authorize_url", true, "https://login.example.com/oauth2/authorize")}
      {text("Token URL", "token_url", true, "https://login.example.com/oauth2/token")}
      {text("Revocation URL (RFC 7009, optional)", "revoke_url", false, "https://login.example.com/oauth2/revoke")}
      {text("Issuer, when the server sends iss (optional)", "issuer", false, "https://login.example.com")}
      {text("Client id registered there", "client_id", true, "your-app-client-id")}
    </div>
  );
}

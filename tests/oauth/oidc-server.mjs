// A real OAuth 2 / OpenID Connect server written by others (the `oidc-provider` package) on
// 127.0.0.1, for the core's OAuth tests: a native public client with PKCE, refresh-token
// rotation, RFC 7009 revocation, and its development sign-in and consent pages. One route is
// ours: the Salesforce connector's test call, answered from the provider's own token store.
// Prints one JSON line with its addresses, then serves until stdin closes.
import http from "node:http";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const requireFromUi = createRequire(new URL("../../ui/package.json", import.meta.url));
const { default: Provider } = await import(pathToFileURL(requireFromUi.resolve("oidc-provider")).href);

const server = http.createServer();
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: "sgen-desktop",
      application_type: "native",
      token_endpoint_auth_method: "none",
      redirect_uris: ["http://127.0.0.1/callback/salesforce"],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
    },
  ],
  features: { devInteractions: { enabled: true }, revocation: { enabled: true } },
  pkce: { required: () => true },
  rotateRefreshToken: true,
  issueRefreshToken: async () => true,
  scopes: ["openid", "offline_access", "api", "id", "refresh_token"],
  findAccount: async (ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
});

provider.use(async (ctx, next) => {
  if (ctx.path !== "/services/oauth2/userinfo") return next();
  const token = (ctx.get("authorization") || "").replace(/^Bearer /, "");
  const found = token && (await provider.AccessToken.find(token));
  if (!found) {
    ctx.status = 401;
    ctx.body = { error: "invalid_token" };
    return;
  }
  ctx.body = { organization_id: `org-${found.accountId}`, user_id: found.accountId };
});

server.on("request", provider.callback());
console.log(
  JSON.stringify({
    issuer,
    authorize_url: `${issuer}/auth`,
    token_url: `${issuer}/token`,
    revoke_url: `${issuer}/token/revocation`,
  }),
);
process.stdin.resume();
process.stdin.on("end", () => process.exit(0));

// A webhook receiver that checks signatures with the reference verifier of the Standard
// Webhooks project (the `standardwebhooks` npm package), not with our code. POST /secrets with
// {"secret": "whsec_…"} registers a secret, as an operator would in their endpoint's settings,
// and POST /secrets/clear forgets them all; GET /received says how many messages it accepted
// (so a test can see that a dry run sent none); any other POST is verified against the
// registered secrets: 200 {"verified": true} when one accepts it, 401 with the verifier's
// message otherwise. Prints one JSON line with its address, then serves until stdin closes.
import http from "node:http";
import { createRequire } from "node:module";

const requireFromUi = createRequire(new URL("../../ui/package.json", import.meta.url));
const { Webhook } = requireFromUi("standardwebhooks");

const secrets = [];
let received = 0;
const server = http.createServer((request, response) => {
  const chunks = [];
  request.on("data", (chunk) => chunks.push(chunk));
  request.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    const answer = (status, value) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(value));
    };
    if (request.url === "/secrets/clear") {
      secrets.length = 0;
      return answer(204, {});
    }
    if (request.url === "/secrets") {
      secrets.push(JSON.parse(body).secret);
      return answer(204, {});
    }
    if (request.method === "GET" && request.url === "/received") {
      return answer(200, { count: received });
    }
    let refusal = "no secret registered";
    for (const secret of secrets) {
      try {
        new Webhook(secret).verify(body, request.headers);
        received += 1;
        return answer(200, { verified: true });
      } catch (error) {
        refusal = error.message;
      }
    }
    answer(401, { error: { code: "invalid_signature", message: refusal } });
  });
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
console.log(JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` }));
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();

// The one time a signing secret is visible: the operator copies it into their endpoint (or, for
// the sandbox receiver, lets the app register it), then the app sends a signed test message and
// stores the connection only if the endpoint accepts it. Leaving this screen forgets the secret.
import { useState } from "react";
import type { SigningSecretIssued } from "../../bindings/SigningSecretIssued";
import { ErrorNotice } from "../../components/ErrorNotice";
import { useAction } from "../../data/useAction";
import { call, toIpcError } from "../../ipc";
import { navigate } from "../../router";
import { FocusableButton } from "../../components/FocusableButton";

type Step = "register" | "test" | "cancel";

export function SigningSecretSetup({ issued, onCancel }: { issued: SigningSecretIssued; onCancel: () => void }) {
  const [registered, setRegistered] = useState(false);
  const [copied, setCopied] = useState(false);
  const pending = { pending_id: issued.pending_id };
  const step = useAction(
    async (which: Step) => {
      if (which === "register") {
        await call("signed_token_register_sandbox", pending);
        setRegistered(true);
      } else if (which === "test") {
        const detail = await call("signed_token_finish", pending);
        navigate({ view: "connection", id: detail.row.record.id });
      } else {
        // A secret the app already forgot (it expired) needs no cancelling: leave all the same.
        await call("signed_token_cancel", pending).catch((e: unknown) => {
          if (toIpcError(e).code !== "not_found") throw e;
        });
        onCancel();
      }
    },
    ["connections_list", "catalog_list", "catalog_get"],
  );
  const busy = step.isPending ? step.variables : undefined;

  async function copy() {
    try {
      await navigator.clipboard.writeText(issued.signing_secret);
      setCopied(true);
    } catch {
      // No clipboard access: the text stays selectable.
      setCopied(false);
    }
  }

  return (
    <section className="connect-form" data-testid="signing-secret">
      <h3>Your signing secret</h3>
      <p>
        Give this secret to the endpoint that receives the webhooks; it checks the <code>webhook-signature</code> header
        with it (Standard Webhooks). <strong>It is shown only now</strong>: the app keeps it sealed and never displays
        it again.
      </p>
      <div className="secret-box">
        <code data-testid="signing-secret-value">{issued.signing_secret}</code>
        <button type="button" onClick={() => void copy()}>
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
      {issued.sandbox_receiver && (
        <p>
          <FocusableButton
            disabled={busy !== undefined || registered}
            onClick={() => step.mutate("register")}
            data-testid="signing-secret-register"
          >
            {registered ? "Registered with the sandbox receiver" : "Register it with the sandbox receiver"}
          </FocusableButton>{" "}
          <span className="muted small">What you would do in your own endpoint's settings.</span>
        </p>
      )}
      {step.error && <ErrorNotice error={step.error} />}
      <div className="form-actions">
        <FocusableButton
          className="primary"
          disabled={busy !== undefined}
          onClick={() => step.mutate("test")}
          data-testid="signing-secret-finish"
        >
          {busy === "test" ? "Sending a signed test message…" : "Send a test message and connect"}
        </FocusableButton>
        <FocusableButton onClick={() => step.mutate("cancel")} disabled={busy !== undefined}>
          Cancel
        </FocusableButton>
        <span className="muted small">Nothing is stored until your endpoint accepts the signed test message.</span>
      </div>
    </section>
  );
}

// Rotating a webhook connection's signing secret: a new secret, shown once; for a day both the
// new and the old secret sign every delivery, so the receiving endpoint keeps accepting them
// while its operator installs the new one. "Finish" drops the old secret at once.
import { useState } from "react";
import type { RotatedSigningSecret } from "../../bindings/RotatedSigningSecret";
import { ErrorNotice } from "../../components/ErrorNotice";
import { formatTime } from "../../components/format";
import { useAction } from "../../data/useAction";
import { call } from "../../ipc";
import { useCan } from "../access/useCan";
import { CONNECTION_ANSWERS } from "./connectionAnswers";

export function RotateSigningSecret({ connectionId }: { connectionId: string }) {
  const denied = useCan()("rotate_credentials");
  const [rotated, setRotated] = useState<RotatedSigningSecret>();
  const [finished, setFinished] = useState(false);
  const step = useAction((run: () => Promise<void>) => run(), CONNECTION_ANSWERS);

  return (
    <div className="panel" data-testid="rotate-secret">
      <h2>Signing secret</h2>
      {!rotated ? (
        <>
          <p className="muted small">
            Rotate it when it may have leaked, or on a schedule. The new secret is shown once; the old one keeps signing for a day, so your endpoint never
            refuses a delivery while you install the new one.
          </p>
          <button
            type="button"
            disabled={step.isPending || !!denied}
            title={denied}
            onClick={() => step.mutate(async () => setRotated(await call("signing_secret_rotate", { id: connectionId })))}
            data-testid="rotate-secret-start"
          >
            Rotate signing secret
          </button>
        </>
      ) : (
        <>
          <p>
            <strong>The new secret, shown only now:</strong>
          </p>
          <div className="secret-box">
            <code data-testid="rotate-secret-value">{rotated.signing_secret}</code>
          </div>
          <p className="muted small" data-testid="rotate-secret-overlap">
            {finished
              ? "Rotation finished: deliveries are signed with the new secret only."
              : `Deliveries carry both signatures until ${formatTime(rotated.previous_signs_until)}.`}
          </p>
          {!finished && (
            <button
              type="button"
              className="ghost"
              disabled={step.isPending}
              onClick={() =>
                step.mutate(async () => {
                  await call("signing_secret_rotation_finish", { id: connectionId });
                  setFinished(true);
                })
              }
              data-testid="rotate-secret-finish"
            >
              My endpoint has the new secret: stop signing with the old one
            </button>
          )}
        </>
      )}
      {step.error && <ErrorNotice error={step.error} />}
    </div>
  );
}

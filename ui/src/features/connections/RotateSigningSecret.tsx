// Rotating a webhook connection's signing secret: a new secret, shown once; for a day both the
// new and the old secret sign every delivery, so the receiving endpoint keeps accepting them
// while its operator installs the new one. "Finish" drops the old secret at once.
import { useState } from "react";
import type { RotatedSigningSecret } from "../../bindings/RotatedSigningSecret";
import { ErrorNotice } from "../../components/ErrorNotice";
import { formatTime } from "../../components/format";
import { call, type IpcError } from "../../ipc";
import { toIpcError } from "../../useAsync";

export function RotateSigningSecret({ connectionId, onChanged }: { connectionId: string; onChanged: () => void }) {
  const [rotated, setRotated] = useState<RotatedSigningSecret>();
  const [finished, setFinished] = useState(false);
  const [error, setError] = useState<IpcError>();

  async function run(step: () => Promise<void>) {
    setError(undefined);
    try {
      await step();
      onChanged();
    } catch (e) {
      setError(toIpcError(e));
    }
  }

  return (
    <div className="panel" data-testid="rotate-secret">
      <h2>Signing secret</h2>
      {!rotated ? (
        <>
          <p className="muted small">
            Rotate it when it may have leaked, or on a schedule. The new secret is shown once; the old one keeps signing for a day, so your endpoint never
            refuses a delivery while you install the new one.
          </p>
          <button type="button" onClick={() => void run(async () => setRotated(await call("signing_secret_rotate", { id: connectionId })))} data-testid="rotate-secret-start">
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
              onClick={() =>
                void run(async () => {
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
      {error && <ErrorNotice error={error} />}
    </div>
  );
}

import type { IpcError } from "../ipc";

/** A failed request, with the app's error code and its explanation. */
export function ErrorNotice({ error }: { error: IpcError }) {
  return (
    <div className="notice notice-error" role="alert" data-code={error.code}>
      <strong>{error.message}</strong>
      <span className="muted"> ({error.code})</span>
    </div>
  );
}

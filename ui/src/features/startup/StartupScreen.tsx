import type { useAppStatus } from "./useAppStatus";

/** What the window shows until the data is open: progress, or why it cannot open. */
export function StartupScreen({ status }: { status: ReturnType<typeof useAppStatus> }) {
  if (status.state === "failed" || status.state === "unreachable") {
    const code = status.state === "failed" ? status.code : "unreachable";
    return (
      <main className="startup" data-testid="startup-failed">
        <h1>SGEN Integrations cannot open its data</h1>
        <p className="notice notice-error" role="alert" data-code={code}>
          {status.message}
        </p>
        <p className="muted">Nothing was changed. Error code: {code}</p>
      </main>
    );
  }
  const seeding = status.state === "seeding_demo";
  const percent = seeding && status.total > 0 ? Math.floor((status.done / status.total) * 100) : 0;
  return (
    <main className="startup" aria-busy="true">
      <h1>{seeding ? "Preparing the demo site “Acme Outdoor”" : "Opening your data…"}</h1>
      {seeding && (
        <>
          <progress max={100} value={percent} aria-label="Demo site progress" />
          <p className="muted">
            Writing delivery history: {status.done.toLocaleString()} of {status.total.toLocaleString()} attempts
          </p>
        </>
      )}
    </main>
  );
}

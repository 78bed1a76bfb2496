// One activity row in full: the fields it changed with their prior and new values (never a
// secret: a rotation names the secret by reference), the catalog version and, for a surfaced
// failure, the vendor's response code.
import { ErrorNotice } from "../../components/ErrorNotice";
import { formatTime } from "../../components/format";
import { useCall } from "../../data/useCall";

const show = (value: unknown) => (value === null || value === undefined ? "—" : typeof value === "string" ? value : JSON.stringify(value));

export function ActivityDetailPanel({ id, onClose }: { id: number; onClose: () => void }) {
  const detail = useCall("activity_get", { id });
  const d = detail.data;
  return (
    <aside className="panel detail-panel" aria-label="Activity detail" data-testid="activity-detail">
      <div className="panel-head">
        <h2>{d ? d.action : "Activity"}</h2>
        <button type="button" className="ghost" onClick={onClose} ref={(el) => el?.focus()} data-testid="activity-detail-close">
          Close
        </button>
      </div>
      {detail.error && <ErrorNotice error={detail.error} />}
      {d && (
        <>
          <dl className="facts">
            <dt>When</dt>
            <dd>{formatTime(d.at)}</dd>
            <dt>Operator</dt>
            <dd>{d.operator_name}</dd>
            <dt>Connection</dt>
            <dd>{d.connection_name ?? d.connection_id ?? "—"}</dd>
            <dt>Outcome</dt>
            <dd>{d.outcome}</dd>
            {d.vendor_response_code !== null && (
              <>
                <dt>Vendor response</dt>
                <dd data-testid="activity-vendor-code">HTTP {d.vendor_response_code}</dd>
              </>
            )}
            <dt>Catalog version</dt>
            <dd>{d.catalog_version}</dd>
          </dl>
          {d.changes.length > 0 && (
            <table className="simple" data-testid="activity-changes">
              <thead>
                <tr>
                  <th scope="col">Field</th>
                  <th scope="col">Before</th>
                  <th scope="col">After</th>
                </tr>
              </thead>
              <tbody>
                {d.changes.map((c) => (
                  <tr key={c.field}>
                    <th scope="row">{c.field}</th>
                    <td className="mono">{show(c.before)}</td>
                    <td className="mono">{show(c.after)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <details>
            <summary>Recorded details</summary>
            <pre className="code small">{JSON.stringify(d.details, null, 2)}</pre>
          </details>
        </>
      )}
    </aside>
  );
}

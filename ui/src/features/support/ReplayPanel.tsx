// Offline replay of a delivery: its recorded request sent again to a vendor on this computer
// that gives each attempt its recorded answer, under today's retry policy — the original
// timeline beside the replayed one. "Replay with changes" asks whether another retry schedule,
// field mapping or API address (a server on this computer standing in for the vendor) would
// have helped.
import { useState } from "react";
import type { ReplayChanges } from "../../bindings/ReplayChanges";
import type { ReplayReport } from "../../bindings/ReplayReport";
import type { ReplayStep } from "../../bindings/ReplayStep";
import { ErrorNotice } from "../../components/ErrorNotice";
import { humanize } from "../../components/format";
import { useAction } from "../../data/useAction";
import { call } from "../../ipc";
import { formatSpan, formatWaits, parseWaits } from "../settings/SettingsView";

export function ReplayPanel({ deliveryId }: { deliveryId: string }) {
  const replay = useAction((changes: ReplayChanges) => call("delivery_replay", { delivery_id: deliveryId, changes }), []);
  // The last answer stays while the next replay runs, and so does the form being edited.
  const [report, setReport] = useState<ReplayReport>();
  const [editing, setEditing] = useState(false);
  const run = (changes: ReplayChanges) => replay.mutate(changes, { onSuccess: setReport });
  return (
    <section aria-labelledby="replay-title" data-testid="replay">
      <h3 id="replay-title">Replay offline</h3>
      <p className="muted small">Against the vendor's recorded answers, on this computer: nothing is sent anywhere else.</p>
      <p>
        <button type="button" disabled={replay.isPending} onClick={() => run({ mapping: null, retry_schedule_s: null, api_base: null })} data-testid="replay-start">
          {replay.isPending ? "Replaying…" : "Replay"}
        </button>{" "}
        {report && (
          <button type="button" className="ghost" aria-expanded={editing} onClick={() => setEditing(!editing)} data-testid="replay-changes-open">
            Replay with changes…
          </button>
        )}
      </p>
      {editing && report && <ChangesForm report={report} pending={replay.isPending} onReplay={run} />}
      {replay.error && <ErrorNotice error={replay.error} />}
      {report && <Timelines report={report} />}
    </section>
  );
}

function ChangesForm({ report, pending, onReplay }: { report: ReplayReport; pending: boolean; onReplay: (changes: ReplayChanges) => void }) {
  const [schedule, setSchedule] = useState(formatWaits(report.retry_schedule_s));
  const [mapping, setMapping] = useState("");
  const [address, setAddress] = useState("");
  const waits = parseWaits(schedule);
  let parsed: Record<string, string> | null | string = null;
  if (mapping.trim()) {
    try {
      const value: unknown = JSON.parse(mapping);
      parsed = value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, string>) : "the mapping is a JSON object: {\"target\": \"source\"}";
    } catch {
      parsed = "the mapping is not JSON";
    }
  }
  const problem = typeof waits === "string" ? waits : typeof parsed === "string" ? parsed : null;
  return (
    <form
      className="replay-changes"
      data-testid="replay-changes"
      onSubmit={(e) => {
        e.preventDefault();
        if (problem || typeof waits === "string" || typeof parsed === "string") return;
        onReplay({ retry_schedule_s: waits, mapping: parsed, api_base: address.trim() || null });
      }}
    >
      <label>
        <span>Retry schedule (waits between attempts)</span>
        <input value={schedule} onChange={(e) => setSchedule(e.target.value)} data-testid="replay-schedule" />
      </label>
      <label>
        <span>
          Field mapping for the request body, as JSON — target path: source path in the recorded body (or a quoted constant)
        </span>
        <textarea
          rows={3}
          value={mapping}
          placeholder='{"to.0.email": "email", "templateId": "\"7\""}'
          onChange={(e) => setMapping(e.target.value)}
          data-testid="replay-mapping"
        />
      </label>
      <label>
        <span>API address — a server on this computer standing in for the vendor; its answers replace the recorded ones</span>
        <input
          type="url"
          value={address}
          placeholder="http://127.0.0.1:8080/v3"
          onChange={(e) => setAddress(e.target.value)}
          data-testid="replay-address"
        />
      </label>
      {problem && (
        <p className="error small" role="alert">
          {problem}
        </p>
      )}
      <button type="submit" disabled={pending || !!problem} data-testid="replay-with-changes">
        Replay with these changes
      </button>
    </form>
  );
}

function Timelines({ report }: { report: ReplayReport }) {
  const rows = Math.max(report.original.length, report.replayed.length);
  const verdict = report.same_outcome
    ? report.diverges_at === null
      ? `Same outcome: ${humanize(report.replayed_outcome)}, attempt for attempt.`
      : `Same outcome (${humanize(report.replayed_outcome)}); the timelines part at attempt ${report.diverges_at}.`
    : `Different outcome: ${humanize(report.original_outcome)} then, ${humanize(report.replayed_outcome)} now${report.diverges_at === null ? "" : `, from attempt ${report.diverges_at}`}.`;
  return (
    <>
      <p role="status" className={report.same_outcome ? "" : "strong"} data-testid="replay-verdict">
        {verdict}
      </p>
      {report.request.changed && (
        <p className="small" data-testid="replay-request">
          {report.request.overridden ? (
            <>
              Sent to <code className="wrap">{report.request.target}</code> with
            </>
          ) : (
            "Sent with"
          )}{" "}
          the body <code className="wrap">{report.request.body}</code>
        </p>
      )}
      <table className="replay-table" aria-label="The original attempts beside the replayed ones" data-testid="replay-timelines">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Original</th>
            <th scope="col">Replayed</th>
          </tr>
        </thead>
        <tbody>
          {Array.from({ length: rows }, (_, i) => (
            <tr key={i} className={report.diverges_at === i + 1 ? "diverges" : undefined}>
              <th scope="row">{i + 1}</th>
              <td>
                <Step step={report.original[i]} />
              </td>
              <td>
                <Step step={report.replayed[i]} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">
        {report.request.overridden
          ? "The API address answered every attempt;"
          : `${report.vendor_requests} request${report.vendor_requests === 1 ? "" : "s"} reached the replay's vendor;`} {report.took_ms} ms for a schedule of{" "}
        {formatSpan(Math.round((report.replayed.at(-1)?.at_ms ?? 0) / 1000))}.
      </p>
    </>
  );
}

function Step({ step }: { step: ReplayStep | undefined }) {
  if (!step) return <span className="muted">—</span>;
  return (
    <span>
      <span className="muted small">+{formatSpan(Math.round(step.at_ms / 1000))}</span> <span className="mono">{step.answer}</span> · {humanize(step.outcome)}
      {step.answered_by === "repeated_last" && <span className="muted small"> (past the recording: the last answer again)</span>}
      {step.answered_by === "override" && <span className="muted small"> (from the API address)</span>}
      {step.caveat && <span className="small warning"> {step.caveat}</span>}
    </span>
  );
}

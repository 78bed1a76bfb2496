// A dry run against a sample event: the conditions evaluated and each step walked through,
// doing nothing; what a step would have sent is shown as it would have gone.
import { useState } from "react";
import { ErrorNotice } from "../../components/ErrorNotice";
import { useAction } from "../../data/useAction";
import { useCall } from "../../data/useCall";
import { call, IpcError } from "../../ipc";
import { useCan } from "../access/useCan";
import { RunBody } from "./RunDetailPanel";

export function DryRunPanel({ id, connectionId }: { id: string; connectionId?: string }) {
  const denied = useCan()("edit_automations");
  const example = useCall("sandbox_event_example", { id: connectionId ?? "" });
  const [edited, setEvent] = useState<string>();
  const text = edited ?? (connectionId && example.data ? JSON.stringify(example.data, null, 2) : "{}");
  const dryRun = useAction(async () => {
    let event;
    try {
      event = JSON.parse(text) as unknown;
    } catch (e) {
      throw new IpcError("invalid_argument", `The event is not JSON: ${(e as Error).message}`);
    }
    return call("automation_dry_run", { id, event: event as never });
  }, ["runs_query"]);
  return (
    <div data-testid="dry-run">
      <label>
        Sample event (the trigger&apos;s payload)
        <textarea className="code" rows={10} spellCheck={false} value={text} onChange={(e) => setEvent(e.target.value)} data-testid="dry-run-event" />
      </label>
      <div className="form-actions">
        <button type="button" className="ghost" disabled={dryRun.isPending || !!denied} title={denied} onClick={() => dryRun.mutate(undefined)} data-testid="dry-run-submit">
          {dryRun.isPending ? "Running…" : "Dry run"}
        </button>
        <span className="small muted">Nothing is sent, queued or notified.</span>
      </div>
      {dryRun.error && <ErrorNotice error={dryRun.error} />}
      {dryRun.data && (
        <div data-testid="dry-run-result">
          <RunBody detail={dryRun.data} />
        </div>
      )}
    </div>
  );
}

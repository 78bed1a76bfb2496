// Site menu → Support workspaces: the customers' copies opened on this computer, kept beside the
// app's data. A closed one opens again in a window of its own; one no window has open can be
// removed when support is done with it (it is a customer's data). Removing asks once more.
import { useState } from "react";
import type { KeptWorkspace } from "../../bindings/KeptWorkspace";
import { ErrorNotice } from "../../components/ErrorNotice";
import { formatTime } from "../../components/format";
import { useAction } from "../../data/useAction";
import { useCall } from "../../data/useCall";
import { call } from "../../ipc";

export function KeptWorkspaces() {
  const kept = useCall("support_workspaces_list", {});
  const reopen = useAction((data_dir: string) => call("support_workspace_reopen", { data_dir }), ["support_workspaces_list"]);
  const remove = useAction((data_dir: string) => call("support_workspace_remove", { data_dir }), ["support_workspaces_list", "activity_query"]);
  const list = kept.data ?? [];
  return (
    <section aria-labelledby="kept-title" data-testid="kept-workspaces">
      <h2 id="kept-title">Support workspaces</h2>
      {kept.error && <ErrorNotice error={kept.error} />}
      {list.length === 0 ? (
        <p className="muted small">None on this computer.</p>
      ) : (
        <ul className="kept-list">
          {list.map((k) => (
            <Kept key={k.data_dir} kept={k} busy={reopen.isPending || remove.isPending} onReopen={() => reopen.mutate(k.data_dir)} onRemove={() => remove.mutate(k.data_dir)} />
          ))}
        </ul>
      )}
      {reopen.error && <ErrorNotice error={reopen.error} />}
      {remove.error && <ErrorNotice error={remove.error} />}
    </section>
  );
}

function Kept({ kept, busy, onReopen, onRemove }: { kept: KeptWorkspace; busy: boolean; onReopen: () => void; onRemove: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const w = kept.workspace;
  return (
    <li data-testid="kept-workspace">
      <div>
        <strong>{w.site_name}</strong> <span className="muted">({w.site_domain})</span>
      </div>
      <div className="muted small">
        Exported {formatTime(w.exported_at)} by {w.exported_by} · opened {formatTime(w.imported_at)} · {(kept.bytes / 1_048_576).toFixed(1)} MiB
        {kept.in_use && " · open in a window"}
      </div>
      <div className="row-actions left">
        {confirming ? (
          <>
            <div className="small">Remove this copy of {w.site_name} from this computer?</div>
            <button
              type="button"
              className="danger"
              disabled={busy}
              onClick={() => {
                setConfirming(false);
                onRemove();
              }}
              data-testid="kept-remove-confirm"
            >
              Remove
            </button>{" "}
            <button type="button" className="ghost" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </>
        ) : (
          <>
            <button type="button" className="ghost" disabled={busy || kept.in_use} onClick={onReopen} data-testid="kept-reopen">
              Open
            </button>{" "}
            <button
              type="button"
              className="ghost"
              disabled={busy || kept.in_use}
              title={kept.in_use ? "Close its window first." : undefined}
              onClick={() => setConfirming(true)}
              data-testid="kept-remove"
            >
              Remove…
            </button>
          </>
        )}
      </div>
    </li>
  );
}

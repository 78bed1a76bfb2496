// Completing a human task: when its schema asks for an `approved` yes/no (an approval step), the
// operator approves or rejects with notes; otherwise the output is JSON, checked against the
// schema by the backend, which names each problem's path.
import { useState } from "react";
import type { Task } from "../../bindings/Task";
import { ErrorNotice } from "../../components/ErrorNotice";
import { formatRelative } from "../../components/format";
import { useAction } from "../../data/useAction";
import { call, IpcError } from "../../ipc";
import { useCan } from "../access/useCan";

function isApproval(schema: unknown): boolean {
  const properties = (schema as { properties?: Record<string, { type?: string }> } | null)?.properties;
  return properties?.approved?.type === "boolean";
}

export function TaskForm({ task }: { task: Task }) {
  const denied = useCan()("run_automations");
  const [notes, setNotes] = useState("");
  const [json, setJson] = useState("{\n  \n}");
  const [jsonError, setJsonError] = useState<IpcError>();
  const complete = useAction(
    (output: unknown) => call("task_complete", { id: task.id, output: output as never }),
    ["tasks_list", "run_get", "runs_query"],
  );
  if (task.status !== "pending") {
    return (
      <p className="small" data-testid="task-done">
        {task.status === "completed" ? `Completed by ${task.completed_by ?? "someone"}` : `The task ${task.status}`}
        {task.finished_at != null && ` ${formatRelative(task.finished_at)}`}
        {task.output != null && <code> {JSON.stringify(task.output)}</code>}
      </p>
    );
  }
  const approval = isApproval(task.output_schema);
  return (
    <form className="task-form" onSubmit={(e) => e.preventDefault()} aria-label={`Complete: ${task.title}`}>
      {task.instructions && <p>{task.instructions}</p>}
      {task.due_at != null && <p className="small muted">Expires {formatRelative(task.due_at)}</p>}
      {approval ? (
        <>
          <label>
            Notes
            <textarea rows={2} value={notes} onChange={(e) => setNotes(e.target.value)} data-testid="task-notes" />
          </label>
          <div className="form-actions">
            <button
              type="button"
              disabled={complete.isPending || !!denied}
              title={denied}
              onClick={() => complete.mutate({ approved: true, ...(notes ? { notes } : {}) })}
              data-testid="task-approve"
            >
              Approve
            </button>
            <button
              type="button"
              className="ghost"
              disabled={complete.isPending || !!denied}
              title={denied}
              onClick={() => complete.mutate({ approved: false, ...(notes ? { notes } : {}) })}
              data-testid="task-reject"
            >
              Reject
            </button>
          </div>
        </>
      ) : (
        <>
          <label>
            Output (a JSON object)
            <textarea className="code" rows={5} spellCheck={false} value={json} onChange={(e) => setJson(e.target.value)} data-testid="task-output" />
          </label>
          <div className="form-actions">
            <button
              type="button"
              disabled={complete.isPending || !!denied}
              title={denied}
              onClick={() => {
                try {
                  const output: unknown = JSON.parse(json);
                  setJsonError(undefined);
                  complete.mutate(output);
                } catch (e) {
                  complete.reset();
                  setJsonError(new IpcError("invalid_argument", `The output is not JSON: ${(e as Error).message}`));
                }
              }}
              data-testid="task-complete"
            >
              Complete
            </button>
          </div>
        </>
      )}
      {jsonError && <ErrorNotice error={jsonError} />}
      {complete.error && <ErrorNotice error={complete.error} />}
    </form>
  );
}

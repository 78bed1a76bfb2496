// A run on a page of its own (`#/runs/:id`): where a notification, a task or a retry links to.
import { ErrorNotice } from "../../components/ErrorNotice";
import { useCall } from "../../data/useCall";
import { href } from "../../router";
import { RunBody } from "./RunDetailPanel";

export function RunPage({ id }: { id: string }) {
  const run = useCall("run_get", { id });
  return (
    <section className="run-page" aria-labelledby="run-title" data-testid="run-page">
      <a className="back" href={run.data ? href({ view: "automation", id: run.data.run.automation_id }) : href({ view: "automations" })}>
        ← Automation
      </a>
      <div className="view-header">
        <h1 id="run-title">
          Run <code>{id}</code>
        </h1>
      </div>
      {run.error && <ErrorNotice error={run.error} />}
      {run.data && (
        <div className="panel">
          <RunBody detail={run.data} />
        </div>
      )}
    </section>
  );
}

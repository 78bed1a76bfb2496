// The Tasks inbox (SPEC §7): every pending human task of the site environment's automations,
// oldest first, each with what it asks and a form to complete it; and the tasks done lately.
import { useState } from "react";
import type { Task } from "../../bindings/Task";
import { ErrorNotice } from "../../components/ErrorNotice";
import { Segmented, type SegmentedOption } from "../../components/Segmented";
import { formatRelative } from "../../components/format";
import { useCall } from "../../data/useCall";
import { href } from "../../router";
import { useScope } from "../../scope";
import { TaskForm } from "./TaskForm";

type Shown = "pending" | "completed" | "expired" | "cancelled";
const SHOWN: SegmentedOption<Shown>[] = [
  { value: "pending", label: "Pending", testId: "tasks-pending" },
  { value: "completed", label: "Completed", testId: "tasks-completed" },
  { value: "expired", label: "Expired", testId: "tasks-expired" },
  { value: "cancelled", label: "Cancelled", testId: "tasks-cancelled" },
];

export function TasksView() {
  const scope = useScope();
  const [shown, setShown] = useState<Shown>("pending");
  const tasks = useCall("tasks_list", { scope, status: shown });
  const rows = tasks.data ?? [];
  return (
    <section aria-labelledby="tasks-title" data-testid="tasks">
      <div className="view-header">
        <h1 id="tasks-title">Tasks</h1>
        <p className="muted">
          Steps of automations that wait for a person: an approval, a check, a decision. The run goes on once the task is completed, and fails or goes on
          without it if it expires, as its step says.
        </p>
      </div>
      <div className="toolbar">
        <Segmented label="Show" options={SHOWN} value={shown} onChange={setShown} />
      </div>
      {tasks.error && <ErrorNotice error={tasks.error} />}
      <ul className="task-list" data-testid="task-list">
        {rows.map((task) => (
          <TaskCard key={task.id} task={task} />
        ))}
      </ul>
      {tasks.data && rows.length === 0 && (
        <p className="muted" data-testid="tasks-empty">
          {shown === "pending" ? "Nothing waits for you." : `No ${shown} tasks.`}
        </p>
      )}
    </section>
  );
}

function TaskCard({ task }: { task: Task }) {
  return (
    <li className="panel task" data-testid="task">
      <div className="task-head">
        <h2>{task.title}</h2>
        <span className="small muted">
          <a href={href({ view: "automation", id: task.automation_id })}>{task.automation_name}</a> · step {task.step + 1} of{" "}
          <a href={href({ view: "run", id: task.run_id })}>its run</a> · created {formatRelative(task.created_at)}
        </span>
      </div>
      <TaskForm task={task} />
    </li>
  );
}

import { useCall } from "../../data/useCall";

/** The app's background work (delivery worker, token refresher, …) when some of it is failing:
 *  which task, what went wrong, and that it is being restarted. Nothing while all is well. */
export function BackgroundHealth() {
  const status = useCall("app_status", {});
  const tasks = status.data?.state === "ready" ? status.data.background : [];
  const failing = tasks.filter((task) => task.state === "restarting");
  if (failing.length === 0) return null;
  return (
    <span className="badge tone-bad" role="status" data-testid="background-health">
      {failing.map((task) => `The ${task.name} failed (${task.last_failure ?? "no detail"}); restarting`).join(" · ")}
    </span>
  );
}

// Polls the backend until its data is open (and, on first run, the demo site is written).
import { useEffect, useState } from "react";
import type { AppStatus } from "../../bindings/AppStatus";
import { call, IpcError } from "../../ipc";

export function useAppStatus(): AppStatus | { state: "unreachable"; message: string } {
  const [status, setStatus] = useState<AppStatus | { state: "unreachable"; message: string }>({ state: "opening" });
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const next = await call("app_status", {});
        if (stopped) return;
        setStatus(next);
        // Opening takes milliseconds, so ask again soon; a demo seed takes seconds.
        if (next.state === "opening") timer = setTimeout(poll, 50);
        if (next.state === "seeding_demo") timer = setTimeout(poll, 250);
      } catch (e) {
        if (!stopped) setStatus({ state: "unreachable", message: e instanceof IpcError ? e.message : String(e) });
      }
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, []);
  return status;
}

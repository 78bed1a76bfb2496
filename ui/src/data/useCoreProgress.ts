// The latest progress event of one kind the core announces while `active` (an export that
// takes seconds): the window listens only while the work runs.
import { useEffect, useState } from "react";
import type { CoreEvent } from "../bindings/CoreEvent";
import { onCoreEvents } from "../ipc";

export function useCoreProgress<K extends CoreEvent["kind"]>(kind: K, active: boolean): Extract<CoreEvent, { kind: K }> | undefined {
  const [latest, setLatest] = useState<Extract<CoreEvent, { kind: K }>>();
  useEffect(() => {
    if (!active) return;
    let stop: (() => void) | undefined;
    let gone = false;
    void onCoreEvents((batch) => {
      for (const event of batch.events) if (event.kind === kind) setLatest(event as Extract<CoreEvent, { kind: K }>);
    }).then((unlisten) => (gone ? unlisten() : (stop = unlisten)));
    return () => {
      gone = true;
      stop?.();
    };
  }, [kind, active]);
  return latest;
}

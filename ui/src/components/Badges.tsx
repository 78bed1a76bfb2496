import type { ConnectionState } from "../bindings/ConnectionState";
import type { Outcome } from "../bindings/Outcome";
import { humanize } from "./format";

const STATE_TONE: Record<ConnectionState, string> = {
  active: "good",
  paused: "muted",
  auth_expired: "warn",
  auth_revoked: "bad",
  error: "bad",
};

const STATE_ICON: Record<ConnectionState, string> = {
  active: "●",
  paused: "❚❚",
  auth_expired: "⏱",
  auth_revoked: "⊘",
  error: "▲",
};

/** A connection's state: colour, icon and word, so it reads without colour too. */
export function StateBadge({ state }: { state: ConnectionState }) {
  return (
    <span className={`badge tone-${STATE_TONE[state]}`} data-state={state}>
      <span aria-hidden="true">{STATE_ICON[state]}</span> {humanize(state)}
    </span>
  );
}

const OUTCOME_TONE: Record<Outcome, string> = { delivered: "good", retried: "warn", failed: "bad" };

export function OutcomeBadge({ outcome }: { outcome: Outcome }) {
  return (
    <span className={`badge tone-${OUTCOME_TONE[outcome]}`} data-outcome={outcome}>
      {humanize(outcome)}
    </span>
  );
}

// The Events view (SPEC §7): what vendors sent this site environment — verified, stored once
// each, newest first — and the app's own connection events; beside it, the requests the
// listener refused, with the step that failed. Global, or one connection's (#/events/:id).
import { useState } from "react";
import { ErrorNotice } from "../../components/ErrorNotice";
import { Segmented, type SegmentedOption } from "../../components/Segmented";
import { useCall } from "../../data/useCall";
import { href } from "../../router";
import { ReceivedEvents } from "./ReceivedEvents";
import { RefusedRequests } from "./RefusedRequests";

type Tab = "received" | "refused";
const TABS: SegmentedOption<Tab>[] = [
  { value: "received", label: "Received", testId: "events-tab-received" },
  { value: "refused", label: "Refused", testId: "events-tab-refused" },
];

export function EventsView({ connectionId }: { connectionId?: string }) {
  const [tab, setTab] = useState<Tab>("received");
  const connection = useCall("connection_get", { id: connectionId ?? "" });
  const name = connectionId ? (connection.data?.row.record.display_name ?? connectionId) : undefined;
  return (
    <section aria-labelledby="events-title" data-testid="events">
      {connectionId && (
        <a className="back" href={href({ view: "connection", id: connectionId })}>
          ← {name}
        </a>
      )}
      <div className="view-header">
        <h1 id="events-title">{name ? `Events of ${name}` : "Events"}</h1>
        <p className="muted">
          What vendors sent, verified on its raw bytes and stored once each (a second copy counts as a duplicate), and the app&apos;s own
          connection events.
        </p>
        <ListenerStatus />
      </div>
      <div className="toolbar">
        <Segmented label="Show" options={TABS} value={tab} onChange={setTab} />
        {connectionId && (
          <a href={href({ view: "events" })} className="small">
            Show every connection&apos;s events
          </a>
        )}
      </div>
      {tab === "received" ? <ReceivedEvents connectionId={connectionId} /> : <RefusedRequests connectionId={connectionId} />}
    </section>
  );
}

/** Where to point a forwarder (`stripe listen --forward-to`) or a tunnel. */
function ListenerStatus() {
  const status = useCall("inbound_status", {});
  if (status.error) return <ErrorNotice error={status.error} />;
  if (!status.data) return null;
  const { listening, port } = status.data;
  return listening ? (
    <p className="small" data-testid="listener-status">
      <span className="badge tone-good">Listening</span> Vendors and forwarders send to <code>{listening}/in/&#123;connection id&#125;</code>
    </p>
  ) : (
    <p className="small" role="status" data-testid="listener-status">
      <span className="badge tone-warn">Not listening</span> Port {port} could not be opened; the background panel says why. Choose another in
      the CLI: <code>settings inbound-port</code>.
    </p>
  );
}

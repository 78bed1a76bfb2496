import { DeliveryLog } from "./DeliveryLog";

export function DeliveryLogView() {
  return (
    <section aria-labelledby="log-title">
      <div className="view-header">
        <h1 id="log-title">Delivery log</h1>
        <p className="muted">Every attempt to deliver an event to a vendor, across all connections of this site environment.</p>
      </div>
      <DeliveryLog />
    </section>
  );
}

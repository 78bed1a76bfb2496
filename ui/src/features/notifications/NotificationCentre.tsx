// The notification centre (SPEC §7, "every failure alerts someone"): a bell in the top bar with
// the unread count, opening the newest notifications — a failed run, an expired task, a paused
// automation, a task waiting — each linking to what it is about. Opening it marks what it shows
// as read; high-priority ones also reached the OS when they were raised.
import { useRef, useState } from "react";
import type { Notification } from "../../bindings/Notification";
import { formatRelative } from "../../components/format";
import { useAction } from "../../data/useAction";
import { useCall } from "../../data/useCall";
import { call } from "../../ipc";
import { href } from "../../router";
import { useCloseOnEscape } from "../../components/useCloseOnEscape";

/** Where a notification's subject (`run:{id}`, `automation:{id}`, `task:{id}`) is shown. */
export function subjectHref(subject: string | null): string | null {
  const [kind, id] = (subject ?? "").split(/:(.*)/s);
  if (!id) return null;
  switch (kind) {
    case "run":
      return href({ view: "run", id });
    case "automation":
      return href({ view: "automation", id });
    case "task":
      return href({ view: "tasks" });
    case "connection":
      return href({ view: "connection", id });
    default:
      return null;
  }
}

export function NotificationCentre() {
  const centre = useCall("notification_centre", {});
  const [open, setOpen] = useState(false);
  const markRead = useAction((seen: number) => call("notifications_mark_read", { seen }), ["notification_centre"]);
  const panel = useRef<HTMLDivElement>(null);
  const unread = centre.data?.unread ?? 0;
  const newest = centre.data?.newest ?? [];
  useCloseOnEscape(open, setOpen);
  return (
    <div className="notification-centre">
      <button
        type="button"
        className="ghost"
        aria-expanded={open}
        aria-controls="notification-panel"
        onClick={() => setOpen(!open)}
        data-testid="notifications-open"
      >
        <svg className="icon" viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
          <path
            fill="currentColor"
            d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z"
          />
        </svg>{" "}
        Notifications
        {unread > 0 && (
          <span className="count-badge" data-testid="notifications-unread">
            {unread}
            <span className="visually-hidden"> unread</span>
          </span>
        )}
      </button>
      {open && (
        <div className="popover" id="notification-panel" ref={panel} role="region" aria-label="Notifications" data-testid="notification-panel">
          <div className="panel-head">
            <h2>Notifications</h2>
            <button
              type="button"
              className="ghost"
              disabled={unread === 0 || markRead.isPending || newest.length === 0}
              onClick={() => newest[0] && markRead.mutate(newest[0].id)}
              data-testid="notifications-mark-read"
            >
              Mark all read
            </button>
          </div>
          <ul className="notification-list">
            {newest.map((n) => (
              <NotificationItem key={n.id} notification={n} onOpen={() => setOpen(false)} />
            ))}
            {newest.length === 0 && <li className="muted">Nothing yet.</li>}
          </ul>
        </div>
      )}
    </div>
  );
}

function NotificationItem({ notification: n, onOpen }: { notification: Notification; onOpen: () => void }) {
  const link = subjectHref(n.subject);
  return (
    <li className={n.read_at == null ? "unread" : undefined} data-testid="notification" data-priority={n.priority}>
      <div>
        {n.priority === "high" && (
          <span className="badge tone-bad">
            <span aria-hidden="true">▲</span> High
          </span>
        )}{" "}
        <strong>{n.title}</strong>
        {n.read_at == null && <span className="visually-hidden"> (unread)</span>}
      </div>
      <p className="small">{n.body}</p>
      <div className="small muted">
        {formatRelative(n.created_at)}
        {link && (
          <>
            {" · "}
            <a href={link} onClick={onOpen}>
              Open
            </a>
          </>
        )}
      </div>
    </li>
  );
}

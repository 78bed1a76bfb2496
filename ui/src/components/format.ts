// How values read in the UI. Times are shown in the operator's local zone.

const dateTime = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "short",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
});

export function formatTime(ms: number | null | undefined): string {
  return ms == null ? "—" : dateTime.format(new Date(ms));
}

export function formatRelative(ms: number | null | undefined, now = Date.now()): string {
  if (ms == null) return "never";
  const seconds = Math.round((now - ms) / 1000);
  const future = seconds < 0;
  const abs = Math.abs(seconds);
  const [value, unit] =
    abs < 60 ? [abs, "s"] : abs < 3600 ? [Math.round(abs / 60), "min"] : abs < 86400 ? [Math.round(abs / 3600), "h"] : [Math.round(abs / 86400), "d"];
  return future ? `in ${value} ${unit}` : `${value} ${unit} ago`;
}

export function humanize(snake: string): string {
  const text = snake.replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function formatLatency(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`;
}

const AUTH_FLOW_LABELS: Record<string, string> = {
  oauth2: "OAuth 2",
  api_key: "API key",
  basic: "Basic auth",
  client_credentials: "Client credentials",
  signed_token: "Signed token",
};

export function authFlowLabel(flow: string): string {
  return AUTH_FLOW_LABELS[flow] ?? humanize(flow);
}

// A received request's headers as they were kept (secret-looking values redacted).
export function HeadersTable({ headers }: { headers: unknown }) {
  const rows = Object.entries((headers ?? {}) as Record<string, unknown>);
  return (
    <table className="simple small">
      <tbody>
        {rows.map(([name, value]) => (
          <tr key={name}>
            <th scope="row" className="mono">
              {name}
            </th>
            <td className="mono wrap">{String(value)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function headerCount(headers: unknown): number {
  return Object.keys((headers ?? {}) as Record<string, unknown>).length;
}

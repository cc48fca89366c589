/** A titled two-column table of names and values (labels, attributes, metadata); nothing when empty. */
export function KvTable({ title, kv }: { title: string; kv: Readonly<Record<string, string>> }): React.JSX.Element | null {
  const entries = Object.entries(kv);
  if (entries.length === 0) return null;
  return (
    <>
      <h3>{title}</h3>
      <table className="kv-table">
        <tbody>
          {entries.map(([k, v]) => (
            <tr key={k}>
              <th>{k}</th>
              <td className="mono">{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

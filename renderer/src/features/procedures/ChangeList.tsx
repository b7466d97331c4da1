/** A change in words, field by field ("rail_3v3 · v_3v3 upper 3.4 V → 3.45 V"). */
export function ChangeList({ words, label = 'Changes' }: { words: readonly string[]; label?: string }) {
  return (
    <ul className="change-list" aria-label={label}>
      {words.map((w, i) => (
        <li key={i} className="mono">
          {w}
        </li>
      ))}
    </ul>
  );
}

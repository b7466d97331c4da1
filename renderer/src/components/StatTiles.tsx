import './StatTiles.css';

export interface Tile {
  label: string;
  value: string;
  /** What the figure counts, in a line. */
  note: string;
}

/** Headline figures: a label, the value in large type, and what it counts. */
export function StatTiles({ tiles }: { tiles: readonly Tile[] }) {
  return (
    <dl className="stat-tiles">
      {tiles.map((x) => (
        <div key={x.label} className="stat-tile">
          <dt>{x.label}</dt>
          <dd className="stat-tile-value num">{x.value}</dd>
          <dd className="stat-tile-note">{x.note}</dd>
        </div>
      ))}
    </dl>
  );
}

/**
 * uPlot draws series that share one x column. Curves of different runs rarely share their x
 * values (a soak's sample times differ run to run), so they are joined on the union of their
 * x values, each curve holding null where it has no point (drawn across: spanGaps). `at`
 * maps a curve's own point to its row in the joined data, for marks and the readout.
 */
export interface Aligned {
  x: ArrayLike<number>;
  ys: ArrayLike<number | null>[];
  /** Row of the joined data holding point `i` of curve `s`. */
  at(s: number, i: number): number;
  /** Curve `s`'s own point at joined row `row`, or -1. */
  pointAt(s: number, row: number): number;
}

export function alignSeries(curves: readonly { x: ArrayLike<number>; y: ArrayLike<number> }[]): Aligned {
  const first = curves[0];
  if (!first) return { x: [], ys: [], at: () => -1, pointAt: () => -1 };
  if (curves.every((c) => c.x === first.x || sameValues(c.x, first.x))) {
    return { x: first.x, ys: curves.map((c) => c.y), at: (_s, i) => i, pointAt: (_s, row) => row };
  }
  const all = new Set<number>();
  for (const c of curves) for (let i = 0; i < c.x.length; i++) all.add(c.x[i]!);
  const x = Float64Array.from(all).sort();
  const row = new Map<number, number>();
  x.forEach((v, i) => row.set(v, i));
  const maps: Int32Array[] = [];
  const back: Int32Array[] = [];
  const ys = curves.map((c) => {
    const y = new Array<number | null>(x.length).fill(null);
    const m = new Int32Array(c.x.length);
    const b = new Int32Array(x.length).fill(-1);
    for (let i = 0; i < c.x.length; i++) {
      const r = row.get(c.x[i]!)!;
      y[r] = c.y[i]!;
      m[i] = r;
      b[r] = i;
    }
    maps.push(m);
    back.push(b);
    return y;
  });
  return { x, ys, at: (s, i) => maps[s]?.[i] ?? -1, pointAt: (s, r) => back[s]?.[r] ?? -1 };
}

function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

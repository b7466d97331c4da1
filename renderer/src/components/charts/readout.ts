import type uPlot from 'uplot';

/**
 * A box beside the cursor naming the point under it: the series nearest the pointer at the
 * cursor's x, its x and y, and what the chart says about that point (failing, the rules it
 * breaks). The table view carries the same facts for the keyboard.
 */
export function readoutPlugin(describe: (seriesIdx: number, dataIdx: number) => string[] | null): uPlot.Plugin {
  let box: HTMLDivElement | null = null;
  return {
    hooks: {
      ready: [
        (u) => {
          box = document.createElement('div');
          box.className = 'chart-readout';
          box.hidden = true;
          u.over.append(box);
        },
      ],
      setCursor: [
        (u) => {
          if (!box) return;
          const idx = u.cursor.idx;
          const top = u.cursor.top ?? -1;
          if (idx === null || idx === undefined || top < 0) {
            box.hidden = true;
            return;
          }
          let best = -1;
          let bestDist = Infinity;
          for (let s = 1; s < u.series.length; s++) {
            const ser = u.series[s]!;
            if (ser.show === false) continue;
            const v = u.data[s]?.[idx];
            if (v === null || v === undefined) continue;
            const d = Math.abs(u.valToPos(v, ser.scale ?? 'y') - top);
            if (d < bestDist) {
              bestDist = d;
              best = s;
            }
          }
          const lines = best > 0 ? describe(best, idx) : null;
          if (!lines || lines.length === 0) {
            box.hidden = true;
            return;
          }
          box.replaceChildren(
            ...lines.map((t, i) => {
              const p = document.createElement(i === 0 ? 'strong' : 'span');
              p.textContent = t;
              return p;
            }),
          );
          box.hidden = false;
          const left = u.cursor.left ?? 0;
          const w = u.over.clientWidth;
          // Beside the cursor, on the side with room.
          box.style.left = left > w / 2 ? '' : `${left + 14}px`;
          box.style.right = left > w / 2 ? `${w - left + 14}px` : '';
          box.style.top = `${Math.max(0, Math.min(top + 14, u.over.clientHeight - box.offsetHeight))}px`;
        },
      ],
    },
  };
}

import { useEffect, useState } from 'react';
import type { CommandInput, CommandOutput } from '#contract/commands.ts';
import { useStationClient } from '../api/station-context.tsx';

type StatsCommand = 'stats.yield' | 'stats.pareto' | 'stats.spc';

/**
 * A statistics screen's answer. `request` is the input as JSON text (null: nothing to ask yet), so
 * the effect runs again only when it, or `refresh` (the count of ended runs), changes. `current`
 * is the answer to this very request, with its error; `latest` the last result received, which a
 * screen keeps on view while a newer answer is on its way.
 */
export function useStatsAnswer<K extends StatsCommand>(
  command: K,
  request: string | null,
  refresh: number,
): { current: { result: CommandOutput<K> | null; error: string | null } | null; latest: CommandOutput<K> | null } {
  const client = useStationClient();
  const key = `${request}\u0000${refresh}`;
  const [answer, setAnswer] = useState<{ key: string; result: CommandOutput<K> | null; error: string | null } | null>(null);
  useEffect(() => {
    if (!request) return;
    let live = true;
    const k = `${request}\u0000${refresh}`;
    void client.invoke(command, JSON.parse(request) as CommandInput<K>).then((r) => {
      if (live) setAnswer({ key: k, result: r.ok ? (r.value as CommandOutput<K>) : null, error: r.ok ? null : r.error.message });
    });
    return () => {
      live = false;
    };
  }, [client, command, request, refresh]);
  return { current: answer?.key === key ? answer : null, latest: answer?.result ?? null };
}

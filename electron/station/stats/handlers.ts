import type { CommandArgs, CommandOutput } from '#contract/commands.ts';
import { StationFault } from '#contract/errors.ts';

export type StatsCommand =
  | 'stats.yield'
  | 'stats.pareto'
  | 'stats.failureRuns'
  | 'stats.measurements'
  | 'stats.spc'
  | 'stats.series'
  | 'stats.alerts'
  | 'stats.shift';

const notYet = (name: string) => (): never => {
  throw new StationFault('internal', `${name} is not built yet`);
};

/** The statistics commands (contract/stats.ts); the station spreads them into its handlers. */
export function statsHandlers(): { [K in StatsCommand]: (input: CommandArgs<K>) => CommandOutput<K> } {
  return {
    'stats.yield': notYet('stats.yield'),
    'stats.pareto': notYet('stats.pareto'),
    'stats.failureRuns': notYet('stats.failureRuns'),
    'stats.measurements': notYet('stats.measurements'),
    'stats.spc': notYet('stats.spc'),
    'stats.series': notYet('stats.series'),
    'stats.alerts': () => ({ alerts: [] }),
    'stats.shift': notYet('stats.shift'),
  };
}

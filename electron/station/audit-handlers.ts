import type { CommandArgs, CommandOutput } from '#contract/commands.ts';
import type { AuditLog } from './store/audit.ts';

type AuditCommand = 'audit.list' | 'audit.export' | 'audit.verify';

/**
 * The audit trail's commands (contract/audit.ts) over the station's AuditLog; the station
 * spreads them into its handlers. Reading the trail changes nothing, so nothing here is
 * itself audited; who may read it is the contract's role table.
 */
export function auditHandlers(log: AuditLog, stationId: string): { [K in AuditCommand]: (input: CommandArgs<K>) => CommandOutput<K> } {
  return {
    'audit.list': (input: CommandArgs<'audit.list'>): CommandOutput<'audit.list'> => ({ entries: log.list(input) }),
    'audit.export': ({ format, ...filter }: CommandArgs<'audit.export'>): CommandOutput<'audit.export'> => log.exportAs(filter, format, stationId),
    'audit.verify': (): CommandOutput<'audit.verify'> => log.verify(),
  };
}

import type { CommandHandlers } from '#contract/commands.ts';
import { StationFault } from '#contract/errors.ts';

type EditCommand =
  | 'procedures.list'
  | 'procedures.assign'
  | 'procedures.get'
  | 'procedures.propose'
  | 'procedures.drafts'
  | 'procedures.approve'
  | 'procedures.reject'
  | 'procedures.rollback';

/** The supervisor's procedure commands (contract/procedures.ts ProcedureEditCommands). */
export function procedureEditHandlers<C>(): Pick<CommandHandlers<C>, EditCommand> {
  const later = (): never => {
    throw new StationFault('internal', 'not built yet');
  };
  return {
    'procedures.list': later,
    'procedures.assign': later,
    'procedures.get': later,
    'procedures.propose': later,
    'procedures.drafts': later,
    'procedures.approve': later,
    'procedures.reject': later,
    'procedures.rollback': later,
  };
}

import type { Person } from '#contract/auth.ts';
import { message, type MessageKey, type MessageParams } from '#contract/messages.ts';

/** Why a badge cannot approve: it is not a supervisor's (nor an admin's). In English for the audit trail, as a message for the screens. */
export function notSupervisor(p: Person): { reason: string; key: MessageKey; params: MessageParams } {
  const params = { badge: p.badge, name: p.name, context: p.role };
  return { reason: message('notSupervisor', params), key: 'notSupervisor', params };
}

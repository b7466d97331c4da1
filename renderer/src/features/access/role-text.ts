import type { Role } from '#contract/auth.ts';

/** A role's name, as the People screen and the header show it. */
export const ROLE_LABEL = {
  operator: 'role.operator',
  technician: 'role.technician',
  supervisor: 'role.supervisor',
  admin: 'role.admin',
} as const satisfies Record<Role, string>;

/** A role inside a sentence ("was added as supervisor"): English writes it small, German as a noun. */
export const ROLE_WORD = {
  operator: 'roleWord.operator',
  technician: 'roleWord.technician',
  supervisor: 'roleWord.supervisor',
  admin: 'roleWord.admin',
} as const satisfies Record<Role, string>;

import type { Role } from '#contract/auth.ts';

export const ROLE_LABEL: Record<Role, string> = {
  operator: 'Operator',
  technician: 'Technician',
  supervisor: 'Supervisor',
  admin: 'Admin',
};

/** "a supervisor", "an admin": who a screen is for, in a sentence. */
export const ROLE_WITH_ARTICLE: Record<Role, string> = {
  operator: 'an operator',
  technician: 'a technician',
  supervisor: 'a supervisor',
  admin: 'an admin',
};

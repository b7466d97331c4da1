import type { Role } from '#contract/auth.ts';
import type { Result } from '#contract/errors.ts';

/**
 * People for tests, made the way an admin makes them: the first admin through setup, the rest
 * through people.add while logged in as that admin, then a login as the role a test acts as.
 * Everything goes through the station's commands; nothing is written into the database.
 */
export type Invoke = (name: string, input: unknown) => Promise<Result<unknown>>;

export const ADMIN = { badge: 'ADM-1', name: 'Ada Admin', pin: '9137' } as const;
export const PEOPLE: Record<Exclude<Role, 'admin'>, { badge: string; name: string; pin: string }> = {
  operator: { badge: 'OP-1', name: 'Olu Operator', pin: '1111' },
  technician: { badge: 'TEC-1', name: 'Tam Technician', pin: '2468' },
  supervisor: { badge: 'SUP-7', name: 'Sam Supervisor', pin: '7777' },
};

async function must(invoke: Invoke, name: string, input: unknown): Promise<unknown> {
  const r = await invoke(name, input);
  if (!r.ok) throw new Error(`${name}: ${r.error.kind}: ${r.error.message}`);
  return r.value;
}

/** Makes sure the first admin and `people` exist (logging in as the admin to add them); leaves the caller logged in as the admin. */
export async function setUpPeople(invoke: Invoke, people: readonly Exclude<Role, 'admin'>[] = ['operator', 'technician', 'supervisor']): Promise<void> {
  const state = (await must(invoke, 'session.get', {})) as { setupRequired: boolean };
  if (state.setupRequired) await must(invoke, 'setup.createAdmin', ADMIN);
  else await must(invoke, 'session.login', { badge: ADMIN.badge, pin: ADMIN.pin });
  const existing = ((await must(invoke, 'people.list', {})) as { people: { badge: string }[] }).people.map((p) => p.badge);
  for (const role of people) {
    const p = PEOPLE[role];
    if (!existing.includes(p.badge)) await must(invoke, 'people.add', { ...p, role });
  }
}

/** Logs the caller in as `role` (setting people up first when needed); returns the badge. */
export async function loginAs(invoke: Invoke, role: Role): Promise<string> {
  await setUpPeople(invoke, role === 'admin' ? [] : [role]);
  if (role === 'admin') return ADMIN.badge;
  const p = PEOPLE[role];
  await must(invoke, 'session.login', { badge: p.badge, pin: p.pin });
  return p.badge;
}

/** A supervisor's approval for an override at the operator's screen. */
export const supervisorApproval = (reason?: string) => ({
  supervisorId: PEOPLE.supervisor.badge,
  pin: PEOPLE.supervisor.pin,
  ...(reason !== undefined ? { reason } : {}),
});

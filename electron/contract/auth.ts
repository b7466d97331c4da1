import { z } from 'zod';
import { LanguageTagSchema } from './locales.ts';

/**
 * Who may act on a station: people with a role (log in at the station) and API tokens with a
 * scope (external clients). Which command needs which role or scope is in
 * electron/station/access.ts; docs/operations.md has the same table in words.
 */

/** A fixed ladder: each role may do all that the roles before it may. */
export const ROLES = ['operator', 'technician', 'supervisor', 'admin'] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

export const roleRank = (r: Role): number => ROLES.indexOf(r);
export const hasRole = (have: Role | null | undefined, need: Role): boolean => have != null && roleRank(have) >= roleRank(need);

/** Roles that log in with a badge plus a PIN: a copied badge number alone opens nothing. */
export const needsPin = (r: Role): boolean => r !== 'operator';

/** Token scopes, a ladder too: `supervise` may do what `operate` may, and so on down. */
export const SCOPES = ['events:read', 'runs:read', 'operate', 'supervise'] as const;
export const ScopeSchema = z.enum(SCOPES);
export type Scope = z.infer<typeof ScopeSchema>;
export const scopeRank = (s: Scope): number => SCOPES.indexOf(s);

const BadgeSchema = z
  .string()
  .trim()
  .min(1, 'scan or type a badge')
  .max(64, 'a badge has at most 64 characters')
  .regex(/^[\x21-\x7e]+$/, 'a badge is letters, digits and signs, no spaces');
export const PinSchema = z.string().min(4, 'a PIN has at least 4 characters').max(64, 'a PIN has at most 64 characters').regex(/^\S+$/, 'a PIN has no spaces');
const NameSchema = z.string().trim().min(1, 'give the person’s name').max(100);

/** Who the connection acts as: a person logged in, a token, the CLI's OS user, or nobody yet. */
export const SessionSchema = z.object({
  kind: z.enum(['person', 'token', 'os', 'anonymous']),
  /** badge (person), token id, OS user name; null for anonymous. */
  id: z.string().nullable(),
  name: z.string(),
  /** What the station lets this connection do, as a role (a token's scope maps to one). */
  role: RoleSchema.nullable(),
  scope: ScopeSchema.nullable(),
  /** When an idle session ends (ISO); null for sessions that do not expire. */
  expiresAt: z.string().nullable(),
  /** The person's own language (their profile); null: the station's. */
  language: z.string().nullable().default(null),
});
export type Session = z.infer<typeof SessionSchema>;

export const PersonSchema = z.object({
  badge: z.string(),
  name: z.string(),
  role: RoleSchema,
  disabled: z.boolean(),
  hasPin: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Failed PIN entries lock the badge for a minute after five. */
  lockedUntil: z.string().nullable(),
  /** The screens' language while they are logged in (an admin sets it); null: the station's. */
  language: z.string().nullable().default(null),
});
export type Person = z.infer<typeof PersonSchema>;

export const TokenInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  scope: ScopeSchema,
  createdAt: z.string(),
  createdBy: z.string(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  /** The address it was last used from. */
  lastUsedFrom: z.string().nullable(),
});
export type TokenInfo = z.infer<typeof TokenInfoSchema>;

export const SessionStateSchema = z.object({
  session: SessionSchema,
  /** No admin exists yet: the first supervisor screen opened asks for one (it cannot be skipped). */
  setupRequired: z.boolean(),
  /** Operators must log in with their badge before a run starts (settings.requireBadgeLogin). */
  requireBadgeLogin: z.boolean(),
  /** Put back in session.resume after a reconnect to keep the login (the page keeps it for its tab). */
  resumeKey: z.string().nullable(),
});
export type SessionState = z.infer<typeof SessionStateSchema>;

/** Commands of logins, people and tokens; spread into the Commands map. */
export const AuthCommands = {
  'session.get': { input: z.object({}).strict(), output: SessionStateSchema },
  /** Badge alone for an operator; badge and PIN for every other role. */
  'session.login': {
    input: z.object({ badge: BadgeSchema, pin: z.string().max(64).optional() }).strict(),
    output: SessionStateSchema,
  },
  /** After a reconnect: the login made on this page before, if it has not expired. */
  'session.resume': { input: z.object({ resumeKey: z.string().min(1).max(128) }).strict(), output: SessionStateSchema },
  'session.logout': { input: z.object({}).strict(), output: SessionStateSchema },
  /** The first admin of a new station; refused once any admin exists. Logs them in. */
  'setup.createAdmin': {
    input: z.object({ badge: BadgeSchema, name: NameSchema, pin: PinSchema }).strict(),
    output: SessionStateSchema,
  },
  'people.list': { input: z.object({}).strict(), output: z.object({ people: z.array(PersonSchema) }) },
  'people.add': {
    input: z
      .object({ badge: BadgeSchema, name: NameSchema, role: RoleSchema, pin: PinSchema.optional(), language: LanguageTagSchema.nullable().optional() })
      .strict(),
    output: PersonSchema,
  },
  /** Name, role, disabled, or language (null: the station's); the badge names the person. */
  'people.update': {
    input: z
      .object({
        badge: BadgeSchema,
        name: NameSchema.optional(),
        role: RoleSchema.optional(),
        disabled: z.boolean().optional(),
        language: LanguageTagSchema.nullable().optional(),
      })
      .strict(),
    output: PersonSchema,
  },
  'people.resetPin': { input: z.object({ badge: BadgeSchema, pin: PinSchema }).strict(), output: PersonSchema },
  'tokens.list': { input: z.object({}).strict(), output: z.object({ tokens: z.array(TokenInfoSchema) }) },
  /** The secret is in this answer only; the station keeps its hash. */
  'tokens.create': {
    input: z.object({ name: z.string().trim().min(1, 'name what the token is for').max(100), scope: ScopeSchema }).strict(),
    output: z.object({ token: TokenInfoSchema, secret: z.string() }),
  },
  'tokens.revoke': { input: z.object({ id: z.string().min(1) }).strict(), output: TokenInfoSchema },
} as const;

import { z } from 'zod';
import { message, type MessageKey, type MessageParams } from './message-text.ts';
import { parseAddress } from './instruments.ts';

/**
 * Barcode scans: where a scan goes (unit serial, operator badge, fixture id) and
 * the checks on a serial (named groups fill the unit record, GS1 mod-10 check
 * digit). Pure, so the station and the renderer agree.
 */

export const ScanRouteSchema = z.enum(['serial', 'badge', 'fixture', 'unknown']);
export type ScanRoute = z.infer<typeof ScanRouteSchema>;

export const ScanSchema = z.object({
  text: z.string(),
  /** `keyboard` (a wedge scanner in the UI), or the serial scanner's name. */
  source: z.string(),
  at: z.string(),
  socket: z.number().int().nonnegative().nullable(),
  route: ScanRouteSchema,
  /** False when the scan was refused (message says why). */
  accepted: z.boolean(),
  message: z.string().optional(),
  /** The message as a catalog key with its parameters (contract/messages.ts), for the screens. */
  key: z.string().optional(),
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
  runId: z.string().optional(),
});
export type Scan = z.infer<typeof ScanSchema>;

/** Station settings: what a badge and a fixture label look like. Anything else is a unit serial. */
export const ScanRoutesSchema = z
  .object({
    /** An operator badge; a named group (?<id>…) is the operator id, else the whole text. */
    badgePattern: z.string().default('^OP-[A-Z0-9]+$'),
    /** A fixture label; a named group (?<id>…) is the fixture id, else the whole text. */
    fixturePattern: z.string().default('^FX-[A-Z0-9-]+$'),
  })
  .default({ badgePattern: '^OP-[A-Z0-9]+$', fixturePattern: '^FX-[A-Z0-9-]+$' });
export type ScanRoutes = z.infer<typeof ScanRoutesSchema>;

/** A serial (USB-CDC) barcode scanner: lines from a port, each ending with `suffix`. */
export const SerialScannerSchema = z.object({
  name: z.string().min(1).default('scanner'),
  /** A serial address, as for instruments: serial:/dev/ttyACM0?baud=9600. */
  port: z
    .string()
    .min(1)
    .superRefine((port, ctx) => {
      try {
        if (parseAddress(port).scheme !== 'serial')
          ctx.addIssue({ code: 'custom', message: `"${port}" is not a serial: address (e.g. serial:/dev/ttyACM0?baud=9600)` });
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message });
      }
    }),
  /** What the scanner sends after each code. */
  suffix: z.enum(['cr', 'lf', 'crlf', 'tab']).default('cr'),
  /** Socket the scans go to (multi-socket stations: one scanner per socket). */
  socket: z.number().int().nonnegative().default(0),
});
export type SerialScanner = z.infer<typeof SerialScannerSchema>;
export const SCANNER_SUFFIX: Record<SerialScanner['suffix'], string> = { cr: '\r', lf: '\n', crlf: '\r\n', tab: '\t' };

function matchId(pattern: string, text: string): string | null {
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch {
    return null;
  }
  const m = re.exec(text);
  if (!m) return null;
  return m.groups?.id ?? text;
}

/** Badge and fixture patterns first (they are specific); anything else is taken as a unit serial. */
export function routeScan(text: string, routes: ScanRoutes): { route: ScanRoute; id: string } {
  const t = text.trim();
  if (!t) return { route: 'unknown', id: '' };
  const badge = matchId(routes.badgePattern, t);
  if (badge !== null) return { route: 'badge', id: badge };
  const fixture = matchId(routes.fixturePattern, t);
  if (fixture !== null) return { route: 'fixture', id: fixture };
  return { route: 'serial', id: t };
}

/** GS1 mod-10 check digit of the digits before the last: weights 3,1,3,1… from the right. */
export function gs1CheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const d = body.charCodeAt(body.length - 1 - i) - 48;
    sum += d * (i % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10;
}

/** null when `digits` (body + check digit) is valid, else what is wrong (a station message). */
export function gs1Problem(digits: string): { key: MessageKey; params: MessageParams } | null {
  if (!/^\d{2,}$/.test(digits)) return { key: 'checkDigitsOnly', params: { digits } };
  const want = gs1CheckDigit(digits.slice(0, -1));
  const got = Number(digits.at(-1));
  return want === got ? null : { key: 'checkDigitWrong', params: { got, want } };
}

/** null when `digits` (body + check digit) is valid, else what is wrong, in English. */
export function checkGs1(digits: string): string | null {
  const p = gs1Problem(digits);
  return p ? message(p.key, p.params) : null;
}

/** Unit fields a serial pattern's named groups fill. */
export const UNIT_FIELDS = ['partNumber', 'revision', 'batch', 'dateCode'] as const;
export type UnitField = (typeof UNIT_FIELDS)[number];

export function unitFieldsFrom(pattern: string, serial: string): Partial<Record<UnitField, string>> {
  const m = new RegExp(pattern).exec(serial);
  const out: Partial<Record<UnitField, string>> = {};
  for (const f of UNIT_FIELDS) {
    const v = m?.groups?.[f];
    if (v !== undefined && v !== '') out[f] = v;
  }
  return out;
}

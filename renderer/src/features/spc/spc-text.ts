import type { SpcLimits, SpcSegment } from '#contract/stats.ts';
import { describeValidator } from '#contract/format.ts';
import { formatDateTime } from '../../components/format.ts';

/** A limit version's limits as the run page words them: "3.2 … 3.4 V"; "no limits". */
export function limitsText(l: SpcLimits, units: string | null): string {
  const text = describeValidator(
    {
      kind: 'range',
      ...(l.lower !== null ? { lower: l.lower } : {}),
      ...(l.upper !== null ? { upper: l.upper } : {}),
      ...(l.lowerInclusive ? {} : { lowerInclusive: false }),
      ...(l.upperInclusive ? {} : { upperInclusive: false }),
    },
    units ?? undefined,
  );
  return text || 'no limits';
}

/** A segment's name in headings and markers: "Limits 3.2 … 3.4 V (v1.0.0, v1.0.1)". */
export function segmentTitle(s: SpcSegment, units: string | null): string {
  const versions = s.versions.length ? ` (${s.versions.map((v) => `v${v}`).join(', ')})` : '';
  return `Limits ${limitsText(s.limits, units)}${versions}`;
}

export function segmentSpan(s: SpcSegment): string {
  if (!s.firstAt) return '';
  return s.lastAt && s.lastAt !== s.firstAt ? `${formatDateTime(s.firstAt)} to ${formatDateTime(s.lastAt)}` : formatDateTime(s.firstAt);
}

/**
 * What a capability index says, in a word beside the number (so the verdict is never only a
 * colour): 1.33 and more is the usual requirement for an established process (Montgomery §8.3).
 */
export function capabilityWord(v: number | null): { word: string; tone: 'pass' | 'warn' | 'fail' } | null {
  if (v === null || !Number.isFinite(v)) return null;
  if (v >= 1.33) return { word: 'capable', tone: 'pass' };
  if (v >= 1) return { word: 'marginal', tone: 'warn' };
  return { word: 'not capable', tone: 'fail' };
}

import type { UploadRetry } from '#contract/upload.ts';

/**
 * Delay before attempt `failures + 1`: firstDelayMs doubled per failure, capped at
 * maxDelayMs, then moved by ±jitter at random so stations that lost the server
 * together do not all come back in the same second.
 */
export function backoffMs(failures: number, retry: UploadRetry, random: () => number = Math.random): number {
  const exp = retry.firstDelayMs * 2 ** Math.min(Math.max(failures, 1) - 1, 40);
  const base = Math.min(exp, retry.maxDelayMs);
  const jittered = base * (1 + retry.jitter * (random() * 2 - 1));
  return Math.max(1, Math.min(retry.maxDelayMs, Math.round(jittered)));
}

/**
 * Retry timing and what an HTTP answer means for the queue: the defaults a plant gets
 * (first retry about 15 s, never more than an hour apart), Retry-After in both forms,
 * and the server's reason pulled out of its error body.
 */
import { describe, expect, test } from 'vitest';
import { UploadRetrySchema } from '#contract/upload.ts';
import { backoffMs } from '#station/uploader/backoff.ts';
import { classifyAnswer, reasonOf, retryAfterMs } from '#station/uploader/http-client.ts';

const defaults = UploadRetrySchema.parse({});

describe('backoff', () => {
  test('defaults: first retry about 15 s, doubling, capped at 1 h, ± 20 %', () => {
    expect(defaults).toEqual({ firstDelayMs: 15_000, maxDelayMs: 3_600_000, jitter: 0.2 });
    const mid = () => 0.5;
    expect([1, 2, 3, 4, 8, 9, 50].map((n) => backoffMs(n, defaults, mid))).toEqual([15_000, 30_000, 60_000, 120_000, 1_920_000, 3_600_000, 3_600_000]);
    expect(backoffMs(1, defaults, () => 0)).toBe(12_000);
    expect(backoffMs(1, defaults, () => 0.999_999)).toBe(18_000);
    // Jitter never pushes past the cap.
    expect(backoffMs(30, defaults, () => 0.999_999)).toBe(3_600_000);
    expect(backoffMs(30, defaults, () => 0)).toBe(2_880_000);
  });

  test('settable, for a plant with its own rules (and for fast tests)', () => {
    const r = UploadRetrySchema.parse({ firstDelayMs: 5, maxDelayMs: 40, jitter: 0 });
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(n, r))).toEqual([5, 10, 20, 40, 40]);
  });
});

describe('Retry-After', () => {
  test('seconds, an HTTP date, or nothing usable', () => {
    const now = Date.parse('2026-05-01T10:00:00Z');
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Fri, 01 May 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Fri, 01 May 2026 09:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
    // A server asking for a week gets a day at most.
    expect(retryAfterMs('604800', now)).toBe(86_400_000);
  });
});

describe('what an answer means', () => {
  const answer = (status: number, body = '', headers: Record<string, string> = {}) => ({ status, statusText: '', headers, body });

  test('2xx delivered; 408, 429, 5xx again (503 and 429 for the whole target); other 4xx park', () => {
    expect(classifyAnswer(answer(201))).toBeNull();
    expect(classifyAnswer(answer(500, '{"message":"db down"}'))).toEqual({ ok: false, park: false, error: 'HTTP 500: db down', scope: 'run' });
    expect(classifyAnswer(answer(503, '', { 'retry-after': '7' }))).toEqual({ ok: false, park: false, error: 'HTTP 503', scope: 'target', retryAfterMs: 7000 });
    expect(classifyAnswer(answer(429))).toMatchObject({ park: false, scope: 'target' });
    expect(classifyAnswer(answer(408))).toMatchObject({ park: false, scope: 'target' });
    expect(classifyAnswer(answer(400, '{"error":{"message":"serial unknown"}}'))).toEqual({ ok: false, park: true, reason: 'HTTP 400: serial unknown' });
    expect(classifyAnswer(answer(301, '', { location: 'https://new/runs' }))).toEqual({
      ok: false,
      park: true,
      reason: "HTTP 301: redirected to https://new/runs; set the target's url to the final address",
    });
  });

  test('the reason from the usual error bodies', () => {
    expect(reasonOf('{"detail":"Not authenticated"}')).toBe('Not authenticated');
    expect(reasonOf('{"issues":[{"path":["outcome"],"message":"bad"}]}')).toBe('[{"path":["outcome"],"message":"bad"}]');
    expect(reasonOf('<html>\n  <h1>Bad Request</h1>\n</html>')).toBe('<html> <h1>Bad Request</h1> </html>');
    expect(reasonOf('x'.repeat(2000))).toHaveLength(500);
  });
});

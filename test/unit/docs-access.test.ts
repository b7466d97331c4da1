/**
 * docs/operations.md's "Who may do what" tables are the station's: every command is listed with
 * the role and token scope the station checks (contract/access.ts), and every screen with the
 * role that sees it. A change to one without the other fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { ACCESS, PLANT_ACCESS, SCREEN_ACCESS } from '#contract/access.ts';
import { REPO_ROOT } from '../helpers/paths.ts';

const doc = readFileSync(join(REPO_ROOT, 'docs/operations.md'), 'utf8');

test('the documented command tables are the ones the station and the plant process check', () => {
  const listed = Object.fromEntries([...doc.matchAll(/^\| `([a-z]+\.[a-zA-Z]+)` \| (\w+) \| ([\w:]+(?: token)?) \|$/gm)].map((m) => [m[1], [m[2], m[3]]]));
  // The plant process's commands beside the station's (its logins, people and tokens are the station's, with the same needs).
  const actual = Object.fromEntries(Object.entries({ ...ACCESS, ...PLANT_ACCESS }).map(([name, a]) => [name, [a.role ?? 'anyone', a.scope ?? 'no token']]));
  expect(listed).toEqual(actual);
});

test('the documented screens are the ones the renderer gates', () => {
  const start = doc.indexOf('| screen | least role |');
  const section = doc.slice(start, doc.indexOf('\n\n', start));
  const listed = Object.fromEntries([...section.matchAll(/^\| (\w+) \| (\w+) \|$/gm)].map((m) => [m[1], m[2]]));
  expect(listed).toEqual(SCREEN_ACCESS);
});

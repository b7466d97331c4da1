/**
 * A procedure's id read without parsing the whole file must be the id YAML reads, or
 * nothing (and the caller parses): a wrong shortcut would run the wrong procedure.
 */
import { expect, test } from 'vitest';
import { parseDocument } from 'yaml';
import { plainTopLevelId, procedureDocument } from '#station/procedures/yaml-doc.ts';

const cases = [
  'id: demo-board\nname: Demo\n',
  'name: Demo\nid: "psu-12-v2"   # the copy\n',
  "id: 'quoted id'\n",
  'id: plain # comment\nphases: []\n',
  'description: |\n  id: not-this\nid: this-one\n',
];

test.each(cases)('reads the id YAML reads: %j', (text) => {
  expect(plainTopLevelId(text)).toBe(parseDocument(text).get('id'));
});

test.each(['name: no id here\n', 'id: a\nid: b\n', '---\nid: a\n---\nid: b\n', 'id: "esc\\"aped"\n', 'id:\n  nested: 1\n'])(
  'leaves what it cannot read plainly to the parser: %j',
  (text) => {
    expect(plainTopLevelId(text)).toBeNull();
  },
);

test('one text is parsed once per process', () => {
  const text = 'id: once\nphases: []\n';
  expect(procedureDocument(text)).toBe(procedureDocument(text));
  expect(procedureDocument(`${text}\n`)).not.toBe(procedureDocument(text));
});

import { describe, expect, it } from 'vitest';
import { applyFieldValues, restoringEdits } from './yaml-field-edit.ts';

/** Restores `paths` of `head` from `source`: the bytes a field rollback commits. */
const restore = (head: string, source: string, paths: string[][]) => applyFieldValues(head, restoringEdits(head, source, paths), source);

describe('removing a field leaves exactly the target revision bytes', () => {
  it.each([
    ['between two gaps', 'a: 1\n\nc: 3\n', 'a: 1\n\nb: 2\n\nc: 3\n', [['b']]],
    ['the last entry after a gap', 'a: 1\n\nc: 3\n', 'a: 1\n\nc: 3\n\nb: 2\n', [['b']]],
    ['an entry added with a gap after it', 'a: 1\nc: 3\n', 'a: 1\nb: 2\n\nc: 3\n', [['b']]],
    ['a nested block after a gap', 'a: 1\n', 'a: 1\n\nb:\n  x: 2\n', [['b']]],
    ['a block between gaps', 'a: 1\n\nc: 3\n', 'a: 1\n\nb:\n  x: 1\n\nc: 3\n', [['b']]],
    ['a nested key before a gap', 'a:\n  x: 1\n\nc: 3\n', 'a:\n  x: 1\n  y: 2\n\nc: 3\n', [['a', 'y']]],
    ['two keys', 'a: 1\n\nd: 4\n', 'a: 1\n\nb: 2\n\nc: 3\n\nd: 4\n', [['b'], ['c']]],
    ['CRLF', 'a: 1\r\n\r\nc: 3\r\n', 'a: 1\r\n\r\nb: 2\r\n\r\nc: 3\r\n', [['b']]],
  ])('%s', (_name, source, head, paths) => {
    expect(restore(head, source, paths)).toBe(source);
  });

  it('keeps the other gaps of the file as they are', () => {
    const head = 'a: 1\n\n\nb: 2\n\nc: 3\n';
    expect(restore(head, 'a: 1\n\n\nc: 3\n', [['b']])).toBe('a: 1\n\n\nc: 3\n');
  });

  it('never eats the blank lines a kept block scalar holds', () => {
    const head = 'a: |+\n  text\n\nb: 2\n';
    const out = restore(head, 'a: |+\n  text\n\n', [['b']]);
    expect(out).toBe('a: |+\n  text\n\n');
  });
});

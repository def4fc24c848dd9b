import { describe, expect, it } from 'vitest';
import { toGitPathspec, toLsTreePathspec } from './pathspec.ts';

describe('layout pathspecs as git pathspecs', () => {
  it.each([
    [['tenants/acme/production/'], ['tenants/acme/production/']],
    [['tenants/acme/production/variables.yaml'], ['tenants/acme/production/variables.yaml']],
    [['tenants/*/production/**'], [':(glob)tenants/*/production/**']],
    [['**/values.yaml'], [':(glob)**/values.yaml']],
    [['apps/**/overlays/prod/*.yaml'], [':(glob)apps/**/overlays/prod/*.yaml']],
    [['a/notes[1].txt'], [':(literal)a/notes[1].txt']],
    [['a/notes[1].*'], [':(glob)a/notes\\[1\\].*']],
    [[':odd/'], [':(literal):odd/']],
    [['dir*/'], [':(literal)dir*/']],
    // Globs git reads differently: a superset (the literal directory) that the store filters.
    [['tenants/acme**'], ['tenants/']],
    [['tenants/ac**me/x'], ['tenants/']],
    [['a/b/***'], ['a/b/']],
    [['a/', 'a/'], ['a/']],
  ])('%j → %j', (specs, expected) => {
    expect(toGitPathspec(specs)).toEqual({ kind: 'some', specs: expected });
  });

  it('matches everything for a root-level glob git cannot express, and nothing for impossible specs', () => {
    expect(toGitPathspec(['x**'])).toEqual({ kind: 'all' });
    expect(toGitPathspec([])).toEqual({ kind: 'none' });
    expect(toGitPathspec(['', '/etc/passwd', '../up', 'a//b', 'a/./b'])).toEqual({ kind: 'none' });
  });

  it('lists directories for ls-tree, which has no glob magic', () => {
    expect(toLsTreePathspec(['tenants/*/production/services/*/values.yaml', 'tenants/acme/x.yaml'])).toEqual({
      kind: 'some',
      specs: [':(literal)tenants/', ':(literal)tenants/acme/x.yaml'],
    });
    expect(toLsTreePathspec(['*.yaml'])).toEqual({ kind: 'all' });
    expect(toLsTreePathspec(['/abs'])).toEqual({ kind: 'none' });
  });
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { matchSemverConstraint, matchVersionConstraint, parseSemverConstraint, parseVersionConstraint } from '../../src/scheduler/version.js';
import { compareGoVersions, parseGoVersion } from '../../src/scheduler/goversion.js';

// [version, constraint, expected]; each pitfall of reference/deps.md §6 has a row.
const versionCases: readonly (readonly [string, string, boolean])[] = [
  // commas AND their clauses (semver.satisfies returns false for these, silently)
  ['1.30.0', '>= 1.2, < 2.0', true],
  ['2.0.0', '>= 1.2, < 2.0', false],
  ['1.1.9', '>= 1.2.0, < 2.0.0', false],
  ['1.5.0', '>=1.2,<2.0', true],
  // ~> counts the segments written: ~> 1.2 is < 2.0, ~> 1.2.3 is < 1.3
  ['1.9.0', '~> 1.2', true],
  ['1.2.0', '~> 1.2', true],
  ['2.0.0', '~> 1.2', false],
  ['1.1.0', '~> 1.2', false],
  ['1.2.9', '~> 1.2.3', true],
  ['1.3.0', '~> 1.2.3', false],
  ['1.2.2', '~> 1.2.3', false],
  ['3.0.0', '~> 1', true],
  ['1.30.0.5', '~> 1.30.0.1', true],
  ['1.30.1.0', '~> 1.30.0.1', false],
  // operators
  ['1.30.0', '= 1.30', true],
  ['1.30.0', '1.30.0', true],
  ['1.30.0', '!= 1.30.0', false],
  ['1.30.1', '> 1.30', true],
  ['1.30.0', '< 1.30', false],
  ['1.30.0', '<= 1.30', true],
  // version forms: v prefix, two segments, four segments, metadata, leading zeros
  ['v0.10.0', '>= 0.10.0', true],
  ['v0.10.0', '> 0.8.1', true],
  ['1.30', '>= 1.30.0', true],
  ['1.30.0.1', '> 1.30.0', true],
  ['1.30.0.1', '= 1.30.0', false],
  ['1.30.0.0', '= 1.30.0', true],
  ['1.2.0+git.abc123', '= 1.2.0', true],
  ['01.30.0', '= 1.30.0', true],
  // prereleases: only against a prerelease constraint on the same segments
  ['1.29.0-rc.1', '>= 0.10.0', false],
  ['1.29.0-rc.1', '>= 1.29.0-rc.0', true],
  ['1.29.0-rc.1', '>= 1.28.0-rc.0', false],
  ['1.29.0-rc.1', '= 1.29.0-rc.1', true],
  ['v1.30.0-dirty', '>= 1.0', false],
  ['1.29.0', '>= 1.29.0-rc.1', true],
  ['1.2.4-beta', '~> 1.2.3-alpha', false],
  ['1.2.3-beta', '~> 1.2.3-alpha', true],
  ['1.2.3', '~> 1.2.3-alpha', false],
  ['1.0beta1', '>= 1.0beta0', true],
  // garbage on either side never matches
  ['garbage', '>= 1.0', false],
  ['rkt Version: 1.30.0', '>= 1.0', false],
  [' 1.30.0', '>= 1.0', false],
  ['=1.30.0', '>= 1.0', false],
  ['1.30.0', '>= 1.x', false],
  ['1.30.0', '', false],
  ['1.30.0', '^1.2', false],
];

describe('version operator (go-version)', () => {
  for (const [v, c, want] of versionCases) {
    test(`${JSON.stringify(v)} ${JSON.stringify(c)} → ${want}`, () => assert.equal(matchVersionConstraint(v, c), want));
  }
});

const semverCases: readonly (readonly [string, string, boolean])[] = [
  ['1.1.5', '>= 1.0, < 1.2', true],
  ['1.1.5', '< 1.0, < 1.2', false],
  ['1.0.0', '1.0', true],
  ['8', '> 10', false],
  // prereleases take part in ordering like any version
  ['2.1.0-beta', '> 2.0', true],
  ['2.1.0-beta', '> 2.1.0-a', true],
  ['2.1.0', '> 2.1.0-a', true],
  ['2.0.0', '<= 2.1.0-a', true],
  ['1.3.0-beta1', '>= 0.6.1', true],
  ['1.29.0-rc.1', '>= 0.10.0', true],
  // metadata ignored
  ['1.3.0-beta1+ent', '>= 1.3.0-beta1', true],
  ['1.3.0-beta1+ent', '> 1.3.0-beta1+cgo', false],
  ['1.3.0-beta1+ent', '= 1.3.0-beta1+cgo', true],
  // SemVer 2.0 precedence, not go-version's: alpha < alpha.beta
  ['1.0.0-alpha', '< 1.0.0-alpha.beta', true],
  // strict constraint: no ~>, no dashless prerelease
  ['1.2.0', '~> 1.0', false],
  ['1.2.0', '>= 1.0beta1', false],
  ['v1.30.0', '>= 1.2.0', true],
  ['1.30.0.1', '> 1.30.0', true],
];

describe('semver operator', () => {
  for (const [v, c, want] of semverCases) {
    test(`${JSON.stringify(v)} ${JSON.stringify(c)} → ${want}`, () => assert.equal(matchSemverConstraint(v, c), want));
  }
});

describe('constraint parsing', () => {
  test('counts clauses and rejects malformed ones', () => {
    assert.equal(parseVersionConstraint('>= 1.2, < 1.0')?.length, 2);
    assert.equal(parseVersionConstraint('>= 1.x'), null);
    assert.equal(parseSemverConstraint('~> 1.0'), null);
    assert.equal(parseSemverConstraint('>= 1.0beta1'), null);
    assert.equal(parseVersionConstraint('>= 1.0beta1')?.length, 1);
  });
});

describe('go-version ordering', () => {
  const cases: readonly (readonly [string, string, number])[] = [
    ['1.30', '1.30.0', 0],
    ['1.30.0.1', '1.30', 1],
    ['0.10.0', '0.8.1', 1],
    ['1.0.0-alpha', '1.0.0', -1],
    ['1.0.0-alpha.1', '1.0.0-alpha', 1],
    // go-version's own rule, unlike SemVer 2.0
    ['1.0.0-alpha', '1.0.0-alpha.beta', 1],
    ['1.0.0-2', '1.0.0-10', -1],
    ['1.0.0-rc', '1.0.0-10', 1],
  ];
  for (const [a, b, want] of cases) {
    test(`${a} vs ${b}`, () => {
      const va = parseGoVersion(a);
      const vb = parseGoVersion(b);
      assert.ok(va && vb);
      assert.equal(compareGoVersions(va, vb), want);
    });
  }
});

/**
 * The dispatcher loads `status`'s small list bundle or the whole command's from the arguments
 * (cmd/status-route.ts): only a text list may go to the list's, and a usage error goes there
 * too, where the command reports it as before.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { wantsJobList } from '../../cmd/status-route.js';

describe("status's bundle from its arguments", () => {
  test('the text list, with any flag that keeps it a list, and usage errors: the list bundle', () => {
    for (const argv of [[], ['-verbose'], ['--verbose'], ['-data-dir', 'x'], ['-data-dir=x', '-verbose'], ['-help'], ['-bogus'], ['-data-dir']]) {
      assert.equal(wantsJobList(argv), true, argv.join(' '));
    }
  });
  test('an ID or --json in any spelling: the whole command', () => {
    for (const argv of [['web'], ['-json'], ['--json'], ['-json=true'], ['-data-dir', 'x', 'web'], ['--', '-web'], ['web', 'other']]) {
      assert.equal(wantsJobList(argv), false, argv.join(' '));
    }
  });
});

/** `bivouac --help` lists every command, and every command answers `--help`/`-h` in Nomad's usage style. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cli } from '../helpers/agent.js';

describe('help', () => {
  const top = cli(['--help']);
  const commands = top.stdout
    .split('\n')
    .filter((l) => l.startsWith('    '))
    .map((l) => l.trim().split(/ {2,}/)[0]);

  test('bivouac --help: usage line, every command with a synopsis, exit 0; no arguments: the same on stderr, exit 1', () => {
    assert.equal(top.code, 0);
    assert.equal(top.stdout.split('\n')[0], 'Usage: bivouac [-version] [-help] <command> [args]');
    for (const c of ['agent', 'status', 'version', 'job validate', 'job inspect', 'job plan', 'job push', 'job status', 'alloc status', 'alloc logs', 'alloc exec', 'node status']) {
      assert.ok(commands.includes(c), `${c} missing from --help`);
    }
    const bare = cli([]);
    assert.deepEqual([bare.code, bare.stdout, bare.stderr], [1, '', top.stdout]);
  });

  test('every command: --help and -h print its usage and options on stdout, exit 0', () => {
    for (const c of commands) {
      const words = c.split(' ');
      for (const flag of ['--help', '-h']) {
        const r = cli([...words, flag]);
        assert.equal(r.code, 0, `${c} ${flag}: ${r.stderr}`);
        assert.ok(r.stdout.startsWith(`Usage: bivouac ${c}`), `${c} ${flag}: ${r.stdout}`);
        assert.equal(r.stderr, '', `${c} ${flag}`);
      }
    }
  });

  test('a command group alone lists its subcommands (exit 1; with -help, exit 0)', () => {
    const r = cli(['job']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^Usage: bivouac job <subcommand> \[options\] \[args\]\n/);
    assert.match(r.stderr, /^ {4}push {4,}Register job files with a Nomad cluster$/m);
    const h = cli(['alloc', '-help']);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /^ {4}exec {4,}Execute commands in task$/m);
  });

  test('an unknown command: exit 1 with the usage', () => {
    const r = cli(['frobnicate']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^bivouac: unknown command "frobnicate"\n\nUsage: bivouac /);
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DIAGNOSTICS, formatDiagnostic, unsafeNameReason } from '../../src/jobspec/index.js';
import { errorCodes, errors, parse, wrap } from './helpers.js';

/** One case per code a job file can cause (every code of diagnostics.ts is listed). */
const cases: Readonly<Record<string, string>> = {
  SYNTAX: 'job "x" {\n  group "g" {\n    count = [1,\n  }\n}\n',
  NO_JOB: 'variable "x" {\n default = 1\n}\n',
  MULTIPLE_JOBS: `${wrap({})}\n${wrap({}).replace('job "j"', 'job "k"')}`,
  UNKNOWN_KEY: wrap({ group: 'restart {\n nterval = "10m"\n }' }),
  WRONG_TYPE: wrap({ task: 'kill_signal = ["a"]' }),
  DUPLICATE_BLOCK: wrap({ group: 'ephemeral_disk {}\n ephemeral_disk {}' }),
  MISSING_LABEL: wrap({ group: 'network {\n port {}\n }' }),
  MISSING_REQUIRED: wrap({ task: '' }).replace('command = "/bin/true"', ''),
  INVALID_VALUE: wrap({ job: 'type = "daemon"' }),
  INVALID_DURATION: wrap({ task: 'kill_timeout = "5 seconds"' }),
  OUT_OF_RANGE: wrap({ job: 'priority = 0' }),
  INVALID_CONSTRAINT: wrap({ job: 'constraint {\n attribute = "a"\n operator = "~"\n value = "b"\n }' }),
  INVALID_PORT_LABEL: wrap({ group: 'network {\n port "bad-label" {}\n }' }),
  DUPLICATE_NAME: wrap({}).replace('job "j" {', 'job "j" {\n group "g" {\n task "t" {\n driver = "raw_exec"\n config {\n command = "x"\n }\n }\n }'),
  UNSAFE_NAME: wrap({}).replace('task "t"', 'task ".."'),
  LOG_EXCEEDS_DISK: wrap({ group: 'ephemeral_disk {\n size = 50\n }' }),
  UNDEFINED_VARIABLE: wrap({ job: 'region = var.missing' }),
  MISSING_VARIABLE_VALUE: `variable "x" {}\n${wrap({})}`,
  UNSUPPORTED_EXPRESSION: `variable "x" {\n default = 1\n}\n${wrap({ job: 'region = "${var.x + attr.kernel.name}"' })}`,
  BLOCK_NOT_ALLOWED: wrap({ job: 'type = "batch"', group: 'migrate {}' }),
  SERVICE_INVALID: wrap({ task: 'service {\n name = "a_b"\n }' }),
  CHECK_INVALID: wrap({ task: 'service {\n name = "a"\n check {\n type = "script"\n command = "x"\n interval = "1s"\n }\n }' }),
  PORT_LABEL_UNDEFINED: wrap({ task: 'service {\n name = "a"\n port = "http"\n }' }),
  SCALING_INVALID: wrap({ group: 'scaling {\n min = 1\n }' }),
  UPDATE_INVALID: wrap({ group: 'update {\n canary = -1\n }' }),
  MIGRATE_INVALID: wrap({ group: 'migrate {\n max_parallel = -1\n }' }),
  AFFINITY_INVALID: wrap({ job: 'affinity {\n attribute = "a"\n value = "b"\n weight = 0\n }' }),
  SPREAD_INVALID: wrap({ job: 'spread {\n attribute = "a"\n weight = 0\n }' }),
  VOLUME_INVALID: wrap({ group: 'volume "v" {\n type = "host"\n }' }),
  VAULT_INVALID: wrap({ task: 'vault {\n policies = ["root"]\n }' }),
  NETWORK_INVALID: wrap({ group: 'network {\n port "a" {\n static = 80\n }\n port "b" {\n static = 80\n }\n }' }),
  NO_GROUPS: 'job "j" {\n}\n',
  NO_TASKS: 'job "j" {\n  group "g" {\n  }\n}\n',
  MISSING_DRIVER: 'job "j" {\n  group "g" {\n    task "t" {\n    }\n  }\n}\n',
};

describe('diagnostic codes', () => {
  for (const [code, text] of Object.entries(cases)) {
    test(`${code} is reported, alone`, async () => {
      const r = await parse(text);
      assert.equal(r.job, null);
      assert.deepEqual([...new Set(errorCodes(r))], [code]);
    });
  }

  test('every error code in the table has a case here (bar the ones needing special input)', () => {
    const special = ['PARSER_LIMIT', 'HCL1_PARSED', 'HCL1_FAILED', 'UNDECLARED_VAR_GIVEN'];
    const missing = Object.keys(DIAGNOSTICS).filter((c) => !(c in cases) && !special.includes(c));
    assert.deepEqual(missing, []);
  });

  test("an unknown key names the key and its path in Nomad's arrow form, with file:line:col", async () => {
    const [d] = errors(await parse(wrap({ group: 'restart {\n      nterval = "10m"\n    }' })));
    assert.equal(d.path, 'job "j" → group "g" → restart');
    assert.equal(d.line, 5);
    assert.equal(d.column, 7);
    assert.equal(formatDiagnostic(d), 'job.hcl:5:7: job "j" → group "g" → restart: unknown key "nterval"');
  });

  test('a syntax error has the position the parser gave', async () => {
    const [d] = errors(await parse(cases['SYNTAX']));
    assert.deepEqual([d.file, d.line, d.column], ['job.hcl', 4, 3]);
  });

  test('every problem is collected in one pass', async () => {
    const r = await parse(wrap({ job: 'priority = 101\n bogus = 1', group: 'count = -1', task: 'resources {\n cpu = 0\n memory = 5\n }\n logs {\n max_files = 0\n }' }));
    assert.deepEqual(errorCodes(r).sort(), ['OUT_OF_RANGE', 'OUT_OF_RANGE', 'OUT_OF_RANGE', 'OUT_OF_RANGE', 'OUT_OF_RANGE', 'UNKNOWN_KEY']);
  });

  test("log storage rule uses Nomad's message", async () => {
    const [d] = errors(await parse(cases['LOG_EXCEEDS_DISK']));
    assert.equal(d.message, 'log storage (100 MB) must be less than requested disk capacity (50 MB)');
  });

  test('port values out of 0–65535 are rejected', async () => {
    assert.deepEqual(errorCodes(await parse(wrap({ group: 'network {\n port "p" {\n static = 70000\n }\n }' }))), ['OUT_OF_RANGE']);
  });

  test('duplicate group names are reported', async () => {
    const group = 'group "g" {\n task "t" {\n driver = "raw_exec"\n config {\n command = "x"\n }\n }\n }';
    const text = `job "j" {\n ${group}\n ${group}\n}\n`;
    assert.deepEqual(errorCodes(await parse(text)), ['DUPLICATE_NAME']);
  });
});

describe('names safe as directory names', () => {
  const table: [string, boolean][] = [
    ['web', true], ['web-1.x_y', true], ['ünïcode', true], ['a'.repeat(128), true],
    ['', false], ['.', false], ['..', false], ['a/b', false], ['a\\b', false], ['a\0b', false],
    ['a\nb', false], ['a\x7fb', false], ['a'.repeat(129), false], ['é'.repeat(65), false],
  ];
  for (const [name, ok] of table) {
    test(`${JSON.stringify(name).slice(0, 30)} ${ok ? 'is' : 'is not'} safe`, () => {
      assert.equal(unsafeNameReason(name) === null, ok);
    });
  }

  test('an unsafe job name is an error', async () => {
    assert.deepEqual(errorCodes(await parse(wrap({}).replace('job "j"', 'job "a/b"'))), ['UNSAFE_NAME']);
  });

  test('a task named like the shared alloc dir is an error', async () => {
    assert.deepEqual(errorCodes(await parse(wrap({}).replace('task "t"', 'task "alloc"'))), ['UNSAFE_NAME']);
  });
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { toApiJson } from '../../src/jobspec/index.js';
import { errors, job, parse, wrap } from './helpers.js';

const S = 1e9;

/** The error messages of a job file, with their line numbers. */
async function problems(text: string): Promise<string[]> {
  return errors(await parse(text)).map((d) => `${d.line}: ${d.message}`);
}

describe('reschedule: Nomad defaults and merging', () => {
  test('service default: unlimited, exponential 30s to 1h', async () => {
    const j = await job(wrap({}));
    assert.deepEqual(j.groups[0].reschedule, { attempts: 0, intervalMs: 0, delayMs: 30_000, delayFunction: 'exponential', maxDelayMs: 3_600_000, unlimited: true });
    const g = toApiJson(j).Job['TaskGroups'] as readonly Record<string, unknown>[];
    assert.deepEqual(g[0]['ReschedulePolicy'], { Attempts: 0, Interval: 0, Delay: 30 * S, DelayFunction: 'exponential', MaxDelay: 3600 * S, Unlimited: true });
  });

  test('batch default: 1 attempt in 24h after 5s, constant', async () => {
    const j = await job(wrap({ job: 'type = "batch"' }));
    const g = toApiJson(j).Job['TaskGroups'] as readonly Record<string, unknown>[];
    assert.deepEqual(g[0]['ReschedulePolicy'], { Attempts: 1, Interval: 86400 * S, Delay: 5 * S, DelayFunction: 'constant', MaxDelay: 0, Unlimited: false });
  });

  test('system jobs have none', async () => {
    const j = await job(wrap({ job: 'type = "system"' }));
    assert.equal(j.groups[0].reschedule, null);
    const g = toApiJson(j).Job['TaskGroups'] as readonly Record<string, unknown>[];
    assert.equal(g[0]['ReschedulePolicy'], null);
  });

  test('job block over the type default, group block over that, field by field (as Nomad canonicalizes reschedule-job.hcl)', async () => {
    const j = await job(wrap({
      job: 'type = "batch"\n reschedule {\n attempts = 15\n interval = "30m"\n delay = "10s"\n }',
      group: 'reschedule {\n delay = "20s"\n }',
    }));
    assert.deepEqual(j.groups[0].reschedule, { attempts: 15, intervalMs: 1_800_000, delayMs: 20_000, delayFunction: 'constant', maxDelayMs: 0, unlimited: false });
  });
});

describe('reschedule: Nomad rules', () => {
  const rules: readonly (readonly [string, string, string])[] = [
    ['unlimited with attempts', 'attempts = 3\n interval = "1h"\n unlimited = true', 'If Attempts >0, Unlimited cannot also be set to true'],
    ['unlimited with attempts (ambiguous)', 'attempts = 3\n interval = "1h"\n unlimited = true', 'Reschedule Policy with Attempts = 3, Interval = 1h0m0s, and Unlimited = true is ambiguous'],
    ['bad delay_function', 'delay_function = "linear"', 'Invalid delay function "linear", must be one of ["constant" "exponential" "fibonacci"]'],
    ['max_delay below delay', 'delay = "1m"\n max_delay = "30s"', 'Max Delay cannot be less than Delay 1m0s (got 30s)'],
    ['delay below 5s', 'delay = "1s"', 'Delay cannot be less than 5s (got 1s)'],
    ['attempts without interval', 'unlimited = false\n attempts = 2\n interval = "0s"', 'Interval must be a non zero value if Attempts > 0'],
    ['interval below 15s', 'unlimited = false\n attempts = 1\n interval = "10s"', 'Interval cannot be less than 15s (got 10s)'],
    ['attempts that cannot fit', 'unlimited = false\n attempts = 10\n interval = "1m"\n delay = "10s"\n delay_function = "constant"', 'Nomad can only make 6 attempts in 1m0s with initial delay 10s and delay function "constant"'],
  ];
  for (const [name, body, message] of rules) {
    test(name, async () => {
      const text = wrap({ group: `reschedule {\n ${body}\n }` });
      const r = await parse(text);
      const found = errors(r).find((d) => d.message === message);
      assert.ok(found, `no "${message}" in ${JSON.stringify(errors(r).map((d) => d.message))}`);
      assert.equal(found.code, 'INVALID_VALUE');
      assert.ok(found.line >= 4, `a position inside the group, got line ${found.line}`);
    });
  }

  test('system job with a reschedule block', async () => {
    const p = await problems(wrap({ job: 'type = "system"', group: 'reschedule {\n attempts = 1\n }' }));
    assert.ok(p.some((x) => x.endsWith('System jobs should not have a reschedule policy')), p.join('\n'));
  });

  test('a rule broken by the job-level block points at the job-level block', async () => {
    const r = await parse(wrap({ job: 'reschedule {\n delay_function = "linear"\n }' }));
    const d = errors(r).find((x) => x.message.startsWith('Invalid delay function'));
    assert.ok(d);
    assert.equal(d.line, 3);
  });
});

describe('lifecycle and dispatch_payload', () => {
  test('typed and exported as Nomad names them', async () => {
    const j = await job(wrap({ job: 'type = "batch"\n parameterized {}', task: 'lifecycle {\n hook = "prestart"\n sidecar = true\n }\n dispatch_payload {\n file = "input.json"\n }' }));
    const t = j.groups[0].tasks[0];
    assert.deepEqual(t.lifecycle, { hook: 'prestart', sidecar: true });
    assert.equal(t.dispatchPayloadFile, 'input.json');
    const tasks = (toApiJson(j).Job['TaskGroups'] as readonly Record<string, unknown>[])[0]['Tasks'] as readonly Record<string, unknown>[];
    assert.deepEqual(tasks[0]['Lifecycle'], { Hook: 'prestart', Sidecar: true });
    assert.deepEqual(tasks[0]['DispatchPayload'], { File: 'input.json' });
  });

  test('a main task exports null Lifecycle', async () => {
    const tasks = (toApiJson(await job(wrap({}))).Job['TaskGroups'] as readonly Record<string, unknown>[])[0]['Tasks'] as readonly Record<string, unknown>[];
    assert.equal(tasks[0]['Lifecycle'], null);
    assert.equal(tasks[0]['DispatchPayload'], null);
  });

  test('invalid hook, missing hook, unknown key', async () => {
    assert.deepEqual(await problems(wrap({ task: 'lifecycle {\n hook = "prerun"\n }' })), ['11: invalid hook: prerun']);
    assert.deepEqual((await parse(wrap({ task: 'lifecycle {\n sidecar = true\n }' }))).diagnostics.map((d) => d.code), ['MISSING_REQUIRED']);
    assert.deepEqual((await parse(wrap({ task: 'lifecycle {\n hook = "prestart"\n side = true\n }' }))).diagnostics.map((d) => d.code), ['UNKNOWN_KEY']);
  });

  test('a payload file outside local/ is refused', async () => {
    const p = await problems(wrap({ job: 'type = "batch"', task: 'dispatch_payload {\n file = "../../etc/x"\n }' }));
    assert.deepEqual(p, ['11: dispatch_payload file "../../etc/x" escapes the task\'s local/ directory']);
  });
});

describe('periodic', () => {
  test('typed, Nomad defaults, API JSON', async () => {
    const j = await job(wrap({ job: 'type = "batch"\n periodic {\n cron = "*/15 * * * * *"\n prohibit_overlap = true\n }' }));
    assert.deepEqual(j.periodic, { cron: '*/15 * * * * *', crons: ['*/15 * * * * *'], prohibitOverlap: true, timeZone: 'UTC', enabled: true });
    assert.deepEqual(toApiJson(j).Job['Periodic'], { Enabled: true, Spec: '*/15 * * * * *', SpecType: 'cron', ProhibitOverlap: true, TimeZone: 'UTC' });
  });

  test('crons (Nomad 1.6+)', async () => {
    const j = await job(wrap({ job: 'type = "batch"\n periodic {\n crons = ["0 1 * * *", "@hourly"]\n time_zone = "Europe/Paris"\n }' }));
    assert.deepEqual(j.periodic?.crons, ['0 1 * * *', '@hourly']);
    assert.deepEqual(toApiJson(j).Job['Periodic'], { Enabled: true, Spec: '0 1 * * *', SpecType: 'cron', ProhibitOverlap: false, TimeZone: 'Europe/Paris', Specs: ['0 1 * * *', '@hourly'] });
  });

  test('@daily-style shorthands are valid specs', async () => {
    for (const s of ['@daily', '@hourly', '@weekly', '@monthly', '@yearly', '@annually', '@midnight']) {
      await job(wrap({ job: `type = "batch"\n periodic {\n cron = "${s}"\n }` }));
    }
  });

  test('rules: non-batch job, invalid spec, unknown time zone, both cron and crons', async () => {
    assert.deepEqual(await problems(wrap({ job: 'periodic {\n cron = "@daily"\n }' })), ['2: Periodic can only be used with "batch" or "sysbatch" scheduler']);
    assert.deepEqual(await problems(wrap({ job: 'type = "batch"\n periodic {\n cron = "* * * *"\n }' })), ['4: Invalid cron spec "* * * *": missing field(s)']);
    assert.deepEqual(await problems(wrap({ job: 'type = "batch"\n periodic {\n cron = "@every 5m"\n }' })), ['4: Invalid cron spec "@every 5m": missing field(s)']);
    assert.deepEqual(await problems(wrap({ job: 'type = "batch"\n periodic {\n cron = "61 * * * *"\n }' })), ['4: Invalid cron spec "61 * * * *": syntax error in minute field: \'61\'']);
    assert.deepEqual(await problems(wrap({ job: 'type = "batch"\n periodic {\n cron = "@daily"\n time_zone = "Mars/Base"\n }' })), ['5: Invalid time zone "Mars/Base": unknown time zone Mars/Base']);
    assert.deepEqual(await problems(wrap({ job: 'type = "batch"\n periodic {\n cron = "@daily"\n crons = ["@hourly"]\n }' })), ['5: cron and crons cannot both be set']);
  });

  test('a disabled periodic block is not checked, as in Nomad', async () => {
    await job(wrap({ job: 'periodic {\n cron = "bad"\n enabled = false\n }' }));
  });
});

describe('parameterized', () => {
  test('typed, with Nomad defaults, and exported', async () => {
    const j = await job(wrap({ job: 'type = "batch"\n parameterized {\n meta_required = ["a"]\n }' }));
    assert.deepEqual(j.parameterized, { payload: 'optional', metaRequired: ['a'], metaOptional: [] });
    assert.deepEqual(toApiJson(j).Job['ParameterizedJob'], { Payload: 'optional', MetaRequired: ['a'], MetaOptional: null });
    assert.equal(toApiJson(await job(wrap({}))).Job['ParameterizedJob'], null);
  });

  test('rules: not on service or system jobs, payload mode, disjoint meta', async () => {
    assert.deepEqual(await problems(wrap({ job: 'parameterized {}' })), ['2: Parameterized job can only be used with "batch" or "sysbatch" scheduler']);
    assert.deepEqual(await problems(wrap({ job: 'type = "system"\n parameterized {}' })), ['3: Parameterized job can only be used with "batch" or "sysbatch" scheduler']);
    assert.deepEqual(await problems(wrap({ job: 'type = "batch"\n parameterized {\n payload = "maybe"\n }' })), ['4: Unknown payload requirement: "maybe"']);
    assert.deepEqual(await problems(wrap({ job: 'type = "batch"\n parameterized {\n meta_required = ["a", "b"]\n meta_optional = ["b"]\n }' })), ['5: Required and optional meta keys should be disjoint. Following keys exist in both: [b]']);
  });
});

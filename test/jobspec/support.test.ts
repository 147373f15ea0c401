/** The honoured/parsed table: one warning per parsed-only block, and the README agrees with the code. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { SUPPORT, formatJobWarning, supportTableMarkdown, unhonouredWarnings } from '../../src/jobspec/support.js';
import { jobWarnings } from '../../src/jobspec/template-check.js';
import { GROUP_EXTRA, JOB_EXTRA, TASK_EXTRA } from '../../src/jobspec/schema.js';
import { repoRoot } from '../helpers/paths.js';
import { job, wrap } from './helpers.js';

describe('support table', () => {
  test('the README shows the same table as src/jobspec/support.ts', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const m = /<!-- support-table:begin -->\n([\s\S]*?)\n<!-- support-table:end -->/.exec(readme);
    assert.ok(m, 'README has no support-table markers');
    assert.equal(m[1], supportTableMarkdown(), 'README table differs: regenerate it from supportTableMarkdown()');
  });

  test('every block the decoder keeps aside has a row: a new one cannot be ignored in silence', () => {
    const missing: string[] = [];
    for (const [level, table] of [['job', JOB_EXTRA], ['group', GROUP_EXTRA], ['task', TASK_EXTRA]] as const) {
      for (const key of Object.keys(table)) if (!SUPPORT.some((r) => r.level === level && r.key === key)) missing.push(`${level}.${key}`);
    }
    assert.deepEqual(missing, []);
  });

  test('each row is unique', () => {
    const keys = SUPPORT.map((r) => `${r.level}.${r.key}`);
    assert.equal(new Set(keys).size, keys.length);
  });

  test('a job with nothing parsed-only has no warnings', async () => {
    const j = await job(wrap({ task: 'template {\n data = "x"\n destination = "local/x"\n }\nartifact {\n source = "http://127.0.0.1/a"\n }' }));
    assert.deepEqual(unhonouredWarnings(j), []);
  });

  test('each parsed-only block present gives one warning naming it, at every level', async () => {
    const j = await job(wrap({
      job: 'update {\n max_parallel = 1\n }\naffinity {\n attribute = "${node.class}"\n value = "a"\n weight = 50\n }',
      group: 'service {\n name = "web"\n }\nscaling {\n min = 1\n max = 2\n }',
      task: 'vault {\n policies = ["p"]\n }\nservice {\n name = "t"\n }\nscaling "cpu" {\n min = 100\n max = 200\n }\ntemplate {\n data = "x"\n destination = "local/x"\n wait {\n min = "1s"\n }\n }\nartifact {\n source = "http://127.0.0.1/a"\n chown = true\n }',
    }));
    const got = unhonouredWarnings(j).map((w) => `${w.path} ${w.key}`);
    assert.deepEqual(got, [
      'job "j" update',
      'job "j" affinity',
      'job "j" → group "g" scaling',
      'job "j" → group "g" service',
      'job "j" → group "g" → task "t" service',
      'job "j" → group "g" → task "t" vault',
      'job "j" → group "g" → task "t" scaling',
      'job "j" → group "g" → task "t" → template 1 wait',
      'job "j" → group "g" → task "t" → artifact 1 chown',
    ]);
    assert.match(formatJobWarning(unhonouredWarnings(j)[3]), /^job "j" → group "g": "service" is parsed but not acted on: bivouac has no Consul/);
  });

  test('an inline template calling a server function, or not parsing, warns now rather than only at run time', async () => {
    const j = await job(wrap({ task: 'template {\n data = "{{ key \\"a\\" }}{{ secret \\"b\\" }}{{ env \\"X\\" }}"\n destination = "local/x"\n }\ntemplate {\n data = "{{ if }}"\n destination = "local/y"\n }\ntemplate {\n source = "local/z.tpl"\n destination = "local/z"\n }' }));
    assert.deepEqual(jobWarnings(j).map(formatJobWarning), [
      'job "j" → group "g" → task "t" → template 1: template "local/x" calls "key", which needs a Consul server, which bivouac does not have: the task will fail before it starts',
      'job "j" → group "g" → task "t" → template 1: template "local/x" calls "secret", which needs a Vault server, which bivouac does not have: the task will fail before it starts',
      `job "j" → group "g" → task "t" → template 2: template "local/y" does not parse (${jobWarnings(j)[2].message.split('does not parse (')[1].split('): ')[0]}): the task will fail before it starts`,
    ]);
    assert.match(jobWarnings(j)[2].message, /missing value for if/);
  });

  test('honoured blocks give no warning', async () => {
    const j = await job(wrap({ job: 'type = "batch"\nperiodic {\n cron = "* * * * *"\n }', task: 'lifecycle {\n hook = "prestart"\n }' }));
    assert.deepEqual(unhonouredWarnings(j), []);
  });
});

/**
 * `template` and `artifact`: decode, defaults, validation, and the API JSON checked against
 * what a real Nomad 1.0.18 canonicalised for every corpus file that has them.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseJobFile, toApiJson, type ApiObject } from '../../src/jobspec/index.js';
import { corpusDir } from '../helpers/paths.js';
import { errors, job, parse, wrap } from './helpers.js';

const nomadDir = join(corpusDir, 'nomad-1.0.18');

/** `group/task` → the task's API object. */
function tasksOf(canon: ApiObject): Map<string, ApiObject> {
  const groups = (canon['TaskGroups'] ?? []) as readonly ApiObject[];
  return new Map(groups.flatMap((g) => ((g['Tasks'] ?? []) as readonly ApiObject[]).map((t) => [`${String(g['Name'])}/${String(t['Name'])}`, t] as const)));
}


describe('template and artifact API JSON against Nomad 1.0.18', () => {
  const rows = existsSync(join(corpusDir, 'MANIFEST.tsv'))
    ? readFileSync(join(corpusDir, 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t')[0])
    : [];
  test('every corpus file with templates or artifacts that both accept exports the same blocks', { skip: rows.length === 0 }, async () => {
    let compared = 0;
    for (const path of rows) {
      const refFile = join(nomadDir, `${path}.json`);
      if (!existsSync(refFile)) continue;
      const ref = JSON.parse(readFileSync(refFile, 'utf8')) as { canonical: ApiObject | null };
      if (ref.canonical === null) continue;
      const refTasks = tasksOf(ref.canonical);
      if (![...refTasks.values()].some((t) => t['Templates'] || t['Artifacts'])) continue;
      const r = await parseJobFile(path, readFileSync(join(corpusDir, path), 'utf8'));
      if (r.job === null) continue;
      const ours = tasksOf(toApiJson(r.job).Job);
      for (const [name, t] of refTasks) {
        for (const key of ['Templates', 'Artifacts']) {
          assert.deepEqual(ours.get(name)?.[key] ?? null, t[key] ?? null, `${path}: task ${name} ${key}`);
        }
      }
      compared++;
    }
    assert.ok(compared >= 15, `compared only ${compared} files`);
  });
});

describe('template decode', () => {
  test("Nomad's defaults", async () => {
    const j = await job(wrap({ task: 'template {\n data = "x"\n destination = "local/a"\n }' }));
    const t = j.groups[0].tasks[0].templates[0];
    assert.deepEqual(t, {
      source: '', destination: 'local/a', data: 'x', changeMode: 'restart', changeSignal: '', splayMs: 5000, perms: '0644',
      uid: null, gid: null, leftDelim: '{{', rightDelim: '}}', env: false, errorOnMissingKey: false, vaultGraceMs: 0, extra: {},
    });
  });

  const bad: readonly [string, string][] = [
    ['no source or data', 'template {\n destination = "local/a"\n }'],
    ['no destination', 'template {\n data = "x"\n }'],
    ['destination escaping the alloc dir', 'template {\n data = "x"\n destination = "../../etc/passwd"\n }'],
    ['unknown change_mode', 'template {\n data = "x"\n destination = "a"\n change_mode = "reload"\n }'],
    ['signal without change_signal', 'template {\n data = "x"\n destination = "a"\n change_mode = "signal"\n }'],
    ['signal with env', 'template {\n data = "x"\n destination = "a"\n env = true\n change_mode = "signal"\n change_signal = "SIGHUP"\n }'],
    ['perms not octal', 'template {\n data = "x"\n destination = "a"\n perms = "0999"\n }'],
  ];
  for (const [name, text] of bad) {
    test(`refused: ${name}`, async () => {
      const r = await parse(wrap({ task: text }));
      assert.equal(r.job, null);
      assert.equal(errors(r).length, 1);
      assert.match(errors(r)[0].code, /^TEMPLATE_IN(VALID|COMPLETE)$/);
    });
  }

  test('change_mode "script" is accepted with its change_script (parsed only)', async () => {
    const j = await job(wrap({ task: 'template {\n data = "x"\n destination = "a"\n change_mode = "script"\n change_script {\n command = "/bin/true"\n }\n }' }));
    assert.equal(j.groups[0].tasks[0].templates[0].changeMode, 'script');
    assert.deepEqual(j.groups[0].tasks[0].templates[0].extra, { ChangeScript: { Command: '/bin/true' } });
  });

  test('uid, gid and error_on_missing_key are exported only when written (newer than Nomad 1.0)', async () => {
    const j = await job(wrap({ task: 'template {\n data = "x"\n destination = "local/a"\n uid = 1000\n gid = 100\n error_on_missing_key = true\n }' }));
    const tg = toApiJson(j).Job['TaskGroups'] as readonly ApiObject[];
    const t = ((tg[0]['Tasks'] as readonly ApiObject[])[0]['Templates'] as readonly ApiObject[])[0];
    assert.equal(t['Uid'], 1000);
    assert.equal(t['Gid'], 100);
    assert.equal(t['ErrMissingKey'], true);
  });

  test('a destination in the shared alloc dir or with ${…} is accepted', async () => {
    const j = await job(wrap({ task: 'template {\n data = "x"\n destination = "../alloc/data/x"\n }\ntemplate {\n data = "y"\n destination = "${NOMAD_SECRETS_DIR}/y"\n }' }));
    assert.equal(j.groups[0].tasks[0].templates.length, 2);
  });
});

describe('artifact decode', () => {
  test("Nomad's defaults and the API names", async () => {
    const j = await job(wrap({ task: 'artifact {\n source = "https://example.com/a.tgz"\n options {\n checksum = "md5:d41d8cd98f00b204e9800998ecf8427e"\n }\n headers {\n X-Token = "t"\n }\n }' }));
    const t = toApiJson(j).Job['TaskGroups'] as readonly ApiObject[];
    const task = (t[0]['Tasks'] as readonly ApiObject[])[0];
    assert.deepEqual(task['Artifacts'], [{
      GetterSource: 'https://example.com/a.tgz', GetterOptions: { checksum: 'md5:d41d8cd98f00b204e9800998ecf8427e' },
      GetterHeaders: { 'X-Token': 't' }, GetterMode: 'any', RelativeDest: 'local/',
    }]);
  });

  const bad: readonly [string, string][] = [
    ['no source', 'artifact {\n destination = "local/"\n }'],
    ['unknown mode', 'artifact {\n source = "http://x/a"\n mode = "tree"\n }'],
    ['destination escaping', 'artifact {\n source = "http://x/a"\n destination = "../../../tmp"\n }'],
    ['destination outside the task dir', 'artifact {\n source = "http://x/a"\n destination = "../alloc/data"\n }'],
    ['checksum type', 'artifact {\n source = "http://x/a"\n options {\n checksum = "crc32:abcd"\n }\n }'],
    ['checksum length', 'artifact {\n source = "http://x/a"\n options {\n checksum = "sha256:abcd"\n }\n }'],
  ];
  for (const [name, text] of bad) {
    test(`refused: ${name}`, async () => {
      const r = await parse(wrap({ task: text }));
      assert.equal(r.job, null);
      assert.deepEqual(errors(r).map((d) => d.code), ['ARTIFACT_INVALID']);
    });
  }
});

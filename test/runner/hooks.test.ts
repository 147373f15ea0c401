/**
 * The prestart hooks alone, on real directories (buildAllocDir) and a real local HTTP
 * server: what each writes, which events it emits, how it fails, and the template watch
 * driving a fake TaskControl passed in as Nomad's TaskLifecycle would be.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_ARTIFACT_LIMITS } from '../../src/artifact/index.js';
import type { TaskConfig } from '../../src/drivers/types.js';
import type { TemplateSpec } from '../../src/jobspec/types.js';
import { artifactHook } from '../../src/runner/hooks/artifact-hook.js';
import { templateHook } from '../../src/runner/hooks/template-hook.js';
import { TaskHookError, type TaskControl } from '../../src/runner/hooks/types.js';
import { buildAllocDir } from '../../src/runner/taskdir.js';
import { silentLogger } from '../../src/util/logger.js';
import { waitFor, writeFileAtomic } from '../helpers/agent.js';
import { startServer, type TestServer } from '../helpers/http-server.js';

const root = mkdtempSync(join(tmpdir(), 'bivouac-hooks-'));
let server: TestServer;
let n = 0;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

function cfg(env: Record<string, string> = {}): TaskConfig {
  const allocId = `a${++n}`;
  const p = buildAllocDir(join(root, 'data'), allocId, ['t']);
  const d = p.tasks.get('t');
  assert.ok(d);
  return {
    id: `${allocId}.0.t`, allocId, jobId: 'j', groupName: 'g', taskName: 't', driverConfig: {}, user: '',
    env: { NOMAD_TASK_NAME: 't', NOMAD_TASK_DIR: d.local, ...env },
    resources: { cpu: 100, memoryMB: 64 }, ports: [],
    dirs: { allocDir: p.allocDir, taskDir: d.dir, localDir: d.local, secretsDir: d.secrets, tmpDir: d.tmp },
    stdoutPath: join(p.logsDir, 't.stdout.0'), stderrPath: join(p.logsDir, 't.stderr.0'),
  } as TaskConfig;
}

function tmpl(over: Partial<TemplateSpec>): TemplateSpec {
  return {
    source: '', destination: 'local/out', data: '', changeMode: 'restart', changeSignal: '', splayMs: 0, perms: '0644', uid: null, gid: null,
    leftDelim: '{{', rightDelim: '}}', env: false, errorOnMissingKey: false, vaultGraceMs: 0, extra: {}, ...over,
  };
}

const log = silentLogger;
const hookOf = (templates: TemplateSpec[], pollMs = 50) =>
  templateHook({ templates, taskName: 't', nodeVars: { 'attr.kernel.name': 'linux' }, internalEnv: ['BIVOUAC_TASK_ID'], pollMs, rand: () => 0.5, log });

interface Recorder {
  events: [string, string][];
  emit: (type: string, message: string) => void;
}
function recorder(): Recorder {
  const events: [string, string][] = [];
  return { events, emit: (type, message) => void events.push([type, message]) };
}

async function prestart(h: ReturnType<typeof hookOf>, c: TaskConfig, r = recorder()) {
  assert.ok(h.prestart);
  return h.prestart({ cfg: c, emit: r.emit, signal: new AbortController().signal });
}

describe('template hook', () => {
  test('renders with perms, owner and no temp file left; env = true gives variables; denylisted env is hidden', async () => {
    const c = cfg({ VAULT_TOKEN: 'secret', BIVOUAC_TASK_ID: 'marker', APP: 'web' });
    const h = hookOf([
      tmpl({ destination: 'local/app.conf', data: 'app={{ env "APP" }} vault=[{{ env "VAULT_TOKEN" }}] marker=[{{ env "BIVOUAC_TASK_ID" }}]\n', perms: '0600', uid: 1234, gid: 4321 }),
      tmpl({ destination: '${NOMAD_SECRETS_DIR}/e.env', data: 'A={{ env "APP" }}\nB="x y"\n', env: true }),
      tmpl({ destination: '${NOMAD_ALLOC_DIR}/data/shared.txt', data: 'shared\n' }),
    ]);
    const r = await prestart(h, c);
    const file = join(c.dirs.localDir, 'app.conf');
    assert.equal(readFileSync(file, 'utf8'), 'app=web vault=[] marker=[]\n');
    const st = statSync(file);
    assert.equal(st.mode & 0o777, 0o600);
    assert.deepEqual([st.uid, st.gid], [1234, 4321]);
    assert.deepEqual(r.env, { A: 'web', B: 'x y' });
    assert.equal(readFileSync(join(c.dirs.secretsDir, 'e.env'), 'utf8'), 'A=web\nB="x y"\n');
    assert.equal(readFileSync(join(c.dirs.allocDir, 'data', 'shared.txt'), 'utf8'), 'shared\n');
    assert.deepEqual(readdirSync(c.dirs.localDir).filter((f) => f.endsWith('.tmp')), []);
  });

  test('setuid and setgid are dropped from perms', async () => {
    const c = cfg();
    await prestart(hookOf([tmpl({ data: 'x', perms: '6755' })]), c);
    assert.equal(statSync(join(c.dirs.localDir, 'out')).mode & 0o7777, 0o755);
  });

  test('file reads relative to the task dir, never outside the allocation dir; custom delimiters', async () => {
    const c = cfg();
    writeFileSync(join(c.dirs.localDir, 'in.txt'), 'inside');
    const ok = hookOf([tmpl({ data: '[[ file "local/in.txt" ]]', leftDelim: '[[', rightDelim: ']]' })]);
    await prestart(ok, c);
    assert.equal(readFileSync(join(c.dirs.localDir, 'out'), 'utf8'), 'inside');
    const out = hookOf([tmpl({ data: '{{ file "/etc/hostname" }}' })]);
    await assert.rejects(prestart(out, c), (e: unknown) => e instanceof TaskHookError && e.eventType === 'Killing' && /Template failed: .*outside the allocation directory/.test(e.userMessage));
  });

  test('error_on_missing_key fails with Template failed; the default prints <no value>', async () => {
    const c = cfg();
    await prestart(hookOf([tmpl({ data: '{{ .missing }}' })]), c);
    assert.equal(readFileSync(join(c.dirs.localDir, 'out'), 'utf8'), '<no value>');
    await assert.rejects(prestart(hookOf([tmpl({ data: '{{ .missing }}', errorOnMissingKey: true })]), c), (e: unknown) =>
      e instanceof TaskHookError && e.eventType === 'Killing' && e.recoverable === false && /^Template failed: .*missing/.test(e.userMessage));
  });

  for (const [fn, server] of [['key "a/b"', 'Consul'], ['secret "kv/x"', 'Vault'], ['nomadVar "x"', 'Nomad']] as const) {
    test(`${fn.split(' ')[0]} fails before start with a Template event naming ${server}`, async () => {
      await assert.rejects(prestart(hookOf([tmpl({ data: `x={{ ${fn} }}` })]), cfg()), (e: unknown) =>
        e instanceof TaskHookError && e.eventType === 'Template' && !e.recoverable && e.userMessage.includes(`function "${fn.split(' ')[0]}" needs a ${server} server`));
    });
  }

  test('a bad env file fails naming the destination', async () => {
    await assert.rejects(prestart(hookOf([tmpl({ destination: 'local/x.env', data: 'not an env line', env: true })]), cfg()), (e: unknown) =>
      e instanceof TaskHookError && /Template failed to read environment variables: local\/x.env: line 1/.test(e.userMessage));
  });

  test('the watch applies change_mode: restart, signal (once per signal), noop; stop ends it', async () => {
    const c = cfg();
    for (const f of ['r', 's', 'n']) writeFileSync(join(c.dirs.localDir, `${f}.tpl`), 'one');
    const h = hookOf([
      tmpl({ source: 'local/r.tpl', destination: 'local/r.out', changeMode: 'restart' }),
      tmpl({ source: 'local/s.tpl', destination: 'local/s.out', changeMode: 'signal', changeSignal: 'SIGHUP' }),
      tmpl({ source: 'local/n.tpl', destination: 'local/n.out', changeMode: 'noop' }),
    ]);
    await prestart(h, c);
    const calls: string[] = [];
    // The watch waits on each signal it sends: while the test holds it there, no pass reads a
    // source, so changes made meanwhile all reach the next pass together.
    let held: Promise<void> = Promise.resolve();
    const ctl: TaskControl = {
      emit: (type, message) => void calls.push(`event ${type} ${message}`),
      restart: async (reason) => void calls.push(`restart ${reason}`),
      signal: async (sig, reason) => {
        calls.push(`signal ${sig} ${reason}`);
        await held;
        return true;
      },
    };
    h.poststart?.(ctl);
    // Sources are renamed in whole: a 50 ms poll could read a truncated file, render it and
    // count one change more.
    const edit = (name: string, text: string): void => writeFileAtomic(join(c.dirs.localDir, name), text);
    try {
      edit('n.tpl', 'two');
      await waitFor('noop re-rendered', () => readFileSync(join(c.dirs.localDir, 'n.out'), 'utf8') === 'two');
      let release = (): void => undefined;
      held = new Promise((r) => (release = r));
      edit('s.tpl', 'two');
      await waitFor('signal sent', () => calls.length > 0);
      assert.deepEqual(calls, ['signal SIGHUP Template re-rendered']);
      edit('r.tpl', 'two');
      edit('s.tpl', 'three');
      release();
      await waitFor('restart asked', () => calls.length > 1);
      assert.deepEqual(calls, ['signal SIGHUP Template re-rendered', 'restart Template with change_mode restart re-rendered'], 'restart wins over signal in one pass');
    } finally {
      h.stop?.();
    }
    const seen = calls.length;
    writeFileAtomic(join(c.dirs.localDir, 'r.tpl'), 'four');
    await new Promise((r) => setTimeout(r, 200)); // bounded wait for something that must not happen
    assert.equal(calls.length, seen);
    assert.equal(readFileSync(join(c.dirs.localDir, 'r.out'), 'utf8'), 'two');
  });
});

describe('artifact hook', () => {
  test('Downloading Artifacts, interpolated source, then the file; a failure is Failed Artifact Download, recoverable', async () => {
    server.route('/linux/tool', Buffer.from('T'));
    const c = cfg();
    const r = recorder();
    const h = artifactHook({
      artifacts: [{ source: `${server.url}/\${attr.kernel.name}/tool`, destination: '${NOMAD_TASK_DIR}/bin', mode: 'any', options: {}, headers: {}, extra: {} }],
      limits: DEFAULT_ARTIFACT_LIMITS,
      nodeVars: { 'attr.kernel.name': 'linux' },
    });
    assert.deepEqual(await h.prestart?.({ cfg: c, emit: r.emit, signal: new AbortController().signal }), {});
    assert.deepEqual(r.events, [['Downloading Artifacts', 'Client is downloading artifacts']]);
    assert.equal(readFileSync(join(c.dirs.localDir, 'bin', 'tool'), 'utf8'), 'T');

    const bad = artifactHook({ artifacts: [{ source: `${server.url}/nope`, destination: 'local/', mode: 'any', options: {}, headers: {}, extra: {} }], limits: DEFAULT_ARTIFACT_LIMITS, nodeVars: {} });
    await assert.rejects(bad.prestart?.({ cfg: c, emit: () => undefined, signal: new AbortController().signal }) ?? Promise.resolve(), (e: unknown) =>
      e instanceof TaskHookError && e.eventType === 'Failed Artifact Download' && e.recoverable
      && e.userMessage === `failed to download artifact "${server.url}/nope": bad response code: 404` && e.details['downloadError'] === e.userMessage);
  });
});

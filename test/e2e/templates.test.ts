/**
 * Templates and artifacts end to end: the real agent, raw_exec tasks, a local HTTP server
 * started here, state checked through `bivouac status --json` and `alloc logs`.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { makeTar } from '../helpers/archives.js';
import { allocStatus, cli, jobStatus, sandbox, startAgent, waitFor, waitPassSince, writeFileAtomic, type AllocJson, type RunningAgent, type Sandbox } from '../helpers/agent.js';
import { startServer, type TestServer } from '../helpers/http-server.js';

let server: TestServer;
let sb: Sandbox;
let agent: RunningAgent;

before(async () => {
  server = await startServer();
  sb = sandbox('bivouac-tmpl-');
  const config = join(sb.root, 'agent.hcl');
  // A short rescan: the template watch polls at this period.
  writeFileSync(config, 'bivouac {\n  rescan_interval = "200ms"\n}\nclient {\n  artifact {\n    http_max_size = "300MB"\n  }\n}\n');
  agent = startAgent(sb, ['--config', config]);
});
after(async () => {
  await agent.stop();
  sb.cleanup();
  await server.close();
});

function job(id: string, task: string, opts: { script: string; attempts?: number; type?: string; env?: string }): string {
  return `job "${id}" {
  type = "${opts.type ?? 'service'}"
  group "g" {
    restart {
      attempts = ${opts.attempts ?? 0}
      interval = "10m"
      delay = "100ms"
      mode = "fail"
    }
    task "t" {
      driver = "raw_exec"
      kill_timeout = "2s"
      config {
        command = "/bin/sh"
        args = ["-c", ${JSON.stringify(opts.script)}]
      }
      env {
        ${opts.env ?? ''}
      }
      resources {
        cpu = 20
        memory = 16
      }
${task}
    }
  }
}
`;
}

function alloc(id: string): AllocJson | null {
  const s = jobStatus(sb, id);
  const a = s?.Allocations[0];
  return a ? allocStatus(sb, a.ID) : null;
}

function events(a: AllocJson): string[] {
  return a.TaskStates['t']?.Events.map((e) => e.Type) ?? [];
}

function logs(allocId: string): string {
  const r = cli(['alloc', 'logs', '--data-dir', sb.dataDir, allocId, 't']);
  return r.code === 0 ? r.stdout : '';
}

function localFile(a: AllocJson, rel: string): string {
  return readFileSync(join(sb.dataDir, 'alloc', a.ID, 't', rel), 'utf8');
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('templates', () => {
  test('env, file (from an artifact) and a range over split render local/app.conf before the task cats it; status warns', async () => {
    server.route('/greeting.txt', Buffer.from('hello from the artifact'));
    sb.writeJob('conf.nomad', job('conf', `
      artifact {
        source = "${server.url}/greeting.txt"
      }
      template {
        destination = "local/app.conf"
        data = <<EOT
task={{ env "NOMAD_TASK_NAME" }}
greeting={{ file "local/greeting.txt" }}
{{ range $i, $h := split "," (env "HOSTS") }}host{{ $i }}={{ $h }}
{{ end }}missing={{ .nothing }}
EOT
      }
      service {
        name = "conf"
      }`, { script: 'cat local/app.conf; exec sleep 300', env: 'HOSTS = "a,b,c"' }));
    const a = await waitFor('conf running', () => {
      const x = alloc('conf');
      return x?.ClientStatus === 'running' ? x : null;
    });
    const out = await waitFor('app.conf in alloc logs', () => (logs(a.ID).includes('host2=c') ? logs(a.ID) : null));
    assert.equal(out, 'task=t\ngreeting=hello from the artifact\nhost0=a\nhost1=b\nhost2=c\nmissing=<no value>\n');
    assert.deepEqual(events(a).slice(0, 4), ['Received', 'Task Setup', 'Downloading Artifacts', 'Started']);
    const status = cli(['status', '--data-dir', sb.dataDir, 'conf']);
    assert.match(status.stdout, /\nWarnings\n {2}\* job "conf" → group "g" → task "t": "service" is parsed but not acted on/);
    // The agent logs it once for this version, not on every rescan.
    const warned = (): number => agent.output().split('\n').filter((l) => l.includes('"msg":"job warning"') && l.includes('"jobId":"conf"')).length;
    // Two passes begun after now (the second after the first): rescans that must not warn again.
    await waitPassSince(agent);
    await waitPassSince(agent);
    assert.equal(warned(), 1);
  });

  test('env = true: the rendered KEY=VALUE lines join the task environment', async () => {
    sb.writeJob('envt.nomad', job('envt', `
      template {
        destination = "secrets/app.env"
        env = true
        data = <<EOT
# a comment
FOO={{ env "NOMAD_JOB_ID" }}-value
QUOTED="two words\\tand a tab"
EOT
      }`, { script: 'printf "FOO=%s QUOTED=%s ARG=%s\\n" "$FOO" "$QUOTED" "$0"; exec sleep 300' }).replace(/args = \["-c", (".*?")\]/, 'args = ["-c", $1, "${FOO}"]'));
    const a = await waitFor('envt running', () => {
      const x = alloc('envt');
      return x?.ClientStatus === 'running' ? x : null;
    });
    await waitFor('env in logs', () => logs(a.ID).includes('FOO=envt-value QUOTED=two words\tand a tab ARG=envt-value\n'));
  });

  test('a template calling key fails the task before it starts, naming Consul, without restarts', async () => {
    sb.writeJob('kv.nomad', job('kv', `
      template {
        destination = "local/x"
        data = "{{ key \\"service/config\\" }}"
      }`, { script: 'echo should-not-run', attempts: 3 }));
    const a = await waitFor('kv failed', () => {
      const x = alloc('kv');
      return x?.ClientStatus === 'failed' ? x : null;
    });
    const ev = a.TaskStates['t'].Events;
    const tmpl = ev.find((e) => e.Type === 'Template');
    assert.ok(tmpl, `no Template event in ${events(a).join(', ')}`);
    assert.match(tmpl.DisplayMessage, /function "key" needs a Consul server/);
    assert.equal(ev.some((e) => e.Type === 'Started' || e.Type === 'Restarting'), false);
    assert.equal(logs(a.ID), '');
  });

  const watched = (id: string, mode: string, script: string): string => job(id, `
      artifact {
        source = "${server.url}/tmpl-${id}.tpl"
        mode = "file"
        destination = "local/in.tpl"
      }
      template {
        source = "local/in.tpl"
        destination = "local/out.txt"
        change_mode = "${mode}"
        ${mode === 'signal' ? 'change_signal = "SIGHUP"' : ''}
        splay = "10ms"
      }`, { script });

  test('a changed source with change_mode restart restarts the task with the new render', async () => {
    server.route('/tmpl-rs.tpl', Buffer.from('version one {{ env "NOMAD_TASK_NAME" }}\n'));
    sb.writeJob('rs.nomad', watched('rs', 'restart', 'cat local/out.txt; exec sleep 300'));
    const a = await waitFor('rs running', () => {
      const x = alloc('rs');
      return x?.ClientStatus === 'running' ? x : null;
    });
    await waitFor('first render logged', () => logs(a.ID).includes('version one t'));
    // The artifact is fetched again on restart: serve the new text too, so both agree.
    server.route('/tmpl-rs.tpl', Buffer.from('version two\n'));
    // Renamed in whole, as in every edit of a watched source here: a poll that read it truncated
    // would render an empty file and apply change_mode once more.
    writeFileAtomic(join(sb.dataDir, 'alloc', a.ID, 't', 'local', 'in.tpl'), 'version two\n');
    const b = await waitFor('restarted', () => {
      const x = alloc('rs');
      return x && events(x).includes('Restart Signaled') && x.TaskStates['t'].State === 'running' && logs(x.ID).includes('version two') ? x : null;
    });
    const ev = b.TaskStates['t'].Events;
    assert.equal(ev.find((e) => e.Type === 'Restart Signaled')?.DisplayMessage, 'Template with change_mode restart re-rendered');
    // The job allows 0 restarts: running again, with no Not Restarting, means the policy did not count it.
    assert.equal(ev.some((e) => e.Type === 'Not Restarting'), false, 'a template restart is outside the restart policy');
  });

  test('a changed source with change_mode signal delivers the signal; noop does neither', async () => {
    server.route('/tmpl-sg.tpl', Buffer.from('one\n'));
    server.route('/tmpl-np.tpl', Buffer.from('one\n'));
    sb.writeJob('sg.nomad', watched('sg', 'signal', 'trap "echo got-HUP; cat local/out.txt" HUP; echo ready; while true; do sleep 0.1; done'));
    sb.writeJob('np.nomad', watched('np', 'noop', 'echo ready; exec sleep 300'));
    const sg = await waitFor('sg ready', () => {
      const x = alloc('sg');
      return x && logs(x.ID).includes('ready') ? x : null;
    });
    const np = await waitFor('np ready', () => {
      const x = alloc('np');
      return x && logs(x.ID).includes('ready') ? x : null;
    });
    writeFileAtomic(join(sb.dataDir, 'alloc', sg.ID, 't', 'local', 'in.tpl'), 'two\n');
    writeFileAtomic(join(sb.dataDir, 'alloc', np.ID, 't', 'local', 'in.tpl'), 'two\n');
    await waitFor('HUP handled with the new render', () => logs(sg.ID).includes('got-HUP\ntwo\n'));
    const s = alloc('sg') as AllocJson;
    assert.equal(s.TaskStates['t'].Events.find((e) => e.Type === 'Signaling')?.DisplayMessage, 'Task being sent signal SIGHUP: Template re-rendered');
    assert.equal(s.TaskStates['t'].Restarts, 0);
    await waitFor('noop re-rendered', () => localFile(np, 'local/out.txt') === 'two\n');
    const n = alloc('np') as AllocJson;
    assert.equal(n.TaskStates['t'].Restarts, 0);
    assert.equal(events(n).some((e) => e === 'Signaling' || e === 'Restart Signaled'), false);
    assert.equal(n.TaskStates['t'].State, 'running');
  });
});

describe('artifacts', () => {
  const tarball = gzipSync(makeTar([{ name: 'app/', type: '5' }, { name: 'app/run.sh', data: '#!/bin/sh\necho run.sh ran\n', mode: 0o755 }, { name: 'app/conf', data: 'conf=1\n' }]));

  test('a tarball is downloaded, its checksum verified and unpacked before the task starts', async () => {
    server.route('/app.tar.gz', tarball);
    sb.writeJob('tgz.nomad', job('tgz', `
      artifact {
        source = "${server.url}/app.tar.gz"
        options {
          checksum = "sha256:${sha256(tarball)}"
        }
      }`, { script: 'local/app/run.sh; cat local/app/conf; exec sleep 300' }));
    const a = await waitFor('tgz running', () => {
      const x = alloc('tgz');
      return x?.ClientStatus === 'running' ? x : null;
    });
    await waitFor('unpacked files used by the task', () => logs(a.ID) === 'run.sh ran\nconf=1\n');
  });

  test('a wrong checksum is a Failed Artifact Download, and the restart policy retries then fails', async () => {
    server.route('/bad.tar.gz', tarball);
    sb.writeJob('badsum.nomad', job('badsum', `
      artifact {
        source = "${server.url}/bad.tar.gz"
        options {
          checksum = "sha256:${'0'.repeat(64)}"
        }
      }`, { script: 'echo should-not-run', attempts: 1 }));
    const a = await waitFor('badsum failed', () => {
      const x = alloc('badsum');
      return x?.ClientStatus === 'failed' ? x : null;
    }, 30_000);
    const ev = a.TaskStates['t'].Events;
    const failedDownloads = ev.filter((e) => e.Type === 'Failed Artifact Download');
    assert.equal(failedDownloads.length, 2, events(a).join(', '));
    assert.match(failedDownloads[0].DisplayMessage, /^failed to download artifact "http:\/\/127\.0\.0\.1:\d+\/bad\.tar\.gz": checksums did not match/);
    assert.deepEqual(ev.map((e) => e.Type).filter((t) => t === 'Restarting' || t === 'Not Restarting'), ['Restarting', 'Not Restarting']);
    assert.equal(logs(a.ID), '');
  });

  test('a tarball with a ../ entry is refused', async () => {
    server.route('/evil.tar', makeTar([{ name: 'ok.txt', data: 'fine' }, { name: '../../../evil.txt', data: 'bad' }]));
    sb.writeJob('evil.nomad', job('evil', `
      artifact {
        source = "${server.url}/evil.tar"
      }`, { script: 'echo should-not-run' }));
    const a = await waitFor('evil failed', () => {
      const x = alloc('evil');
      return x?.ClientStatus === 'failed' ? x : null;
    });
    const msg = a.TaskStates['t'].Events.find((e) => e.Type === 'Failed Artifact Download')?.DisplayMessage ?? '';
    assert.match(msg, /archive entry "\.\.\/\.\.\/\.\.\/evil\.txt" escapes the destination; refused/);
  });

  test('a 200 MB artifact streams to disk: the agent grows by far less than the file', async () => {
    // An agent of its own: the shared one carries every earlier test's heap, which V8 and
    // glibc do not hand back, so its RSS says more about this file than about a download.
    const shared = { sb, agent };
    sb = sandbox('bivouac-tmpl-big-');
    const config = join(sb.root, 'agent.hcl');
    writeFileSync(config, 'client {\n  artifact {\n    http_max_size = "300MB"\n  }\n}\n');
    agent = startAgent(sb, ['--config', config]);
    try {
      await bigArtifact();
    } finally {
      await agent.stop();
      sb.cleanup();
      ({ sb, agent } = shared);
    }
  });
});

async function bigArtifact(): Promise<void> {
  {
    const size = 200 * 1024 * 1024;
    const rssMB = (): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${agent.proc.pid}/status`, 'utf8'))?.[1]) / 1024;
    server.route('/big.bin', { size, chunk: Buffer.alloc(1024 * 1024, 7) });
    // Warm the agent first (first parse, first placement), so the growth measured is the download's.
    sb.writeJob('warm.nomad', job('warm', '', { script: 'exec sleep 300' }));
    await waitFor('warm running', () => alloc('warm')?.ClientStatus === 'running');
    const before = rssMB();
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssMB());
    }, 20);
    try {
      sb.writeJob('big.nomad', job('big', `
      artifact {
        source = "${server.url}/big.bin"
      }`, { script: 'stat -c %s local/big.bin; exec sleep 300' }));
      const a = await waitFor('big running', () => {
        const x = alloc('big');
        return x?.ClientStatus === 'running' ? x : null;
      }, 120_000);
      await waitFor('size printed', () => logs(a.ID) === `${size}\n`);
    } finally {
      clearInterval(sampler);
    }
    console.log(`agent RSS around a 200 MB artifact: before ${before.toFixed(1)} MB, peak ${peak.toFixed(1)} MB, growth ${(peak - before).toFixed(1)} MB`);
    // The artifact must add a streaming buffer's worth, nowhere near the 200 MB file. (The HCL
    // parser runs in a process of its own, so it is not counted here.) The bound is growth over
    // the warmed agent's own RSS, never an absolute size: that baseline differs by machine, and
    // the heap's growth before a GC with it. 128 MB leaves room for both and is still well under
    // the file: a download held in memory would grow the agent by at least 200 MB.
    assert.ok(peak - before < 128, `agent grew ${(peak - before).toFixed(1)} MB (from ${before.toFixed(1)} to ${peak.toFixed(1)} MB RSS) while fetching 200 MB`);
  }
}

describe('templates across an agent restart', () => {
  test('a re-attached task keeps its template watched: a source changed while the agent was down restarts it', async () => {
    const box = sandbox('bivouac-tmpl-re-');
    const config = join(box.root, 'agent.hcl');
    writeFileSync(config, 'bivouac {\n  rescan_interval = "200ms"\n}\n');
    let a1 = startAgent(box, ['--config', config]);
    try {
      server.route('/re.tpl', Buffer.from('first\n'));
      box.writeJob('re.nomad', job('re', `
      artifact {
        source = "${server.url}/re.tpl"
        mode = "file"
        destination = "local/in.tpl"
      }
      template {
        source = "local/in.tpl"
        destination = "local/out.txt"
        splay = "0s"
      }`, { script: 'cat local/out.txt; exec sleep 300' }));
      const status = (): AllocJson | null => {
        const s = jobStatus(box, 're');
        const id = s?.Allocations[0]?.ID;
        return id ? allocStatus(box, id) : null;
      };
      const first = await waitFor('re running', () => {
        const x = status();
        return x?.ClientStatus === 'running' ? x : null;
      });
      await a1.kill9();
      server.route('/re.tpl', Buffer.from('second\n'));
      writeFileAtomic(join(box.dataDir, 'alloc', first.ID, 't', 'local', 'in.tpl'), 'second\n');
      a1 = startAgent(box, ['--config', config]);
      await waitFor('restarted by the template watch after re-attach', () => {
        const x = status();
        return x && x.TaskStates['t'].Events.some((e) => e.Type === 'Restart Signaled') && readFileSync(join(box.dataDir, 'alloc', x.ID, 'alloc', 'logs', 't.stdout.0'), 'utf8').includes('second') ? x : null;
      });
    } finally {
      await a1.stop();
      box.cleanup();
    }
  });
});

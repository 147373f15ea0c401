/**
 * fetchArtifact against a real local HTTP server and real files: downloads, checksums,
 * every archive kind, the modes, headers, the size cap and timeout, local sources only from
 * allowed dirs, and every way an archive entry could escape its destination.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, beforeEach, describe, test } from 'node:test';
import { fetchArtifact, type ArtifactLimits, type ResolvedArtifact } from '../../src/artifact/index.js';
import { BivouacError } from '../../src/util/errors.js';
import { makeTar, makeZip } from '../helpers/archives.js';
import { startServer, type TestServer } from '../helpers/http-server.js';

let server: TestServer;
let root: string;
let taskDir: string;
let scratch: string;
const outside = mkdtempSync(join(tmpdir(), 'bivouac-art-outside-'));
const limits: ArtifactLimits = { httpReadTimeoutMs: 30_000, httpMaxBytes: 10 * 1024 * 1024, allowedLocalDirs: [] };

before(async () => {
  server = await startServer();
});
after(async () => {
  await server.close();
  rmSync(outside, { recursive: true, force: true });
});
beforeEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = mkdtempSync(join(tmpdir(), 'bivouac-art-'));
  taskDir = join(root, 'task');
  scratch = join(root, 'scratch');
  mkdirSync(join(taskDir, 'local'), { recursive: true });
  mkdirSync(scratch);
});
after(() => rmSync(root, { recursive: true, force: true }));

function art(over: Partial<ResolvedArtifact>): ResolvedArtifact {
  return { source: '', destination: 'local/', mode: 'any', options: {}, headers: {}, ...over };
}

function fetch(a: ResolvedArtifact, l: ArtifactLimits = limits): ReturnType<typeof fetchArtifact> {
  return fetchArtifact(a, { taskDir, scratchDir: scratch, limits: l, signal: new AbortController().signal });
}

async function refused(p: Promise<unknown>, re: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof BivouacError, String(err));
    assert.equal(err.code, 'ARTIFACT');
    assert.match(err.userMessage, re);
    return true;
  });
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const tgz = makeTar([{ name: 'app/', type: '5' }, { name: 'app/run.sh', data: '#!/bin/sh\necho hi\n', mode: 0o755 }, { name: 'app/conf', data: 'x=1\n' }]);

describe('fetchArtifact', () => {
  test('a plain file lands at local/<name>, headers sent', async () => {
    server.route('/bin/tool', Buffer.from('TOOL'));
    const r = await fetch(art({ source: `${server.url}/bin/tool`, headers: { 'X-Token': 'abc' } }));
    assert.deepEqual(r, { bytes: 4, unpacked: false });
    assert.equal(readFileSync(join(taskDir, 'local/tool'), 'utf8'), 'TOOL');
    assert.equal(server.requests.at(-1)?.headers['x-token'], 'abc');
    assert.deepEqual(readdirSync(scratch), [], 'the temp file is gone');
  });

  test('a .tar.gz is verified and unpacked with its modes', async () => {
    const body = gzipSync(tgz);
    server.route('/a.tar.gz', body);
    await fetch(art({ source: `${server.url}/a.tar.gz`, options: { checksum: `sha256:${sha256(body)}` } }));
    assert.equal(readFileSync(join(taskDir, 'local/app/run.sh'), 'utf8'), '#!/bin/sh\necho hi\n');
    assert.equal(lstatSync(join(taskDir, 'local/app/run.sh')).mode & 0o777, 0o755);
    assert.equal(readFileSync(join(taskDir, 'local/app/conf'), 'utf8'), 'x=1\n');
  });

  test('md5, sha1 and sha512 checksums are verified too', async () => {
    server.route('/f.txt', Buffer.from('data'));
    for (const type of ['md5', 'sha1', 'sha512']) {
      const digest = createHash(type).update('data').digest('hex');
      await fetch(art({ source: `${server.url}/f.txt`, options: { checksum: `${type}:${digest}` } }));
    }
  });

  test('a wrong checksum fails and leaves nothing', async () => {
    server.route('/b.tgz', gzipSync(tgz));
    await refused(fetch(art({ source: `${server.url}/b.tgz`, options: { checksum: `sha256:${'0'.repeat(64)}` } })), /checksums did not match/);
    assert.equal(existsSync(join(taskDir, 'local/app')), false);
    assert.deepEqual(readdirSync(scratch), []);
  });

  test('archive = false keeps the archive packed; a .tar, a .zip and a .gz unpack', async () => {
    server.route('/c.tgz', gzipSync(tgz));
    await fetch(art({ source: `${server.url}/c.tgz`, options: { archive: 'false' } }));
    assert.ok(existsSync(join(taskDir, 'local/c.tgz')));
    server.route('/d.tar', tgz);
    await fetch(art({ source: `${server.url}/d.tar`, destination: 'local/d' }));
    assert.ok(existsSync(join(taskDir, 'local/d/app/conf')));
    server.route('/e.zip', makeZip([{ name: 'z/', unixMode: 0o040755 }, { name: 'z/bin', data: 'ZIP', unixMode: 0o100755 }, { name: 'z/link', data: 'bin', unixMode: 0o120777 }]));
    await fetch(art({ source: `${server.url}/e.zip` }));
    assert.equal(readFileSync(join(taskDir, 'local/z/bin'), 'utf8'), 'ZIP');
    assert.equal(lstatSync(join(taskDir, 'local/z/bin')).mode & 0o777, 0o755);
    assert.equal(readlinkSync(join(taskDir, 'local/z/link')), 'bin');
    server.route('/f.json.gz', gzipSync('{"a":1}'));
    await fetch(art({ source: `${server.url}/f.json.gz` }));
    assert.equal(readFileSync(join(taskDir, 'local/f.json'), 'utf8'), '{"a":1}');
  });

  test("go-getter's URL query options: archive, checksum, filename, taken out of the request", async () => {
    const body = gzipSync(tgz);
    server.route('/q.tgz', body);
    await fetch(art({ source: `${server.url}/q.tgz?archive=false&filename=kept.tgz&checksum=sha256:${sha256(body)}&other=1` }));
    assert.ok(existsSync(join(taskDir, 'local/kept.tgz')));
    assert.equal(server.requests.at(-1)?.path, '/q.tgz');
    await refused(fetch(art({ source: `${server.url}/q.tgz?checksum=sha256:${'1'.repeat(64)}` })), /checksums did not match/);
    await refused(fetch(art({ source: `${server.url}/q.tgz`, options: { checksum: 'file:http://x/SHA256SUMS' } })), /from a file is not supported/);
  });

  test('mode file writes the destination itself; mode dir needs an archive', async () => {
    server.route('/g', Buffer.from('G'));
    await fetch(art({ source: `${server.url}/g`, mode: 'file', destination: 'local/renamed.bin' }));
    assert.equal(readFileSync(join(taskDir, 'local/renamed.bin'), 'utf8'), 'G');
    await refused(fetch(art({ source: `${server.url}/g`, mode: 'dir' })), /needs an archive/);
  });

  test('HTTP errors, unsupported getters and schemes are refused by name', async () => {
    await refused(fetch(art({ source: `${server.url}/missing` })), /bad response code: 404/);
    await refused(fetch(art({ source: 'git::https://example.com/repo.git' })), /getter "git" is not supported/);
    await refused(fetch(art({ source: 's3://bucket/key' })), /scheme "s3" is not supported/);
    await refused(fetch(art({ source: `${server.url}/x.tar.xz` })), /"tar.xz" is not supported/);
  });

  test('the size cap stops a download', async () => {
    server.route('/big', { size: 3 * 1024 * 1024, chunk: Buffer.alloc(64 * 1024, 1) });
    await refused(fetch(art({ source: `${server.url}/big` }), { ...limits, httpMaxBytes: 1024 * 1024 }), /larger than the agent's http_max_size/);
    assert.equal(existsSync(join(taskDir, 'local/big')), false);
  });

  test('a local path only from an allowed dir', async () => {
    const file = join(outside, 'local.tar');
    writeFileSync(file, tgz);
    await refused(fetch(art({ source: file })), /allows no local artifact dirs/);
    await refused(fetch(art({ source: file }), { ...limits, allowedLocalDirs: [join(root, 'elsewhere')] }), /outside the agent's allowed_local_dirs/);
    await fetch(art({ source: `file://${file}` }), { ...limits, allowedLocalDirs: [outside] });
    assert.ok(existsSync(join(taskDir, 'local/app/conf')));
  });

  describe('entries that would escape are refused', () => {
    const cases: readonly [string, Buffer, RegExp][] = [
      ['../ entry', makeTar([{ name: '../../escaped', data: 'x' }]), /escapes the destination/],
      ['nested ../', makeTar([{ name: 'a/../../../escaped', data: 'x' }]), /escapes the destination/],
      ['absolute path', makeTar([{ name: '/tmp/escaped', data: 'x' }]), /absolute path/],
      ['symlink out (absolute)', makeTar([{ name: 'l', type: '2', linkName: '/etc' }]), /points outside/],
      ['symlink out (relative)', makeTar([{ name: 'd/l', type: '2', linkName: '../../..' }]), /points outside/],
      ['symlink chain out', makeTar([{ name: 's/b', type: '2', linkName: '..' }, { name: 's/c', type: '2', linkName: 'b/../..' }]), /points outside/],
      ['hard link out', makeTar([{ name: 'h', type: '1', linkName: '../../../etc/passwd' }]), /escapes the destination/],
      ['device', makeTar([{ name: 'dev', type: '3' }]), /device, FIFO/],
      ['zip ../', makeZip([{ name: '../zipped', data: 'x' }]), /escapes the destination/],
    ];
    for (const [name, body, re] of cases) {
      test(name, async () => {
        const isZip = body.readUInt32LE(0) === 0x04034b50;
        const path = `/evil-${name.replace(/\W+/g, '-')}.${isZip ? 'zip' : 'tar'}`;
        server.route(path, body);
        await refused(fetch(art({ source: `${server.url}${path}` })), re);
        assert.equal(existsSync(join(root, 'escaped')), false);
        assert.equal(existsSync(join(taskDir, 'escaped')), false);
        assert.equal(existsSync(join(root, 'zipped')), false);
      });
    }

    test('a symlink the task left in local/ is not written through', async () => {
      symlinkSync(outside, join(taskDir, 'local', 'app'));
      server.route('/h.tar', tgz);
      await refused(fetch(art({ source: `${server.url}/h.tar` })), /outside the destination through a symlink/);
      assert.deepEqual(readdirSync(outside).filter((n) => n !== 'local.tar'), []);
    });
  });
});

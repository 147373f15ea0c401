/**
 * Bundles the compiled CLI (dist/cmd, dist/src) into dist/bin: one self-contained file per
 * command, plus the helpers the agent starts by path (the parser, the spawner, the API's worker).
 *
 * One file per command, not shared chunks: a cold `bivouac status` loaded 17 chunk modules
 * (~15 ms of ESM resolve/link on this machine) where one file loads in ~7 ms. Code the
 * commands share is duplicated on disk, which nothing pays for at run time. A command's
 * dynamic import of another command (`./alloc-status.js` from `status`, every command from
 * the dispatcher) stays a dynamic import of that command's own file, so a command never
 * loads another's code until it hands over to it.
 */
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import Module from 'node:module';
import vm from 'node:vm';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cmdDir = join(root, 'dist', 'cmd');
// Command modules: what the dispatcher imports by name. Helpers (args, common, io, logger) are bundled into each.
const HELPERS = new Set(['args.js', 'common.js', 'io.js', 'logger.js', 'read-flags.js', 'status-route.js']);
const commands = readdirSync(cmdDir).filter((f) => f.endsWith('.js') && !HELPERS.has(f));
// Packages stay external (found in node_modules at run time), but for better-sqlite3's
// JavaScript: bundled, it spares every command that reads the state ~3 ms of require()
// resolving and loading its dozen files. Its native addon is loaded by path (src/state/db.ts).
const BUNDLED = new Set(['better-sqlite3']);
const external = Object.keys(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).dependencies).filter((p) => !BUNDLED.has(p));

/**
 * The dispatcher and the read commands a user waits on are CommonJS (.cjs): a CommonJS entry
 * starts without Node's ESM loader, ~6 ms of every cold start (`node empty.mjs` against
 * `empty.cjs`). They hand over to each other with require(); to an ESM command (the agent,
 * anything using an ESM-only package such as execa) still with import().
 */
const CJS = new Set(['bivouac.js', 'version.js', 'status.js', 'status-detail.js', 'alloc-status.js']);
const outName = (f) => (CJS.has(f) ? f.replace(/\.js$/, '.cjs') : f);

/** `import('./x.js')` from a command module to a sibling command: that command's own bundle. */
const commandsStayApart = (cjs) => ({
  name: 'commands-stay-apart',
  setup(b) {
    b.onResolve({ filter: /^\.\/[a-z-]+\.c?js$/ }, (args) => {
      if (dirname(args.importer) !== cmdDir) return undefined;
      const name = args.path.slice(2).replace(/\.cjs$/, '.js');
      if (!commands.includes(name) || (args.kind !== 'dynamic-import' && args.kind !== 'require-call')) return undefined;
      return { path: `./${outName(name)}`, external: true };
    });
    if (!cjs) return;
    // A CommonJS command loads a CommonJS sibling through __bivouacLoad (require(), with the code
    // cache): import() would start the ESM loader. An ESM sibling goes through esm-import.cjs.
    b.onLoad({ filter: /\/dist\/cmd\/[a-z-]+\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8').replace(/\bimport\((['"])\.\/([a-z-]+\.js)\1\)/g, (m, q, f) => {
        if (!commands.includes(f)) return m;
        return CJS.has(f) ? `Promise.resolve().then(() => __bivouacLoad('./${f.replace(/\.js$/, '.cjs')}'))` : `__bivouacImport('./${f}')`;
      });
      return { contents: text, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
});

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  external: [...external, ...external.map((p) => `${p}/*`)],
  outdir: join(root, 'dist', 'bin'),
  entryNames: '[name]',
  logLevel: 'warning',
};
const esm = { ...common, format: 'esm', plugins: [commandsStayApart(false)] };
/**
 * How a CommonJS command loads a CommonJS sibling: with the V8 code cache written beside it at
 * build time (`X.cjs.cache`), so a cold start deserializes the compiled top level instead of
 * compiling ~140 KB (loading status.cjs 5.1-7.7 -> 3.3-5.2 ms in-process). V8 rejects a cache of
 * another Node or source, and then compiles, as require() would; no cache file: require().
 * A script run by vm has no import() of its own: an ESM sibling is imported by esm-import.cjs,
 * a file require() loads.
 */
// "use strict" first: a banner goes before esbuild's own directive, which then no longer applies.
const LOADER = `'use strict';
function __bivouacLoad(name) {
  const fs = require('node:fs');
  const file = require('node:path').join(__dirname, name);
  let cachedData;
  try { cachedData = fs.readFileSync(file + '.cache'); } catch { return require(file); }
  const Module = require('node:module');
  const script = new (require('node:vm').Script)(Module.wrap(fs.readFileSync(file, 'utf8')), { filename: file, cachedData });
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, Module.createRequire(file), module, file, __dirname);
  return module.exports;
}
function __bivouacImport(name) {
  return require('./esm-import.cjs')(require('node:path').join(__dirname, name));
}`;
/**
 * better-sqlite3's methods the read commands never call (backup, user functions, aggregates,
 * virtual tables) are left out of their bundles: backup's module alone ran util.promisify at
 * every cold start (~0.4 ms), and each is code to read and compile. Calling one throws.
 */
const unusedSqliteMethods = {
  name: 'unused-sqlite-methods',
  setup(b) {
    b.onResolve({ filter: /^\.\/methods\/(backup|function|aggregate|table)$/ }, (args) =>
      args.importer.includes(`${join('better-sqlite3', 'lib')}`) ? { path: args.path, namespace: 'unused-sqlite-method' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'unused-sqlite-method' }, (args) => ({
      contents: `module.exports = function () { throw new Error('better-sqlite3 ${args.path.slice(10)}() is not in this bundle (scripts/bundle.mjs)'); };`,
      loader: 'js',
    }));
  },
};

const cjs = {
  ...common,
  format: 'cjs',
  outExtension: { '.js': '.cjs' },
  plugins: [commandsStayApart(true), unusedSqliteMethods],
  // import.meta, which CommonJS has not: the module's directory is __dirname; its URL is built
  // only if read (src/state/db.ts's fallback), not at every start.
  define: { 'import.meta.dirname': '__dirname', 'import.meta.url': '__bivouacMeta.url' },
};
// What never opens the state (the dispatcher, version, the two helpers) stays without the
// banners below: each line a cold start runs costs it.
const LIGHT = ['bivouac.js', 'version.js'];
// The dispatcher loads commands (LOADER); version loads nothing.
await build({ ...cjs, entryPoints: [join(cmdDir, 'bivouac.js')], banner: { js: LOADER } });
await build({ ...cjs, entryPoints: [join(cmdDir, 'version.js')] });
await build({ ...esm, entryPoints: [join(root, 'dist/src/jobspec/hcl-worker.js'), join(root, 'dist/src/drivers/spawner/spawner-main.js')] });
await build({
  ...cjs,
  entryPoints: commands.filter((f) => CJS.has(f) && !LIGHT.includes(f)).map((f) => join(cmdDir, f)),
  banner: { js: `${LOADER}\nconst __bivouacMeta = { get url() { return require('node:url').pathToFileURL(__filename).href; } };` },
});
writeFileSync(join(root, 'dist', 'bin', 'esm-import.cjs'), "'use strict';\n// import() for the CommonJS commands' scripts that vm runs (they have none of their own).\nmodule.exports = (file) => import(require('node:url').pathToFileURL(file).href);\n");
// The code caches. V8 caches what has been compiled when the cache is made: each file's top
// level, and whatever a run of the command then compiled. So each command first runs here on a
// small state (a job and its allocation with a running task), and a cold command deserializes
// the functions it calls instead of compiling them (`alloc status` 74.0 -> 71.4 ms paired).
const training = await trainingState();
try {
  const dd = ['--data-dir', training.dataDir];
  const runs = {
    'status.js': [['statusCommand', dd]],
    'status-detail.js': [['statusCommand', [...dd, training.jobId]], ['statusCommand', [...dd, '--verbose', training.jobId]]],
    'alloc-status.js': [['allocStatusCommand', [...dd, training.allocId]]],
  };
  const silent = { write: () => true };
  for (const f of commands.filter((c) => CJS.has(c) && !LIGHT.includes(c))) {
    const file = join(root, 'dist', 'bin', outName(f));
    const script = new vm.Script(Module.wrap(readFileSync(file, 'utf8')), { filename: file });
    const module = { exports: {} };
    script.runInThisContext().call(module.exports, module.exports, Module.createRequire(file), module, file, dirname(file));
    for (const [name, argv] of runs[f] ?? []) {
      let err = '';
      const code = await module.exports[name](argv, { stdout: silent, stderr: { write: (t) => (err += t) }, env: {}, cwd: root, isTTY: false });
      if (code !== 0) throw new Error(`bundle: ${outName(f)} ${argv.join(' ')} exited ${code} on the training state: ${err}`);
    }
    writeFileSync(`${file}.cache`, script.createCachedData());
  }
} finally {
  rmSync(training.root, { recursive: true, force: true });
}

/** A state with the example job `hello` registered and its allocation's task running, as the agent writes it. */
async function trainingState() {
  const state = await import(join(root, 'dist', 'src', 'state', 'index.js'));
  const { parseJobFile, canonicalHash } = await import(join(root, 'dist', 'src', 'jobspec', 'index.js'));
  const parsed = await parseJobFile('hello.nomad.hcl', readFileSync(join(root, 'jobs', 'hello.nomad.hcl'), 'utf8'));
  if (!parsed.job) throw new Error(`bundle: jobs/hello.nomad.hcl does not parse: ${JSON.stringify(parsed.diagnostics)}`);
  const job = parsed.job;
  const tmp = mkdtempSync(join(tmpdir(), 'bivouac-bundle-'));
  const db = state.openState(join(tmp, 'state.db'));
  const allocId = randomUUID();
  try {
    const now = Date.now() - 60_000;
    const group = job.groups[0];
    const task = group.tasks[0];
    state.tx(db, () => {
      state.putJobVersion(db, job, canonicalHash(job), 'hello.nomad.hcl', now);
      state.insertAlloc(db, { id: allocId, jobId: job.id, jobVersion: 0, taskGroup: group.name, index: 0, name: `${job.id}.${group.name}[0]`, resources: { cpu: 50, memoryMB: 32, diskMB: 300 }, ports: [], tasks: [{ name: task.name, driver: task.driver }] }, now);
      state.appendTaskEvent(db, allocId, task.name, now, 'Received', 'Task received by client');
      state.appendTaskEvent(db, allocId, task.name, now, 'Task Setup', 'Building Task Directory');
      const attempt = state.markStarting(db, allocId, task.name);
      state.markRunning(db, allocId, task.name, attempt, task.driver, { driver: task.driver, taskId: `${allocId}.${attempt}.${task.name}`, version: 1, state: {} }, now + 5);
      state.appendTaskEvent(db, allocId, task.name, now + 5, 'Started', 'Task started by client');
      state.setAllocClientStatus(db, allocId, 'running', 'Tasks are running', now + 5);
    });
  } finally {
    state.closeState(db);
  }
  return { root: tmp, dataDir: tmp, jobId: job.id, allocId };
}
await build({
  ...esm,
  // The API's worker thread reads the state too; the agent starts it by path.
  entryPoints: [...commands.filter((f) => !CJS.has(f)).map((f) => join(cmdDir, f)), join(root, 'dist/src/api/api-worker.js')],
  // Bundled CommonJS (better-sqlite3's) calls require() for Node's own modules.
  banner: { js: "import { createRequire as __bivouacRequire } from 'node:module'; const require = __bivouacRequire(import.meta.url);" },
});

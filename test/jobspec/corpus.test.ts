/**
 * Walks the shared corpus (reference data next to the repo; never copied in). `valid` files
 * must validate; `invalid-by-design` ones must fail for the reason their notes give;
 * `unknown` ones must never throw, and the count that pass is printed.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { kindOf, parseJobFile, toApiJson, type Diagnostic } from '../../src/jobspec/index.js';
import { corpusDir } from '../helpers/paths.js';
import { differences, FIELD_EXCEPTIONS, NEWER_NOMAD, nomadVerdicts, OTHER_VERDICTS } from './nomad-compare.js';

interface Row {
  readonly path: string;
  readonly validity: string;
  readonly notes: string;
}

const rows: Row[] = existsSync(join(corpusDir, 'MANIFEST.tsv'))
  ? readFileSync(join(corpusDir, 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => {
    const c = l.split('\t');
    return { path: c[0], validity: c[5], notes: c[7] ?? '' };
  })
  : [];
const skip = rows.length === 0 ? `corpus not found at ${corpusDir}` : false;

/** Each invalid-by-design file, with the code and the path (or key) its notes point at. */
const INVALID: Readonly<Record<string, { code: string; at: string }>> = {
  'bad-artifact.hcl': { code: 'UNKNOWN_KEY', at: 'artifact: unknown key "bad"' },
  'bad-ports.hcl': { code: 'INVALID_PORT_LABEL', at: 'network → port ""' },
  'basic_wrong_key.hcl': { code: 'UNKNOWN_KEY', at: 'task "binstore" → service → check: unknown key "nterval"' },
  'multi-network.hcl': { code: 'DUPLICATE_BLOCK', at: 'task "binstore" → resources: only one "network"' },
  'multi-resource.hcl': { code: 'DUPLICATE_BLOCK', at: 'group "binsl": only one "ephemeral_disk"' },
  'multi-vault.hcl': { code: 'DUPLICATE_BLOCK', at: 'task "binstore": only one "vault"' },
  'service-check-bad-header.hcl': { code: 'WRONG_TYPE', at: 'service → check: "header.Authorization"' },
  'service-check-bad-header-2.hcl': { code: 'WRONG_TYPE', at: 'service → check: "header.Authorization"' },
  'task-scaling-policy-invalid-type.hcl': { code: 'INVALID_VALUE', at: 'task "bar" → scaling "cpu"' },
  'task-scaling-policy-missing-name.hcl': { code: 'MISSING_LABEL', at: 'task "bar": "scaling"' },
  'task-scaling-policy-multi-cpu.hcl': { code: 'DUPLICATE_BLOCK', at: 'task "bar" → scaling "cpu"' },
  'tg-scaling-policy-invalid-type.hcl': { code: 'INVALID_VALUE', at: 'group "group" → scaling' },
  'tg-scaling-policy-multi-policy.hcl': { code: 'DUPLICATE_BLOCK', at: 'group "group" → scaling: only one "policy"' },
};

/**
 * Nomad's parser fixtures are `valid` for its parser (TestParse), not for Job.Validate:
 * many have no groups, no tasks or no driver. Those may only fail with `completeness`
 * codes; this one also breaks the log rule Nomad's Job.Validate enforces.
 */
const PARSER_ONLY_ALSO: Readonly<Record<string, readonly string[]>> = {
  // A batch job with update and migrate blocks, and healthy_deadline = progress_deadline;
  // its template's change_mode = "foo", which Template.Validate refuses.
  'nomad-jobspec-fixtures/basic.hcl': ['LOG_EXCEEDS_DISK', 'BLOCK_NOT_ALLOWED', 'UPDATE_INVALID', 'TEMPLATE_INVALID'],
  // Nomad's own fixtures for its service rules: Job.Validate refuses them (nomad-1.0.18/).
  'nomad-jobspec-fixtures/service-check-bad-header-2.hcl': ['SERVICE_INVALID', 'PORT_LABEL_UNDEFINED'],
  'nomad-jobspec-fixtures/service-check-driver-address.hcl': ['CHECK_INVALID', 'PORT_LABEL_UNDEFINED'],
  'nomad-jobspec-fixtures/service-check-pass-fail.hcl': ['PORT_LABEL_UNDEFINED'],
  'nomad-jobspec-fixtures/service-check-restart.hcl': ['CHECK_INVALID'],
  'nomad-jobspec-fixtures/tg-service-check-expose.hcl': ['CHECK_INVALID'],
  'nomad-jobspec-fixtures/tg-service-connect-gateway-terminating.hcl': ['SERVICE_INVALID'],
  // A service job with a parameterized block: Job.Validate refuses it (nomad-1.0.18/).
  'nomad-jobspec-fixtures/parameterized_job.hcl': ['INVALID_VALUE'],
  // A service job with a 4-field cron: Job.Validate refuses both (nomad-1.0.18/).
  'nomad-jobspec-fixtures/periodic-cron.hcl': ['INVALID_VALUE'],
  // A batch job's default 1 attempt with unlimited = true: ambiguous for Job.Validate (nomad-1.0.18/).
  'nomad-jobspec-fixtures/reschedule-job-unlimited.hcl': ['INVALID_VALUE'],
};
const isParserFixture = (r: Row): boolean => /^nomad-jobspec2?-fixtures\//.test(r.path);

/** Files the MANIFEST calls valid that a real Nomad 1.0.18 refuses for a rule bivouac shares (e.g. scaling min). */
const nomadRejects = new Set(nomadVerdicts()
  .filter((v) => v.accepted_by === null && !v.datacenters_defaulted && NEWER_NOMAD[v.file] === undefined && !/^nomad-jobspec2?-fixtures\//.test(v.file))
  .map((v) => v.file));

const show = (ds: readonly Diagnostic[]): string => ds.map((d) => `${d.code} ${d.path}: ${d.message}`).join('\n');
const fmt = (d: Diagnostic): string => `${d.path}: ${d.message}`;

async function parseRow(r: Row, vars: Readonly<Record<string, string>> = {}): Promise<Diagnostic[]> {
  const res = await parseJobFile(r.path, readFileSync(join(corpusDir, r.path), 'utf8'), { vars });
  return res.diagnostics.filter((d) => d.severity === 'error');
}

describe('corpus', { skip }, () => {
  test('every valid file validates (parser-only fixtures: no error but Job.Validate\'s completeness rules)', async (t) => {
    let full = 0;
    let parserOnly = 0;
    for (const r of rows.filter((x) => x.validity === 'valid')) {
      let errs = await parseRow(r);
      // e2e inputs that declare variables without defaults expect -var values, as Nomad does.
      const missing = errs.filter((d) => d.code === 'MISSING_VARIABLE_VALUE');
      if (missing.length > 0) {
        assert.equal(missing.length, errs.length, `${r.path}:\n${show(errs)}`);
        const vars = Object.fromEntries(missing.map((d) => [/"([^"]+)"/.exec(d.message)?.[1] ?? '', 'x']));
        errs = await parseRow(r, vars);
      }
      if (nomadRejects.has(r.path)) continue; // the verdict test below holds these to Nomad's verdict
      if (isParserFixture(r)) {
        const allowed = PARSER_ONLY_ALSO[r.path] ?? [];
        const unexpected = errs.filter((d) => kindOf(d.code) !== 'completeness' && !allowed.includes(d.code));
        assert.deepEqual(unexpected.map(fmt), [], r.path);
        if (errs.length === 0) full++;
        else parserOnly++;
      } else {
        assert.deepEqual(errs.map(fmt), [], r.path);
        full++;
      }
    }
    t.diagnostic(`corpus: ${full} valid files validate; ${parserOnly} parser fixtures decode cleanly but lack what Nomad's Job.Validate requires (groups, tasks, a driver)`);
  });

  test('every invalid-by-design file fails for the reason its notes give', async () => {
    const invalid = rows.filter((x) => x.validity === 'invalid-by-design');
    assert.deepEqual(invalid.map((r) => r.path.split('/').pop()).sort(), Object.keys(INVALID).sort());
    for (const r of invalid) {
      const want = INVALID[r.path.split('/').pop() ?? ''];
      const errs = await parseRow(r);
      assert.ok(errs.some((d) => d.code === want.code && fmt(d).includes(want.at)), `${r.path}: want ${want.code} at ${want.at}, got\n${show(errs)}`);
      assert.ok(errs.every((d) => d.line > 0), `${r.path}: every error has a position`);
    }
  });

  test('unknown files never throw; count how many pass', async () => {
    const unknown = rows.filter((x) => x.validity === 'unknown');
    let pass = 0;
    const failing: string[] = [];
    for (const r of unknown) {
      const errs = await parseRow(r);
      if (errs.length === 0) pass++;
      else failing.push(`${r.path}: ${[...new Set(errs.map((d) => d.code))].join(',')}`);
    }
    console.log(`# corpus: ${pass}/${unknown.length} unknown-validity files pass${failing.length ? `; failing: ${failing.join('; ')}` : ''}`);
    assert.ok(unknown.length > 0);
  });
});

const verdicts = nomadVerdicts();
const skipNomad = verdicts.length === 0 ? `Nomad 1.0.18 verdicts not found under ${corpusDir}` : false;

describe('corpus against a real Nomad 1.0.18', { skip: skipNomad }, () => {
  test('the same verdict for every file, or a listed reason', async () => {
    const unexplained: string[] = [];
    for (const v of verdicts) {
      const res = await parseJobFile(v.file, readFileSync(join(corpusDir, v.file), 'utf8'));
      const ours = res.job !== null;
      // Nomad 1.0.18 required datacenters; bivouac defaults them to ["*"] as Nomad >= 1.5 does.
      const theirs = v.accepted_by !== null || v.datacenters_defaulted;
      const newer = NEWER_NOMAD[v.file];
      if (newer !== undefined) {
        assert.ok(ours && !theirs, `${v.file}: listed as newer-Nomad (${newer.reason}) but verdicts are ours=${ours} nomad=${theirs}`);
        assert.ok([...v.hcl2.errors, ...v.hcl1.errors].some((e) => e.includes(newer.nomadSaid)), `${v.file}: Nomad's errors do not name ${newer.nomadSaid}`);
        continue;
      }
      if (OTHER_VERDICTS[v.file] !== undefined) {
        assert.notEqual(ours, theirs, `${v.file}: listed as a verdict difference but the verdicts agree now; remove the row`);
        continue;
      }
      if (ours !== theirs) unexplained.push(`${v.file}: bivouac ${ours ? 'accepts' : 'rejects'}, Nomad 1.0.18 ${theirs ? 'accepts' : 'rejects'}: ${res.diagnostics.map((d) => d.message).join('; ')}`);
    }
    assert.deepEqual(unexplained, []);
  });

  test('job inspect equals Nomad\'s canonical API JSON, field for field, for every file both accept', async (t) => {
    let compared = 0;
    const mismatches: string[] = [];
    const excepted = new Map<string, number>();
    for (const v of verdicts) {
      if (v.canonical === null) continue;
      const res = await parseJobFile(v.file, readFileSync(join(corpusDir, v.file), 'utf8'));
      if (res.job === null) continue;
      compared++;
      const canonical = v.datacenters_defaulted ? { ...(v.canonical as object), Datacenters: ['*'] } : v.canonical;
      for (const d of differences(toApiJson(res.job).Job, canonical)) {
        const ex = FIELD_EXCEPTIONS.find((e) => e.path.test(d));
        if (ex) excepted.set(ex.reason, (excepted.get(ex.reason) ?? 0) + 1);
        else mismatches.push(`${v.file} ${d}`);
      }
    }
    t.diagnostic(`compared ${compared} files; excepted: ${[...excepted].map(([r, n]) => `${n} × ${r}`).join('; ')}`);
    assert.ok(compared >= 60, `only ${compared} files compared`);
    assert.deepEqual(mismatches, []);
  });
});

/**
 * Nothing ignored in silence, through the compiled CLI: `job validate` and `job plan` print
 * Nomad's `Job Warnings:` section for every parsed-only block, and the exit code is the one
 * the job would have without it. Over the corpus, every file that uses such a block.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { jobWarnings, parseJobFile } from '../../src/jobspec/index.js';
import { cli } from '../helpers/agent.js';
import { corpusDir } from '../helpers/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'bivouac-warn-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const JOB = `job "w" {
  update {
    max_parallel = 1
  }
  group "g" {
    service {
      name = "web"
    }
    task "t" {
      driver = "raw_exec"
      config {
        command = "/bin/true"
      }
      vault {
        policies = ["p"]
      }
    }
  }
}
`;

describe('job warnings', () => {
  test('job validate prints Job Warnings: naming each block and exits 0', () => {
    const file = join(dir, 'w.nomad');
    writeFileSync(file, JOB);
    const r = cli(['job', 'validate', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Job Warnings:\n3 warning\(s\):\n\n\* job "w": "update" is parsed but not acted on: .*\n\* job "w" → group "g": "service" is parsed but not acted on: .*\n\* job "w" → group "g" → task "t": "vault" is parsed but not acted on: .*\n\nJob validation successful\n$/);
  });

  test('an invalid job exits 1 with its errors (Nomad shows warnings only for a valid job)', () => {
    const file = join(dir, 'bad.nomad');
    writeFileSync(file, JOB.replace('max_parallel = 1', 'max_parallel = 1\n  }\n  priority = 1000\n  meta {'));
    const r = cli(['job', 'validate', file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Job validation errors:/);
  });

  test('job plan prints the same warnings after the plan, exit code unchanged', () => {
    const file = join(dir, 'p.nomad');
    writeFileSync(file, JOB);
    const data = join(dir, 'data-none');
    const r = cli(['job', 'plan', '--data-dir', data, file], { BIVOUAC_RKT_PATH: '/nonexistent/rkt' });
    assert.equal(r.code, 1, r.stderr); // a new job: something would be created
    assert.match(r.stdout, /\nJob Warnings:\n3 warning\(s\):\n\n\* job "w": "update"/);
  });

  const manifest = join(corpusDir, 'MANIFEST.tsv');
  test('every corpus file using a parsed-only block warns naming it, and a valid one exits 0', { skip: !existsSync(manifest) && `corpus not found at ${corpusDir}` }, async () => {
    const paths = readFileSync(manifest, 'utf8').trim().split('\n').slice(1).map((l) => join(corpusDir, l.split('\t')[0]));
    const withWarnings: { file: string; keys: string[] }[] = [];
    for (const file of paths) {
      const res = await parseJobFile(file, readFileSync(file, 'utf8'));
      if (res.job === null) continue;
      const keys = jobWarnings(res.job).map((w) => w.message);
      if (keys.length > 0) withWarnings.push({ file, keys });
    }
    assert.ok(withWarnings.length >= 40, `only ${withWarnings.length} corpus files warn`);
    // One CLI run over all of them: each file's section names each of its blocks, and all exit 0 together.
    const r = cli(['job', 'validate', ...withWarnings.map((w) => w.file)]);
    assert.equal(r.code, 0, r.stderr.slice(0, 2000));
    const sections = r.stdout.split(/^==> /m).slice(1);
    assert.equal(sections.length, withWarnings.length);
    withWarnings.forEach((w, i) => {
      const s = sections[i];
      assert.ok(s.startsWith(w.file), `section ${i} is not ${w.file}`);
      assert.match(s, /Job Warnings:\n\d+ warning\(s\):/);
      for (const k of w.keys) assert.ok(s.includes(k), `${w.file}: no warning ${k}`);
      assert.match(s, /Job validation successful\n$/);
    });
  });
});

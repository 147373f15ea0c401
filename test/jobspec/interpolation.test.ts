import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { errors, job, parse, wrap } from './helpers.js';

describe('interpolation and escapes', () => {
  test('runtime references stay verbatim', async () => {
    const j = await job(wrap({
      task: `env {
        A = "\${attr.kernel.name}"
        B = "\${node.unique.name}-\${meta.rack}"
        C = "\${NOMAD_ALLOC_DIR}/x"
        D = "\${env["HOME"]}"
        E = "\${upper(attr.x)}"
      }`,
    }));
    assert.deepEqual(j.groups[0].tasks[0].env, {
      A: '${attr.kernel.name}',
      B: '${node.unique.name}-${meta.rack}',
      C: '${NOMAD_ALLOC_DIR}/x',
      D: '${env["HOME"]}',
      E: '${upper(attr.x)}',
    });
  });

  test('an unquoted reference to an unknown root becomes its ${} text', async () => {
    const j = await job(wrap({ job: 'region = meta.mytest' }));
    assert.equal(j.region, '${meta.mytest}');
  });

  test('$${ and %%{ are HCL2 escapes for a literal ${ and %{', async () => {
    const j = await job(wrap({ task: 'env {\n A = "$${not_interpolated}"\n B = "x-$${y}-${node.class}"\n C = "%%{literal}"\n }' }));
    assert.deepEqual(j.groups[0].tasks[0].env, { A: '${not_interpolated}', B: 'x-${y}-${node.class}', C: '%{literal}' });
  });

  test('heredocs keep references and undo escapes', async () => {
    const j = await job(wrap({ task: 'meta {\n script = <<EOT\necho ${NOMAD_TASK_DIR} $${HOME}\nEOT\n }' }));
    assert.equal(j.groups[0].tasks[0].meta['script'], 'echo ${NOMAD_TASK_DIR} ${HOME}\n');
  });
});

describe('variables and locals', () => {
  const text = `
variable "image" {
  default = "img:1"
}
variable "n" {
  type    = number
  default = 2
}
variable "needed" {
  type = string
}
locals {
  a = "\${var.image}-\${var.needed}"
  b = local.a
}
job "v" {
  region = var.needed
  group "g" {
    count = var.n
    task "t" {
      driver = "rkt"
      config {
        image = var.image
        args  = ["\${local.b}", "\${attr.x}"]
      }
    }
  }
}`;

  test('a variable with no default and no value is an error that names it', async () => {
    const r = await parse(text);
    assert.equal(r.job, null);
    const e = errors(r);
    assert.deepEqual(e.map((d) => d.code), ['MISSING_VARIABLE_VALUE']);
    assert.match(e[0].message, /"needed"/);
    assert.equal(e[0].line, 9); // the `variable "needed"` line (the text starts with a newline)
  });

  test('defaults, -var values (typed by the declaration) and locals are evaluated', async () => {
    const j = await job(text, { needed: 'eu', n: '5' });
    assert.equal(j.region, 'eu');
    assert.equal(j.groups[0].count, 5);
    const t = j.groups[0].tasks[0];
    assert.equal(t.driverConfig.driver === 'rkt' && t.driverConfig.config.image, 'img:1');
    assert.deepEqual(t.driverConfig.driver === 'rkt' && t.driverConfig.config.args, ['img:1-eu', '${attr.x}']);
  });

  test('an undeclared reference and an undeclared -var are errors', async () => {
    const r = await parse(wrap({ job: 'region = var.nope' }), { other: '1' });
    assert.deepEqual(errors(r).map((d) => d.code).sort(), ['UNDECLARED_VAR_GIVEN', 'UNDEFINED_VARIABLE']);
    assert.ok(errors(r).some((d) => d.message.includes('"nope"')));
  });

  test('an expression over variables and a function is evaluated at parse time', async () => {
    const j = await job(`variable "x" {\n default = "a"\n}\n${wrap({ job: 'region = upper(var.x)' })}`);
    assert.equal(j.region, 'A');
  });

  test('an expression that mixes variables with run-time values is refused, not guessed', async () => {
    const r = await parse(`variable "x" {\n default = "a"\n}\n${wrap({ job: 'region = "${var.x + attr.kernel.name}"' })}`);
    assert.deepEqual(errors(r).map((d) => d.code), ['UNSUPPORTED_EXPRESSION']);
  });
});

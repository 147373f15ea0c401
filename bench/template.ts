/**
 * Template render time: a 200-line template (env lookups, conditionals, printf, a define)
 * whose range runs 1,000 iterations over a list built by `split`, rendered with the
 * consul-template functions. Prints the median and p99 of the render (parse excluded, as a
 * template is parsed once and re-rendered on change) in wall time and in this process's CPU
 * time (steady when other processes share the cores), the parse time, and the ratio to a
 * floor: the same output built by hand-written JavaScript in the same run.
 *   npx tsc -p . && node dist/bench/template.js [--json] [--runs N]
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { consulTemplateFuncs, parseTemplate } from '../src/template/index.js';

const ITEMS = 1000;
/** 4 header lines, 80 settings, 14 lines of range, this many footers and a closing comment: 200. */
const FOOTERS = 101;
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg >= 0 ? Number(process.argv[runsArg + 1]) : 300;

const env: Record<string, string> = {
  NOMAD_TASK_NAME: 'web',
  NOMAD_ALLOC_ID: '5e3a1c2b-0000-4000-8000-000000000001',
  NOMAD_PORT_http: '8080',
  BACKENDS: Array.from({ length: ITEMS }, (_, i) => `10.0.${Math.floor(i / 250)}.${i % 250}:${8000 + (i % 50)}`).join(','),
};

/** 200 lines: a header, settings, a 12-line range body run 1,000 times, a footer. */
function templateText(): string {
  const lines: string[] = [
    '{{- define "upstream" -}}server {{ index . 0 }}:{{ index . 1 }} weight={{ index . 2 }};{{- end -}}',
    '# generated for {{ env "NOMAD_TASK_NAME" }} ({{ env "NOMAD_ALLOC_ID" | printf "%.8s" }})',
    '{{ $port := env "NOMAD_PORT_http" | parseInt -}}',
    '{{ $backends := env "BACKENDS" | split "," -}}',
  ];
  for (let i = 0; i < 80; i++) lines.push(`setting_${i} = "{{ if eq (modulo 3 ${i}) 0 }}{{ env "NOMAD_TASK_NAME" | toUpper }}{{ else }}value-${i}{{ end }}"`);
  lines.push('upstream backends {');
  lines.push('{{- range $i, $b := $backends }}');
  lines.push('  {{- $parts := $b | split ":" }}');
  lines.push('  {{- $host := index $parts 0 }}');
  lines.push('  {{- $p := index $parts 1 | parseInt }}');
  lines.push('  {{- if lt $p 8025 }}');
  lines.push('  {{ template "upstream" (printf "%s %d %d" $host $p (add 1 (modulo 3 $i)) | split " ") }}');
  lines.push('  {{- else if eq $p 8049 }}');
  lines.push('  # {{ $i }} {{ $host | printf "%-15s" }} last port');
  lines.push('  {{- else }}');
  lines.push('  server {{ $host }}:{{ $p }} backup; # {{ printf "%04d" $i }}');
  lines.push('  {{- end }}');
  lines.push('{{- end }}');
  lines.push('}');
  for (let i = 0; i < FOOTERS; i++) lines.push(`footer_${i} = {{ $port }} # {{ len $backends }} backends, line ${i}`);
  lines.push('{{/* end */}}');
  return lines.join('\n');
}

/** The same output, by hand: the floor the engine is compared with. */
function byHand(): string {
  const backends = env.BACKENDS.split(',');
  const port = Number(env.NOMAD_PORT_http);
  let out = `# generated for ${env.NOMAD_TASK_NAME} (${env.NOMAD_ALLOC_ID.slice(0, 8)})\n`;
  for (let i = 0; i < 80; i++) out += `setting_${i} = "${i % 3 === 0 ? env.NOMAD_TASK_NAME.toUpperCase() : `value-${i}`}"\n`;
  out += 'upstream backends {';
  backends.forEach((b, i) => {
    const [host, ps] = b.split(':');
    const p = Number(ps);
    if (p < 8025) out += `\n  server ${host}:${p} weight=${1 + (i % 3)};`;
    else if (p === 8049) out += `\n  # ${i} ${host.padEnd(15)} last port`;
    else out += `\n  server ${host}:${p} backup; # ${String(i).padStart(4, '0')}`;
  });
  out += '\n}';
  for (let i = 0; i < FOOTERS; i++) out += `\nfooter_${i} = ${port} # ${backends.length} backends, line ${i}`;
  return out;
}

function quantiles(times: number[]): { minMs: number; medianMs: number; p99Ms: number } {
  const s = [...times].sort((a, b) => a - b);
  const q = (x: number): number => Math.round(s[Math.min(s.length - 1, Math.floor(x * s.length))] * 1000) / 1000;
  return { minMs: q(0), medianMs: q(0.5), p99Ms: q(0.99) };
}

/** Wall time and this process's CPU time per run: on a shared machine the CPU time is the stable figure. */
function time(fn: () => unknown, runs: number): { wall: number[]; cpu: number[] } {
  for (let i = 0; i < 20; i++) fn();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { wall, cpu };
}

const text = templateText();
const funcs = consulTemplateFuncs({ env, file: { baseDir: '/', readFile: () => '' }, now: () => new Date() });
const tmpl = parseTemplate('bench', text, { funcs });
const rendered = tmpl.execute(null);
const expected = byHand();
if (rendered.trimEnd() !== expected) {
  throw new Error('bench template and the hand-written floor disagree; the comparison would be meaningless');
}
const renderTimes = time(() => tmpl.execute(null), RUNS);
const render = quantiles(renderTimes.wall);
const renderCpu = quantiles(renderTimes.cpu);
const parse = quantiles(time(() => parseTemplate('bench', text, { funcs }), RUNS).wall);
const floor = quantiles(time(byHand, RUNS).wall);
const result = {
  templateLines: text.split('\n').length,
  rangeIterations: ITEMS,
  outputBytes: rendered.length,
  runs: RUNS,
  render,
  renderCpu,
  parse,
  floorByHand: floor,
  renderToFloorRatio: Math.round((render.medianMs / floor.medianMs) * 10) / 10,
  targetMs: 5,
  // the machine is shared; the load says how far the figures are from an idle machine's
  loadAverage1m: Math.round(loadavg()[0] * 10) / 10,
};
if (process.argv.includes('--json')) console.log(JSON.stringify(result));
else {
  console.log(`template: ${result.templateLines} lines, ${ITEMS} range iterations, ${result.outputBytes} bytes out, ${RUNS} runs, load average ${result.loadAverage1m}`);
  console.log(`render  median ${render.medianMs} ms  p99 ${render.p99Ms} ms  min ${render.minMs} ms  (target <= 5 ms)`);
  console.log(`render  CPU time median ${renderCpu.medianMs} ms  p99 ${renderCpu.p99Ms} ms`);
  console.log(`parse   median ${parse.medianMs} ms  p99 ${parse.p99Ms} ms  min ${parse.minMs} ms`);
  console.log(`floor (same output by hand) median ${floor.medianMs} ms; render/floor ${result.renderToFloorRatio}x`);
}

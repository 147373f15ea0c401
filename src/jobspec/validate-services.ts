/**
 * Nomad 1.0's rules for services and checks (`Service.Validate`, `ServiceCheck.validate`,
 * `validateServices`, `TaskGroup.validateServices`), run on the canonical API shape (names
 * defaulted as Nomad defaults them) with Nomad's wording.
 */
import type { ApiValue } from './api-json.js';
import type { DiagnosticCode } from './diagnostics.js';

type Obj = { readonly [k: string]: ApiValue };
export type Report = (code: DiagnosticCode, message: string, at?: string) => void;

const NAME_RE = /^(?:[a-z0-9]|[a-z0-9][a-z0-9-]{0,61}[a-z0-9])$/i;
const MIN_INTERVAL_NS = 1e9;
const PASS_FAIL_TYPES = ['tcp', 'http', 'grpc'];

export function objs(v: ApiValue | undefined): Obj[] {
  return Array.isArray(v) ? v.filter((x): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x)) : [];
}

const s = (v: ApiValue | undefined): string => (typeof v === 'string' ? v : '');
const n = (v: ApiValue | undefined): number => (typeof v === 'number' ? v : 0);

/** `${NOMAD_…}`-style interpolations are allowed in a name; Nomad checks it with them replaced. */
function nameWithoutInterpolation(name: string): string {
  return name.replace(/\$\{[^}]*\}/g, 'ENV-VAR');
}

/** Nomad words it `service[0] "web"` in a task and `Service[0] web` in a group. */
function validateService(svc: Obj, i: number, report: Report, inGroup: boolean): boolean {
  const name = s(svc['Name']);
  const where = inGroup ? `Service[${i}] ${name}` : `service[${i}] "${name}"`;
  let ok = true;
  const bad = (code: DiagnosticCode, msg: string): void => {
    ok = false;
    report(code, `${where} validation failed: ${msg}`, where);
  };
  if (!NAME_RE.test(nameWithoutInterpolation(name))) {
    bad('SERVICE_INVALID', `Service name must be valid per RFC 1123 and can contain only alphanumeric characters or dashes: "${name}"`);
  }
  const mode = s(svc['AddressMode']);
  if (!['', 'auto', 'host', 'driver', 'alloc'].includes(mode)) {
    bad('SERVICE_INVALID', `Service address_mode must be "auto", "host", or "driver"; not "${mode}"`);
  }
  const connect = svc['Connect'];
  const sidecar = typeof connect === 'object' && connect !== null && !Array.isArray(connect) && (connect as Obj)['SidecarService'] !== null;
  for (const c of objs(svc['Checks'])) {
    const cname = s(c['Name']) || `service: "${name}" check`;
    if (s(svc['PortLabel']) === '' && s(c['PortLabel']) === '' && requiresPort(c)) {
      bad('CHECK_INVALID', `Check ${cname} invalid: check requires a port but neither check nor service "${name}" have a port`);
      continue;
    }
    if (s(c['Type']) === 'tcp' && sidecar) {
      bad('CHECK_INVALID', `Check ${cname} invalid: tcp checks are not valid for Connect enabled services`);
      continue;
    }
    const problem = checkProblem(c);
    if (problem !== null) bad('CHECK_INVALID', `Check ${cname} invalid: ${problem}`);
  }
  for (const p of linkedServiceProblems(connect)) bad('SERVICE_INVALID', p);
  return ok;
}

/** `ConsulLinkedService.Validate` for a terminating gateway's services: the first problem of each. */
function linkedServiceProblems(connect: ApiValue | undefined): string[] {
  const get = (o: ApiValue | undefined, k: string): ApiValue | undefined =>
    typeof o === 'object' && o !== null && !Array.isArray(o) ? (o as Obj)[k] : undefined;
  const out: string[] = [];
  for (const ls of objs(get(get(get(connect, 'Gateway'), 'Terminating'), 'Services'))) {
    const [ca, cert, key, sni] = ['CAFile', 'CertFile', 'KeyFile', 'SNI'].map((k) => s(ls[k]) !== '');
    if (s(ls['Name']) === '') out.push('Consul Linked Service requires Name');
    else if ((cert || key) && !ca) out.push('Consul Linked Service TLS requires CAFile');
    else if (cert !== key) out.push('Consul Linked Service TLS Cert and Key must both be set');
    else if (sni && !ca) out.push('Consul Linked Service TLS SNI requires CAFile');
  }
  return out;
}

function requiresPort(c: Obj): boolean {
  return ['grpc', 'http', 'tcp'].includes(s(c['Type']));
}

/** `ServiceCheck.validate`: the first problem, as Nomad stops at it. */
function checkProblem(c: Obj): string | null {
  const type = s(c['Type']).toLowerCase();
  switch (type) {
    case 'grpc':
    case 'tcp':
      break;
    case 'http': {
      const path = s(c['Path']);
      if (path === '') return 'http type must have a valid http path';
      if (/^[a-z][a-z0-9+.-]*:/i.test(path)) return 'http type must have a relative http path';
      break;
    }
    case 'script':
      if (s(c['Command']) === '') return 'script type must have a valid script path';
      break;
    default:
      return `invalid type (${JSON.stringify(s(c['Type']))}), must be one of "http", "tcp", or "script" type`;
  }
  const interval = n(c['Interval']);
  if (interval === 0) return 'missing required value interval. Interval cannot be less than 1s';
  if (interval < MIN_INTERVAL_NS) return `interval (${interval / 1e6}ms) cannot be lower than 1s`;
  const timeout = n(c['Timeout']);
  if (timeout === 0) return 'missing required value timeout. Timeout cannot be less than 1s';
  if (timeout < MIN_INTERVAL_NS) return `timeout (${timeout / 1e6}ms) is lower than required minimum timeout 1s`;
  const initial = s(c['InitialStatus']);
  if (!['', 'passing', 'warning', 'critical'].includes(initial)) {
    return `invalid initial check state (${initial}), must be one of "passing", "warning", "critical" or empty`;
  }
  const mode = s(c['AddressMode']);
  if (mode === 'auto') return 'invalid address_mode "auto" - auto only valid for services';
  if (!['', 'host', 'driver', 'alloc'].includes(mode)) return `invalid address_mode "${mode}"`;
  if (c['Expose'] === true && type !== 'grpc' && type !== 'http') return 'expose may only be set on HTTP or gRPC checks';
  for (const [key, word] of [['SuccessBeforePassing', 'success_before_passing'], ['FailuresBeforeCritical', 'failures_before_critical']] as const) {
    if (n(c[key]) < 0) return `${word} must be non-negative`;
    if (n(c[key]) > 0 && !PASS_FAIL_TYPES.includes(s(c['Type']))) return `${word} not supported for check of type "${s(c['Type'])}"`;
  }
  const cr = c['CheckRestart'];
  if (typeof cr === 'object' && cr !== null && !Array.isArray(cr)) {
    const r = cr as Obj;
    if (n(r['Limit']) < 0) return `limit must be greater than or equal to 0 but found ${n(r['Limit'])}`;
    if (n(r['Grace']) < 0) return `grace period must be greater than or equal to 0 but found ${n(r['Grace'])}`;
  }
  return null;
}

/** A task's services: validity, duplicates, and that every port they name exists. */
export function validateTaskServices(task: Obj, portLabels: ReadonlySet<string>, report: Report): void {
  const wanted = new Map<string, Set<string>>();
  const want = (label: string, service: string): void => {
    if (!wanted.has(label)) wanted.set(label, new Set());
    wanted.get(label)?.add(service);
  };
  const known = new Set<string>();
  objs(task['Services']).forEach((svc, i) => {
    const name = s(svc['Name']);
    const port = s(svc['PortLabel']);
    validateService(svc, i, report, false);
    if (s(svc['AddressMode']) === 'alloc') report('SERVICE_INVALID', `service "${name}" cannot use address_mode="alloc", only services defined in a "group" block can use this mode`);
    if (known.has(name + port)) report('SERVICE_INVALID', `service "${name}" is duplicate`);
    known.add(name + port);
    if (port !== '' && !(s(svc['AddressMode']) === 'driver' && /^\d+$/.test(port))) want(port, name);
    if (svc['Connect'] !== null && svc['Connect'] !== undefined) {
      report('SERVICE_INVALID', `service "${name}" cannot have "connect" block, only services defined in a "group" block can`);
    }
    const checks = new Set<string>();
    for (const c of objs(svc['Checks'])) {
      const cname = s(c['Name']) || `service: "${name}" check`;
      if (checks.has(cname)) report('CHECK_INVALID', `check "${cname}" is duplicate`);
      checks.add(cname);
      if (s(c['TaskName']) !== '') report('CHECK_INVALID', `Check ${cname} is invalid: only task group service checks can be assigned tasks`);
      if (s(c['AddressMode']) === 'alloc') report('CHECK_INVALID', `check "${name}" cannot use address_mode="alloc", only checks defined in a "group" service block can use this mode`);
      if (!requiresPort(c)) continue;
      const effective = s(c['PortLabel']) || port;
      if (effective === '') continue; // reported by validateService
      if (/^-?\d+$/.test(effective)) {
        const num = Number(effective);
        if (s(c['AddressMode']) === 'driver') {
          if (num <= 0) report('CHECK_INVALID', `check "${cname}" has invalid numeric port ${num}`);
        } else {
          report('CHECK_INVALID', `check "${cname}" cannot use a numeric port ${num} without setting address_mode="driver"`);
        }
        continue;
      }
      want(effective, name);
    }
  });
  for (const label of [...wanted.keys()].sort()) {
    if (!portLabels.has(label)) {
      report('PORT_LABEL_UNDEFINED', `port label "${label}" referenced by services ${[...(wanted.get(label) ?? [])].sort().join(', ')} does not exist`);
    }
  }
}

/** Group services: validity, and the rules for checks that name a task. */
export function validateGroupServices(group: Obj, taskNames: ReadonlySet<string>, report: Report): void {
  objs(group['Services']).forEach((svc, i) => {
    const name = s(svc['Name']);
    if (!validateService(svc, i, report, true)) return;
    if (s(svc['AddressMode']) === 'driver') {
      report('SERVICE_INVALID', `service "${name}" cannot use address_mode="driver", only services defined in a "task" block can use this mode`);
    }
    for (const c of objs(svc['Checks'])) {
      const cname = s(c['Name']) || `service: "${name}" check`;
      const task = s(c['TaskName']);
      if (task === '') {
        if (s(c['Type']) === 'script' && s(svc['TaskName']) === '') {
          report('CHECK_INVALID', `Service [${s(group['Name'])}]->${name} or Check ${cname} must specify task parameter`);
        }
        continue;
      }
      if (s(c['Type']) !== 'script' && s(c['Type']) !== 'grpc') report('CHECK_INVALID', `Check ${cname} invalid: only script and gRPC checks should have tasks`);
      if (s(c['AddressMode']) === 'driver') report('CHECK_INVALID', `Check "${name}" invalid: cannot use address_mode="driver", only checks defined in a "task" service block can use this mode`);
      if (!taskNames.has(task)) report('CHECK_INVALID', `Check ${cname} invalid: refers to non-existent task ${task}`);
    }
  });
}

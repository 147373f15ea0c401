/**
 * Nomad 1.0's Job.Validate, rule by rule (nomad/structs: Job, TaskGroup, Task, Service,
 * ServiceCheck, UpdateStrategy, MigrateStrategy, ScalingPolicy, Affinity, Spread, Vault,
 * VolumeRequest, VolumeMount, networks), each with a file Nomad refuses and the code and
 * words bivouac refuses it with, and where a rule has an edge, a file Nomad accepts.
 * Rules owned elsewhere (reschedule, periodic, parameterized, lifecycle, templates,
 * artifacts) are tested on their own branches.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { errors, parse, wrap } from './helpers.js';

const http = 'network {\n port "http" {}\n }';
const svc = (body: string): string => `service {\n ${body}\n }`;
const check = (body: string, service = 'name = "web"\n port = "http"'): string => svc(`${service}\n check {\n ${body}\n }`);
const okCheck = 'type = "http"\n path = "/"\n interval = "10s"\n timeout = "2s"';

interface Case {
  readonly rule: string;
  readonly text: string;
  readonly code: string;
  /** Nomad's words, or part of them. */
  readonly says: string;
}

const rejected: readonly Case[] = [
  // Services (Service.Validate, validateServices)
  { rule: 'a service name that is not DNS-valid', text: wrap({ group: http, task: svc('name = "web_app"\n port = "http"') }), code: 'SERVICE_INVALID', says: 'Service name must be valid per RFC 1123' },
  { rule: 'a service address_mode that does not exist', text: wrap({ group: http, task: svc('name = "web"\n port = "http"\n address_mode = "nat"') }), code: 'SERVICE_INVALID', says: 'Service address_mode must be "auto", "host", or "driver"; not "nat"' },
  { rule: 'a task service with address_mode alloc', text: wrap({ group: http, task: svc('name = "web"\n port = "http"\n address_mode = "alloc"') }), code: 'SERVICE_INVALID', says: 'cannot use address_mode="alloc"' },
  { rule: 'a duplicate service on the same port', text: wrap({ group: http, task: `${svc('name = "web"\n port = "http"')}\n${svc('name = "web"\n port = "http"')}` }), code: 'SERVICE_INVALID', says: 'service "web" is duplicate' },
  { rule: 'a port label that no network declares', text: wrap({ task: svc('name = "web"\n port = "http"') }), code: 'PORT_LABEL_UNDEFINED', says: 'port label "http" referenced by services web does not exist' },
  { rule: 'connect on a task service', text: wrap({ group: http, task: svc('name = "web"\n port = "http"\n connect {\n native = true\n }') }), code: 'SERVICE_INVALID', says: 'cannot have "connect" block' },
  { rule: 'a group service with address_mode driver', text: wrap({ group: `${http}\n${svc('name = "web"\n port = "http"\n address_mode = "driver"')}` }), code: 'SERVICE_INVALID', says: 'cannot use address_mode="driver"' },
  // Checks (ServiceCheck.validate)
  { rule: 'an http check without path', text: wrap({ group: http, task: check('type = "http"\n interval = "10s"\n timeout = "2s"') }), code: 'CHECK_INVALID', says: 'http type must have a valid http path' },
  { rule: 'an http check with an absolute URL', text: wrap({ group: http, task: check('type = "http"\n path = "http://x/y"\n interval = "10s"\n timeout = "2s"') }), code: 'CHECK_INVALID', says: 'http type must have a relative http path' },
  { rule: 'a script check without command', text: wrap({ group: http, task: check('type = "script"\n interval = "10s"\n timeout = "2s"') }), code: 'CHECK_INVALID', says: 'script type must have a valid script path' },
  { rule: 'a check type that does not exist', text: wrap({ group: http, task: check('type = "ping"\n interval = "10s"\n timeout = "2s"') }), code: 'CHECK_INVALID', says: 'invalid type ("ping"), must be one of "http", "tcp", or "script" type' },
  { rule: 'a check without interval', text: wrap({ group: http, task: check('type = "tcp"\n timeout = "2s"') }), code: 'CHECK_INVALID', says: 'missing required value interval' },
  { rule: 'a check interval under 1s', text: wrap({ group: http, task: check('type = "tcp"\n interval = "500ms"\n timeout = "2s"') }), code: 'CHECK_INVALID', says: 'cannot be lower than 1s' },
  { rule: 'a check without timeout', text: wrap({ group: http, task: check('type = "tcp"\n interval = "10s"') }), code: 'CHECK_INVALID', says: 'missing required value timeout' },
  { rule: 'a check initial_status that does not exist', text: wrap({ group: http, task: check('type = "tcp"\n interval = "10s"\n timeout = "2s"\n initial_status = "ok"') }), code: 'CHECK_INVALID', says: 'invalid initial check state (ok)' },
  { rule: 'a check with address_mode auto', text: wrap({ group: http, task: check('type = "tcp"\n interval = "10s"\n timeout = "2s"\n address_mode = "auto"') }), code: 'CHECK_INVALID', says: 'auto only valid for services' },
  { rule: 'expose on a tcp check', text: wrap({ group: http, task: check('type = "tcp"\n interval = "10s"\n timeout = "2s"\n expose = true') }), code: 'CHECK_INVALID', says: 'expose may only be set on HTTP or gRPC checks' },
  { rule: 'success_before_passing on a script check', text: wrap({ group: http, task: check('type = "script"\n command = "x"\n interval = "10s"\n timeout = "2s"\n success_before_passing = 2') }), code: 'CHECK_INVALID', says: 'success_before_passing not supported for check of type "script"' },
  { rule: 'a check_restart limit below zero', text: wrap({ group: http, task: check(`${okCheck}\n check_restart {\n limit = -1\n }`) }), code: 'CHECK_INVALID', says: 'limit must be greater than or equal to 0' },
  { rule: 'a check that needs a port when neither it nor its service has one', text: wrap({ task: check(okCheck, 'name = "web"') }), code: 'CHECK_INVALID', says: 'check requires a port but neither check nor service "web" have a port' },
  { rule: 'a numeric port without address_mode = "driver"', text: wrap({ group: http, task: check(`${okCheck}\n port = "9001"`) }), code: 'CHECK_INVALID', says: 'cannot use a numeric port 9001 without setting address_mode="driver"' },
  { rule: 'a duplicate check name', text: wrap({ group: http, task: svc(`name = "web"\n port = "http"\n check {\n name = "c"\n ${okCheck}\n }\n check {\n name = "c"\n ${okCheck}\n }`) }), code: 'CHECK_INVALID', says: 'check "c" is duplicate' },
  { rule: 'a task service check naming a task', text: wrap({ group: http, task: check(`${okCheck}\n task = "t"`) }), code: 'CHECK_INVALID', says: 'only task group service checks can be assigned tasks' },
  { rule: 'a group script check without a task', text: wrap({ group: `${http}\n${check('type = "script"\n command = "x"\n interval = "10s"\n timeout = "2s"')}` }), code: 'CHECK_INVALID', says: 'must specify task parameter' },
  { rule: 'a group check naming a task that does not exist', text: wrap({ group: `${http}\n${check('type = "script"\n command = "x"\n interval = "10s"\n timeout = "2s"\n task = "nope"')}` }), code: 'CHECK_INVALID', says: 'refers to non-existent task nope' },
  { rule: 'a terminating gateway service with sni but no ca_file', text: wrap({ group: 'service {\n name = "gw"\n connect {\n gateway {\n terminating {\n service {\n name = "api"\n sni = "api.local"\n }\n }\n }\n }\n }' }), code: 'SERVICE_INVALID', says: 'Service[0] gw validation failed: Consul Linked Service TLS SNI requires CAFile' },
  // Scaling (TaskGroup.validateScalingPolicy)
  { rule: 'count below scaling min', text: wrap({ group: 'count = 1\n scaling {\n min = 2\n max = 5\n }' }), code: 'SCALING_INVALID', says: 'task group count must not be less than minimum count in scaling policy' },
  { rule: 'count above scaling max', text: wrap({ group: 'count = 6\n scaling {\n min = 2\n max = 5\n }' }), code: 'SCALING_INVALID', says: 'task group count must not be greater than maximum count in scaling policy' },
  { rule: 'a group scaling block without max', text: wrap({ group: 'scaling {\n min = 1\n }' }), code: 'SCALING_INVALID', says: 'maximum count must be specified and non-negative' },
  { rule: 'scaling max below min', text: wrap({ group: 'count = 3\n scaling {\n min = 3\n max = 2\n }' }), code: 'SCALING_INVALID', says: 'maximum count must not be less than minimum count' },
  // Update and migrate
  { rule: 'update on a batch job', text: wrap({ job: 'type = "batch"', group: 'update {\n max_parallel = 1\n }' }), code: 'BLOCK_NOT_ALLOWED', says: 'Job type "batch" does not allow update block' },
  { rule: 'an update health_check that does not exist', text: wrap({ group: 'update {\n health_check = "vibes"\n }' }), code: 'UPDATE_INVALID', says: 'Invalid health check given: "vibes"' },
  { rule: 'auto_promote without canaries', text: wrap({ group: 'update {\n auto_promote = true\n }' }), code: 'UPDATE_INVALID', says: 'Auto Promote requires a Canary count greater than zero' },
  { rule: 'min_healthy_time not below healthy_deadline', text: wrap({ group: 'update {\n min_healthy_time = "10m"\n healthy_deadline = "5m"\n }' }), code: 'UPDATE_INVALID', says: 'Minimum healthy time must be less than healthy deadline' },
  { rule: 'healthy_deadline not below progress_deadline', text: wrap({ group: 'update {\n healthy_deadline = "10m"\n progress_deadline = "10m"\n }' }), code: 'UPDATE_INVALID', says: 'Healthy deadline must be less than progress deadline' },
  { rule: 'migrate on a batch job', text: wrap({ job: 'type = "batch"', group: 'migrate {\n max_parallel = 1\n }' }), code: 'BLOCK_NOT_ALLOWED', says: 'Job type "batch" does not allow migrate block' },
  { rule: 'a migrate health_check that does not exist', text: wrap({ group: 'migrate {\n health_check = "vibes"\n }' }), code: 'MIGRATE_INVALID', says: 'Invalid HealthCheck: "vibes"' },
  { rule: 'a migrate min_healthy_time over healthy_deadline', text: wrap({ group: 'migrate {\n min_healthy_time = "10m"\n healthy_deadline = "1m"\n }' }), code: 'MIGRATE_INVALID', says: 'MinHealthyTime must be less than HealthyDeadline' },
  // Affinity, spread, system jobs
  { rule: 'an affinity with weight 0', text: wrap({ job: 'affinity {\n attribute = "${node.class}"\n value = "a"\n weight = 0\n }' }), code: 'AFFINITY_INVALID', says: 'Affinity weight cannot be zero' },
  { rule: 'an affinity weight over 100', text: wrap({ group: 'affinity {\n attribute = "${node.class}"\n value = "a"\n weight = 200\n }' }), code: 'AFFINITY_INVALID', says: 'Affinity weight must be within the range [-100,100]' },
  { rule: 'an affinity operator that does not exist', text: wrap({ task: 'affinity {\n attribute = "${node.class}"\n operator = "~"\n value = "a"\n }' }), code: 'AFFINITY_INVALID', says: 'Unknown affinity operator "~"' },
  { rule: 'an affinity without a value (operator "=" by default)', text: wrap({ job: 'affinity {\n attribute = "${node.class}"\n }' }), code: 'AFFINITY_INVALID', says: 'Operator "=" requires an RTarget' },
  { rule: 'a spread without attribute', text: wrap({ job: 'spread {\n weight = 50\n }' }), code: 'SPREAD_INVALID', says: 'Missing spread attribute' },
  { rule: 'spread targets over 100%', text: wrap({ group: 'spread {\n attribute = "${node.datacenter}"\n target "a" {\n percent = 70\n }\n target "b" {\n percent = 40\n }\n }' }), code: 'SPREAD_INVALID', says: 'Sum of spread target percentages must not be greater than 100%; got 110%' },
  { rule: 'an affinity on a system job', text: wrap({ job: 'type = "system"\n affinity {\n attribute = "${node.class}"\n value = "a"\n }' }), code: 'BLOCK_NOT_ALLOWED', says: 'System jobs may not have an affinity stanza' },
  { rule: 'a spread on a system job', text: wrap({ job: 'type = "system"', group: 'spread {\n attribute = "${node.class}"\n }' }), code: 'BLOCK_NOT_ALLOWED', says: 'System jobs may not have a spread stanza' },
  { rule: 'a system job group with count > 1', text: wrap({ job: 'type = "system"', group: 'count = 2' }), code: 'OUT_OF_RANGE', says: 'Count cannot exceed 1 with system scheduler' },
  // Group and task
  { rule: 'two leader tasks', text: wrap({ task: 'leader = true' }).replace('  }\n}\n', '    task "u" {\n driver = "raw_exec"\n leader = true\n config {\n command = "x"\n }\n }\n  }\n}\n'), code: 'INVALID_VALUE', says: 'Only one task may be marked as leader' },
  { rule: 'a port label used twice', text: wrap({ group: 'network {\n port "http" {}\n }', task: 'resources {\n network {\n port "http" {}\n }\n }' }), code: 'NETWORK_INVALID', says: 'Port label http already in use by taskgroup network' },
  { rule: 'a static port reserved twice', text: wrap({ group: 'network {\n port "a" {\n static = 8080\n }\n port "b" {\n static = 8080\n }\n }' }), code: 'NETWORK_INVALID', says: 'Static port 8080 already reserved by taskgroup network:a' },
  { rule: 'a volume of an unknown type', text: wrap({ group: 'volume "v" {\n type = "nfs"\n source = "x"\n }' }), code: 'VOLUME_INVALID', says: 'Volume v has unrecognised type nfs' },
  { rule: 'a volume without source', text: wrap({ group: 'volume "v" {\n type = "host"\n }' }), code: 'VOLUME_INVALID', says: 'Volume v has an empty source' },
  { rule: 'a volume_mount of an undefined volume', text: wrap({ task: 'volume_mount {\n volume = "v"\n destination = "/x"\n }' }), code: 'VOLUME_INVALID', says: 'referencing undefined volume v' },
  { rule: 'a volume_mount propagation mode that does not exist', text: wrap({ group: 'volume "v" {\n type = "host"\n source = "x"\n }', task: 'volume_mount {\n volume = "v"\n destination = "/x"\n propagation_mode = "shared"\n }' }), code: 'VOLUME_INVALID', says: 'has an invalid propagation mode: "shared"' },
  { rule: 'a vault block without policies', text: wrap({ task: 'vault {\n env = true\n }' }), code: 'VAULT_INVALID', says: 'Policy list cannot be empty' },
  { rule: 'a vault root policy', text: wrap({ task: 'vault {\n policies = ["root"]\n }' }), code: 'VAULT_INVALID', says: 'Can not specify "root" policy' },
  { rule: 'a vault change_mode that does not exist', text: wrap({ task: 'vault {\n policies = ["a"]\n change_mode = "reload"\n }' }), code: 'VAULT_INVALID', says: 'Unknown change mode "reload"' },
  { rule: 'a job vault without policies reaches every task', text: wrap({ job: 'vault {\n env = false\n }' }), code: 'VAULT_INVALID', says: 'Policy list cannot be empty' },
  { rule: 'distinct_hosts at task level', text: wrap({ task: 'constraint {\n distinct_hosts = true\n }' }), code: 'INVALID_CONSTRAINT', says: 'Constraint 1 has disallowed Operand at task level: distinct_hosts' },
  { rule: 'a csi_plugin type that does not exist', text: wrap({ task: 'csi_plugin {\n id = "p"\n type = "sidecar"\n mount_dir = "/csi"\n }' }), code: 'INVALID_VALUE', says: "CSIPluginConfig PluginType must be one of 'node', 'controller', or 'monolith'" },
  { rule: 'a job ID with a space', text: wrap({}).replace('job "j"', 'job "a b"'), code: 'INVALID_VALUE', says: 'Job ID contains a space' },
  { rule: 'an empty job name', text: wrap({ job: 'name = ""' }), code: 'INVALID_VALUE', says: 'Missing job name' },
  { rule: 'an empty region', text: wrap({ job: 'region = ""' }), code: 'INVALID_VALUE', says: 'Missing job region' },
  { rule: 'an empty namespace', text: wrap({ job: 'namespace = ""' }), code: 'INVALID_VALUE', says: 'Job must be in a namespace' },
  { rule: 'a negative task shutdown_delay', text: wrap({ task: 'shutdown_delay = "-1s"' }), code: 'OUT_OF_RANGE', says: 'ShutdownDelay must be a positive value' },
  { rule: 'a negative group shutdown_delay', text: wrap({ group: 'shutdown_delay = "-1s"' }), code: 'OUT_OF_RANGE', says: 'ShutdownDelay must be a positive value' },
  { rule: 'an empty datacenter name', text: wrap({ job: 'datacenters = [""]' }), code: 'INVALID_VALUE', says: 'Job datacenter must be non-empty string' },
  { rule: 'stop_after_client_disconnect on a system job', text: wrap({ job: 'type = "system"', group: 'stop_after_client_disconnect = "1m"' }), code: 'BLOCK_NOT_ALLOWED', says: 'stop_after_client_disconnect can only be set in batch and service jobs' },
];

const accepted: readonly { readonly rule: string; readonly text: string }[] = [
  { rule: 'a numeric port with address_mode = "driver"', text: wrap({ group: http, task: check(`${okCheck}\n port = "9001"\n address_mode = "driver"`) }) },
  { rule: 'a check inheriting its service port', text: wrap({ group: http, task: check(okCheck) }) },
  { rule: 'a script check needs no port', text: wrap({ task: check('type = "script"\n command = "/bin/true"\n interval = "10s"\n timeout = "2s"', 'name = "web"') }) },
  { rule: 'a service name with an interpolation', text: wrap({ group: http, task: svc('name = "${NOMAD_JOB_NAME}-web"\n port = "http"') }) },
  { rule: 'count within scaling bounds', text: wrap({ group: 'count = 3\n scaling {\n min = 2\n max = 5\n }' }) },
  { rule: 'a task-level port named by a service', text: wrap({ task: `resources {\n network {\n port "http" {}\n }\n }\n${svc('name = "web"\n port = "http"')}` }) },
  { rule: 'distinct_hosts at group level', text: wrap({ group: 'constraint {\n distinct_hosts = true\n }' }) },
  { rule: 'a group script check with its task', text: wrap({ group: `${http}\n${check('type = "script"\n command = "x"\n interval = "10s"\n timeout = "2s"\n task = "t"')}` }) },
  { rule: 'a vault block with policies', text: wrap({ job: 'vault {\n policies = ["a"]\n }' }) },
  // Canonicalize fills change_signal = "SIGHUP" before Vault.Validate can miss it.
  { rule: 'vault change_mode signal without change_signal', text: wrap({ task: 'vault {\n policies = ["a"]\n change_mode = "signal"\n }' }) },
  { rule: 'an affinity by its version shorthand', text: wrap({ job: 'affinity {\n attribute = "${attr.kernel.version}"\n version = ">= 4.0"\n }' }) },
];

describe("Nomad's Job.Validate rules", () => {
  for (const c of rejected) {
    test(`refuses ${c.rule}`, async () => {
      const es = errors(await parse(c.text));
      const hit = es.find((d) => d.code === c.code && d.message.includes(c.says));
      assert.ok(hit, `want ${c.code} "${c.says}", got:\n${es.map((d) => `${d.code} ${d.message}`).join('\n')}`);
      assert.ok(hit.line > 0, 'the error has a position');
    });
  }
  for (const c of accepted) {
    test(`accepts ${c.rule}`, async () => {
      const es = errors(await parse(c.text));
      assert.deepEqual(es.map((d) => `${d.code} ${d.message}`), []);
    });
  }
});

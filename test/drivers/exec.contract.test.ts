import { basename, dirname } from 'node:path';
import { after } from 'node:test';
import { createExecDriver } from '../../src/drivers/exec/index.js';
import type { TaskConfig } from '../../src/drivers/types.js';
import { assertNever } from '../../src/util/assert.js';
import { silentLogger } from '../../src/util/logger.js';
import { cleanupManager, testManager } from '../cgroups/helpers.js';
import { hostTaskConfig, runDriverContract, type ContractScenario } from './contract.js';

// The same contract raw_exec and rkt pass, with the task in its namespaces and chroot. The
// scenarios are inline shell: the fixture scripts live outside the task's root. The task is
// pid 1 of its namespace, which receives only the signals it handles, so the stoppable
// scenario handles SIGINT by exiting as a killed shell would (130).
function command(s: ContractScenario): { command: string; args: string[] } {
  const sh = (script: string): { command: string; args: string[] } => ({ command: '/bin/sh', args: ['-c', script] });
  switch (s.kind) {
    case 'exit':
      return sh(`exit ${s.code}`);
    case 'sleep':
      return sh("trap 'exit 130' INT TERM; echo ready; while :; do sleep 0.05; done");
    case 'ignoreSignals':
      return sh("trap '' INT TERM; echo ready; while :; do sleep 0.05; done");
    case 'exitOnFile':
      // The flag sits in the contract's root, which this test makes the task's /alloc.
      return sh(`until [ -e /alloc/${basename(s.path)} ]; do sleep 0.05; done; exit ${s.code}`);
    default:
      return assertNever(s, 'scenario');
  }
}

function execTaskConfig(scenario: ContractScenario, where: { readonly root: string; readonly id: string }): TaskConfig {
  const base = hostTaskConfig(command(scenario), where);
  return { ...base, env: {}, dirs: { ...base.dirs, allocDir: dirname(where.root) } };
}

runDriverContract('exec', () => createExecDriver({ log: silentLogger, isRoot: () => true, pollIntervalMs: 50 }), execTaskConfig);

// The same contract with every task in its own cgroup, as the agent runs it on this host.
const cgroups = testManager('contract-exec');
after(() => cleanupManager(cgroups));
runDriverContract('exec in cgroups', () => createExecDriver({ log: silentLogger, isRoot: () => true, pollIntervalMs: 50, cgroups }), execTaskConfig);

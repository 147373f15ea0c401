import { join } from 'node:path';
import { after } from 'node:test';
import { cleanupManager, testManager } from '../cgroups/helpers.js';
import { createRawExecDriver } from '../../src/drivers/raw_exec/index.js';
import { assertNever } from '../../src/util/assert.js';
import { silentLogger } from '../../src/util/logger.js';
import { fixturesDir } from '../helpers/paths.js';
import { hostTaskConfig, runDriverContract, type ContractScenario } from './contract.js';

const children = join(fixturesDir, 'children');

function command(s: ContractScenario): { command: string; args: string[] } {
  switch (s.kind) {
    case 'exit':
      return { command: join(children, 'exit-code.sh'), args: [String(s.code)] };
    case 'sleep':
      return { command: join(children, 'sleep.sh'), args: [] };
    case 'ignoreSignals':
      return { command: join(children, 'ignore-signals.sh'), args: [] };
    case 'exitOnFile':
      return { command: join(children, 'exit-on-file.sh'), args: [s.path, String(s.code)] };
    default:
      return assertNever(s, 'scenario');
  }
}

runDriverContract(
  'raw_exec',
  () => createRawExecDriver({ log: silentLogger, enabled: true, pollIntervalMs: 50 }),
  (scenario, where) => hostTaskConfig(command(scenario), where),
);

// The same contract with every task in its own cgroup, as the agent runs it on this host.
const cgroups = testManager('contract-raw');
after(() => cleanupManager(cgroups));
runDriverContract(
  'raw_exec in cgroups',
  () => createRawExecDriver({ log: silentLogger, enabled: true, pollIntervalMs: 50, cgroups }),
  (scenario, where) => hostTaskConfig(command(scenario), where),
);

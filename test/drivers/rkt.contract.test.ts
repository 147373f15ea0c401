import { join } from 'node:path';
import { after } from 'node:test';
import { cleanupManager, testManager } from '../cgroups/helpers.js';
import { createRktDriver } from '../../src/drivers/rkt/index.js';
import { assertNever } from '../../src/util/assert.js';
import { silentLogger } from '../../src/util/logger.js';
import { makeRktSandbox } from '../helpers/rkt.js';
import { hostTaskConfig, runDriverContract, type ContractScenario } from './contract.js';

// The same contract raw_exec passes, through the rkt stand-in: the scenarios run as the
// image's app, so rkt's own signal forwarding and exit-code recording are in the loop.
const sb = makeRktSandbox();
after(() => sb.cleanup());
// Apps run as nobody: their scripts come from the sandbox, never from the checkout.
const children = sb.childrenDir;

function app(s: ContractScenario): { image: string; command: string; args: string[] } {
  const image = 'example.com/sh:1.0';
  switch (s.kind) {
    case 'exit':
      return { image, command: join(children, 'exit-code.sh'), args: [String(s.code)] };
    case 'sleep':
      return { image, command: join(children, 'sleep.sh'), args: [] };
    case 'ignoreSignals':
      return { image, command: join(children, 'ignore-signals.sh'), args: [] };
    case 'exitOnFile':
      return { image, command: join(children, 'exit-on-file.sh'), args: [s.path, String(s.code)] };
    default:
      return assertNever(s, 'scenario');
  }
}

runDriverContract(
  'rkt',
  () => createRktDriver({ log: silentLogger, rktPath: sb.rktPath, rktDir: sb.dataDir, isRoot: () => true, execTimeoutMs: 20_000, pollIntervalMs: 50 }),
  (scenario, where) => hostTaskConfig(app(scenario), where),
);

// With the pod in a cgroup (the fly-like stand-in runs apps as host processes, so they are in it).
const cgroups = testManager('contract-rkt');
after(() => cleanupManager(cgroups));
runDriverContract(
  'rkt in cgroups',
  () => createRktDriver({ log: silentLogger, rktPath: sb.rktPath, rktDir: sb.dataDir, isRoot: () => true, execTimeoutMs: 20_000, pollIntervalMs: 50, cgroups }),
  (scenario, where) => hostTaskConfig(app(scenario), where),
);

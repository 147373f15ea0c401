/** The rkt driver's public surface. */
export { createRktDriver, RKT, type RktDriverDeps } from './driver.js';
export { parseRktVersion, type RktVersion } from './version.js';
export { buildPrepareArgs, buildRunPreparedArgs, buildTrustArgs, type RktArgsOptions } from './args.js';
export { decodeRktConfig } from './config.js';
export type { RktHandleState } from './state.js';
export type { PodRemovalStore } from './removal.js';

/** The node area's public surface: fingerprinting, identity, config and host ports. */
export type { Attributes, DriverHealthState, DriverInfo, NodeInfo } from './types.js';
export type { FingerprintContext, Fingerprinter, HostOs } from './context.js';
export { systemOs } from './context.js';
export { fingerprintHost, hostFingerprinters } from './fingerprint.js';
export { mergeAttributes } from './merge.js';
export { FALLBACK_CPU_MHZ, type FrequencySource } from './cpu.js';
export { DEFAULT_NODE_CONFIG, configOverrides, resolveNodeConfig, type NodeConfig } from './config.js';
export { loadOrCreateNodeId } from './identity.js';
export { buildNodeInfo } from './node-info.js';
export { listeningPorts } from './ports.js';
export { containmentAttributes, type ContainmentFacts } from './containment.js';

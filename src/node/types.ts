/** Node attributes in Nomad's spelling (`cpu.numcores`, `unique.hostname` …), values as strings. */
export type Attributes = Readonly<Record<string, string>>;

/** Nomad's three driver health states. */
export type DriverHealthState = 'undetected' | 'unhealthy' | 'healthy';

export interface DriverInfo {
  readonly name: string;
  readonly detected: boolean;
  readonly healthy: boolean;
  readonly healthState: DriverHealthState;
  /** "Healthy", "disabled", "Driver must run as root", … */
  readonly message: string;
  readonly attributes: Attributes;
  /** ISO-8601 time of this fingerprint. */
  readonly updatedAt: string;
}

/** What the node offers, as the scheduler and `node status` see it. */
export interface NodeInfo {
  readonly id: string;
  readonly name: string;
  readonly datacenter: string;
  readonly region: string;
  readonly nodeClass: string;
  readonly meta: Readonly<Record<string, string>>;
  /** Host attributes plus every driver's attributes. */
  readonly attributes: Attributes;
  readonly drivers: Readonly<Record<string, DriverInfo>>;
  readonly reserved: { readonly cpu: number; readonly memoryMB: number };
  /** Dynamic port range, inclusive. */
  readonly portRange: { readonly min: number; readonly max: number };
}

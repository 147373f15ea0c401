/** What fetching one artifact needs, decided by the agent config and the task. */
export interface ArtifactLimits {
  /** Client `artifact { http_read_timeout }`: the whole download must finish within it. */
  readonly httpReadTimeoutMs: number;
  /** Client `artifact { http_max_size }`: bytes downloaded, and bytes unpacked from one archive. */
  readonly httpMaxBytes: number;
  /** bivouac's `artifact { allowed_local_dirs }`: host dirs a local-path source may read from. Empty: none. */
  readonly allowedLocalDirs: readonly string[];
}

export const DEFAULT_ARTIFACT_LIMITS: ArtifactLimits = {
  httpReadTimeoutMs: 30 * 60_000,
  httpMaxBytes: 100e9,
  allowedLocalDirs: [],
};

/** Archive formats bivouac unpacks, by go-getter's names. */
export type ArchiveKind = 'tar' | 'tar.gz' | 'zip' | 'gz';

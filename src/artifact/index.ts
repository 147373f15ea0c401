/** Artifacts: fetch (http, https, allowed local paths), verify, unpack, confined to the task dir. */
export { fetchArtifact, type FetchTarget, type Fetched, type ResolvedArtifact } from './fetch.js';
export { DEFAULT_ARTIFACT_LIMITS, type ArtifactLimits } from './types.js';

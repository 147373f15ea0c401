/**
 * Removing a pod once its task is over (`rkt rm`, as Nomad 0.7.1–0.8 did; later versions
 * leaked them, nomad#3561), and retrying a pod rkt refuses. A refused pod is written to the
 * store before the call returns (the agent's state: the task's handle, and with it the UUID,
 * goes as soon as the task is recorded exited), so an agent restart picks the retries up
 * again (`resume`) instead of forgetting the pod.
 */
import type { Logger } from '../../util/logger.js';
import { BivouacError } from '../../util/errors.js';
import { describeFailure, type RktCaller, type RktCallResult } from './exec.js';

/** Where pods still to remove are kept across agent restarts (the agent's SQLite). */
export interface PodRemovalStore {
  /** UUIDs of the pods still to remove. */
  list(): readonly string[];
  add(uuid: string, taskId: string): void;
  remove(uuid: string): void;
}

export interface PodRemoverDeps {
  readonly call: RktCaller;
  /** `--dir=…` when set, for every call. */
  readonly dirArgs: readonly string[];
  readonly timeoutMs: number;
  readonly log: Logger;
  /** Null: retries live in this process only. */
  readonly store: PodRemovalStore | null;
  /** First retry delay, doubling up to a minute. Default 2 s. */
  readonly retryBaseMs?: number;
}

export interface PodRemover {
  /** `rkt rm`; a pod that will not go is stored, retried in the background, and reported by the error thrown. */
  remove(taskId: string, uuid: string): Promise<void>;
  /** Retries the pods an earlier agent could not remove. */
  resume(): void;
}

/** Retries within one agent's life; the stored row outlives them for the next agent. */
const MAX_ATTEMPTS = 10;

export function createPodRemover(deps: PodRemoverDeps): PodRemover {
  const { call, dirArgs, timeoutMs, log, store } = deps;
  const base = deps.retryBaseMs ?? 2000;
  const retrying = new Set<string>();

  const gone = (r: RktCallResult): boolean => r.exitCode === 0 || /no matches found/.test(r.stderr);

  const removed = (uuid: string): void => {
    retrying.delete(uuid);
    store?.remove(uuid);
  };

  const retry = (uuid: string, attempt: number): void => {
    retrying.add(uuid);
    const timer = setTimeout(() => {
      void call([...dirArgs, 'rm', uuid]).then((r) => {
        if (gone(r)) {
          removed(uuid);
          log.info({ uuid }, 'pod removed on retry');
        } else if (attempt < MAX_ATTEMPTS) retry(uuid, attempt + 1);
        else {
          retrying.delete(uuid);
          log.error({ uuid, err: describeFailure('rm', r, timeoutMs) }, 'error removing pod - must gc manually (retried again at the next agent start)');
        }
      });
    }, Math.min(60_000, base * 2 ** (attempt - 1)));
    timer.unref();
  };

  return {
    async remove(taskId, uuid) {
      let r = await call([...dirArgs, 'rm', uuid]);
      if (r.exitCode !== 0 && /is currently running/.test(r.stderr)) {
        // Uncontained: rkt's own forced stop, then once more.
        await call([...dirArgs, 'stop', '--force', uuid]);
        r = await call([...dirArgs, 'rm', uuid]);
      }
      if (gone(r)) return;
      const msg = describeFailure('rm', r, timeoutMs);
      store?.add(uuid, taskId);
      log.error({ taskId, uuid, err: msg }, 'error removing pod; retrying');
      if (!retrying.has(uuid)) retry(uuid, 1);
      throw new BivouacError('DRIVER_START', `rkt rm ${uuid} failed, will retry: ${msg}`);
    },
    resume() {
      for (const uuid of store?.list() ?? []) {
        if (retrying.has(uuid)) continue;
        log.info({ uuid }, 'retrying the removal of a pod an earlier agent could not remove');
        retry(uuid, 1);
      }
    },
  };
}

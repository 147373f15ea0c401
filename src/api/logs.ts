/**
 * GET /v1/client/fs/logs/:alloc with Nomad's framing (client/fs_endpoint.go): JSON
 * StreamFrames written back to back — `Data` base64, `File` inside the alloc dir, `Offset`
 * after the data — `{}` heartbeats every second while following, and `plain=true` for the
 * raw bytes. Frames hold at most 64 KiB.
 */
import type { ServerResponse } from 'node:http';
import { getJobVersion, getTaskState, listTaskStates } from '../state/index.js';
import { allocDirPaths } from '../runner/taskdir.js';
import { followLogs, readLogs } from '../runner/logs-read.js';
import { logIndices, type LogStream } from '../runner/logs.js';
import { badRequest, notFound } from './errors.js';
import { requireAlloc } from './read-allocs.js';
import { parseBoolParam } from './request.js';
import type { ReadDeps, Reply, Request } from './types.js';

const FRAME_BYTES = 64 * 1024;
const HEARTBEAT_MS = 1000;
/** How often a followed file is looked at; Nomad batches for 200 ms, so new lines reach the client as soon. */
const FOLLOW_POLL_MS = 100;

export function streamLogs(req: Request, deps: ReadDeps): Reply {
  const db = deps.readDb;
  const alloc = requireAlloc(db, req.params[0]);
  const task = req.query.get('task') ?? '';
  if (task === '') throw badRequest('must provide task name');
  const type = req.query.get('type') ?? '';
  if (type !== 'stdout' && type !== 'stderr') throw badRequest('must provide log type (stdout, stderr)');
  const origin = req.query.get('origin') ?? 'start';
  if (origin !== 'start' && origin !== 'end') throw badRequest('origin must be start or end');
  const offsetText = req.query.get('offset') ?? '0';
  const offset = Number(offsetText);
  if (!/^\d+$/.test(offsetText) || !Number.isSafeInteger(offset)) throw badRequest(`invalid offset "${offsetText}"`);
  const follow = parseBoolParam(req.query, 'follow', false);
  const plain = parseBoolParam(req.query, 'plain', false);
  const tasks = getJobVersion(db, alloc.jobId, alloc.jobVersion)?.job.groups.find((g) => g.name === alloc.taskGroup)?.tasks.map((t) => t.name) ?? listTaskStates(db, alloc.id).map((t) => t.task);
  if (!tasks.includes(task)) throw badRequest(`unknown task name "${task}"`);
  const st = getTaskState(db, alloc.id, task);
  const logsDir = allocDirPaths(deps.dataDir, alloc.id, tasks).logsDir;
  const stream: LogStream = type;
  if ((st === null || st.startedAt === null) && logIndices(logsDir, task, stream).length === 0) {
    throw notFound(`task "${task}" not started yet. No logs available`);
  }
  const fileOf = (): string => {
    const idx = logIndices(logsDir, task, stream);
    return `alloc/logs/${task}.${type}.${idx.length > 0 ? idx[idx.length - 1] : 0}`;
  };
  return {
    kind: 'stream',
    run: async (res: ServerResponse) => {
      const all = readLogs(logsDir, task, stream);
      const from = origin === 'end' ? Math.max(0, all.length - offset) : Math.min(offset, all.length);
      const first = all.subarray(from);
      res.writeHead(200, { 'Content-Type': plain ? 'text/plain; charset=utf-8' : 'application/json' });
      let pos = all.length;
      const write = (data: Buffer): void => {
        if (plain) {
          res.write(data);
          return;
        }
        for (let i = 0; i < data.length; i += FRAME_BYTES) {
          const part = data.subarray(i, i + FRAME_BYTES);
          res.write(JSON.stringify({ Data: part.toString('base64'), File: fileOf(), Offset: pos - data.length + i + part.length }));
        }
      };
      if (first.length > 0) write(first);
      if (!follow) {
        res.end();
        return;
      }
      const heartbeat = plain ? null : setInterval(() => res.write('{}'), HEARTBEAT_MS);
      try {
        for await (const chunk of followLogs(logsDir, task, stream, req.signal, { pollMs: FOLLOW_POLL_MS })) {
          pos += chunk.length;
          write(chunk);
        }
      } finally {
        if (heartbeat) clearInterval(heartbeat);
        res.end();
      }
    },
  };
}

/**
 * `template` and `artifact` in Nomad's API JSON (api/tasks.go field names), as
 * `nomad job run -output` prints them: durations in nanoseconds, empty maps as null.
 */
import { MS_TO_NS } from '../util/duration.js';
import type { ApiObject } from './api-json.js';
import type { ArtifactSpec, TemplateSpec } from './types.js';

export function templateJson(t: TemplateSpec): ApiObject {
  return {
    SourcePath: t.source,
    DestPath: t.destination,
    EmbeddedTmpl: t.data,
    ChangeMode: t.changeMode,
    ChangeSignal: t.changeSignal,
    Splay: t.splayMs * MS_TO_NS,
    Perms: t.perms,
    ...(t.uid === null ? {} : { Uid: t.uid }),
    ...(t.gid === null ? {} : { Gid: t.gid }),
    LeftDelim: t.leftDelim,
    RightDelim: t.rightDelim,
    Envvars: t.env,
    VaultGrace: t.vaultGraceMs * MS_TO_NS,
    // Newer than Nomad 1.0 (as Uid and Gid): written only when set, as Nomad's API omits them.
    ...(t.errorOnMissingKey ? { ErrMissingKey: true } : {}),
    ...plain(t.extra),
  };
}

export function artifactJson(a: ArtifactSpec): ApiObject {
  return {
    GetterSource: a.source,
    GetterOptions: Object.keys(a.options).length === 0 ? null : { ...a.options },
    GetterHeaders: Object.keys(a.headers).length === 0 ? null : { ...a.headers },
    GetterMode: a.mode,
    RelativeDest: a.destination,
    ...plain(a.extra),
  };
}

/** Decoded values are JSON already; this narrows `unknown` for the type checker. */
function plain(o: Readonly<Record<string, unknown>>): ApiObject {
  return JSON.parse(JSON.stringify(o)) as ApiObject;
}

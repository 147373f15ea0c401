/**
 * The flags every read-only command shares. A module of its own: the dispatcher parses
 * `status`'s arguments with them (status-route.ts) without bundling the state's code.
 */
export const READ_FLAGS = { 'data-dir': 'string', json: 'bool', verbose: 'bool', help: 'bool' } as const;

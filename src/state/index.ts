export { openState, closeState, tx, SCHEMA_VERSION, type Database, type OpenOptions } from './db.js';
export * from './types.js';
export * from './jobs.js';
export * from './allocs.js';
export * from './tasks.js';
export * from './events.js';
export * from './node.js';
export * from './reschedules.js';
export * from './children.js';

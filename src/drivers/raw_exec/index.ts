export { createRawExecDriver, RAW_EXEC, TASK_ID_ENV, EXIT_FILE_NAME, type RawExecDriverDeps } from './driver.js';

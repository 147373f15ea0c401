export { createExecDriver, EXEC, EXEC_EXIT_SUFFIX, type ExecDriverDeps } from './driver.js';
export { DEFAULT_CHROOT_ENV } from './chroot.js';

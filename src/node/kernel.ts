import type { FingerprintContext } from './context.js';
import { readOptional } from './context.js';
import { BivouacError } from '../util/errors.js';

/**
 * kernel.name (`linux`, as Go's GOOS spells it), kernel.version (the release, e.g.
 * `6.1.0-18-amd64`) and kernel.arch (the machine name, `x86_64`). /proc/sys/kernel/arch
 * exists from Linux 6.1; older kernels fall back to os.machine().
 */
export async function fingerprintKernel(ctx: FingerprintContext): Promise<Record<string, string>> {
  const release = (await readOptional(ctx.procRoot, 'sys/kernel/osrelease'))?.trim();
  if (!release) throw new BivouacError('NOT_FOUND', `no sys/kernel/osrelease under ${ctx.procRoot}`);
  const ostype = (await readOptional(ctx.procRoot, 'sys/kernel/ostype'))?.trim() || 'Linux';
  const machine = (await readOptional(ctx.procRoot, 'sys/kernel/arch'))?.trim() || ctx.os.machine();
  return {
    'kernel.name': ostype.toLowerCase(),
    'kernel.version': release,
    'kernel.arch': machine,
  };
}

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { createSocket } from 'node:dgram';
import { join } from 'node:path';
import { listeningPorts } from '../../src/node/index.js';
import { fixturesDir } from '../helpers/paths.js';

describe('listeningPorts', () => {
  test('fixture: tcp LISTEN only, udp all bound, tcp6 and udp included', () => {
    const ports = listeningPorts(join(fixturesDir, 'proc', 'x86', 'proc'));
    assert.deepEqual([...ports].sort((a, b) => a - b), [53, 80, 3306, 8080, 55000]);
  });

  test('missing tables count as empty', () => {
    assert.equal(listeningPorts('/nonexistent').size, 0);
  });

  test('real sockets opened here show up in /proc', async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const udp = createSocket('udp4');
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    try {
      const addr = server.address();
      assert.ok(addr && typeof addr === 'object');
      const ports = listeningPorts('/proc');
      assert.ok(ports.has(addr.port), `tcp ${addr.port} listed`);
      assert.ok(ports.has(udp.address().port), `udp ${udp.address().port} listed`);
    } finally {
      udp.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

/** A local HTTP server for artifact tests: 127.0.0.1, port 0, routes to bodies, requests recorded. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Body = Buffer | { readonly size: number; readonly chunk: Buffer } | { readonly status: number };

export interface TestServer {
  readonly url: string;
  readonly requests: { path: string; headers: IncomingHttpHeaders }[];
  route(path: string, body: Body): void;
  close(): Promise<void>;
}

export async function startServer(): Promise<TestServer> {
  const routes = new Map<string, Body>();
  const requests: { path: string; headers: IncomingHttpHeaders }[] = [];
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    requests.push({ path, headers: req.headers });
    const body = routes.get(path);
    if (body === undefined) {
      res.writeHead(404).end('not found');
    } else if (Buffer.isBuffer(body)) {
      res.writeHead(200, { 'content-length': body.length }).end(body);
    } else if ('status' in body) {
      res.writeHead(body.status).end();
    } else {
      // A large body made of one repeated chunk, written with backpressure.
      res.writeHead(200, { 'content-length': body.size });
      let left = body.size;
      const pump = (): void => {
        while (left > 0) {
          const c = left >= body.chunk.length ? body.chunk : body.chunk.subarray(0, left);
          left -= c.length;
          if (!res.write(c)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    route: (p, b) => void routes.set(p, b),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

import * as http from 'http';
import * as net from 'net';
import { Sandbox } from './sandbox';

export interface HttpResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

/**
 * One request to 127.0.0.1:<port> with the Host header of a public name, as a browser reaching
 * that name through the load balancer would send it. The path goes on the wire unnormalized.
 */
export function request(options: {
  readonly port: number;
  readonly host: string;
  readonly path: string;
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer | string;
}): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port: options.port,
      path: options.path,
      method: options.method ?? 'GET',
      setHost: false,
      agent: false,
      headers: { Host: options.host, ...options.headers },
    }, res => {
      const chunks: Buffer[] = [];
      res.on('data', c => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A request as a fake server received it. */
export interface ReceivedRequest {
  readonly method: string;
  /** The request target exactly as received (path and query). */
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface Reply {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
}

/** An in-process HTTP server on a random loopback port that records every request it answers. */
export interface RecordingServer {
  readonly port: number;
  readonly received: ReceivedRequest[];
}

/**
 * `handle` answers at once, or later (a promise: a slow upstream), or never (a promise of
 * undefined: an upstream that hangs until the client gives up).
 */
export async function startRecordingServer(
  sandbox: Sandbox,
  handle: (req: ReceivedRequest) => Reply | Promise<Reply | undefined>,
): Promise<RecordingServer> {
  const received: ReceivedRequest[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      received.push(request);
      const answer = (reply: Reply | undefined) => {
        // The client may have given up meanwhile (a scrape timeout).
        if (reply === undefined || res.destroyed) return;
        res.writeHead(reply.status, reply.headers);
        res.end(reply.body);
      };
      const reply = handle(request);
      if (reply instanceof Promise) void reply.then(answer);
      else answer(reply);
    });
  });
  server.on('connection', s => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  sandbox.onCleanup(() => new Promise<void>(resolve => {
    // nginx keeps upstream connections open: close them so the server can stop at once.
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  }));
  return { port: (server.address() as net.AddressInfo).port, received };
}

/** The value of one cookie in a Cookie header, if present. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Every way a browser might try to reach the server's /metrics past a front serving `writePath`. */
export function pathsTowardsMetrics(writePath: string): string[] {
  const parent = writePath.slice(0, writePath.lastIndexOf('/')) || '/';
  return ['/metrics', `${writePath}/metrics`, `${writePath}/../metrics`, `${writePath}/%2e%2e/metrics`,
    `${writePath}%2F..%2Fmetrics`, `${parent}/metrics`, `${writePath}?/metrics`, `${writePath}#/metrics`];
}

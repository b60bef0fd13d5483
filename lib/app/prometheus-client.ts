/**
 * A client of the Prometheus HTTP API (`POST /api/v1/query`), which Thanos Query and Mimir serve
 * too. Node's http/https rather than fetch: a per-installation CA file needs an https Agent, which
 * Node's fetch cannot take without the undici package.
 *
 * Every failure is a PrometheusQueryError with one line saying what happened, for the user (a
 * URL, a status, a body that is not the API's), never a stack trace.
 */
import * as http from 'http';
import * as https from 'https';
import { bounded } from '../config/problems';

/** Where and how to query one Prometheus. */
export interface PrometheusEndpoint {
  /** Query URL: `/api/v1/query` is appended to its path. */
  readonly url: string;
  /** Sent with every request (X-Scope-OrgID, ...). @default - none */
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as `Authorization: Bearer <token>`. @default - none */
  readonly bearerToken?: string;
  /** PEM certificate authorities for an https URL. @default - Node's bundled ones */
  readonly ca?: string | Buffer;
}

/** One sample of an instant vector. */
export interface Sample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: number;
}

/** The Prometheus could not answer: unreachable, too slow, an HTTP error, or not the Prometheus API. */
export class PrometheusQueryError extends Error {
  constructor(public readonly url: string, public readonly what: string) {
    super(`${url}: ${what}`);
    this.name = 'PrometheusQueryError';
  }
}

/** Largest answer read: a report's vectors are a few series per dashboard. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;
/** How much of a body that is not the API's the error quotes. */
const QUOTED_BODY_CHARS = 60;

/** Evaluates `expr` at `time` (unix seconds); resolves with the instant vector. */
export async function queryInstant(endpoint: PrometheusEndpoint, expr: string, time: number, timeoutMs: number): Promise<Sample[]> {
  const { status, statusText, contentType, body } = await post(endpoint, '/api/v1/query', new URLSearchParams({
    query: expr,
    time: time.toFixed(3),
    // Prometheus' own limit, so a slow query stops there too.
    timeout: `${Math.max(1, Math.floor(timeoutMs / 1000))}s`,
  }).toString(), timeoutMs);
  const answer = apiAnswer(body);
  if (!answer) {
    const what = status >= 400 ? `HTTP ${status} ${statusText}`.trim() : `answered HTTP ${status}`;
    const kind = contentType || 'no content type';
    throw new PrometheusQueryError(endpoint.url, `${what} with a body that is not the Prometheus API (${kind}: ${quoteBody(body)})`);
  }
  if (answer.status !== 'success') {
    const type = typeof answer.errorType === 'string' ? answer.errorType : 'error';
    const message = typeof answer.error === 'string' ? answer.error : 'no message';
    throw new PrometheusQueryError(endpoint.url, `HTTP ${status} ${statusText}, ${type}: ${bounded(message)}`);
  }
  if (status >= 400) throw new PrometheusQueryError(endpoint.url, `HTTP ${status} ${statusText}`.trim());
  const data = answer.data as { resultType?: unknown; result?: unknown } | undefined;
  if (data?.resultType !== 'vector' || !Array.isArray(data.result)) {
    const type = JSON.stringify(data?.resultType ?? null);
    throw new PrometheusQueryError(endpoint.url, `answered a ${type} result where an instant vector was expected`);
  }
  return data.result.map(r => sample(endpoint.url, r));
}

/** The API's envelope, or undefined for anything else (an HTML page, a proxy's text). */
function apiAnswer(body: Buffer): { status: unknown; data?: unknown; errorType?: unknown; error?: unknown } | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as unknown;
    const status = (parsed as { status?: unknown } | null)?.status;
    return status === 'success' || status === 'error' ? parsed as { status: unknown } : undefined;
  } catch {
    return undefined;
  }
}

function sample(url: string, r: unknown): Sample {
  const { metric, value } = (r ?? {}) as { metric?: unknown; value?: unknown };
  const v = Array.isArray(value) ? Number(value[1]) : NaN;
  if (typeof metric !== 'object' || metric === null || Array.isArray(metric) || Number.isNaN(v)) {
    throw new PrometheusQueryError(url, `answered a sample that is not the Prometheus API's: ${bounded(JSON.stringify(r) ?? String(r))}`);
  }
  return { metric: metric as Record<string, string>, value: v };
}

function quoteBody(body: Buffer): string {
  const text = body.toString('utf8').replace(/\s+/g, ' ').trim();
  if (text.length === 0) return 'empty';
  return JSON.stringify(text.length > QUOTED_BODY_CHARS ? `${text.substring(0, QUOTED_BODY_CHARS)}…` : text);
}

interface RawAnswer {
  readonly status: number;
  readonly statusText: string;
  readonly contentType: string;
  readonly body: Buffer;
}

function post(endpoint: PrometheusEndpoint, apiPath: string, form: string, timeoutMs: number): Promise<RawAnswer> {
  const base = new URL(endpoint.url);
  const url = new URL(`${base.pathname.replace(/\/+$/, '')}${apiPath}`, base);
  const client = url.protocol === 'https:' ? https : http;
  const headers: Record<string, string> = {
    ...endpoint.headers,
    'Content-Type': 'application/x-www-form-urlencoded',
    'Content-Length': String(Buffer.byteLength(form)),
    Accept: 'application/json',
    ...(endpoint.bearerToken !== undefined ? { Authorization: `Bearer ${endpoint.bearerToken}` } : {}),
  };
  return new Promise((resolve, reject) => {
    const fail = (what: string) => reject(new PrometheusQueryError(endpoint.url, what));
    const ca = endpoint.ca !== undefined && url.protocol === 'https:' ? { ca: endpoint.ca } : {};
    const req = client.request(url, { method: 'POST', headers, ...ca }, res => {
      const chunks: Buffer[] = [];
      let length = 0;
      res.on('data', (chunk: Buffer) => {
        length += chunk.length;
        if (length > MAX_BODY_BYTES) {
          req.destroy();
          fail(`answered more than ${MAX_BODY_BYTES} bytes`);
        } else {
          chunks.push(chunk);
        }
      });
      res.on('end', () => resolve({
        status: res.statusCode ?? 0,
        statusText: res.statusMessage ?? '',
        contentType: res.headers['content-type'] ?? '',
        body: Buffer.concat(chunks),
      }));
      res.on('error', e => fail(networkProblem(e)));
    });
    // One deadline for the whole exchange, connecting included.
    const timer = setTimeout(() => {
      req.destroy();
      fail(`no answer within ${timeoutMs / 1000} s`);
    }, timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('error', e => fail(networkProblem(e)));
    req.end(form);
  });
}

/** A network error in words: its code and Node's message (`connect ECONNREFUSED 127.0.0.1:9`). */
function networkProblem(e: Error): string {
  const code = (e as NodeJS.ErrnoException).code;
  const kind = code === 'ECONNREFUSED' ? 'connection refused'
    : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'host not found'
      : code === 'ECONNRESET' ? 'connection reset'
        : /CERT|SSL|TLS|SELF_SIGNED|VERIFY|SIGNATURE/i.test(code ?? '') ? 'TLS certificate not accepted'
          : 'cannot connect';
  return `${kind} (${bounded(code && !e.message.includes(code) ? `${code}: ${e.message}` : e.message)})`;
}

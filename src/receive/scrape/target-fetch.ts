import http from 'node:http';
import https from 'node:https';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { IchigenError } from '../../model/index.js';

/** What Prometheus 2.42 sends: OpenMetrics preferred, then the text format. */
export const SCRAPE_ACCEPT = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

export interface TlsOptions {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly serverName?: string;
  readonly insecureSkipVerify?: boolean;
}

export interface FetchOptions {
  readonly url: string;
  readonly timeoutMs: number;
  /** Largest body accepted (after gzip); 0: no limit. */
  readonly bodyLimit: number;
  /** Value of the Authorization header, if any (never logged). */
  readonly authorization?: string;
  readonly tls?: TlsOptions;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface FetchResult {
  readonly body: string;
  readonly contentType: string;
}

/** GETs a scrape target. Errors carry a message fit for a target's `lastError`. */
export function fetchTarget(opts: FetchOptions): Promise<FetchResult> {
  const url = new URL(opts.url);
  const isHttps = url.protocol === 'https:';
  if (!isHttps && url.protocol !== 'http:') return Promise.reject(new IchigenError('BAD_REQUEST', `unsupported scheme "${url.protocol}"`));
  const headers: Record<string, string> = {
    accept: SCRAPE_ACCEPT,
    'accept-encoding': 'gzip',
    'user-agent': 'Ichigen',
    'x-prometheus-scrape-timeout-seconds': String(opts.timeoutMs / 1000),
    ...opts.headers,
  };
  if (opts.authorization) headers.authorization = opts.authorization;
  const tls = opts.tls ?? {};
  return new Promise<FetchResult>((resolve, reject) => {
    const req = (isHttps ? https : http).request(
      url,
      {
        method: 'GET',
        headers,
        timeout: opts.timeoutMs,
        ...(isHttps
          ? {
              ca: tls.ca,
              cert: tls.cert,
              key: tls.key,
              servername: tls.serverName,
              rejectUnauthorized: !tls.insecureSkipVerify,
            }
          : {}),
      },
      (res) => {
        if ((res.statusCode ?? 0) !== 200) {
          res.resume();
          reject(new IchigenError('UNAVAILABLE', `server returned HTTP status ${res.statusCode} ${res.statusMessage ?? ''}`.trim()));
          return;
        }
        let stream: Readable = res;
        if ((res.headers['content-encoding'] ?? '').toLowerCase() === 'gzip') stream = res.pipe(createGunzip());
        const chunks: Buffer[] = [];
        let size = 0;
        stream.on('data', (c: Buffer) => {
          size += c.length;
          if (opts.bodyLimit > 0 && size > opts.bodyLimit) {
            req.destroy(new IchigenError('BODY_TOO_LARGE', `body size limit exceeded (${opts.bodyLimit} bytes)`));
            return;
          }
          chunks.push(c);
        });
        stream.on('end', () => resolve({ body: Buffer.concat(chunks).toString('utf8'), contentType: String(res.headers['content-type'] ?? '') }));
        stream.on('error', (e) => reject(e));
      },
    );
    const timer = setTimeout(() => req.destroy(new IchigenError('TIMEOUT', `context deadline exceeded (scrape timeout ${opts.timeoutMs / 1000}s)`)), opts.timeoutMs);
    req.on('error', (e) => reject(e));
    req.on('close', () => clearTimeout(timer));
    req.end();
  });
}

import { createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { IchigenError } from '../model/index.js';

/**
 * Accepts `Content-Encoding: gzip|deflate` bodies on every route. The decompressed stream
 * goes through Fastify's body limit, so a small gzip bomb cannot inflate past it.
 */
export function installRequestDecompression(app: FastifyInstance): void {
  app.addHook('preParsing', async (request, _reply, payload) => {
    const encoding = (request.headers['content-encoding'] ?? '').toLowerCase().trim();
    if (encoding === '' || encoding === 'identity') return payload;
    // Snappy is a per-protocol framing (remote write, Loki push): receivers decode it.
    if (encoding === 'snappy') return payload;
    let inflater;
    if (encoding === 'gzip' || encoding === 'x-gzip') inflater = createGunzip();
    else if (encoding === 'deflate') inflater = createInflate();
    else throw new IchigenError('UNSUPPORTED_MEDIA_TYPE', `unsupported Content-Encoding "${encoding}" (use gzip, deflate or none)`);
    const out = payload.pipe(inflater) as Readable & { receivedEncodedLength?: number };
    payload.on('error', (err: Error) => inflater.destroy(err));
    // Fastify compares Content-Length with the encoded length, not the inflated one.
    let encoded = 0;
    payload.on('data', (chunk: Buffer) => {
      encoded += chunk.length;
      out.receivedEncodedLength = encoded;
    });
    delete request.headers['content-length'];
    return out;
  });
}

/**
 * Registers a parser that hands the raw bytes to the route (protobuf, snappy bodies).
 * Call inside an encapsulated plugin so it only applies to that plugin's routes.
 */
export function acceptRawBodies(app: FastifyInstance, contentTypes: ReadonlyArray<string | RegExp>, bodyLimit?: number): void {
  for (const ct of contentTypes) {
    app.addContentTypeParser(ct, { parseAs: 'buffer', ...(bodyLimit === undefined ? {} : { bodyLimit }) }, (_req, body, done) => {
      done(null, body);
    });
  }
}

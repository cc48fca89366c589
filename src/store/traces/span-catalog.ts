import { createHash } from 'node:crypto';
import type { OtlpResource, OtlpScope } from '../../receive/otlp/index.js';
import { decodeResource, decodeScope, encodeResource, encodeScope } from './span-codec.js';

interface Entry<T> {
  readonly value: T;
  readonly schemaUrl: string;
}

/**
 * Resources and instrumentation scopes are stored once (a span row keeps their 64-bit id):
 * most spans of a service share them. Ids are a hash of the encoded content, so they are the
 * same after a restart; everything known is kept in memory, which also lets resource filters
 * (`resource.x = …`) be evaluated here and pushed down as a list of ids.
 */
export class SpanCatalog<T extends OtlpResource | OtlpScope> {
  private readonly byId = new Map<bigint, Entry<T>>();
  private readonly idOf = new WeakMap<object, bigint>();
  private pending: Array<{ id: bigint; payload: Buffer }> = [];

  constructor(private readonly kind: 'resource' | 'scope') {}

  private encode(v: T, schemaUrl: string): Buffer {
    return this.kind === 'resource' ? encodeResource(v as OtlpResource, schemaUrl) : encodeScope(v as OtlpScope, schemaUrl);
  }

  /** The id of a resource/scope object (one hash per distinct object), queued for writing when new. */
  id(v: T, schemaUrl: string): bigint {
    const cached = this.idOf.get(v);
    if (cached !== undefined && this.byId.get(cached)?.schemaUrl === schemaUrl) return cached;
    const payload = this.encode(v, schemaUrl);
    const id = createHash('sha1').update(payload).digest().readBigUInt64LE(0);
    if (!this.byId.has(id)) {
      this.byId.set(id, { value: v, schemaUrl });
      this.pending.push({ id, payload });
    }
    this.idOf.set(v, id);
    return id;
  }

  /** Loads a stored row (at open). */
  load(id: bigint, payload: Uint8Array): void {
    if (this.byId.has(id)) return;
    if (this.kind === 'resource') {
      const d = decodeResource(payload);
      this.byId.set(id, { value: d.resource as T, schemaUrl: d.schemaUrl });
    } else {
      const d = decodeScope(payload);
      this.byId.set(id, { value: d.scope as T, schemaUrl: d.schemaUrl });
    }
  }

  get(id: bigint): Entry<T> | undefined {
    return this.byId.get(id);
  }

  /** Rows not yet written; the caller writes them before the spans that use them. */
  takePending(): Array<{ id: bigint; payload: Buffer }> {
    const p = this.pending;
    this.pending = [];
    return p;
  }

  /** Puts back rows whose write failed. */
  restore(rows: ReadonlyArray<{ id: bigint; payload: Buffer }>): void {
    this.pending.unshift(...rows);
  }

  /** Ids whose value passes the test. */
  matching(test: (v: T) => boolean): bigint[] {
    const out: bigint[] = [];
    for (const [id, e] of this.byId) if (test(e.value)) out.push(id);
    return out;
  }

  get size(): number {
    return this.byId.size;
  }
}

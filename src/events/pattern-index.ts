import type { EventEnvelope } from './envelope.js';
import type { EventPattern } from './pattern/event-pattern.js';

/**
 * Many patterns matched against each event (automation rules). Patterns that require one of
 * a fixed set of `source` values are filed under those sources, so an event is tested only
 * against the patterns that could match it plus the ones without such a requirement.
 */
export class PatternIndex<T> {
  private readonly bySource = new Map<string, Map<string, { pattern: EventPattern; value: T }>>();
  private readonly general = new Map<string, { pattern: EventPattern; value: T }>();
  private readonly keysOf = new Map<string, readonly string[] | undefined>();

  set(key: string, pattern: EventPattern, value: T): void {
    this.delete(key);
    const entry = { pattern, value };
    this.keysOf.set(key, pattern.sources);
    if (pattern.sources === undefined) {
      this.general.set(key, entry);
      return;
    }
    for (const s of pattern.sources) {
      let m = this.bySource.get(s);
      if (m === undefined) this.bySource.set(s, (m = new Map()));
      m.set(key, entry);
    }
  }

  delete(key: string): void {
    if (!this.keysOf.has(key)) return;
    const sources = this.keysOf.get(key);
    this.keysOf.delete(key);
    if (sources === undefined) {
      this.general.delete(key);
      return;
    }
    for (const s of sources) {
      const m = this.bySource.get(s);
      m?.delete(key);
      if (m?.size === 0) this.bySource.delete(s);
    }
  }

  get size(): number {
    return this.keysOf.size;
  }

  /** Values of every pattern matching the event, each once. */
  match(envelope: EventEnvelope): T[] {
    const out: T[] = [];
    const bucket = this.bySource.get(envelope.source);
    if (bucket !== undefined) for (const e of bucket.values()) if (e.pattern.matches(envelope)) out.push(e.value);
    for (const e of this.general.values()) if (e.pattern.matches(envelope)) out.push(e.value);
    return out;
  }
}

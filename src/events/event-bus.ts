import type { IchigenEvent } from '../model/index.js';
import { DEFAULT_TENANT, IchigenError } from '../model/index.js';
import { Counter, type Logger, type Registry } from '../self/index.js';
import { Batcher, newId } from '../state/index.js';
import { toEnvelope, type EventEnvelope } from './envelope.js';
import type { EventStore } from './event-store.js';
import { compileEventPattern, type EventPattern } from './pattern/event-pattern.js';

/** What a publisher gives: id, tenant, time and resources get defaults. */
export interface EventInput {
  /** Give the sender's id (SNS MessageId, EventBridge id) so a redelivery is stored once. */
  readonly id?: string;
  readonly tenant?: string;
  readonly time?: number;
  readonly source: string;
  readonly detailType: string;
  readonly resources?: readonly string[];
  readonly detail?: Readonly<Record<string, unknown>>;
  readonly account?: string;
  readonly region?: string;
  /**
   * From outside (the events API, EventBridge, SNS): `ichigen.` sources and `ichigen:` ids are
   * Ichigen's own (alert groups, schedule ticks) and refused, as EventBridge refuses `aws.`
   * sources from PutEvents — so nobody can fake a schedule tick or take its id first.
   */
  readonly external?: boolean;
}

export type EventHandler = (event: IchigenEvent, envelope: EventEnvelope) => void | Promise<void>;

export interface EventSubscription {
  unsubscribe(): void;
}

export interface SubscribeOptions {
  /** Only this tenant's events; all tenants when absent. */
  readonly tenant?: string;
  /** For logs and metrics. */
  readonly name?: string;
  /**
   * Also called when an event with an already stored id is published again (a sender's retry,
   * another replica's schedule tick), with the stored event. Only for idempotent handlers: it
   * lets a retry finish what a crash between storing and handling interrupted.
   */
  readonly redeliver?: boolean;
}

/**
 * The one event stream. `publish` resolves once the event is stored (durable), after every
 * matching subscriber has been called; a subscriber's failure is logged, never the publisher's.
 */
export interface EventBus {
  publish(input: EventInput): Promise<PublishResult>;
  /** `pattern`: an EventBridge pattern (object or JSON text), or null for every event. */
  subscribe(pattern: unknown, handler: EventHandler, options?: SubscribeOptions): EventSubscription;
}

export interface PublishResult {
  readonly event: IchigenEvent;
  /** False when an event with the same id was stored before (then nobody is called again). */
  readonly stored: boolean;
}

interface Subscriber {
  readonly pattern: EventPattern | undefined;
  readonly handler: EventHandler;
  readonly tenant: string | undefined;
  readonly name: string;
  readonly redeliver: boolean;
}

const MAX_ID = 256;
const MAX_DETAIL_BYTES = 256 * 1024;

export class StoredEventBus implements EventBus {
  private readonly subscribers = new Set<Subscriber>();
  private readonly published: Counter;
  private readonly failures: Counter;
  /** Events published at the same time are stored in one transaction (many publishers, one commit). */
  private readonly batcher = new Batcher<{ event: IchigenEvent; receivedAt: number }, boolean>((entries) => this.store.insertAll(entries), 1000);

  constructor(
    private readonly store: EventStore,
    private readonly log: Logger,
    registry: Registry,
    private readonly now: () => number = Date.now,
  ) {
    this.published = new Counter({ name: 'ichigen_events_published_total', help: 'Events stored in the event stream.', registers: [registry] });
    this.failures = new Counter({ name: 'ichigen_event_subscriber_failures_total', help: 'Event subscriber calls that threw.', registers: [registry] });
  }

  async publish(input: EventInput): Promise<PublishResult> {
    const now = this.now();
    const event = normalize(input, now);
    const stored = await this.batcher.submit({ event, receivedAt: now }, 1);
    if (!stored) {
      const again = [...this.subscribers].filter((s) => s.redeliver);
      const first = again.length === 0 ? undefined : await this.store.get(event.tenant, event.id);
      // Another tenant's event with this id is never handed to this tenant's subscribers.
      if (first !== undefined) await this.deliver(first.event, again);
      return { event: first?.event ?? event, stored };
    }
    this.published.inc();
    await this.deliver(event, this.subscribers);
    return { event, stored };
  }

  private async deliver(event: IchigenEvent, subscribers: Iterable<Subscriber>): Promise<void> {
    const envelope = toEnvelope(event);
    const calls: Array<Promise<void>> = [];
    for (const s of subscribers) {
      if (s.tenant !== undefined && s.tenant !== event.tenant) continue;
      if (s.pattern !== undefined && !s.pattern.matches(envelope)) continue;
      calls.push(
        (async () => s.handler(event, envelope))().catch((err: unknown) => {
          this.failures.inc();
          this.log.error({ err, subscriber: s.name, eventId: event.id }, 'event subscriber failed');
        }),
      );
    }
    await Promise.all(calls);
  }

  subscribe(pattern: unknown, handler: EventHandler, options: SubscribeOptions = {}): EventSubscription {
    const sub: Subscriber = {
      pattern: pattern === null || pattern === undefined ? undefined : compileEventPattern(pattern),
      handler,
      tenant: options.tenant,
      name: options.name ?? 'anonymous',
      redeliver: options.redeliver === true,
    };
    this.subscribers.add(sub);
    return { unsubscribe: () => this.subscribers.delete(sub) };
  }
}

function normalize(input: EventInput, now: number): IchigenEvent {
  const fail = (m: string): never => {
    throw new IchigenError('INVALID_PARAMETER', m);
  };
  if (typeof input.source !== 'string' || input.source === '') fail('event source must be a non-empty string');
  if (typeof input.detailType !== 'string' || input.detailType === '') fail('event detailType must be a non-empty string');
  if (input.external === true && input.source.startsWith('ichigen.')) fail(`event source "${input.source}" is reserved: sources starting with "ichigen." are Ichigen's own events`);
  if (input.external === true && input.id?.startsWith('ichigen:') === true) fail('event ids starting with "ichigen:" are reserved for Ichigen\'s own events');
  if (input.id !== undefined && (input.id === '' || input.id.length > MAX_ID)) fail(`event id must be 1–${MAX_ID} characters`);
  const detail = input.detail ?? {};
  if (JSON.stringify(detail).length > MAX_DETAIL_BYTES) fail(`event detail is larger than ${MAX_DETAIL_BYTES} bytes`);
  return {
    id: input.id ?? newId(now),
    tenant: input.tenant ?? DEFAULT_TENANT,
    time: input.time ?? now,
    source: input.source,
    detailType: input.detailType,
    resources: [...(input.resources ?? [])],
    detail,
    ...(input.account !== undefined && input.account !== '' ? { account: input.account } : {}),
    ...(input.region !== undefined && input.region !== '' ? { region: input.region } : {}),
  };
}

import type { Insertable } from 'kysely';
import type { Logger } from '../../self/index.js';
import { Batcher, type StateDb } from '../../state/index.js';
import type { Clock } from '../clock.js';
import { toAlert, toGroup, type AlertGroup, type GroupRow } from '../group.js';
import { readJson } from '../json.js';
import { TimelineBuffer } from '../timeline.js';
import type { StateSchema } from '../../state/index.js';
import { DeliveryError, type DeliveryTarget, type NotificationMessage } from './channel.js';
import type { ChannelStore, StoredChannel } from './channels.js';
import type { ClaimedJob, JobQueue, NotifyJob } from './jobs.js';
import type { HttpPost } from './http-post.js';
import type { LinkSigner } from './links.js';
import { CHANNELS } from './registry.js';

export interface DispatcherOptions {
  readonly maxAttempts: number;
  readonly retryBaseMs: number;
  readonly timeoutMs: number;
  /** External URL used in links; empty: no links in notifications. */
  readonly publicUrl: string;
  readonly batch: number;
}

/** A user's contact points (incident_user_settings.contact). */
export interface UserContact {
  readonly email?: string;
  readonly phone?: string;
  readonly slackUserId?: string;
  readonly teamsWebhookUrl?: string;
  readonly webhookUrl?: string;
}

/** What one job left to write: its delivery attempt, and either its outcome or its retry time. */
interface Outcome {
  readonly id: string;
  /** Its timeline entries. */
  readonly timeline: TimelineBuffer;
  readonly delivery?: Insertable<StateSchema['incident_deliveries']>;
  readonly outcome: string;
  readonly retryAt?: number;
}

/** Reads shared by the jobs of one batch: the first caller's promise serves the others. */
type Memo = <T>(key: string, load: () => Promise<T>) => Promise<T>;
const noMemo: Memo = (_key, load) => load();

const GROUP = 'select * from incident_groups where id = ?';
/** The alerts a notification shows: the first 200 by start time. */
const GROUP_ALERTS = 'select * from incident_alerts where group_id = ? order by starts_at limit 200';
const INTEGRATION_NAME = 'select name from incident_integrations where id = ?';
type AlertRow = StateSchema['incident_alerts'];

/** Which channel kind carries a user's notification method. */
const METHOD_KIND: Readonly<Record<string, string>> = { email: 'email', slack: 'slack', sms: 'twilio', voice: 'twilio', teams: 'teams', webhook: 'webhook' };

/** Sends queued notifications with retries and backoff, logging every attempt. */
export class Dispatcher {
  constructor(
    private readonly state: StateDb,
    private readonly clock: Clock,
    private readonly channels: ChannelStore,
    private readonly queue: JobQueue,
    private readonly links: LinkSigner,
    private readonly options: DispatcherOptions,
    private readonly log: Logger,
    private readonly http: HttpPost,
  ) {}

  /** Outcomes of finished jobs, written together: one transaction for many deliveries. */
  private readonly writer = new Batcher<Outcome, void>(async (outcomes) => {
    await this.write(outcomes);
    return outcomes.map(() => undefined);
  }, 1000);
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly handling = new Set<Promise<void>>();

  /**
   * Claims what is due in the queue (retries, delayed notifications, follow-ups) and sends it;
   * resolves with how many jobs it took once they are sent and logged.
   */
  async runOnce(): Promise<number> {
    const jobs = await this.queue.claim(this.clock(), this.options.batch);
    await this.send(jobs);
    return jobs.length;
  }

  /**
   * Sends jobs this replica holds (claimed from the queue, or queued claimed by an escalation
   * step). Each is sent as soon as a slot is free (at most `batch` at once): a slow receiver
   * holds up only its own jobs. Resolves once they are all sent and logged.
   */
  send(jobs: readonly ClaimedJob[]): Promise<void> {
    if (jobs.length === 0) return Promise.resolve();
    // Channels and integration names change rarely: read once for these jobs, not once per job.
    const memo = new Map<string, Promise<unknown>>();
    const once: Memo = (key, load) => {
      let p = memo.get(key);
      if (p === undefined) memo.set(key, (p = load()));
      return p as ReturnType<typeof load>;
    };
    const all = Promise.all(jobs.map((j) => this.handle(j, once))).then(() => undefined);
    this.handling.add(all);
    return all.finally(() => this.handling.delete(all));
  }

  /** Settles once every job handed over so far is sent and logged (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.handling.size > 0) await Promise.all(this.handling);
  }

  private async handle(job: ClaimedJob, once: Memo): Promise<void> {
    if (this.inFlight >= this.options.batch) await new Promise<void>((r) => this.waiting.push(r));
    else this.inFlight++;
    let outcome: Outcome;
    try {
      outcome = await this.process(job, once);
    } catch (err) {
      // Left claimed: the lease runs out and the job is tried again.
      this.log.error({ err, job: job.id }, 'notification job failed unexpectedly');
      return;
    } finally {
      // The slot is for sending: it passes to the next waiting job while this one's outcome is written.
      const next = this.waiting.shift();
      if (next !== undefined) next();
      else this.inFlight--;
    }
    try {
      await this.writer.submit(outcome, 1);
    } catch (err) {
      // Left claimed: the lease runs out and the job is tried again (a receiver may see it twice).
      this.log.error({ err, job: job.id }, 'notification outcome could not be written');
    }
  }

  /** Writes what finished jobs left (delivery log, timeline, job outcome) in one transaction. */
  private async write(outcomes: readonly Outcome[]): Promise<void> {
    const sql = this.state.sql;
    await this.state.db.transaction().execute(async (trx) => {
      await sql.insert(trx, 'incident_deliveries', outcomes.flatMap((o) => (o.delivery ? [o.delivery] : [])));
      const timeline = new TimelineBuffer();
      for (const o of outcomes) timeline.addAll(o.timeline);
      await timeline.flush(trx, sql);
      const now = this.clock();
      for (const o of outcomes) {
        if (o.retryAt !== undefined) await this.queue.retryAt(o.id, o.retryAt, trx);
        else await this.queue.finish(o.id, now, o.outcome, trx);
      }
    });
  }

  private async process(c: ClaimedJob, once: Memo): Promise<Outcome> {
    const timeline = new TimelineBuffer();
    const [row] = await this.state.sql.all<GroupRow>(this.state.db, GROUP, [c.job.groupId]);
    if (!row) return { id: c.id, timeline, outcome: 'skipped: group gone' };
    const group = toGroup(row);
    if (c.job.requireOpen && (group.status !== 'firing' || group.silencedUntil !== null)) {
      timeline.add(group.id, this.clock(), 'notification', 'system', `${describe(c.job)} skipped: group is ${group.silencedUntil !== null ? 'silenced' : group.status}`);
      return { id: c.id, timeline, outcome: 'skipped' };
    }
    let channel: StoredChannel | undefined;
    let target: DeliveryTarget = {};
    let targetText = '';
    try {
      ({ channel, target, targetText } = await this.resolve(group, c.job, once));
    } catch (err) {
      timeline.add(group.id, this.clock(), 'notification', 'system', `${describe(c.job)} not sent: ${(err as Error).message}`);
      return { id: c.id, timeline, outcome: `failed: ${(err as Error).message}` };
    }
    const impl = CHANNELS[channel.kind]!;
    const message = await this.message(group, c.job, once);
    const started = this.clock();
    const t0 = performance.now();
    let ok = false;
    let detail: string;
    let retryable = false;
    try {
      const settings = impl.settings.parse(channel.settings);
      detail = await impl.send(settings as never, target, message, { post: this.http, timeoutMs: this.options.timeoutMs });
      ok = true;
    } catch (err) {
      detail = err instanceof Error ? err.message : String(err);
      retryable = err instanceof DeliveryError ? err.retryable : true;
    }
    const ms = Math.round(performance.now() - t0);
    const delivery = { tenant: group.tenant, job_id: c.id, group_id: group.id, channel_kind: channel.kind, target: targetText, attempt: c.attempts, ok: ok ? 1 : 0, detail: detail.slice(0, 1000), at: started, duration_ms: ms };
    const now = this.clock();
    if (ok) {
      timeline.add(group.id, now, 'notification', 'system', `${describe(c.job)} sent via ${channel.kind} to ${targetText}`, { detail, attempt: c.attempts, channel: channel.name });
      return { id: c.id, timeline, delivery, outcome: 'sent' };
    }
    if (retryable && c.attempts < this.options.maxAttempts) {
      // Exponential backoff with jitter, so many failing jobs do not retry in lockstep.
      const delay = this.options.retryBaseMs * 2 ** (c.attempts - 1) * (0.8 + Math.random() * 0.4);
      return { id: c.id, timeline, delivery, outcome: '', retryAt: now + Math.round(delay) };
    }
    timeline.add(group.id, now, 'notification', 'system', `${describe(c.job)} via ${channel.kind} to ${targetText} failed after ${c.attempts} attempt(s): ${detail}`);
    return { id: c.id, timeline, delivery, outcome: `failed: ${detail.slice(0, 200)}` };
  }

  private async resolve(group: AlertGroup, job: NotifyJob, once: Memo = noMemo): Promise<{ channel: StoredChannel; target: DeliveryTarget; targetText: string }> {
    if (job.channelId !== undefined) {
      const id = job.channelId;
      const channel = await once(`channel:${group.tenant}:${id}`, () => this.channels.get(group.tenant, id));
      return { channel, target: {}, targetText: `channel ${channel.name}` };
    }
    const db = this.state.db;
    const user = await db.selectFrom('users').select(['id', 'username', 'email']).where('id', '=', job.userId ?? '').executeTakeFirst();
    if (!user) throw new Error(`user ${job.userId ?? '?'} not found`);
    const settings = await db.selectFrom('incident_user_settings').select('contact').where('user_id', '=', user.id).executeTakeFirst();
    const contact = readJson<UserContact>(settings?.contact, {});
    const method = job.method ?? 'email';
    const kind = METHOD_KIND[method];
    if (kind === undefined) throw new Error(`unknown notification method "${method}"`);
    const channel = await once(`kind:${group.tenant}:${kind}`, () => this.channels.firstOfKind(group.tenant, kind));
    if (!channel) throw new Error(`no ${kind} channel is configured for ${method} notifications`);
    const target: Record<string, string> = {};
    const email = contact.email ?? user.email;
    if (method === 'email' && email !== '') target.email = email;
    if ((method === 'sms' || method === 'voice') && contact.phone !== undefined) {
      target.phone = contact.phone;
      target.mode = method;
    }
    if (method === 'slack' && contact.slackUserId !== undefined) target.slackUserId = contact.slackUserId;
    if (method === 'teams' && contact.teamsWebhookUrl !== undefined) target.teamsWebhookUrl = contact.teamsWebhookUrl;
    if (method === 'webhook' && contact.webhookUrl !== undefined) target.webhookUrl = contact.webhookUrl;
    return { channel, target, targetText: `${user.username} (${method})` };
  }

  async message(group: AlertGroup, job: Pick<NotifyJob, 'event'>, once: Memo = noMemo): Promise<NotificationMessage> {
    const db = this.state.db;
    const alerts = (await this.state.sql.all<AlertRow>(db, GROUP_ALERTS, [group.id])).map(toAlert);
    const integration = await once(`integration:${group.integrationId}`, async () => (await this.state.sql.all<{ name: string }>(db, INTEGRATION_NAME, [group.integrationId]))[0]);
    const now = this.clock();
    const base = this.options.publicUrl.replace(/\/+$/, '');
    const links =
      base === ''
        ? {}
        : {
            view: `${base}/api/ichigen/v1/alert-groups/${group.id}`,
            acknowledge: `${base}/api/ichigen/v1/links/${this.links.sign(group.tenant, group.id, 'acknowledge', now)}`,
            resolve: `${base}/api/ichigen/v1/links/${this.links.sign(group.tenant, group.id, 'resolve', now)}`,
          };
    const slack = await once(`kind:${group.tenant}:slack`, () => this.channels.firstOfKind(group.tenant, 'slack'));
    return {
      tenant: group.tenant,
      groupId: group.id,
      title: group.title,
      event: job.event,
      status: group.status,
      groupLabels: group.groupLabels,
      integration: integration?.name ?? '',
      alerts: alerts.map((a) => ({ fingerprint: a.fingerprint, status: a.status, labels: a.labels, annotations: a.annotations, startsAt: a.startsAt, endsAt: a.endsAt, generatorURL: a.generatorURL })),
      links,
      interactive: typeof slack?.settings.signingSecret === 'string' && slack.settings.signingSecret !== '',
      time: now,
    };
  }
}

function describe(job: NotifyJob): string {
  return `${job.event} notification (${job.reason})`;
}

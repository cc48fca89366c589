import { sql, type Transaction } from 'kysely';
import { DateTime } from 'luxon';
import { parseDuration } from '../../model/index.js';
import type { Logger } from '../../self/index.js';
import type { StateDb, StateSchema } from '../../state/index.js';
import type { Clock } from '../clock.js';
import { toGroup, type AlertGroup, type GroupRow } from '../group.js';
import { readJson } from '../json.js';
import type { ClaimedJob, JobQueue, NotifyJob } from '../notify/jobs.js';
import { TimelineBuffer } from '../timeline.js';
import { ChainStore, type Chain, type Step } from './chains.js';
import { PeopleStore, afterQuietHours } from './people.js';
import { ScheduleStore } from './schedules.js';

type Trx = Transaction<StateSchema>;

/** Per-group escalation state kept between steps. */
export interface EscState {
  /** Channels notified so far: they also hear about acknowledge and resolve. */
  channels?: string[];
  waitingForAlerts?: boolean;
}

const MAX_STEPS_PER_PASS = 100;

/** Groups whose next step is due, oldest first (on PostgreSQL locked, skipping those another replica holds). */
const DUE_GROUPS = "select * from incident_groups where esc_next_at <= ? and open = 1 and status = 'firing' and silenced_until is null and suppressed is null order by esc_next_at limit ?";
const SET_ESCALATION = 'update incident_groups set esc_step = ?, esc_repeat = ?, esc_next_at = ?, esc_state = ?, updated_at = ? where id = ?';
const SET_RESOLVED = "update incident_groups set status = 'resolved', open = 0, resolved_at = ?, resolved_by = 'escalation' where id = ?";
const STOP_ESCALATION = 'update incident_groups set esc_next_at = null where id = ?';
const CHANNEL = 'select id, name, kind from incident_channels where tenant = ? and id = ?';

/** One escalation pass: its transaction, the timeline entries and notifications it leaves. */
interface Pass {
  readonly trx: Trx;
  readonly now: number;
  readonly timeline: TimelineBuffer;
  /** Chains read once per pass (many groups share one). */
  readonly chains: Map<string, Promise<Chain>>;
  /** Channels of notify steps, read once per pass (every group of a chain notifies the same one). */
  readonly channels: Map<string, Promise<{ id: string; name: string; kind: string } | undefined>>;
  /** Notifications due now, queued claimed by this replica: sent once the pass commits. */
  readonly claimed: ClaimedJob[];
  readonly resolved: AlertGroup[];
}

/** What a pass inside someone else's transaction leaves for after its commit. */
export interface OpenedEscalation {
  readonly claimed: readonly ClaimedJob[];
  readonly resolved: readonly AlertGroup[];
}

/**
 * Runs escalation chains. Each pass claims the groups whose next step is due (on PostgreSQL
 * with FOR UPDATE SKIP LOCKED, so several replicas never run one group's step twice) and,
 * in the same transaction, advances them and queues their notifications. A group's first
 * steps run in the transaction that opens it (`startOpened`): nobody else can see it yet.
 */
export class EscalationEngine {
  constructor(
    private readonly state: StateDb,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly queue: JobQueue,
    /** After a pass commits: its notifications to send now, the groups a step resolved. */
    private readonly after: (done: OpenedEscalation) => void,
  ) {}

  /** Stores bound to the claiming transaction (SQLite has one connection: reads must use it too). */
  private stores(trx: Trx): { chains: ChainStore; schedules: ScheduleStore; people: PeopleStore } {
    return { chains: new ChainStore(trx, this.state.sql), schedules: new ScheduleStore(trx), people: new PeopleStore(trx) };
  }

  async runOnce(limit = 100): Promise<number> {
    const now = this.clock();
    const sql = this.state.sql;
    let pass: Pass | undefined;
    const n = await this.state.db.transaction().execute(async (trx) => {
      const rows = await sql.all<GroupRow>(trx, this.state.dialect === 'postgres' ? `${DUE_GROUPS} for update skip locked` : DUE_GROUPS, [now, limit]);
      // Every step's timeline entry, written once at the end of the pass in the order they happened.
      pass = { trx, now, timeline: new TimelineBuffer(), chains: new Map(), channels: new Map(), claimed: [], resolved: [] };
      await this.advanceAll(pass, rows);
      await pass.timeline.flush(trx, sql);
      return rows.length;
    });
    if (pass !== undefined) this.after(pass);
    return n;
  }

  /**
   * Runs the steps due now of groups just opened in the caller's transaction (alert intake),
   * with its timeline; the caller hands the result to `after` once that transaction commits.
   */
  async startOpened(trx: Trx, timeline: TimelineBuffer, rows: readonly GroupRow[], now: number): Promise<OpenedEscalation> {
    const due = rows.filter((r) => r.esc_next_at !== null && Number(r.esc_next_at) <= now && r.suppressed === null && r.silenced_until === null && r.status === 'firing');
    const pass: Pass = { trx, now, timeline, chains: new Map(), channels: new Map(), claimed: [], resolved: [] };
    await this.advanceAll(pass, due);
    return pass;
  }

  /** Hands a committed pass's work on (sending, listeners). */
  finish(done: OpenedEscalation): void {
    this.after(done);
  }

  private async advanceAll(pass: Pass, rows: readonly GroupRow[]): Promise<void> {
    for (const r of rows) {
      try {
        const g = await this.advance(pass, toGroup(r), readJson<EscState>(r.esc_state, {}));
        if (g) pass.resolved.push(g);
      } catch (err) {
        this.log.error({ err, group: r.id }, 'escalation step failed');
        await this.state.sql.run(pass.trx, STOP_ESCALATION, [r.id]);
        pass.timeline.add(r.id, pass.now, 'escalation', 'system', `escalation stopped: ${(err as Error).message}`);
      }
    }
  }

  /** Runs due steps of one group until it has to wait; returns the group if a step resolved it. */
  private async advance(pass: Pass, g: AlertGroup, st: EscState): Promise<AlertGroup | undefined> {
    const { trx, now, timeline, chains } = pass;
    const sql = this.state.sql;
    if (g.chainId === null) {
      await sql.run(trx, STOP_ESCALATION, [g.id]);
      return undefined;
    }
    const key = `${g.tenant}:${g.chainId}`;
    let chainP = chains.get(key);
    if (chainP === undefined) chains.set(key, (chainP = this.stores(trx).chains.get(g.tenant, g.chainId)));
    const chain = await chainP;
    let step = g.escStep;
    let repeat = g.escRepeat;
    let next: number | null = now;
    let resolved = false;
    for (let n = 0; n < MAX_STEPS_PER_PASS && next !== null && next <= now; n++) {
      const s = chain.steps[step];
      if (s === undefined) {
        timeline.add(g.id, now, 'escalation', 'system', `escalation chain "${chain.name}" finished`);
        next = null;
        break;
      }
      const out = await this.run(pass, g, s, step, repeat, st);
      timeline.add(g.id, now, 'escalation', 'system', `step ${step + 1} (${s.type}): ${out.message}`);
      step = out.step;
      repeat = out.repeat;
      next = out.next;
      if (out.resolve) {
        resolved = true;
        next = null;
      }
    }
    await sql.run(trx, SET_ESCALATION, [step, repeat, next, JSON.stringify(st), now, g.id]);
    if (!resolved) return undefined;
    await sql.run(trx, SET_RESOLVED, [now, g.id]);
    timeline.add(g.id, now, 'resolved', 'escalation', 'resolved by the escalation chain');
    const row = await trx.selectFrom('incident_groups').selectAll().where('id', '=', g.id).executeTakeFirstOrThrow();
    return toGroup(row);
  }

  /** Queues notifications in the pass; those due now are sent as soon as it commits. */
  private async enqueue(pass: Pass, tenant: string, jobs: readonly { job: NotifyJob; runAt: number }[]): Promise<void> {
    pass.claimed.push(...(await this.queue.enqueue(pass.trx, tenant, jobs, pass.now)));
  }

  private async run(pass: Pass, g: AlertGroup, s: Step, i: number, repeat: number, st: EscState): Promise<{ step: number; repeat: number; next: number | null; message: string; resolve?: boolean }> {
    const { trx, now } = pass;
    const cont = (message: string) => ({ step: i + 1, repeat, next: now, message });
    switch (s.type) {
      case 'wait':
        return { step: i + 1, repeat, next: now + parseDuration(s.duration), message: `waiting ${s.duration}` };
      case 'notify_users':
        return cont(await this.notifyUsers(pass, g, s.users, s.important));
      case 'notify_schedule': {
        const view = await this.stores(trx).schedules.view(g.tenant, s.schedule);
        const users = view.at(now);
        if (users.length === 0) return cont(`nobody is on call in schedule "${view.schedule.name}"`);
        return cont(`on call in "${view.schedule.name}": ${await this.notifyUsers(pass, g, users, s.important)}`);
      }
      case 'notify_team': {
        const team = await this.stores(trx).people.team(g.tenant, s.team);
        return cont(`team "${team.name}": ${await this.notifyUsers(pass, g, team.members, s.important)}`);
      }
      case 'round_robin': {
        // The turn is shared by every group using this step, so load spreads across people.
        const key = `incidents.rr.${g.chainId}.${i}`;
        const cur = await trx.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
        const turn = cur === undefined ? 0 : Number(cur.value);
        await trx.insertInto('settings').values({ key, value: String(turn + 1) }).onConflict((oc) => oc.column('key').doUpdateSet({ value: String(turn + 1) })).execute();
        const user = s.users[turn % s.users.length]!;
        return cont(`round robin: ${await this.notifyUsers(pass, g, [user], s.important)}`);
      }
      case 'notify_channel':
      case 'trigger_webhook': {
        const key = `${g.tenant}\u0000${s.channel}`;
        let chP = pass.channels.get(key);
        if (chP === undefined) pass.channels.set(key, (chP = this.state.sql.all<{ id: string; name: string; kind: string }>(trx, CHANNEL, [g.tenant, s.channel]).then((r) => r[0])));
        const ch = await chP;
        if (!ch) return cont(`channel ${s.channel} not found`);
        if (s.type === 'trigger_webhook' && ch.kind !== 'webhook') return cont(`channel ${ch.name} is not a webhook`);
        await this.enqueue(pass, g.tenant, [{ job: { groupId: g.id, event: 'firing', channelId: ch.id, requireOpen: true, reason: `escalation step ${i + 1}` }, runAt: now }]);
        st.channels = [...new Set([...(st.channels ?? []), ch.id])];
        return cont(`notify channel ${ch.name} (${ch.kind})`);
      }
      case 'time_window': {
        const local = DateTime.fromMillis(now, { zone: s.timeZone });
        const m = local.hour * 60 + local.minute;
        const from = Number(s.from.slice(0, 2)) * 60 + Number(s.from.slice(3));
        const to = Number(s.to.slice(0, 2)) * 60 + Number(s.to.slice(3));
        const inside = from < to ? m >= from && m < to : m >= from || m < to;
        return inside ? cont(`inside ${s.from}-${s.to} ${s.timeZone}: continue`) : { step: i, repeat, next: null, message: `outside ${s.from}-${s.to} ${s.timeZone}: escalation stops` };
      }
      case 'alert_threshold': {
        const since = now - parseDuration(s.window);
        const r = await trx.selectFrom('incident_timeline').select(sql<number>`count(*)`.as('n')).where('group_id', '=', g.id).where('kind', '=', 'alert').where('at', '>=', since).executeTakeFirst();
        const n = Number(r?.n ?? 0);
        if (n > s.count) return cont(`${n} alerts in ${s.window} (more than ${s.count}): continue`);
        st.waitingForAlerts = true;
        return { step: i, repeat, next: null, message: `${n} alerts in ${s.window} (not more than ${s.count}): waiting for more alerts` };
      }
      case 'repeat':
        if (repeat < s.times) return { step: 0, repeat: repeat + 1, next: now, message: `repeat the chain (${repeat + 1} of ${s.times})` };
        return cont(`repeated ${s.times} times already`);
      case 'resolve':
        return { ...cont('resolve the group'), resolve: true };
    }
  }

  private async notifyUsers(pass: Pass, g: AlertGroup, usernames: readonly string[], important: boolean): Promise<string> {
    const { trx, now } = pass;
    const done: string[] = [];
    const people = this.stores(trx).people;
    for (const name of usernames) {
      const user = await people.userByName(name);
      if (!user) {
        done.push(`${name} (unknown user)`);
        continue;
      }
      const settings = await people.settings(user.id);
      const rules = important ? settings.importantRules : settings.rules;
      let at = important ? now : afterQuietHours(settings, now);
      const jobs: { job: NotifyJob; runAt: number }[] = [];
      for (const r of rules) {
        if (r.type === 'wait') at += parseDuration(r.duration);
        else jobs.push({ job: { groupId: g.id, event: 'firing', userId: user.id, method: r.method, requireOpen: true, reason: `${important ? 'important ' : ''}notification for ${name}` }, runAt: at });
      }
      await this.enqueue(pass, g.tenant, jobs);
      done.push(`${name} (${jobs.map((j) => j.job.method).join(', ')}${jobs[0] && jobs[0].runAt > now ? ', after quiet hours' : ''})`);
    }
    return `notify ${done.join('; ')}`;
  }
}

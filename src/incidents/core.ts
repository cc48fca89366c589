import type { FastifyRequest } from 'fastify';
import { writeAudit, type StateDb } from '../state/index.js';
import type { Logger } from '../self/index.js';
import type { Clock } from './clock.js';
import type { AlertGroup, GroupChange, GroupListener } from './group.js';
import { GroupActions } from './group-actions.js';
import { InhibitStore } from './inhibition.js';
import { AlertIntake } from './intake.js';
import { IntegrationStore } from './integrations.js';
import { actorOf } from './request-auth.js';
import { SilenceStore } from './silences.js';

export interface IncidentsOptions {
  readonly resolveTimeoutMs: number;
  readonly maxAlertsPerRequest: number;
}

/** The alerting core every route and background loop shares. */
export class IncidentsCore {
  readonly integrations: IntegrationStore;
  readonly silences: SilenceStore;
  readonly inhibits: InhibitStore;
  readonly intake: AlertIntake;
  readonly groups: GroupActions;
  readonly startedAt: number;
  private readonly listeners: GroupListener[] = [];

  constructor(
    readonly state: StateDb,
    readonly clock: Clock,
    readonly options: IncidentsOptions,
    readonly log: Logger,
  ) {
    this.startedAt = clock();
    this.integrations = new IntegrationStore(state);
    this.silences = new SilenceStore(state.db, state.sql);
    this.inhibits = new InhibitStore(state.db, state.sql);
    const notify = (g: AlertGroup, c: GroupChange, actor: string): void => this.emit(g, c, actor);
    this.intake = new AlertIntake(state, this.silences, this.inhibits, clock, options, notify);
    this.groups = new GroupActions(state.db, clock, notify);
  }

  /** Subscribes to group changes (notifications, the event stream). */
  onChange(listener: GroupListener): void {
    this.listeners.push(listener);
  }

  /** Reports a change made outside intake and group actions (the escalation engine's resolve step). */
  onChangeEmit(g: AlertGroup, c: GroupChange, actor: string): void {
    this.emit(g, c, actor);
  }

  private emit(g: AlertGroup, c: GroupChange, actor: string): void {
    for (const l of this.listeners) {
      try {
        l(g, c, actor);
      } catch (err) {
        this.log.warn({ err, group: g.id }, 'alert group listener failed');
      }
    }
  }

  async audit(request: FastifyRequest, action: string, target: string, details: Record<string, unknown> = {}): Promise<void> {
    await writeAudit(this.state.db, { tenant: request.tenant, actor: actorOf(request), action, target, details, at: this.clock() });
  }
}

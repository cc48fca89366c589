import { Cron } from 'croner';
import { IchigenError } from '../model/index.js';

/** Time source and timers, replaceable by a fake clock in tests. */
export interface Clock {
  now(): number;
  setTimer(fn: () => void, ms: number): { cancel(): void };
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

export interface Schedule {
  /** The first fire time strictly after `after` (ms), or undefined when it never fires again. */
  next(after: number): number | undefined;
}

const RATE = /^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days|second|seconds)\s*\)$/;
const UNIT_MS: Record<string, number> = { second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/**
 * `rate(5 minutes)` (EventBridge's rate expressions, anchored at `anchor`) or a cron
 * expression with optional seconds field (`*\/10 * * * * *`) evaluated in `timeZone` by croner.
 */
export function parseSchedule(expr: string, timeZone: string, anchor: number): Schedule {
  const text = expr.trim();
  const rate = RATE.exec(text);
  if (rate !== null) {
    const n = Number(rate[1]);
    const unit = rate[2]!.replace(/s$/, '');
    if (n < 1) throw new IchigenError('INVALID_PARAMETER', `rate expression "${expr}": the value must be at least 1`);
    if (unit === 'second' && n < 10) throw new IchigenError('INVALID_PARAMETER', `rate expression "${expr}": at least 10 seconds`);
    const every = n * UNIT_MS[unit]!;
    return { next: (after) => anchor + (Math.floor((after - anchor) / every) + 1) * every };
  }
  if (text.startsWith('rate(')) throw new IchigenError('INVALID_PARAMETER', `invalid rate expression "${expr}": expected rate(<n> minutes|hours|days)`);
  try {
    Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new IchigenError('INVALID_PARAMETER', `unknown time zone "${timeZone}"`);
  }
  let cron: Cron;
  try {
    cron = new Cron(text, { timezone: timeZone, paused: true });
  } catch (err) {
    throw new IchigenError('INVALID_PARAMETER', `invalid cron expression "${expr}": ${(err as Error).message}`);
  }
  return {
    next: (after) => {
      const d = cron.nextRun(new Date(after));
      return d === null ? undefined : d.getTime();
    },
  };
}

interface Entry {
  readonly schedule: Schedule;
  nextAt: number | undefined;
  readonly fire: (at: number) => void;
}

/** Fires schedules from one timer; a tick missed while the process was down fires once, not many times. */
export class Scheduler {
  private readonly entries = new Map<string, Entry>();
  private timer: { cancel(): void } | undefined;
  private stopped = false;

  constructor(private readonly clock: Clock) {}

  set(key: string, schedule: Schedule, fire: (at: number) => void): void {
    this.entries.set(key, { schedule, nextAt: schedule.next(this.clock.now()), fire });
    this.arm();
  }

  delete(key: string): void {
    this.entries.delete(key);
    this.arm();
  }

  nextAt(key: string): number | undefined {
    return this.entries.get(key)?.nextAt;
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  private arm(): void {
    this.timer?.cancel();
    this.timer = undefined;
    if (this.stopped) return;
    let soonest = Infinity;
    for (const e of this.entries.values()) if (e.nextAt !== undefined && e.nextAt < soonest) soonest = e.nextAt;
    if (soonest === Infinity) return;
    // Re-check at least every minute so a wall-clock jump is noticed.
    const wait = Math.max(0, Math.min(soonest - this.clock.now(), 60_000));
    this.timer = this.clock.setTimer(() => this.tick(), wait);
  }

  private tick(): void {
    const now = this.clock.now();
    for (const e of this.entries.values()) {
      if (e.nextAt === undefined || e.nextAt > now) continue;
      const at = e.nextAt;
      e.nextAt = e.schedule.next(Math.max(at, now));
      e.fire(at);
    }
    this.arm();
  }
}

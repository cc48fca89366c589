import { checkUnique, dropName } from '../evaluator.js';
import { evalVectorSelector } from '../selectors.js';
import { newSeries, stepTime } from '../values.js';
import type { FunctionImpl } from './function-impl.js';
import { mapFunction } from './function-impl.js';
import { daysIn, goDate, type GoDate } from './go-time.js';

type DatePart = (d: GoDate) => number;

const PARTS: Record<string, DatePart> = {
  minute: (d) => d.minute,
  hour: (d) => d.hour,
  month: (d) => d.month,
  year: (d) => d.year,
  day_of_month: (d) => d.day,
  day_of_week: (d) => d.weekday,
  day_of_year: (d) => d.yday,
  days_in_month: (d) => daysIn(d.month, d.year),
};

/** Date functions: of the argument's values (unix seconds), or of the step time without one. */
function dateFunction(part: DatePart): FunctionImpl {
  const withArg = mapFunction((v) => part(goDate(v)));
  return async (ev, call) => {
    if (call.args.length > 0) return withArg(ev, call);
    const s = newSeries([], ev.steps.n);
    for (let i = 0; i < ev.steps.n; i++) {
      s.values[i] = part(goDate(Math.trunc(stepTime(ev.steps, i) / 1000)));
      s.present[i] = 1;
    }
    return { kind: 'vector', series: [s] };
  };
}

/** timestamp(): of the sample itself when given a plain selector, else of the step. */
const timestamp: FunctionImpl = async (ev, call) => {
  // Prometheus unwraps parentheses around function arguments first.
  let arg = call.args[0]!;
  while (arg.type === 'paren') arg = arg.expr;
  if (arg.type === 'vectorSelector') {
    const series = await evalVectorSelector(ev.ctx, arg, ev.steps, true);
    for (const s of series) {
      s.labels = dropName(s.labels);
      for (let i = 0; i < ev.steps.n; i++) if (s.present[i]) s.values[i] = s.times![i]! / 1000;
      delete s.times;
    }
    checkUnique(series);
    return { kind: 'vector', series };
  }
  const vec = await ev.evalVector(arg);
  for (const s of vec.series) {
    s.labels = dropName(s.labels);
    for (let i = 0; i < ev.steps.n; i++) if (s.present[i]) s.values[i] = stepTime(ev.steps, i) / 1000;
  }
  checkUnique(vec.series);
  return vec;
};

export const TIME_FUNCTIONS: ReadonlyArray<readonly [string, FunctionImpl]> = [
  ...Object.entries(PARTS).map(([name, part]) => [name, dateFunction(part)] as const),
  ['timestamp', timestamp],
  [
    'time',
    async (ev) => {
      const values = new Float64Array(ev.steps.n);
      for (let i = 0; i < ev.steps.n; i++) values[i] = stepTime(ev.steps, i) / 1000;
      return { kind: 'scalar', values };
    },
  ],
];

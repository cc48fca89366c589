import type { Label } from '../../model/index.js';
import type { AnyValue } from '../../receive/otlp/index.js';
import { prometheusLabelName } from '../otlp-metrics/index.js';
import { otlpValueString } from './value-string.js';

/**
 * One OTLP attribute as Loki label pairs: the name normalised as Prometheus does (every
 * character outside [a-zA-Z0-9_] becomes `_`, `key_` before a leading digit), a map value
 * flattened into one pair per leaf joined with `_` (as LogQL's `| json` does), any other
 * value as its text form. Arrays stay one pair holding their JSON.
 */
export function attributeLabels(key: string, value: AnyValue, prefix = ''): Label[] {
  const name = prometheusLabelName(prefix === '' ? key : `${prefix}_${key}`);
  if (value.type !== 'kvlist') return [{ name, value: otlpValueString(value) }];
  const out: Label[] = [];
  for (const kv of value.value) out.push(...attributeLabels(kv.key, kv.value, name));
  return out;
}

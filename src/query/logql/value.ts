import type { Labels } from '../../model/index.js';

/** One element of an instant vector. */
export interface Sample {
  readonly labels: Labels;
  readonly key: string;
  readonly value: number;
}

export type StepValue = { readonly kind: 'vector'; readonly samples: Sample[] } | { readonly kind: 'scalar'; readonly value: number };

/** A log stream in a result: its full label set and entries in query direction. */
export interface ResultStream {
  readonly labels: Labels;
  readonly entries: Array<[bigint, string]>;
}

export type QueryResult =
  | { readonly type: 'streams'; readonly streams: ResultStream[] }
  | { readonly type: 'matrix'; readonly series: Array<{ labels: Labels; points: Array<[number, number]> }> }
  | { readonly type: 'vector'; readonly timeMs: number; readonly samples: Sample[] }
  | { readonly type: 'scalar'; readonly timeMs: number; readonly value: number };

export interface QueryStats {
  entriesScanned: number;
  bytesScanned: number;
  streamsScanned: number;
}

export function keyOf(labels: Labels): string {
  let k = '';
  for (const l of labels) k += l.name + '\xff' + l.value + '\xfe';
  return k;
}

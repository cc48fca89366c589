import { IchigenError, formatLabels, type Exemplar, type Label, type Labels, type MetricMetadata } from '../../model/index.js';
import { ProtoReader } from './proto-reader.js';
import { METRIC_TYPE_NAMES } from './schema.js';
import { LabelCollector, seriesLabelsProblem } from './series-labels.js';

/** One decoded time series: sorted labels and its samples in the order sent. */
export interface DecodedSeries {
  readonly labels: Labels;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  readonly exemplars?: Exemplar[];
}

export interface DecodedWriteRequest {
  readonly series: DecodedSeries[];
  readonly metadata: MetricMetadata[];
  readonly samples: number;
  readonly exemplars: number;
}

/**
 * Decodes a remote write 1.0 `WriteRequest` (already uncompressed). Structural problems
 * (truncated message, label names missing, unsorted or repeated, series without a metric
 * name, native histograms we do not store) reject the whole request with a 400 that names
 * the series: a sender must not retry data that can never be accepted.
 */
export function decodeWriteRequest(buf: Buffer): DecodedWriteRequest {
  const r = new ProtoReader(buf);
  const series: DecodedSeries[] = [];
  const metadata: MetricMetadata[] = [];
  let samples = 0;
  let exemplars = 0;
  while (!r.done) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (field === 1 && wire === 2) {
      const [s, e] = r.bytes();
      const ts = decodeTimeSeries(buf, s, e);
      samples += ts.timestamps.length;
      exemplars += ts.exemplars?.length ?? 0;
      series.push(ts);
    } else if (field === 3 && wire === 2) {
      const [s, e] = r.bytes();
      const m = decodeMetadata(buf, s, e);
      if (m) metadata.push(m);
    } else {
      r.skip(wire);
    }
  }
  return { series, metadata, samples, exemplars };
}

function decodeTimeSeries(buf: Buffer, start: number, end: number): DecodedSeries {
  // First pass: count samples so their arrays are allocated once.
  const scan = new ProtoReader(buf, start, end);
  let count = 0;
  let histograms = 0;
  while (!scan.done) {
    const tag = scan.varint();
    if (tag >>> 3 === 2 && (tag & 7) === 2) count++;
    if (tag >>> 3 === 4 && (tag & 7) === 2) histograms++;
    scan.skip(tag & 7);
  }
  const timestamps = new Float64Array(count);
  const values = new Float64Array(count);
  const collected = new LabelCollector();
  let ex: Exemplar[] | undefined;
  let i = 0;
  const r = new ProtoReader(buf, start, end);
  while (!r.done) {
    const tag = r.varint();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 1 && wire === 2) {
      const [s, e] = r.bytes();
      const l = decodeLabel(buf, s, e);
      collected.add(l.name, l.value);
    } else if (field === 2 && wire === 2) {
      const [s, e] = r.bytes();
      decodeSample(buf, s, e, timestamps, values, i++);
    } else if (field === 3 && wire === 2) {
      const [s, e] = r.bytes();
      (ex ??= []).push(decodeExemplar(buf, s, e));
    } else {
      r.skip(wire);
    }
  }
  const labels = collected.labels;
  let problem = collected.problem ?? seriesLabelsProblem(labels);
  if (problem === undefined && histograms > 0) problem = 'native histograms are not supported; send classic histograms';
  if (problem !== undefined) throw new IchigenError('INVALID_BODY', `series ${formatLabels(labels)}: ${problem}`);
  return ex === undefined ? { labels, timestamps, values } : { labels, timestamps, values, exemplars: ex };
}

function decodeLabel(buf: Buffer, start: number, end: number): Label {
  const r = new ProtoReader(buf, start, end);
  let name = '';
  let value = '';
  while (!r.done) {
    const tag = r.varint();
    if (tag === 0x0a) name = r.string('a label name');
    else if (tag === 0x12) value = r.string('a label value');
    else r.skip(tag & 7);
  }
  return { name, value };
}

function decodeSample(buf: Buffer, start: number, end: number, ts: Float64Array, vs: Float64Array, i: number): void {
  const r = new ProtoReader(buf, start, end);
  while (!r.done) {
    const tag = r.varint();
    if (tag === 0x09) r.double(vs, i);
    else if (tag === 0x10) ts[i] = r.int64();
    else r.skip(tag & 7);
  }
}

function decodeExemplar(buf: Buffer, start: number, end: number): Exemplar {
  const r = new ProtoReader(buf, start, end);
  const labels: Record<string, string> = {};
  let value = 0;
  let timestamp = 0;
  while (!r.done) {
    const tag = r.varint();
    if (tag === 0x0a) {
      const [s, e] = r.bytes();
      const l = decodeLabel(buf, s, e);
      if (l.name !== '' && l.value !== '') labels[l.name] = l.value;
    } else if (tag === 0x11) value = r.doubleNumber();
    else if (tag === 0x18) timestamp = r.int64();
    else r.skip(tag & 7);
  }
  return { labels, value, timestamp };
}

function decodeMetadata(buf: Buffer, start: number, end: number): MetricMetadata | undefined {
  const r = new ProtoReader(buf, start, end);
  let type = 0;
  let metric = '';
  let help = '';
  let unit = '';
  while (!r.done) {
    const tag = r.varint();
    if (tag === 0x08) type = r.varint();
    else if (tag === 0x12) metric = r.string('a metadata metric name');
    else if (tag === 0x22) help = r.string('a metadata help text');
    else if (tag === 0x2a) unit = r.string('a metadata unit');
    else r.skip(tag & 7);
  }
  if (metric === '') return undefined;
  return { metric, type: METRIC_TYPE_NAMES[type] ?? 'unknown', help, unit };
}

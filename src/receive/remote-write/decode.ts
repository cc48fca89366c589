import { IchigenError, formatLabels, type Exemplar, type Label, type Labels, type MetricMetadata } from '../../model/index.js';
import { ProtoReader } from './proto-reader.js';
import { METRIC_TYPE_NAMES } from './schema.js';
import type { LabelsInterner } from './labels-interner.js';
import { SampleColumns } from './sample-columns.js';
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
 *
 * With an interner, a series whose label bytes were seen before gets its label set back
 * without decoding (see LabelsInterner); its samples land in request-wide columns.
 */
export function decodeWriteRequest(buf: Buffer, interner?: LabelsInterner): DecodedWriteRequest {
  const r = new ProtoReader(buf);
  // A sample takes at least 13 bytes on the wire: a first guess that rarely needs to grow.
  const cols = new SampleColumns(Math.min(Math.ceil(buf.length / 24), 65_536));
  const pending: PendingSeries[] = [];
  const metadata: MetricMetadata[] = [];
  let exemplars = 0;
  while (!r.done) {
    const tag = r.varint();
    if (tag === 0x0a) {
      const s = r.sub();
      const ts = decodeTimeSeries(buf, s, r.subEnd, cols, interner);
      exemplars += ts.exemplars?.length ?? 0;
      pending.push(ts);
    } else if (tag === 0x1a) {
      const s = r.sub();
      const m = decodeMetadata(buf, s, r.subEnd);
      if (m) metadata.push(m);
    } else {
      r.skip(tag & 7);
    }
  }
  const series: DecodedSeries[] = new Array<DecodedSeries>(pending.length);
  for (let i = 0; i < pending.length; i++) {
    const p = pending[i]!;
    const timestamps = cols.t.subarray(p.first, p.first + p.count);
    const values = cols.v.subarray(p.first, p.first + p.count);
    series[i] = p.exemplars === undefined ? { labels: p.labels, timestamps, values } : { labels: p.labels, timestamps, values, exemplars: p.exemplars };
  }
  return { series, metadata, samples: cols.n, exemplars };
}

interface PendingSeries {
  readonly labels: Labels;
  readonly first: number;
  readonly count: number;
  readonly exemplars: Exemplar[] | undefined;
}

function decodeTimeSeries(buf: Buffer, start: number, end: number, cols: SampleColumns, interner: LabelsInterner | undefined): PendingSeries {
  const first = cols.n;
  let labelsStart = -1;
  let labelsEnd = -1;
  let contiguous = true;
  let histograms = 0;
  let ex: Exemplar[] | undefined;
  const r = new ProtoReader(buf, start, end);
  while (!r.done) {
    const at = r.pos;
    const tag = r.varint();
    if (tag === 0x0a) {
      r.sub();
      if (labelsStart < 0) labelsStart = at;
      else if (labelsEnd !== at) contiguous = false;
      labelsEnd = r.subEnd;
    } else if (tag === 0x12) {
      const s = r.sub();
      decodeSample(buf, s, r.subEnd, cols);
    } else if (tag === 0x1a) {
      const s = r.sub();
      (ex ??= []).push(decodeExemplar(buf, s, r.subEnd));
    } else {
      if (tag === 0x22) histograms++;
      r.skip(tag & 7);
    }
  }
  // The label fields' raw bytes identify the label set: seen before, it is valid already.
  const cacheable = interner !== undefined && contiguous && labelsStart >= 0;
  let labels = cacheable ? interner.get(buf, labelsStart, labelsEnd) : undefined;
  if (labels === undefined) {
    const collected = new LabelCollector();
    const lr = new ProtoReader(buf, start, end);
    while (!lr.done) {
      const tag = lr.varint();
      if (tag === 0x0a) {
        const s = lr.sub();
        const l = decodeLabel(buf, s, lr.subEnd);
        collected.add(l.name, l.value);
      } else lr.skip(tag & 7);
    }
    labels = collected.take();
    const problem = collected.problem ?? seriesLabelsProblem(labels);
    if (problem !== undefined) throw new IchigenError('INVALID_BODY', `series ${formatLabels(labels)}: ${problem}`);
    if (cacheable) interner.set(buf, labelsStart, labelsEnd, labels);
  }
  if (histograms > 0) throw new IchigenError('INVALID_BODY', `series ${formatLabels(labels)}: native histograms are not supported; send classic histograms`);
  return { labels, first, count: cols.n - first, exemplars: ex };
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

function decodeSample(buf: Buffer, start: number, end: number, cols: SampleColumns): void {
  const r = new ProtoReader(buf, start, end);
  let t = 0;
  let valueAt = -1;
  while (!r.done) {
    const tag = r.varint();
    if (tag === 0x09) {
      if (r.pos + 8 > end) throw new IchigenError('INVALID_BODY', 'invalid protobuf: message is truncated');
      valueAt = r.pos;
      r.pos += 8;
    } else if (tag === 0x10) t = r.int64();
    else r.skip(tag & 7);
  }
  cols.push(t, buf, valueAt);
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

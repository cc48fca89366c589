import { isUtf8 } from 'node:buffer';
import { IchigenError, METRIC_NAME, formatLabels, type Exemplar, type Labels, type MetricMetadata } from '../../model/index.js';
import type { DecodedSeries, DecodedWriteRequest } from './decode.js';
import { metricFamilyName } from './metric-family.js';
import { ProtoReader } from './proto-reader.js';
import { METRIC_TYPE_NAMES } from './schema.js';
import { LabelCollector, seriesLabelsProblem } from './series-labels.js';

export interface DecodedWriteRequestV2 extends DecodedWriteRequest {
  /** Native histogram samples in the request; the store keeps float samples only, so none is written. */
  readonly histograms: number;
  /** Series refused whole (native histograms), as "series {…}: problem", for the 400 answer. */
  readonly refused: string[];
}

/**
 * Decodes a remote write 2.0 `io.prometheus.write.v2.Request` (already uncompressed),
 * hand-written from the spec's .proto: `symbols` (4) is the string table, `timeseries` (5)
 * reference it through `labels_refs`, exemplar `labels_refs`, `Metadata.help_ref`/`unit_ref`.
 * Symbols are decoded once per request, on first use.
 *
 * A malformed request (reference outside the table, odd `labels_refs`, labels unsorted,
 * repeated or without a metric name, samples and histograms in one series) is refused whole
 * with a 400 naming the series. Series carrying native histograms are refused alone (the
 * others are written; the route answers 400 with the Written counts): Ichigen has no native
 * histogram storage. `created_timestamp` is read past: the store has no place for it.
 */
export function decodeWriteRequestV2(buf: Buffer): DecodedWriteRequestV2 {
  const r = new ProtoReader(buf);
  const symbolRanges: number[] = [];
  const seriesRanges: number[] = [];
  while (!r.done) {
    const tag = r.varint();
    const wire = tag & 7;
    if (tag === 0x22) symbolRanges.push(...r.bytes());
    else if (tag === 0x2a) seriesRanges.push(...r.bytes());
    else r.skip(wire);
  }
  const symbols = new SymbolTable(buf, symbolRanges);
  const series: DecodedSeries[] = [];
  const metadata = new Map<string, MetricMetadata>();
  const refused: string[] = [];
  let samples = 0;
  let exemplars = 0;
  let histograms = 0;
  for (let i = 0; i < seriesRanges.length; i += 2) {
    const ts = decodeTimeSeries(buf, seriesRanges[i]!, seriesRanges[i + 1]!, symbols);
    if (ts.metadata) metadata.set(ts.metadata.metric, ts.metadata);
    if (ts.histograms > 0) {
      histograms += ts.histograms;
      refused.push(`series ${formatLabels(ts.series.labels)}: native histograms are not supported (${ts.histograms} histogram samples refused); send classic histograms or float samples`);
      continue;
    }
    samples += ts.series.timestamps.length;
    exemplars += ts.series.exemplars?.length ?? 0;
    series.push(ts.series);
  }
  return { series, metadata: [...metadata.values()], samples, exemplars, histograms, refused };
}

/** The request's string table; a reference outside it refuses the request. */
class SymbolTable {
  private readonly cache: Array<string | undefined>;

  constructor(
    private readonly buf: Buffer,
    private readonly ranges: readonly number[],
  ) {
    this.cache = new Array<string | undefined>(ranges.length / 2);
  }

  get(ref: number, what: string): string {
    const hit = this.cache[ref];
    if (hit !== undefined) return hit;
    if (ref >= this.cache.length) {
      throw new IchigenError('INVALID_BODY', `invalid remote write 2.0 request: ${what} references symbol ${ref}, but the symbols table has ${this.cache.length} entries`);
    }
    const sub = this.buf.subarray(this.ranges[ref * 2]!, this.ranges[ref * 2 + 1]!);
    if (!isUtf8(sub)) throw new IchigenError('INVALID_BODY', `invalid remote write 2.0 request: symbol ${ref} is not valid UTF-8`);
    const s = sub.toString('utf8');
    this.cache[ref] = s;
    return s;
  }
}

interface DecodedTimeSeriesV2 {
  readonly series: DecodedSeries;
  readonly histograms: number;
  readonly metadata: MetricMetadata | undefined;
}

function decodeTimeSeries(buf: Buffer, start: number, end: number, symbols: SymbolTable): DecodedTimeSeriesV2 {
  // First pass: count samples so their arrays are allocated once.
  const scan = new ProtoReader(buf, start, end);
  let count = 0;
  let histograms = 0;
  while (!scan.done) {
    const tag = scan.varint();
    if (tag === 0x12) count++;
    else if (tag === 0x1a) histograms++;
    scan.skip(tag & 7);
  }
  const timestamps = new Float64Array(count);
  const values = new Float64Array(count);
  const refs: number[] = [];
  let ex: Exemplar[] | undefined;
  let meta: [number, number, number] | undefined;
  let i = 0;
  const r = new ProtoReader(buf, start, end);
  while (!r.done) {
    const tag = r.varint();
    switch (tag) {
      case 0x0a: // labels_refs, packed
        readPacked(r, refs);
        break;
      case 0x08: // labels_refs, one unpacked element
        refs.push(r.varint());
        break;
      case 0x12: {
        const [s, e] = r.bytes();
        decodeSample(buf, s, e, timestamps, values, i++);
        break;
      }
      case 0x22: {
        const [s, e] = r.bytes();
        (ex ??= []).push(decodeExemplar(buf, s, e, symbols));
        break;
      }
      case 0x2a: {
        const [s, e] = r.bytes();
        meta = decodeMetadataRefs(buf, s, e);
        break;
      }
      default:
        r.skip(tag & 7);
    }
  }
  const labels = labelsFromRefs(refs, symbols, 'labels_refs');
  let problem = labels.problem ?? seriesLabelsProblem(labels.labels);
  if (problem === undefined && count > 0 && histograms > 0) problem = 'has both samples and histograms (the spec requires separate series)';
  if (problem !== undefined) throw new IchigenError('INVALID_BODY', `series ${formatLabels(labels.labels)}: ${problem}`);
  const set = labels.take();
  const series: DecodedSeries = ex === undefined ? { labels: set, timestamps, values } : { labels: set, timestamps, values, exemplars: ex };
  return { series, histograms, metadata: meta && metadataOf(labels.labels, meta, symbols) };
}

function readPacked(r: ProtoReader, out: number[]): void {
  const [s, e] = r.bytes();
  const sub = new ProtoReader(r.buf, s, e);
  while (!sub.done) out.push(sub.varint());
}

function labelsFromRefs(refs: readonly number[], symbols: SymbolTable, what: string): LabelCollector {
  const c = new LabelCollector();
  if (refs.length % 2 !== 0) {
    c.problem = `${what} has an odd number of references (${refs.length})`;
    return c;
  }
  for (let i = 0; i < refs.length; i += 2) c.add(symbols.get(refs[i]!, what), symbols.get(refs[i + 1]!, what));
  return c;
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

function decodeExemplar(buf: Buffer, start: number, end: number, symbols: SymbolTable): Exemplar {
  const r = new ProtoReader(buf, start, end);
  const refs: number[] = [];
  let value = 0;
  let timestamp = 0;
  while (!r.done) {
    const tag = r.varint();
    if (tag === 0x0a) readPacked(r, refs);
    else if (tag === 0x08) refs.push(r.varint());
    else if (tag === 0x11) value = r.doubleNumber();
    else if (tag === 0x18) timestamp = r.int64();
    else r.skip(tag & 7);
  }
  const c = labelsFromRefs(refs, symbols, 'an exemplar');
  if (c.problem !== undefined) throw new IchigenError('INVALID_BODY', `invalid remote write 2.0 request: exemplar labels: ${c.problem}`);
  const labels: Record<string, string> = {};
  for (const l of c.labels) labels[l.name] = l.value;
  return { labels, value, timestamp };
}

/** [type, help_ref, unit_ref] */
function decodeMetadataRefs(buf: Buffer, start: number, end: number): [number, number, number] {
  const r = new ProtoReader(buf, start, end);
  const out: [number, number, number] = [0, 0, 0];
  while (!r.done) {
    const tag = r.varint();
    if (tag === 0x08) out[0] = r.varint();
    else if (tag === 0x18) out[1] = r.varint();
    else if (tag === 0x20) out[2] = r.varint();
    else r.skip(tag & 7);
  }
  return out;
}

function metadataOf(labels: Labels, [type, helpRef, unitRef]: [number, number, number], symbols: SymbolTable): MetricMetadata | undefined {
  const help = symbols.get(helpRef, 'metadata help_ref');
  const unit = symbols.get(unitRef, 'metadata unit_ref');
  if (type === 0 && help === '' && unit === '') return undefined;
  const name = labels.find((l) => l.name === METRIC_NAME)?.value ?? '';
  const t = METRIC_TYPE_NAMES[type] ?? 'unknown';
  return { metric: metricFamilyName(name, t), type: t, help, unit };
}

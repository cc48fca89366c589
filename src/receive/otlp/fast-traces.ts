import type { AnyValue, KeyValue } from './any-value.js';
import type { OtlpResource, OtlpScope } from './resource.js';
import type { OtlpResourceSpans, OtlpScopeSpans, OtlpSpan, OtlpSpanEvent, OtlpSpanLink, OtlpTraces } from './traces.js';
import { Cursor, GiveUp, MAX_DEPTH, expect, fields, giveUp } from './proto-cursor.js';

/**
 * A direct protobuf reader for ExportTraceServiceRequest / TracesData into the normalised
 * model: one pass, no intermediate message objects, no Long conversions — the hot path of
 * trace ingest. It only handles well-formed requests: anything it does not expect (a wrong
 * wire type, a truncated field, an id of the wrong length, the deprecated
 * instrumentation_library_spans) makes it give up (`undefined`), and the general decoder
 * takes over and reports what is wrong and where.
 */

function anyValue(c: Cursor, depth: number): AnyValue {
  if (depth > MAX_DEPTH) giveUp();
  let v: AnyValue = { type: 'empty' };
  fields(c, (f, w) => {
    switch (f) {
      case 1:
        expect(w, 2);
        v = { type: 'string', value: c.string() };
        return true;
      case 2:
        expect(w, 0);
        v = { type: 'bool', value: c.varint() !== 0 };
        return true;
      case 3:
        expect(w, 0);
        v = { type: 'int', value: c.varint64() };
        return true;
      case 4:
        expect(w, 1);
        v = { type: 'double', value: c.double() };
        return true;
      case 5: {
        expect(w, 2);
        const s = c.sub();
        const values: AnyValue[] = [];
        fields(s, (ff, ww) => {
          if (ff !== 1) return false;
          expect(ww, 2);
          values.push(anyValue(s.sub(), depth + 1));
          return true;
        });
        v = { type: 'array', value: values };
        return true;
      }
      case 6: {
        expect(w, 2);
        const s = c.sub();
        const values: KeyValue[] = [];
        fields(s, (ff, ww) => {
          if (ff !== 1) return false;
          expect(ww, 2);
          values.push(keyValueIn(s, depth + 1));
          return true;
        });
        v = { type: 'kvlist', value: values };
        return true;
      }
      case 7:
        expect(w, 2);
        v = { type: 'bytes', value: c.bytes() };
        return true;
      default:
        return false;
    }
  });
  return v;
}

/**
 * A KeyValue read in place (its length, then fields): no sub-cursor or callback per
 * attribute, and a scalar value read directly — spans carry ten or more attributes each.
 * Anything but a string, bool, int or double value goes through anyValue. Every attribute
 * list (resource, scope, span, event, link, kvlist) is read with it.
 */
function keyValueIn(c: Cursor, depth: number): KeyValue {
  const n = c.varint();
  const end = c.pos + n;
  if (end > c.end) giveUp();
  let key = '';
  let value: AnyValue | undefined;
  while (c.pos < end) {
    const tag = c.varint();
    if (tag === 10) key = c.key();
    else if (tag === 18) value = anyValueIn(c, depth);
    else {
      const f = Math.floor(tag / 8);
      if (f === 1 || f === 2) giveUp();
      c.skip(tag & 7);
    }
    if (c.pos > end) giveUp();
  }
  return { key, value: value ?? { type: 'empty' } };
}

function anyValueIn(c: Cursor, depth: number): AnyValue {
  const n = c.varint();
  const start = c.pos;
  const end = start + n;
  if (end > c.end) giveUp();
  let v: AnyValue | undefined;
  while (c.pos < end) {
    const tag = c.varint();
    if (tag === 10) v = { type: 'string', value: c.string() };
    else if (tag === 16) v = { type: 'bool', value: c.varint() !== 0 };
    else if (tag === 24) v = { type: 'int', value: c.varint64() };
    else if (tag === 33) v = { type: 'double', value: c.double() };
    else {
      // Arrays, kvlists, bytes, unknown fields: the general reader, over the whole value.
      c.pos = end;
      return anyValue(new Cursor(c.buf, start, end), depth);
    }
    if (c.pos > end) giveUp();
  }
  return v ?? { type: 'empty' };
}

function resource(c: Cursor): OtlpResource {
  const attributes: KeyValue[] = [];
  let dropped = 0;
  fields(c, (f, w) => {
    if (f === 1) {
      expect(w, 2);
      attributes.push(keyValueIn(c, 0));
      return true;
    }
    if (f === 2) {
      expect(w, 0);
      dropped = c.varint();
      return true;
    }
    return false;
  });
  return { attributes, droppedAttributesCount: dropped };
}

function scope(c: Cursor): OtlpScope {
  let name = '';
  let version = '';
  const attributes: KeyValue[] = [];
  let dropped = 0;
  fields(c, (f, w) => {
    switch (f) {
      case 1:
        expect(w, 2);
        name = c.string();
        return true;
      case 2:
        expect(w, 2);
        version = c.string();
        return true;
      case 3:
        expect(w, 2);
        attributes.push(keyValueIn(c, 0));
        return true;
      case 4:
        expect(w, 0);
        dropped = c.varint();
        return true;
      default:
        return false;
    }
  });
  return { name, version, attributes, droppedAttributesCount: dropped };
}

function event(c: Cursor): OtlpSpanEvent {
  let time = 0n;
  let name = '';
  const attributes: KeyValue[] = [];
  let dropped = 0;
  fields(c, (f, w) => {
    switch (f) {
      case 1:
        expect(w, 1);
        time = c.fixed64();
        return true;
      case 2:
        expect(w, 2);
        name = c.string();
        return true;
      case 3:
        expect(w, 2);
        attributes.push(keyValueIn(c, 0));
        return true;
      case 4:
        expect(w, 0);
        dropped = c.varint();
        return true;
      default:
        return false;
    }
  });
  return { timeUnixNano: time, name, attributes, droppedAttributesCount: dropped };
}

function link(c: Cursor): OtlpSpanLink {
  let traceId = '';
  let spanId = '';
  let traceState = '';
  const attributes: KeyValue[] = [];
  let dropped = 0;
  let flags = 0;
  fields(c, (f, w) => {
    switch (f) {
      case 1:
        expect(w, 2);
        traceId = c.id(16);
        return true;
      case 2:
        expect(w, 2);
        spanId = c.id(8);
        return true;
      case 3:
        expect(w, 2);
        traceState = c.string();
        return true;
      case 4:
        expect(w, 2);
        attributes.push(keyValueIn(c, 0));
        return true;
      case 5:
        expect(w, 0);
        dropped = c.varint();
        return true;
      case 6:
        expect(w, 5);
        flags = c.fixed32();
        return true;
      default:
        return false;
    }
  });
  if (traceId === '' || spanId === '') giveUp();
  return { traceId, spanId, traceState, attributes, droppedAttributesCount: dropped, flags };
}

const ZERO_TRACE = '0'.repeat(32);
/** Shared by the (many) spans without events or links: never written to. */
const NONE: readonly never[] = Object.freeze([]);
const ZERO_SPAN = '0'.repeat(16);

function span(c: Cursor): OtlpSpan {
  let traceId = '';
  let spanId = '';
  let traceState = '';
  let parentSpanId = '';
  let flags = 0;
  let name = '';
  let kind = 0;
  let start = 0n;
  let end = 0n;
  const attributes: KeyValue[] = [];
  let droppedAttributes = 0;
  let events: OtlpSpanEvent[] | undefined;
  let droppedEvents = 0;
  let links: OtlpSpanLink[] | undefined;
  let droppedLinks = 0;
  let code = 0;
  let message = '';
  // An inline loop (no callback and captured variables per span, the hottest message).
  while (c.more()) {
    const tag = c.varint();
    const f = Math.floor(tag / 8);
    const w = tag & 7;
    switch (f) {
      case 1:
        expect(w, 2);
        traceId = c.id(16);
        continue;
      case 2:
        expect(w, 2);
        spanId = c.id(8);
        continue;
      case 3:
        expect(w, 2);
        traceState = c.string();
        continue;
      case 4:
        expect(w, 2);
        parentSpanId = c.id(8);
        continue;
      case 5:
        expect(w, 2);
        name = c.key();
        continue;
      case 6:
        expect(w, 0);
        kind = c.varint();
        continue;
      case 7:
        expect(w, 1);
        start = c.fixed64();
        continue;
      case 8:
        expect(w, 1);
        end = c.fixed64();
        continue;
      case 9:
        expect(w, 2);
        attributes.push(keyValueIn(c, 0));
        continue;
      case 10:
        expect(w, 0);
        droppedAttributes = c.varint();
        continue;
      case 11:
        expect(w, 2);
        (events ??= []).push(event(c.sub()));
        continue;
      case 12:
        expect(w, 0);
        droppedEvents = c.varint();
        continue;
      case 13:
        expect(w, 2);
        (links ??= []).push(link(c.sub()));
        continue;
      case 14:
        expect(w, 0);
        droppedLinks = c.varint();
        continue;
      case 15: {
        expect(w, 2);
        const s = c.sub();
        fields(s, (ff, ww) => {
          if (ff === 2) {
            expect(ww, 2);
            message = s.string();
            return true;
          }
          if (ff === 3) {
            expect(ww, 0);
            code = s.varint();
            return true;
          }
          return false;
        });
        continue;
      }
      case 16:
        expect(w, 5);
        flags = c.fixed32();
        continue;
      default:
        c.skip(w);
    }
  }
  if (traceId === '' || traceId === ZERO_TRACE || spanId === '' || spanId === ZERO_SPAN) giveUp();
  return {
    traceId,
    spanId,
    parentSpanId,
    traceState,
    flags,
    name,
    kind,
    startTimeUnixNano: start,
    endTimeUnixNano: end,
    attributes,
    droppedAttributesCount: droppedAttributes,
    events: events ?? NONE,
    droppedEventsCount: droppedEvents,
    links: links ?? NONE,
    droppedLinksCount: droppedLinks,
    status: { code, message },
  };
}

const EMPTY_RESOURCE: OtlpResource = { attributes: [], droppedAttributesCount: 0 };
const EMPTY_SCOPE: OtlpScope = { name: '', version: '', attributes: [], droppedAttributesCount: 0 };

/** The request, or undefined when the general decoder must look at it (see above). */
export function fastDecodeTraces(body: Buffer): OtlpTraces | undefined {
  try {
    const root = new Cursor(body, 0, body.length);
    const resourceSpans: OtlpResourceSpans[] = [];
    fields(root, (f, w) => {
      if (f !== 1) return false;
      expect(w, 2);
      const rc = root.sub();
      let res = EMPTY_RESOURCE;
      let schemaUrl = '';
      const scopeSpans: OtlpScopeSpans[] = [];
      fields(rc, (rf, rw) => {
        switch (rf) {
          case 1:
            expect(rw, 2);
            res = resource(rc.sub());
            return true;
          case 2: {
            expect(rw, 2);
            const sc = rc.sub();
            let sco = EMPTY_SCOPE;
            let sUrl = '';
            const spans: OtlpSpan[] = [];
            fields(sc, (sf, sw) => {
              switch (sf) {
                case 1:
                  expect(sw, 2);
                  sco = scope(sc.sub());
                  return true;
                case 2:
                  expect(sw, 2);
                  spans.push(span(sc.sub()));
                  return true;
                case 3:
                  expect(sw, 2);
                  sUrl = sc.string();
                  return true;
                default:
                  return false;
              }
            });
            scopeSpans.push({ scope: sco, spans, schemaUrl: sUrl });
            return true;
          }
          case 3:
            expect(rw, 2);
            schemaUrl = rc.string();
            return true;
          case 1000:
            return giveUp();
          default:
            return false;
        }
      });
      resourceSpans.push({ resource: res, scopeSpans, schemaUrl });
      return true;
    });
    return { resourceSpans };
  } catch (e) {
    if (e instanceof GiveUp) return undefined;
    throw e;
  }
}

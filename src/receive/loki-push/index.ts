export { decodeJsonPush } from './decode-json.js';
export { decodeProtobufPush, encodeProtobufPush } from './decode-protobuf.js';
export { normalizeLabels, parseLabelString } from './label-string.js';
export type { LogEntry, PushBatch, PushStream } from './push-batch.js';

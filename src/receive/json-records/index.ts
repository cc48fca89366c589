export { parseJsonRecords } from './parse-records.js';
export { labelNameOf, recordTimeNs, recordsToPush } from './records-to-push.js';
export type { RecordMapping } from './records-to-push.js';

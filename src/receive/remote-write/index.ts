export { decodeWriteRequest } from './decode.js';
export type { DecodedSeries, DecodedWriteRequest } from './decode.js';
export { decodeWriteRequestV2 } from './decode-v2.js';
export type { DecodedWriteRequestV2 } from './decode-v2.js';
export { encodeWriteRequest } from './encode.js';
export type { EncodableSeries } from './encode.js';
export { WriteRequestType, METRIC_TYPE_NAMES } from './schema.js';
export { compressSnappyBlock, uncompressSnappyBlock } from './snappy-block.js';
export { LabelsInterner } from './labels-interner.js';

export { decodeZipkinV2Json } from './zipkin-v2.js';

export { MemoryMetricStore } from './memory-store.js';

export { familyOf, parseExposition } from './exposition-parser.js';
export type { ParsedExposition, ScrapedSample } from './exposition-parser.js';
export { fetchTarget, SCRAPE_ACCEPT } from './target-fetch.js';
export type { FetchOptions, FetchResult, TlsOptions } from './target-fetch.js';

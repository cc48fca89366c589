export { compileScrapeConfigs, scrapeConfigSchema } from './scrape-config.js';
export type { ScrapeConfigInput, ScrapeDefaults, ScrapeJob } from './scrape-config.js';
export { ScrapeLoop } from './scrape-loop.js';
export type { ScrapeLoopOptions, TargetHealth } from './scrape-loop.js';
export { ScrapeManager } from './scrape-manager.js';
export type { ActiveTarget, DroppedTarget, InternalTarget, ScrapeManagerOptions } from './scrape-manager.js';
export type { ScrapeSink } from './scrape-sink.js';
export { buildTarget } from './target.js';
export type { DiscoveredTarget, Target } from './target.js';

/**
 * Queries of the differential test whose answers differ from Prometheus 2.42, each with the
 * reason. The README lists the same entries; the test fails on any difference not here.
 */
export const KNOWN_DIFFERENCES: Readonly<Record<string, string>> = {};

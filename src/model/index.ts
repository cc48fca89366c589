export { ERROR_CATALOGUE, IchigenError, errors, isIchigenError } from './errors.js';
export type { ErrorCode, ErrorDefinition, ErrorType, IchigenErrorOptions } from './errors.js';
export {
  METRIC_NAME,
  compareLabelNames,
  compareLabels,
  formatLabels,
  getLabel,
  isValidLabelName,
  isValidMetricName,
  labelsFromRecord,
  labelsKey,
  labelsToRecord,
} from './labels.js';
export type { Label, Labels } from './labels.js';
export { LabelPool, internLabel } from './label-pool.js';
export { compileMatcher, matchLabels, matchesEmpty } from './matcher.js';
export type { LabelMatcher, MatchType } from './matcher.js';
export { compileAnchoredRe2, compileRe2, translateRe2 } from './re2.js';
export { goRegexpError } from './go-regexp-error.js';
export type { TranslatedRegex } from './re2.js';
export { DEFAULT_TENANT, TENANT_HEADER, isValidTenantId } from './tenant.js';
export { ROLES, ROLE_SCOPES, SCOPES, hasScope, isRole, isScope } from './principal.js';
export type { Principal, Role, Scope } from './principal.js';
export { formatDuration, parseDuration, tryParseDuration } from './duration.js';
export { formatBytes, parseBytes, tryParseBytes } from './size.js';
export { STALE_NAN, STALE_NAN_HI, STALE_NAN_LO, isStaleAt, isStaleNaN } from './sample.js';
export type { Exemplar, MetricMetadata, MetricType } from './sample.js';
export type { IchigenEvent } from './event.js';

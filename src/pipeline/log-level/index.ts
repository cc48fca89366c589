export { DETECTED_LEVEL, LEVEL_FIELDS, detectLevel, withDetectedLevel } from './detect-level.js';

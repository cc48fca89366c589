import './request-context.js';

export { acceptRawBodies, installRequestDecompression } from './body.js';
export { errorBody, toIchigenError } from './error-body.js';
export type { ErrorBody } from './error-body.js';
export { installErrorHandling } from './error-handler.js';
export { installFormBodies, parseForm } from './form-body.js';
export { APP_API_PREFIX } from './app-api.js';
export { parseWith } from './validate.js';

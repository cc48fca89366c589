/** Ichigen's own API (the UI's and scripts'), kept apart from the peers' API namespaces. */
export const APP_API_PREFIX = '/api/ichigen/v1';

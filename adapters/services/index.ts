/** The services API adapter: contract types, the HTTP client and idempotency keys. */
export * from './types';
export { contentIdempotencyKey, createServicesClient, newIdempotencyKey, type ServicesClient, type ServicesClientOptions, type CircuitStateName } from './client';
export * from './reminderConsents';

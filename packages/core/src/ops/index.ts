/**
 * Operations: Prometheus metrics any module can record into, and readiness checks for probes.
 * @packageDocumentation
 */
export { type Check, queueCheck, type Readiness, readiness } from './health.js';
export { HearthMetrics, metrics, type Outcome } from './metrics.js';

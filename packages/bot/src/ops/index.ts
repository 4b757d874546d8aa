export {
  type OpsServer,
  type OpsServerOptions,
  parseOpsListen,
  type ReadinessReport,
  startOpsServer,
} from './server.js';
export { hearthChecks, type OpsHearth, resolveOpsListen, startSurfaceOps } from './surface.js';

export {
  type OpsServer,
  type OpsServerOptions,
  parseOpsListen,
  type ReadinessReport,
  startOpsServer,
} from './server.js';

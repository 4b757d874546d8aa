/**
 * Hearth's GAN plugin: learn a table (CSV) with TVAE or CTGAN on tfjs-wasm and generate synthetic
 * rows (N rows, balanced classes or conditioned values) with a quality report people can read.
 * @packageDocumentation
 */
import { definePlugin } from '@hearth/sdk';
import { augmentTool } from './tool.js';

export const plugin = definePlugin({
  id: 'gan',
  version: '0.1.0',
  hearth: '^0.1.0',
  description: 'Synthetic tabular data (TVAE / CTGAN) with a fidelity, ML-efficacy and privacy report',
  permissions: [],
  tools: [augmentTool],
});

export default plugin;
export { seededRandom } from '@hearth/ml';
export {
  type AugmentHooks,
  type AugmentOptions,
  type AugmentResult,
  augmentCsv,
  augmentTable,
  splitRows,
  subset,
} from './augment.js';
export { type ColumnInfo, type ColumnKind, finalizeValues, inferTable, type Table } from './data/columns.js';
export { type CsvLimits, parseCsv, type RawTable, toCsv } from './data/csv.js';
export { syntheticIds } from './data/ids.js';
export { Ctgan } from './models/ctgan.js';
export { Tvae } from './models/tvae.js';
export { type Efficacy, MIN_BASELINE_F1, mlEfficacy } from './report/efficacy.js';
export { privacy } from './report/privacy.js';
export { type QualityReport, qualityReport, reportPlots, reportSummary } from './report/report.js';
export { augmentTool, parsePairs, parseTypes } from './tool.js';
export { fitMixture } from './transform/gmm.js';
export { DataTransformer } from './transform/transformer.js';

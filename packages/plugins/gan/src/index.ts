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
export { augmentTool, parsePairs, parseTypes } from './tool.js';
export { augmentCsv, augmentTable, splitRows, subset, type AugmentOptions, type AugmentHooks, type AugmentResult } from './augment.js';
export { parseCsv, toCsv, type RawTable, type CsvLimits } from './data/csv.js';
export { inferTable, finalizeValues, type ColumnInfo, type ColumnKind, type Table } from './data/columns.js';
export { DataTransformer } from './transform/transformer.js';
export { fitMixture } from './transform/gmm.js';
export { Tvae } from './models/tvae.js';
export { Ctgan } from './models/ctgan.js';
export { qualityReport, reportPlots, reportSummary, type QualityReport } from './report/report.js';
export { seededRandom } from '@hearth/ml';

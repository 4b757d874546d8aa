/** The Hearth host version; plugins' `hearth` semver ranges are checked against it. */
export const HEARTH_VERSION = '0.1.0';

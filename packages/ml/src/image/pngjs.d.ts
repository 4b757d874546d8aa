// Minimal typings for the part of pngjs 7 used here (the package ships none; @types/pngjs is not a dependency).
declare module 'pngjs' {
  export interface PNGOptions {
    width?: number;
    height?: number;
    colorType?: number;
    inputHasAlpha?: boolean;
  }
  export class PNG {
    constructor(options?: PNGOptions);
    width: number;
    height: number;
    data: Buffer;
    static sync: {
      write(png: PNG, options?: PNGOptions): Buffer;
      read(buffer: Buffer): PNG;
    };
  }
}

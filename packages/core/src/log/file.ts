import { closeSync, fstatSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** Options of {@link fileDestination}. */
export interface FileDestinationOptions {
  /** Size at which the file is rotated to `<path>.1` (the previous `.1` is dropped); default 5 MiB. */
  maxBytes?: number;
  /** Called once if the file cannot be written; logging then continues without it. */
  onError?: (err: Error) => void;
}

/** A pino destination appending to a file. */
export interface FileDestination {
  readonly path: string;
  write(line: string): void;
  /** Closes the file; a later write reopens it. */
  close(): void;
}

/**
 * Appends log lines to `path`, creating its folder on the first line (so commands that log nothing
 * leave no file) and keeping at most two files of `maxBytes` (`path` and `path.1`). Writes are
 * synchronous so the last lines before a crash or exit are on disk.
 */
export function fileDestination(path: string, options: FileDestinationOptions = {}): FileDestination {
  const maxBytes = options.maxBytes ?? 5 * 1024 * 1024;
  let fd: number | undefined;
  let size = 0;
  let failed = false;
  const open = () => {
    mkdirSync(dirname(path), { recursive: true });
    fd = openSync(path, 'a', 0o600);
    size = fstatSync(fd).size;
  };
  const close = () => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
  };
  return {
    path,
    write(line) {
      if (failed) return;
      try {
        if (fd === undefined) open();
        const bytes = Buffer.byteLength(line);
        if (size > 0 && size + bytes > maxBytes) {
          close();
          renameSync(path, `${path}.1`);
          open();
        }
        writeSync(fd as number, line);
        size += bytes;
      } catch (err) {
        failed = true;
        close();
        options.onError?.(err as Error);
      }
    },
    close,
  };
}

import { Redactor } from '@hearth/core';
import { HearthError } from '@hearth/sdk';
import { describe, expect, it } from 'vitest';
import { formatFailure, onInterrupt, watchShutdown } from '../../src/cli/context.js';

describe('watchShutdown (issue 15, bug 5)', () => {
  it('keeps its listener registered through the graceful part, so signal-exit never finds itself alone', async () => {
    const before = process.listenerCount('SIGTERM');
    const exits: number[] = [];
    const forced: string[] = [];
    const watch = watchShutdown({ exit: (code) => exits.push(code), onForce: (s) => forced.push(s) });
    process.emit('SIGTERM');
    await expect(watch.stopped).resolves.toBe('SIGTERM');
    // still listening while in-flight work finishes (a `process.once` listener would be gone here)
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    expect(exits).toEqual([]);
    // a second signal during the shutdown leaves at once
    process.emit('SIGINT');
    expect(forced).toEqual(['SIGINT']);
    expect(exits).toEqual([130]);
    watch.release();
    expect(process.listenerCount('SIGTERM')).toBe(before);
  });

  it('onInterrupt calls its handler on every Ctrl-C until released', () => {
    let calls = 0;
    const before = process.listenerCount('SIGINT');
    const stop = onInterrupt(() => calls++);
    process.emit('SIGINT');
    process.emit('SIGINT');
    expect(process.listenerCount('SIGINT')).toBe(before + 1);
    stop();
    expect(calls).toBe(2);
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});

describe('formatFailure', () => {
  const secret = 'canary-fail-8d2c4e';
  const redactor = new Redactor();
  redactor.add(secret);

  it('prints the message redacted, and the stack only when verbose', () => {
    const err = new Error(`login failed with ${secret}`);
    expect(formatFailure(err, redactor, false)).toBe('hearth: login failed with [redacted]\n');
    const verbose = formatFailure(err, redactor, true);
    expect(verbose).toContain('    at ');
    expect(verbose).not.toContain(secret);
  });

  it('handles HearthErrors and thrown non-errors', () => {
    expect(formatFailure(new HearthError('invalid_input', `bad ${secret}`), redactor, false)).toBe(
      'hearth: bad [redacted]\n',
    );
    expect(formatFailure(`raw ${secret}`, redactor, false)).toBe('hearth: raw [redacted]\n');
  });
});

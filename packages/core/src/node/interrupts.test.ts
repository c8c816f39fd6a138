import { afterEach, describe, expect, it, vi } from 'vitest';
import { handleInterrupts, interruptExitCode, type InterruptSignal } from './interrupts.js';

// Signals are delivered by calling the listener handleInterrupts installed, not process.kill: the
// test runner's own SIGINT/SIGTERM listeners must not see them.
function installedListener(signal: InterruptSignal, before: Function[]): (signal: InterruptSignal) => void {
  const added = process.listeners(signal).filter((l) => !before.includes(l));
  expect(added).toHaveLength(1);
  return added[0] as (signal: InterruptSignal) => void;
}

afterEach(() => vi.restoreAllMocks());

describe('handleInterrupts', () => {
  it('exit statuses are 128 + the signal number', () => {
    expect(interruptExitCode('SIGINT')).toBe(130);
    expect(interruptExitCode('SIGTERM')).toBe(143);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s: the first calls the handler, a second exits with %i', async (signal, status) => {
    const exit = vi.spyOn(process, 'exit').mockImplementation(((code: number) => {
      throw new Error(`exit ${code}`);
    }) as never);
    const before = process.listeners(signal);
    const seen: string[] = [];
    await handleInterrupts({ onInterrupt: (s) => seen.push(`first ${s}`), onRepeat: (s) => seen.push(`again ${s}`) }, async () => {
      const deliver = installedListener(signal, before);
      deliver(signal);
      expect(seen).toEqual([`first ${signal}`]);
      expect(exit).not.toHaveBeenCalled();
      expect(() => deliver(signal)).toThrow(`exit ${status}`);
      expect(seen).toEqual([`first ${signal}`, `again ${signal}`]);
    });
  });

  it('installs listeners only while the work runs, and the innermost handler gets the signal', async () => {
    const before = { SIGINT: process.listenerCount('SIGINT'), SIGTERM: process.listenerCount('SIGTERM') };
    const listeners = process.listeners('SIGINT');
    const seen: string[] = [];
    const result = await handleInterrupts({ onInterrupt: () => seen.push('outer') }, async () => {
      expect(process.listenerCount('SIGINT')).toBe(before.SIGINT + 1);
      expect(process.listenerCount('SIGTERM')).toBe(before.SIGTERM + 1);
      await handleInterrupts({ onInterrupt: () => seen.push('inner') }, async () => installedListener('SIGINT', listeners)('SIGINT'));
      return 'done';
    });
    expect(result).toBe('done');
    expect(seen).toEqual(['inner']);
    expect(process.listenerCount('SIGINT')).toBe(before.SIGINT);
    expect(process.listenerCount('SIGTERM')).toBe(before.SIGTERM);
  });

  it('removes its listeners when the work fails', async () => {
    const before = process.listenerCount('SIGINT');
    await expect(handleInterrupts({ onInterrupt: () => {} }, async () => Promise.reject(new Error('disk full')))).rejects.toThrow('disk full');
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});

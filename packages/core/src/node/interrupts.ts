import { constants } from 'node:os';

// The one place equimol handles Ctrl-C and SIGTERM, and the only process.exit in @equimol/core.
// Handlers are installed only while some work runs (handleInterrupts): a JavaScript SIGINT listener
// replaces Node's default "die at once", and long synchronous stretches (sampling) would then delay
// Ctrl-C until they yield. A second signal always exits at once, so an interrupt that waits for a
// step or a write to finish can still be cut short.

/** The signals equimol treats as "stop": Ctrl-C and the polite kill. */
export type InterruptSignal = 'SIGINT' | 'SIGTERM';

/** What to do on an interrupt while some work runs. */
export interface InterruptHandler {
  /** The first SIGINT/SIGTERM: stop the work gracefully, or exit through `exitInterrupted`. */
  onInterrupt(signal: InterruptSignal): void;
  /** Called just before a second signal exits the process (e.g. to say what is left on disk). */
  onRepeat?(signal: InterruptSignal): void;
}

const SIGNALS: InterruptSignal[] = ['SIGINT', 'SIGTERM'];
/** Nested work: the innermost handler gets the signal. */
const handlers: InterruptHandler[] = [];
let interrupted = false;

/** 128 + the signal's number (130 for SIGINT, 143 for SIGTERM): the status shells report for it. */
export function interruptExitCode(signal: InterruptSignal): number {
  return 128 + constants.signals[signal];
}

/** Exits the process now with `interruptExitCode(signal)` ('exit' listeners still run). */
export function exitInterrupted(signal: InterruptSignal): never {
  process.exit(interruptExitCode(signal));
}

function deliver(received: NodeJS.Signals): void {
  const signal = received as InterruptSignal; // only installed for SIGNALS
  const handler = handlers[handlers.length - 1];
  if (handler === undefined) return;
  if (interrupted) {
    handler.onRepeat?.(signal);
    exitInterrupted(signal);
  }
  interrupted = true;
  handler.onInterrupt(signal);
}

/**
 * Runs `work` with SIGINT and SIGTERM handled: the first calls `handler.onInterrupt`, a second exits
 * the process at once with 128 + its number. Outside `work`, Node's default handling applies again.
 */
export async function handleInterrupts<T>(handler: InterruptHandler, work: () => Promise<T>): Promise<T> {
  if (handlers.length === 0) for (const signal of SIGNALS) process.on(signal, deliver);
  handlers.push(handler);
  try {
    return await work();
  } finally {
    handlers.splice(handlers.lastIndexOf(handler), 1);
    if (handlers.length === 0) {
      for (const signal of SIGNALS) process.off(signal, deliver);
      interrupted = false;
    }
  }
}

/** Where progress is reported: a bar redrawn in place on a terminal, occasional plain lines otherwise. */
export interface Progress {
  /** `done` of `total` units finished. */
  update(done: number): void;
  /** Prints a line on stderr without garbling the bar (it is redrawn below the line). */
  log(line: string): void;
  /** Ends the bar (a terminal gets its final state and a newline). */
  finish(): void;
}

const BAR_WIDTH = 28;
/** Plain-line mode prints at most this often, and at every 10% step. */
const LINE_INTERVAL_MS = 10_000;

/**
 * A progress reporter on stderr for `total` units (e.g. molecules): a bar with rate and time left
 * when stderr is a terminal, plain lines (every 10% or 10 s) when it is a file or pipe, nothing when
 * `quiet`. stdout stays clean for data.
 */
export function createProgress(label: string, total: number, unit: string, quiet = false): Progress {
  const stream = process.stderr;
  const tty = stream.isTTY === true;
  const start = performance.now();
  let lastLine = 0;
  let lastDecile = -1;
  let lastDrawn = -1;
  let finished = false;
  const describe = (done: number): string => {
    const seconds = (performance.now() - start) / 1000;
    const perSecond = seconds > 0 ? done / seconds : 0;
    const left = perSecond > 0 ? (total - done) / perSecond : NaN;
    const eta = done > 0 && done < total && Number.isFinite(left) ? `, ${Math.ceil(left)} s left` : '';
    return `${done}/${total} ${unit} (${perSecond.toFixed(perSecond >= 10 ? 0 : 2)} ${unit}/s${eta})`;
  };
  return {
    update(done) {
      if (quiet || total <= 0) return;
      if (tty) {
        if (done === lastDrawn) return;
        lastDrawn = done;
        draw(done);
        return;
      }
      if (done === 0) return;
      const decile = Math.floor((10 * done) / total);
      const now = performance.now();
      if (decile > lastDecile || now - lastLine > LINE_INTERVAL_MS) {
        lastDecile = decile;
        lastLine = now;
        stream.write(`${label}: ${describe(done)}\n`);
      }
    },
    log(line) {
      if (tty && lastDrawn >= 0 && !finished) {
        stream.write(`\r\x1b[K${line}\n`);
        draw(lastDrawn);
      } else stream.write(`${line}\n`);
    },
    finish() {
      if (!quiet && tty && lastDrawn >= 0 && !finished) stream.write('\n');
      finished = true;
    },
  };
  function draw(done: number): void {
    const filled = Math.round((BAR_WIDTH * done) / total);
    stream.write(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${describe(done)}\x1b[K`);
  }
}

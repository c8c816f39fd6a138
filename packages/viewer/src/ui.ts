// DOM wiring: controls, keyboard shortcuts, side panel, file opening and exports. Reads state from
// ViewerApp and calls its methods; holds no state of its own beyond what the elements show.
import type { ViewerApp, ViewState } from './app.js';
import { canRecordWebm, download, exportStem, finalFramesSdf, framePng, recordWebm } from './export.js';
import { FILE_PICKER_ACCEPT, openLocalFile } from './open.js';
import type { PlayerState } from './player.js';
import { frameReport, GRID_LIMIT } from './app.js';

function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`viewer page lacks #${id}`);
  return el as T;
}

/** Formats a noise level: SNR spans 1e-5 … 1e5 over a chain, so scientific notation outside [0.01, 1000). */
export function formatNumber(x: number | undefined, digits = 3): string {
  if (x === undefined) return '–';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  const a = Math.abs(x);
  return a !== 0 && (a < 0.01 || a >= 1000) ? x.toExponential(2) : x.toFixed(digits);
}

function flag(el: HTMLElement, value: boolean | undefined, yes: string, no: string): void {
  el.textContent = value === undefined ? 'n/a' : value ? yes : no;
  el.className = value === undefined ? 'muted' : value ? 'yes' : 'no';
}

/** Shows a message in the status line (errors in red); returns it for chaining in catch handlers. */
export function setStatus(message: string, error = false): void {
  const el = $('status');
  el.textContent = message;
  el.classList.toggle('error', error);
}

export function bindUi(app: ViewerApp, openFile: (load: () => Promise<{ name: string; trajectory: ViewState['trajectory'] }>) => Promise<void>): void {
  const scrub = $<HTMLInputElement>('scrub');
  const play = $<HTMLButtonElement>('play');
  const fps = $<HTMLSelectElement>('fps');
  const loop = $<HTMLInputElement>('loop');
  const list = $<HTMLOListElement>('molecules');
  let listFor: Pick<ViewState, 'trajectory' | 'sampling' | 'failed'> | undefined;

  const renderPlayer = (p: PlayerState) => {
    scrub.max = String(Math.max(0, p.frameCount - 1));
    scrub.value = String(p.frame);
    scrub.disabled = p.frameCount < 2;
    play.textContent = p.playing ? '❚❚' : '▶';
    play.setAttribute('aria-pressed', String(p.playing));
  };

  const renderView = (s: ViewState) => {
    $('empty').hidden = s.trajectory !== undefined;
    $('file-name').textContent = s.name || 'no file';
    const f = s.current;
    $('frame-label').textContent = s.frameCount
      ? `frame ${s.frame + 1}/${s.frameCount}` + (f?.step !== undefined ? ` · step ${f.step}` : '') + (f?.t !== undefined ? ` · t ${f.t.toFixed(3)}` : '') + (f?.snr !== undefined ? ` · SNR ${formatNumber(f.snr)}` : '')
      : 'frame –';
    $('step').textContent = f?.step === undefined ? '–' : String(f.step);
    $('t').textContent = formatNumber(f?.t);
    $('snr').textContent = formatNumber(f?.snr);
    $('gamma').textContent = formatNumber(f?.gamma);
    const r = s.report;
    const index = s.trajectory?.molecules[s.molecule]?.index;
    $('facts-title').textContent = index === undefined ? 'This frame' : `Molecule #${index} at this frame`;
    $('formula').textContent = r?.formula ?? '–';
    $('smiles').textContent = r?.smiles ?? '–';
    flag($('valid'), r?.valid, 'yes', 'no');
    flag($('stable'), r?.stable, 'yes', r?.stableAtoms !== undefined ? `no (${r.stableAtoms}/${r.atoms} atoms)` : 'no');
    $('atoms').textContent = r ? String(r.atoms) : '–';
    $('bonds').textContent = r ? String(r.bonds) : '–';
    $('facts-note').textContent = !r ? '' : r.invalidReason ? `invalid: ${r.invalidReason}` : r.fragments > 1 ? `${r.fragments} fragments; SMILES of the largest` : '';
    $('layout').textContent = s.layout === 'grid' ? 'Single' : 'Grid';
    const count = s.trajectory?.molecules.length ?? 0;
    $('molecule-count').textContent = !count
      ? ''
      : `${count} molecule${count === 1 ? '' : 's'}` + (s.layout === 'grid' && count > GRID_LIMIT ? ` (grid: first ${GRID_LIMIT})` : '');
    $<HTMLButtonElement>('layout').disabled = count < 2;
    $<HTMLButtonElement>('export-sdf').disabled = count === 0 || (count === 1 && (s.sampling === 0 || s.failed?.molecule === 0));

    // The list names each molecule by the formula of its final frame (what the chain produced); a chain
    // still being sampled, or whose sampling failed, has no final frame.
    if (!listFor || listFor.trajectory !== s.trajectory || listFor.sampling !== s.sampling || listFor.failed !== s.failed) {
      listFor = { trajectory: s.trajectory, sampling: s.sampling, failed: s.failed };
      list.replaceChildren(
        ...(s.trajectory?.molecules ?? []).map((m, i) => {
          const li = document.createElement('li');
          const b = document.createElement('button');
          b.type = 'button';
          const failed = i === s.failed?.molecule ? s.failed.reason : undefined;
          const last = i === s.sampling || failed !== undefined ? undefined : m.frames[m.frames.length - 1];
          const report = last ? frameReport(last) : undefined;
          const mark = report ? (report.stable ? ' ✓' : report.valid ? ' ·' : ' ✗') : '';
          const label = document.createElement('span');
          label.textContent = `#${m.index}`;
          const formula = document.createElement('span');
          formula.className = i === s.sampling ? 'mono muted' : failed !== undefined ? 'failed no' : 'mono';
          formula.textContent = i === s.sampling ? 'sampling…' : failed !== undefined ? `failed: ${failed}` : `${report?.formula ?? ''}${mark}`;
          b.append(label, formula);
          if (failed !== undefined) b.title = `sampling failed after ${m.frames.length} frame(s): ${failed}`;
          if (report) b.title = report.stable ? 'stable and valid' : report.valid ? 'valid, not stable' : 'invalid';
          b.addEventListener('click', () => void app.setLayout('single').then(() => app.select(i)));
          li.append(b);
          return li;
        }),
      );
    }
    list.querySelectorAll('button').forEach((b, i) => b.setAttribute('aria-current', String(s.layout === 'single' && i === s.molecule)));
  };

  app.player.subscribe(renderPlayer);
  app.subscribe(renderView);
  renderPlayer(app.player.snapshot);
  renderView(app.state);

  scrub.addEventListener('input', () => {
    app.player.pause();
    app.player.seek(Number(scrub.value));
  });
  play.addEventListener('click', () => app.player.toggle());
  $('first').addEventListener('click', () => app.player.first());
  $('last').addEventListener('click', () => app.player.last());
  $('prev').addEventListener('click', () => app.player.step(-1));
  $('next').addEventListener('click', () => app.player.step(1));
  fps.addEventListener('change', () => app.player.setFps(Number(fps.value)));
  loop.addEventListener('change', () => app.player.setLoop(loop.checked));
  app.player.setFps(Number(fps.value));
  $('layout').addEventListener('click', () => void app.setLayout(app.state.layout === 'grid' ? 'single' : 'grid'));

  window.addEventListener('keydown', (e) => {
    const target = e.target as HTMLElement | null;
    if (target && (target.tagName === 'INPUT' && (target as HTMLInputElement).type !== 'range' || target.tagName === 'SELECT' || target.tagName === 'TEXTAREA')) return;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const actions: Record<string, () => void> = {
      ' ': () => app.player.toggle(),
      ArrowLeft: () => app.player.step(-1),
      ArrowRight: () => app.player.step(1),
      Home: () => app.player.first(),
      End: () => app.player.last(),
      ArrowUp: () => void app.select(app.state.molecule - 1),
      ArrowDown: () => void app.select(app.state.molecule + 1),
      g: () => void app.setLayout(app.state.layout === 'grid' ? 'single' : 'grid'),
    };
    const action = actions[e.key];
    if (!action) return;
    e.preventDefault();
    (document.activeElement as HTMLElement | null)?.blur();
    action();
  });

  // Opening files: picker and drag-and-drop anywhere on the page.
  const input = $<HTMLInputElement>('file-input');
  input.accept = FILE_PICKER_ACCEPT;
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (file) void openFile(() => openLocalFile(file));
    input.value = '';
  });
  const drop = $('drop');
  let depth = 0;
  window.addEventListener('dragenter', (e) => {
    if (!e.dataTransfer?.types.includes('Files')) return;
    depth++;
    drop.hidden = false;
  });
  window.addEventListener('dragleave', () => {
    if (--depth <= 0) {
      depth = 0;
      drop.hidden = true;
    }
  });
  window.addEventListener('dragover', (e) => e.preventDefault());
  window.addEventListener('drop', (e) => {
    e.preventDefault();
    depth = 0;
    drop.hidden = true;
    const file = e.dataTransfer?.files[0];
    if (file) void openFile(() => openLocalFile(file));
  });

  $('export-sdf').addEventListener('click', () => {
    try {
      download(new Blob([finalFramesSdf(app)], { type: 'chemical/x-mdl-sdfile' }), `${exportStem(app).replace(/-(mol\d+|grid)-frame\d+$/, '')}.sdf`);
    } catch (e) {
      // core refuses to write what an SD file cannot hold (non-finite coordinates of a diverged chain).
      setStatus(`SDF export failed: ${(e as Error).message}`, true);
    }
  });
  $('export-png').addEventListener('click', async () => {
    try {
      download(await framePng(app), `${exportStem(app)}.png`);
    } catch (e) {
      setStatus(`PNG export failed: ${(e as Error).message}`, true);
    }
  });
  const webm = $<HTMLButtonElement>('export-webm');
  webm.disabled = !canRecordWebm();
  if (webm.disabled) webm.title = 'this browser cannot record WebM (MediaRecorder)';
  webm.addEventListener('click', async () => {
    webm.disabled = true;
    try {
      const blob = await recordWebm(app, (f, n) => setStatus(`recording frame ${f + 1}/${n}…`));
      download(blob, `${exportStem(app).replace(/-frame\d+$/, '')}.webm`);
      setStatus(`recorded ${(blob.size / 1e6).toFixed(1)} MB of WebM`);
    } catch (e) {
      setStatus(`WebM export failed: ${(e as Error).message}`, true);
    } finally {
      webm.disabled = false;
    }
  });
}

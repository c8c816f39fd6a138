// Entry point of the viewer page: builds the app, opens the file it was given (standalone embed or
// ?file= URL), wires generation and installs the test hook.
import './style.css';
import type { Trajectory } from '@equimol/core';
import { ViewerApp } from './app.js';
import type { GenerateOptions, MoleculeGenerator } from './generate.js';
import { openUrl, trajectoryFromText } from './open.js';
import { installTestHook } from './test-hook.js';
import { bindUi, setStatus } from './ui.js';

declare global {
  interface Window {
    /** Set by `exportStandaloneHtml`: a single-file page, with no server behind it and no model. */
    __EQUIMOL_STANDALONE__?: boolean;
  }
}

const app = new ViewerApp(document.getElementById('stage')!);
const hook = installTestHook(app);

async function openFile(load: () => Promise<{ name: string; trajectory: Trajectory | undefined }>): Promise<void> {
  setStatus('opening…');
  try {
    const { name, trajectory } = await load();
    if (!trajectory) return;
    await app.open(name, trajectory);
    const frames = app.state.frameCount;
    setStatus(`${name}: ${trajectory.molecules.length} molecule(s), ${frames} frame(s)`);
  } catch (e) {
    hook.lastError = (e as Error).message;
    setStatus((e as Error).message, true);
    throw e;
  }
}

bindUi(app, openFile);

/** The file embedded by the standalone export, base64 of its UTF-8 text. */
function embeddedFile(): { name: string; text: string } | undefined {
  const el = document.getElementById('equimol-embedded-file');
  if (!el) return undefined;
  const bytes = Uint8Array.from(atob(el.textContent!.trim()), (c) => c.charCodeAt(0));
  return { name: el.dataset.name ?? 'embedded.sdf', text: new TextDecoder().decode(bytes) };
}

// ----- in-browser generation -----------------------------------------------------------------------

const generateButton = document.getElementById('generate') as HTMLButtonElement;
let generator: Promise<MoleculeGenerator> | undefined;

function readForm(): GenerateOptions {
  const num = (id: string) => (document.getElementById(id) as HTMLInputElement).value.trim();
  const steps = Math.max(2, Number(num('gen-steps')) || 50);
  const options: GenerateOptions = {
    count: Math.max(1, Math.min(16, Number(num('gen-count')) || 1)),
    steps,
    seed: Number(num('gen-seed')) || 0,
    // About 50 frames per chain: enough to watch, few enough to keep every frame's structure cached.
    trajectoryEvery: Math.max(1, Math.round(steps / 50)),
  };
  const atoms = Number(num('gen-atoms'));
  if (num('gen-atoms') !== '' && atoms > 0) options.atomCount = atoms;
  return options;
}

/** Runs the sampler in this page, streaming the chain into the viewer; resolves with the trajectory. */
async function generate(options: GenerateOptions): Promise<Trajectory> {
  generateButton.disabled = true;
  const started = performance.now();
  try {
    generator ??= import('./generate.js').then((g) => g.loadGenerator(modelUrl()));
    setStatus('loading the model…');
    const model = await generator;
    let opened = false;
    const trajectory = await model.generate(options, (p) => {
      setStatus(`sampling: step ${p.done}/${p.total}`);
      if (!opened) {
        opened = true;
        void app.open('generated', p.trajectory);
      } else void app.grow(p.trajectory);
    });
    await app.open(`generated (seed ${options.seed})`, trajectory, { frame: 'last' });
    setStatus(`generated ${trajectory.molecules.length} molecule(s) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return trajectory;
  } catch (e) {
    hook.lastError = (e as Error).message;
    setStatus(`generation failed: ${(e as Error).message}`, true);
    throw e;
  } finally {
    generateButton.disabled = false;
  }
}

function modelUrl(): string {
  return new URLSearchParams(location.search).get('model') ?? 'model/model.json';
}

async function enableGeneration(): Promise<void> {
  if (window.__EQUIMOL_STANDALONE__) {
    generateButton.title = 'generation is off in the standalone export (no model or wasm is embedded); run `equimol view` instead';
    return;
  }
  try {
    generator = import('./generate.js').then((g) => g.loadGenerator(modelUrl()));
    const model = await generator;
    generateButton.disabled = false;
    generateButton.title = `sample with ${model.description} in this page`;
    hook.generate = generate;
  } catch (e) {
    generator = undefined;
    generateButton.title = (e as Error).message;
  }
}

document.getElementById('generate-form')!.addEventListener('submit', (e) => {
  e.preventDefault();
  void generate(readForm()).catch(() => undefined);
});

// ----- start ---------------------------------------------------------------------------------------

async function start(): Promise<void> {
  const embedded = embeddedFile();
  const file = new URLSearchParams(location.search).get('file');
  if (embedded) await openFile(async () => ({ name: embedded.name, trajectory: trajectoryFromText(embedded.name, embedded.text) }));
  else if (file) await openFile(() => openUrl(file));
  else setStatus('open a file or generate');
}

void start()
  .catch(() => undefined)
  .then(() => (hook.ready = true));
void enableGeneration().then(() => (hook.generationChecked = true));

// Entry point of the viewer page: builds the app, opens the file it was given (standalone embed or
// ?file= URL), wires generation and installs the test hook.
import './style.css';
import type { Trajectory } from '@equimol/core';
import { ViewerApp } from './app.js';
import { loadGenerator, probeModel, requestedBackend, type GenerateOptions, type MoleculeGenerator } from './generate.js';
import { HoldPanel } from './holdPanel.js';
import { openBlob, openUrl } from './open.js';
import { LiveFeed } from './liveFeed.js';
import { installTestHook } from './testHook.js';
import { bindUi, setStatus } from './ui.js';

declare global {
  interface Window {
    /** Set by `exportStandaloneHtml`: a single-file page, with no server behind it and no model. */
    __EQUIMOL_STANDALONE__?: boolean;
  }
}

const app = new ViewerApp(document.getElementById('stage')!);
const hook = installTestHook(app);
app.onError = (e) => {
  hook.lastError = e.message;
  setStatus(`cannot draw this frame: ${e.message}`, true);
};

async function openFile(load: () => Promise<{ name: string; trajectory: Trajectory | undefined }>): Promise<void> {
  // A generation still running would keep adding its frames to whatever is open: stop it first.
  await stopGeneration('a file was opened');
  setStatus('opening…');
  try {
    const { name, trajectory } = await load();
    if (!trajectory) return;
    await app.open(name, trajectory);
    await hold.opened(name, trajectory);
    const frames = app.state.frameCount;
    setStatus(`${name}: ${trajectory.molecules.length} molecule(s), ${frames} frame(s)`);
  } catch (e) {
    hook.lastError = (e as Error).message;
    setStatus((e as Error).message, true);
    throw e;
  }
}

bindUi(app, openFile);
const hold = new HoldPanel(app, () => modelUrl(), (name, trajectory) => openFile(async () => ({ name, trajectory })));

/** The file embedded by the standalone export (base64 of its bytes). */
function embeddedFile(): { name: string; body: Blob } | undefined {
  const el = document.getElementById('equimol-embedded-file');
  if (!el) return undefined;
  const bytes = Uint8Array.from(atob(el.textContent!.trim()), (c) => c.charCodeAt(0));
  return { name: el.dataset.name ?? 'embedded.sdf', body: new Blob([bytes]) };
}

// ----- in-browser generation -----------------------------------------------------------------------

const generateButton = document.getElementById('generate') as HTMLButtonElement;
let generator: Promise<MoleculeGenerator> | undefined;
/** The generation in progress: how to stop it, and when it has let go of the view. */
let running: { stop: (reason: string) => void; done: Promise<unknown> } | undefined;

/** Stops the generation in progress, if any, and waits until it no longer touches the view. */
async function stopGeneration(reason: string): Promise<void> {
  const current = running;
  if (!current) return;
  current.stop(reason);
  await current.done.catch(() => undefined);
}

/** Base URL of the model directory: `?model=` or the `model/` the viewer server provides. */
function modelUrl(): string {
  return new URLSearchParams(location.search).get('model') ?? 'model/';
}

function readForm(): GenerateOptions {
  const field = (id: string) => (document.getElementById(id) as HTMLInputElement).value.trim();
  const steps = Math.max(2, Math.round(Number(field('gen-steps'))) || 50);
  const options: GenerateOptions = {
    count: Math.max(1, Math.min(16, Math.round(Number(field('gen-count'))) || 1)),
    steps,
    seed: Math.round(Number(field('gen-seed'))) || 0,
    // Up to 60 frames per chain: enough to watch, few enough to keep every frame's structure cached.
    frames: Math.min(steps + 1, 60),
  };
  const atoms = Math.round(Number(field('gen-atoms')));
  if (field('gen-atoms') !== '' && atoms > 0) options.atomCount = atoms;
  return options;
}

/** The first line of an error message, for the status line and the molecule list. */
function firstLine(message: string): string {
  return message.split('\n', 1)[0]!.trim() || 'unknown error';
}

/** Samples in this page (in a worker), showing each molecule's chain live as it goes from noise to molecule. */
function generate(options: GenerateOptions): Promise<Trajectory> {
  let stopped: string | undefined;
  let model: MoleculeGenerator | undefined;
  const run = {
    stop: (reason: string) => {
      stopped = `generation stopped: ${reason}`;
      model?.dispose(stopped);
    },
    done: sample(options, (m) => (model = m), () => stopped),
  };
  running = run;
  void run.done.finally(() => {
    if (running === run) running = undefined;
  }).catch(() => undefined);
  return run.done;
}

async function sample(
  options: GenerateOptions,
  loaded: (model: MoleculeGenerator) => void,
  stopped: () => string | undefined,
): Promise<Trajectory> {
  generateButton.disabled = true;
  const started = performance.now();
  const held = options.fixed?.elements.length ?? 0;
  const name = held > 0 ? `generated around ${held} held atoms, seed ${options.seed}` : `generated, seed ${options.seed}`;
  let model: MoleculeGenerator | undefined;
  let opened = false;
  hook.generationLog = [];
  // The sampler's reports reach the view at the pace it draws, each draw showing the newest frame that
  // has arrived (liveFeed.ts); the first frame replaces whatever was open.
  const feed = new LiveFeed(
    async (update) => {
      if (update.kind === 'frames') {
        if (!opened) {
          opened = true;
          // Held atoms come first in every generated molecule: they are ringed in every frame.
          await app.open(name, { molecules: [] }, { held: [...Array(held).keys()] });
        }
        await app.addLiveFrames(update.index, update.frames);
      } else await app.finishMolecule(update.molecule);
      const index = update.kind === 'frames' ? update.index : update.molecule.index;
      const frames = app.state.trajectory?.molecules.find((m) => m.index === index)?.frames;
      const last = frames?.[frames.length - 1];
      hook.generationLog.push({ event: update.kind === 'frames' ? 'frame' : 'molecule', index, frames: frames?.length ?? 0, step: hook.panel().step, positions: last ? [...last.positions] : [] });
    },
    // A chain the page cannot show is not worth sampling on: stopping the worker fails the generation.
    (e) => model?.dispose(`cannot show the chain: ${e.message}`),
  );
  try {
    if (!generator) {
      setStatus('loading the model and a backend (WebGPU or wasm)…');
      generator = loadGenerator(modelUrl(), requestedBackend(location.search));
      generator.catch(() => (generator = undefined));
    }
    model = await generator;
    if (stopped()) throw new Error(stopped());
    loaded(model);
    setStatus(`sampling ${options.count} molecule(s), ${options.steps} steps…`);
    const trajectory = await model.generate(options, {
      frame: (index, frame) => feed.push({ kind: 'frame', index, frame }),
      molecule: (p) => {
        setStatus(`sampled ${p.done}/${p.total} molecule(s)…`);
        feed.push({ kind: 'molecule', molecule: p.molecule });
      },
    });
    feed.close();
    await feed.settled();
    await app.settled();
    setStatus(`generated ${trajectory.molecules.length} molecule(s) with ${model.description} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return trajectory;
  } catch (e) {
    // Whatever failed (the model, the worker, the sampler or the drawing), the frames that did arrive
    // are shown, the chain being sampled is marked failed, and the worker is let go: it may be dead or
    // still sampling, and the next generation starts a fresh one.
    feed.close();
    await feed.settled().catch(() => undefined);
    const failed = generator;
    generator = undefined;
    void failed?.then((g) => g.dispose(), () => undefined);
    const reason = firstLine(e instanceof Error ? e.message : String(e));
    app.failSampling(reason);
    hook.lastError = reason;
    // Stopped on purpose (a file was opened) is not an error; anything else is.
    if (stopped()) setStatus(stopped()!);
    else setStatus(`generation failed: ${reason}`, true);
    throw e;
  } finally {
    generateButton.disabled = false;
  }
}

async function enableGeneration(): Promise<void> {
  if (window.__EQUIMOL_STANDALONE__) {
    generateButton.title = 'generation is off in the standalone export (no model or wasm is embedded); run `equimol view` instead';
    return;
  }
  try {
    const forced = requestedBackend(location.search);
    const name = await probeModel(modelUrl());
    generateButton.disabled = false;
    generateButton.title = `sample with ${name} in this page, in a worker (${forced ?? 'WebGPU where the browser has a GPU, else wasm'})`;
    hook.generate = generate;
  } catch (e) {
    generateButton.title = (e as Error).message;
  }
}

/** The form's options, around the held atoms when atoms are held; a selection that cannot be held is reported and generates nothing. */
async function generateFromForm(): Promise<void> {
  const options = readForm();
  try {
    const request = await hold.request();
    if (request) {
      options.fixed = request.fixed;
      options.resample = request.resample;
      if (request.atomCount !== undefined) options.atomCount = request.atomCount;
      else delete options.atomCount;
    }
  } catch (e) {
    const reason = firstLine((e as Error).message);
    hook.lastError = reason;
    setStatus(`cannot hold these atoms: ${reason}`, true);
    return;
  }
  await generate(options);
}

document.getElementById('generate-form')!.addEventListener('submit', (e) => {
  e.preventDefault();
  void generateFromForm().catch(() => undefined);
});

// ----- start ---------------------------------------------------------------------------------------

/**
 * Opens what the page was given: the standalone embed or `?file=`, then applies the view parameters
 * `molecule` (index in the batch), `frame` (0-based; negative counts from the end), `layout=grid` and
 * `play=1`, so a link can point at one frame of one molecule.
 */
async function start(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const embedded = embeddedFile();
  const file = params.get('file');
  if (embedded) await openFile(() => openBlob(embedded.name, embedded.body));
  else if (file) await openFile(() => openUrl(file));
  else return setStatus('open a file or generate');
  if (params.get('layout') === 'grid') await app.setLayout('grid');
  const molecule = Number(params.get('molecule'));
  if (params.has('molecule') && Number.isInteger(molecule)) await app.select(molecule);
  const frame = Number(params.get('frame'));
  if (params.has('frame') && Number.isInteger(frame)) app.player.seek(frame < 0 ? app.state.frameCount + frame : frame);
  if (params.get('play') === '1') app.player.play();
  await app.settled();
}

void start()
  .catch(() => undefined)
  .then(() => (hook.ready = true));
void enableGeneration().then(() => (hook.generationChecked = true));

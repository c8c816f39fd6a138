// The one table of molecule file formats, by file name: what Node's file readers and writers, the
// CLI and the viewer consult instead of switches of their own. Importing this module loads every
// format module, and each registers its entry (formatRegistry.ts) when it loads.
import './sdf.js';
import './xyz.js';
import './npz.js';
import './moleculeJson.js';
import type { Trajectory } from './trajectory.js';
import { moleculesAsTrajectory } from './trajectory.js';
import { moleculeFormatOf } from './formatRegistry.js';

export * from './formatRegistry.js';

/**
 * The trajectory in a file's (gunzipped) bytes, by its name: a trajectory where the format holds one,
 * otherwise each molecule as a one-frame trajectory. Unknown names throw `UnknownFormatError`.
 */
export function trajectoryFromFile(name: string, bytes: Uint8Array): Trajectory {
  const format = moleculeFormatOf(name);
  const source = name.split(/[\\/]/).pop() ?? name;
  return format.readTrajectory ? format.readTrajectory(bytes, source) : moleculesAsTrajectory(format.read(bytes, { source }));
}

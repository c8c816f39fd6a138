import { describe, expect, it } from 'vitest';
import { tinyEgnnConfig } from '../testing/fixtures.js';
import { EgnnDynamics } from './dynamics.js';
import { ParameterLayout } from './parameters.js';
import { fusedNetworkSupports } from './webgpuEdges.js';

// Which networks the fused WebGPU network takes (no GPU needed: this is the architecture check).
describe('fused WebGPU network support', () => {
  it('takes atom-only networks up to 256 wide', () => {
    for (const config of [tinyEgnnConfig(5), tinyEgnnConfig(5, { hiddenSize: 256, invSublayers: 2, attention: false })]) {
      expect(fusedNetworkSupports(config, new EgnnDynamics(config).layout)).toBe(true);
    }
    const wide = tinyEgnnConfig(5, { hiddenSize: 320 });
    expect(fusedNetworkSupports(wide, new EgnnDynamics(wide).layout)).toBe(false);
  });

  it('leaves networks with edge (bond) inputs to the composed ops', () => {
    const config = tinyEgnnConfig(5);
    const H = config.hiddenSize;
    // Four bond-class inputs more in every first edge layer, as a bond model has.
    const specs = new EgnnDynamics(config).layout.specs.map((s) =>
      /\.(edge1|mlp1)\.w$/.test(s.name) ? { ...s, shape: [2 * H + 6, H] } : s,
    );
    expect(fusedNetworkSupports(config, new ParameterLayout([...specs]))).toBe(false);
  });
});

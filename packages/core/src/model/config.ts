/** Architecture of EDM's EGNN dynamics network (field names follow the paper's hyper-parameters). */
export interface EgnnConfig {
  /** Hidden width of every MLP (EDM QM9: 256). */
  hiddenSize: number;
  /** Number of equivariant blocks (EDM QM9: 9). */
  layers: number;
  /** Invariant graph-convolution sublayers per block (EDM QM9: 1). */
  invSublayers: number;
  /** Sigmoid attention gate on messages (EDM: true). */
  attention: boolean;
  /** Bound coordinate updates with tanh·coordsRange (EDM: true). */
  tanh: boolean;
  /** Scale of tanh-bounded coordinate updates (EDM: 15). */
  coordsRange: number;
  /** Added to ‖x_i − x_j‖ before normalising coordinate differences (EDM: 1). */
  normConstant: number;
  /** Aggregated messages are divided by this (EDM QM9: 1). */
  normalizationFactor: number;
  /** Node features the network denoises: one-hot types plus optional integer feature. */
  nodeFeatures: number;
  /** Length of the optional per-molecule context vector (0 = unconditional). */
  contextSize: number;
}

/** EDM's QM9 architecture at a chosen width and depth. */
export function edmEgnnConfig(nodeFeatures: number, hiddenSize = 256, layers = 9): EgnnConfig {
  return {
    hiddenSize,
    layers,
    invSublayers: 1,
    attention: true,
    tanh: true,
    coordsRange: 15,
    normConstant: 1,
    normalizationFactor: 1,
    nodeFeatures,
    contextSize: 0,
  };
}

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
  /**
   * Also give the network the noise level as log SNR_t = −γ_t (÷10), beside EDM's t/T. At low noise
   * σ_t changes 100-fold while t/T barely moves, and the network must scale ε̂ by 1/σ_t there; a
   * log-scale input is meant to make that easier (grown into the trained qm9-heavy model, training
   * found no use for it: see its card). Absent or false: EDM's inputs. The extra input comes last,
   * so a trained model gains it with a zero weight row and computes exactly what it did before
   * (`resizeParameters`; a run continued with `init: { fromRun }` grows it in).
   */
  logSnrInput?: boolean;
  /**
   * Bond classes K per atom pair when the network also denoises bonds (MiDi/EQGAT-diff style; equimol:
   * 4 = none, single, double, triple). The noisy bond one-hots enter every edge MLP beside the
   * distances, and an edge head predicts their noise. Absent or 0: atoms only, as EDM.
   */
  bondClasses?: number;
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

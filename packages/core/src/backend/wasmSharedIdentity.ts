import * as tf from '@tensorflow/tfjs-core';

// Kernel overrides for tfjs-backend-wasm.
//
// Identity: tfjs clones every tensor a gradient needs (`saveTensorsForBackwardMode`, and tf.customGrad's
// `save`), and the wasm backend's Identity copies the data. In a training step that is about a hundred
// full copies of [edges, hidden] activations (profiled). Tensors are immutable, so the clone can share
// the input's memory with a reference count, exactly as the wasm backend's own Reshape does and as
// the cpu backend's Identity does.

interface WasmBackendLike {
  incRef(dataId: object): void;
}

function sharedIdentity({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const x = inputs['x']!;
  (backend as WasmBackendLike).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

let installed = false;

/** Replaces the wasm backend's copying Identity kernel by one that shares memory. Idempotent. */
export function installWasmSharedIdentity(): void {
  if (installed) return;
  const original = tf.getKernel('Identity', 'wasm');
  if (!original) return; // wasm backend not registered
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({
    kernelName: 'Identity',
    backendName: 'wasm',
    kernelFunc: (args) => {
      const x = args.inputs['x']!;
      // Strings are not in wasm memory; keep the backend's own path for them.
      return x.dtype === 'string' ? (original.kernelFunc(args) as tf.TensorInfo) : sharedIdentity(args);
    },
  });
  installed = true;
}

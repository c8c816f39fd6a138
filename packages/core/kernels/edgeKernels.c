// Fused edge kernels of EDM's EGNN for inference on tfjs-wasm (see src/backend/wasmEdgeKernels.ts).
//
// The module imports tfjs-wasm's own memory: every pointer below is a byte offset of a tensor the
// wasm backend allocated, so nothing is copied. Functions therefore must not use a shadow stack or
// static data (the memory belongs to tfjs): scratch space comes from the caller, and the build
// script checks that the binary has no globals and no data.
//
// Layout: B molecules of N (padded) atoms, E = B·N·N edges (b, i, j) in row-major order, hidden
// width H (a multiple of 4). Edges the mask removes (self pairs, padding) are skipped: their first
// layer is written as zeros and they add nothing to any sum, as in the tfjs composition (which
// multiplies them by 0).
//
// Build: bash packages/core/kernels/build.sh (clang ≥ 14 with wasm-ld).
#include <wasm_simd128.h>

typedef v128_t f4;

// exp(x) for float32 lanes: x = n·ln2 + r with |r| ≤ ln2/2, e^r by its degree-6 Taylor polynomial
// (relative error < 2e-7), 2^n by building the exponent bits. Clamped so 2^n stays finite.
static inline f4 exp4(f4 x) {
  // pmin/pmax return their first operand when a comparison is false: NaN stays NaN (a diverged
  // chain must stay visibly non-finite, as with tfjs's own ops).
  x = wasm_f32x4_pmin(wasm_f32x4_pmax(x, wasm_f32x4_splat(-87.0f)), wasm_f32x4_splat(88.0f));
  f4 n = wasm_f32x4_nearest(wasm_f32x4_mul(x, wasm_f32x4_splat(1.44269504088896341f)));
  f4 r = wasm_f32x4_sub(x, wasm_f32x4_mul(n, wasm_f32x4_splat(0.693359375f)));
  r = wasm_f32x4_sub(r, wasm_f32x4_mul(n, wasm_f32x4_splat(-2.12194440e-4f)));
  f4 p = wasm_f32x4_splat(1.0f / 720.0f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.0f / 120.0f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.0f / 24.0f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.0f / 6.0f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(0.5f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.0f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.0f));
  v128_t bits = wasm_i32x4_shl(wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(n), wasm_i32x4_splat(127)), 23);
  return wasm_f32x4_mul(p, bits);
}

// Below this argument SiLU and sigmoid return exactly 0 (true values < 2e-16), as XNNPACK's sigmoid
// does far out: otherwise they return values near 1e-38, and products with such numbers are
// subnormal, which x86 computes tens of times slower (measured: a sampling step went 4× slower).
#define FLUSH_BELOW -40.0f

// SiLU(v) = v·sigmoid(v) = v / (1 + e^−v).
static inline f4 silu4(f4 v) {
  f4 y = wasm_f32x4_div(v, wasm_f32x4_add(wasm_f32x4_splat(1.0f), exp4(wasm_f32x4_neg(v))));
  return wasm_v128_andnot(y, wasm_f32x4_lt(v, wasm_f32x4_splat(FLUSH_BELOW)));
}

static inline float expf1(float x) { return wasm_f32x4_extract_lane(exp4(wasm_f32x4_splat(x)), 0); }
static inline float sigmoidf1(float x) { return x < FLUSH_BELOW ? 0.0f : 1.0f / (1.0f + expf1(-x)); }
static inline float tanhf1(float x) {
  // tanh(x) = 1 − 2/(e^2x + 1), odd; |error| ≤ ~2e-7 absolute.
  float a = x < 0 ? -x : x;
  float t = 1.0f - 2.0f / (expf1(2.0f * a) + 1.0f);
  return x < 0 ? -t : t;
}

static inline float hsum(f4 v) {
  return wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1) + wasm_f32x4_extract_lane(v, 2) +
         wasm_f32x4_extract_lane(v, 3);
}

// radial[b,i,j] = ‖x_i − x_j‖², x [B, N, 3].
void pair_squared_distances(float *radial, const float *x, int B, int N) {
  for (int b = 0; b < B; b++)
    for (int i = 0; i < N; i++) {
      const float *xi = x + (b * N + i) * 3;
      for (int j = 0; j < N; j++) {
        const float *xj = x + (b * N + j) * 3;
        float d0 = xi[0] - xj[0], d1 = xi[1] - xj[1], d2 = xi[2] - xj[2];
        radial[(b * N + i) * N + j] = d0 * d0 + d1 * d1 + d2 * d2;
      }
    }
}

// First edge-MLP layer and its SiLU: out[e] = silu(P_i + Q_j + r_e·w_r + r0_e·w_r0 + bias), with
// P = h·W_i and Q = h·W_j the per-node projections [B·N, H] and w_r, w_r0 rows of the weight;
// zeros where the edge mask is 0.
void edge_input_silu(float *out, const float *P, const float *Q, const float *radial, const float *radial0,
                     const float *wr, const float *wr0, const float *bias, const float *edgeMask, int B, int N,
                     int H) {
  for (int b = 0; b < B; b++)
    for (int i = 0; i < N; i++) {
      const float *pi = P + (b * N + i) * H;
      for (int j = 0; j < N; j++) {
        const int e = (b * N + i) * N + j;
        const float *qj = Q + (b * N + j) * H;
        f4 r = wasm_f32x4_splat(radial[e]), r0 = wasm_f32x4_splat(radial0[e]);
        float *o = out + e * H;
        if (edgeMask[e] == 0.0f) {
          for (int k = 0; k < H; k += 4) wasm_v128_store(o + k, wasm_f32x4_splat(0.0f));
          continue;
        }
        for (int k = 0; k < H; k += 4) {
          f4 v = wasm_f32x4_add(wasm_v128_load(pi + k), wasm_v128_load(qj + k));
          v = wasm_f32x4_add(v, wasm_f32x4_mul(r, wasm_v128_load(wr + k)));
          v = wasm_f32x4_add(v, wasm_f32x4_mul(r0, wasm_v128_load(wr0 + k)));
          v = wasm_f32x4_add(v, wasm_v128_load(bias + k));
          wasm_v128_store(o + k, silu4(v));
        }
      }
    }
}

// Messages, attention gate, edge mask and neighbour sum (EDM's GCL after the first layer):
// m_e = silu(pre_e + bias), gate_e = sigmoid(m_e·w_att + b_att)·mask_e (or mask_e without attention),
// agg[b,i] = Σ_j gate_e·m_e / normalization. scratch holds one message row [H].
void gated_message_sum(float *agg, const float *pre, const float *bias, const float *attW, const float *attB,
                       const float *edgeMask, float *scratch, int B, int N, int H, int attention,
                       float normalization) {
  const float inv = 1.0f / normalization;
  for (int b = 0; b < B; b++)
    for (int i = 0; i < N; i++) {
      float *a = agg + (b * N + i) * H;
      for (int k = 0; k < H; k += 4) wasm_v128_store(a + k, wasm_f32x4_splat(0.0f));
      for (int j = 0; j < N; j++) {
        const int e = (b * N + i) * N + j;
        float gate = edgeMask[e];
        if (gate == 0.0f) continue;
        const float *p = pre + e * H;
        if (attention) {
          f4 dot = wasm_f32x4_splat(0.0f);
          for (int k = 0; k < H; k += 4) {
            f4 m = silu4(wasm_f32x4_add(wasm_v128_load(p + k), wasm_v128_load(bias + k)));
            wasm_v128_store(scratch + k, m);
            dot = wasm_f32x4_add(dot, wasm_f32x4_mul(m, wasm_v128_load(attW + k)));
          }
          gate *= sigmoidf1(hsum(dot) + attB[0]);
        } else {
          for (int k = 0; k < H; k += 4)
            wasm_v128_store(scratch + k, silu4(wasm_f32x4_add(wasm_v128_load(p + k), wasm_v128_load(bias + k))));
        }
        f4 g = wasm_f32x4_splat(gate * inv);
        for (int k = 0; k < H; k += 4)
          wasm_v128_store(a + k, wasm_f32x4_add(wasm_v128_load(a + k), wasm_f32x4_mul(g, wasm_v128_load(scratch + k))));
      }
    }
}

// EDM's coordinate update after the first layer of its MLP: φ_e = (silu(pre_e + bias)·w_out), tanh·range
// if enabled, s_e = φ_e·mask_e / (√(r_e + 1e-8) + normConstant), and
// xOut_i = (x_i + Σ_j (x_i − x_j)·s_e / normalization)·nodeMask_i.
void coordinate_update(float *xOut, const float *x, const float *pre, const float *bias, const float *outW,
                       const float *radial, const float *edgeMask, const float *nodeMask, int B, int N, int H,
                       int useTanh, float coordsRange, float normConstant, float normalization) {
  for (int b = 0; b < B; b++)
    for (int i = 0; i < N; i++) {
      const float *xi = x + (b * N + i) * 3;
      float s0 = 0, s1 = 0, s2 = 0;
      for (int j = 0; j < N; j++) {
        const int e = (b * N + i) * N + j;
        if (edgeMask[e] == 0.0f) continue;
        const float *p = pre + e * H;
        f4 dot = wasm_f32x4_splat(0.0f);
        for (int k = 0; k < H; k += 4) {
          f4 m = silu4(wasm_f32x4_add(wasm_v128_load(p + k), wasm_v128_load(bias + k)));
          dot = wasm_f32x4_add(dot, wasm_f32x4_mul(m, wasm_v128_load(outW + k)));
        }
        float phi = hsum(dot);
        if (useTanh) phi = tanhf1(phi) * coordsRange;
        float s = phi * edgeMask[e] / (__builtin_sqrtf(radial[e] + 1e-8f) + normConstant);
        const float *xj = x + (b * N + j) * 3;
        s0 += (xi[0] - xj[0]) * s;
        s1 += (xi[1] - xj[1]) * s;
        s2 += (xi[2] - xj[2]) * s;
      }
      const float mask = nodeMask[b * N + i];
      float *o = xOut + (b * N + i) * 3;
      o[0] = (xi[0] + s0 / normalization) * mask;
      o[1] = (xi[1] + s1 / normalization) * mask;
      o[2] = (xi[2] + s2 / normalization) * mask;
    }
}

#!/usr/bin/env bash
# Trains (or resumes) a shipped QM9 model with equimol's own trainer: heavy (C, N, O, F; the default
# model) or h (with explicit hydrogens). Run from the repository root after `pnpm install && pnpm build`.
#   bash scripts/train-qm9.sh heavy|h
# Safe to interrupt: Ctrl-C/SIGTERM write a checkpoint and stop; after kill -9 the last periodic
# checkpoint is intact. A checkpoint committed under training/NAME/ by an earlier session seeds
# runs/NAME/ on a fresh clone.
set -euo pipefail
cd "$(dirname "$0")/.."
variant=${1:?usage: bash scripts/train-qm9.sh heavy|h}
name=qm9-$variant
run=runs/$name
mkdir -p runs
[ -f "runs/$name.eqd" ] || node scripts/build-qm9-dataset.mjs "$variant" "runs/$name.eqd"
if [ ! -f "$run/checkpoints/latest.eqt" ] && [ -f "training/$name/latest.eqt" ]; then
  mkdir -p "$run/checkpoints"
  cp "training/$name/run.json" "training/$name/train.jsonl" "$run/"
  cp "training/$name/latest.eqt" "$run/checkpoints/latest.eqt"
fi
if [ -f "$run/run.json" ]; then
  exec node packages/cli/dist/main.js train --out "$run" --resume
fi
# New run. Width and depth are EDM's benchmark configuration (hidden 128, 6 layers), chosen from
# measured throughput on 2 cores (docs/benchmarks.md); the rest is EDM's QM9 recipe except lr 2e-4.
micro=64
[ "$variant" = h ] && micro=16 # 29-atom molecules: keep each worker well inside the 4 GB wasm heap
exec node packages/cli/dist/main.js train --data "runs/$name.eqd" --out "$run" --name "$name" \
  --hidden 128 --layers 6 --batch-size 64 --micro-batch "$micro" --lr 2e-4 --seed 1 -j 2 \
  --validate-every 500 --checkpoint-every 500 --log-every 50 \
  --sample-every 1500 --sample-count 64 --sample-steps 200

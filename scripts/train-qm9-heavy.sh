#!/usr/bin/env bash
# Trains (or resumes) the shipped qm9-heavy model in runs/qm9-heavy. Run from the repository root
# after `pnpm install && pnpm build`. Safe to interrupt: Ctrl-C/SIGTERM checkpoint and stop;
# after kill -9 the last periodic checkpoint is intact.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p runs
[ -f runs/qm9-heavy.eqd ] || node scripts/build-qm9-dataset.mjs heavy runs/qm9-heavy.eqd
# A checkpoint committed by an earlier session seeds the run directory.
if [ ! -f runs/qm9-heavy/checkpoints/latest.eqt ] && [ -f training/qm9-heavy/latest.eqt ]; then
  mkdir -p runs/qm9-heavy/checkpoints
  cp training/qm9-heavy/run.json runs/qm9-heavy/run.json
  cp training/qm9-heavy/train.jsonl runs/qm9-heavy/train.jsonl
  cp training/qm9-heavy/latest.eqt runs/qm9-heavy/checkpoints/latest.eqt
fi
exec node scripts/train.mjs runs/qm9-heavy "$@"

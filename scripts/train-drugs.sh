#!/usr/bin/env bash
# Trains (or resumes) the drug-like heavy-atom model described by configs/drugs-heavy.json on the ZINC
# conformers. Run from the repository root after `pnpm install && pnpm build`.
#   bash scripts/train-drugs.sh [--data-dir DIR]     (DIR holds zinc/; default ../shared/data)
# Safe to interrupt: Ctrl-C/SIGTERM write a checkpoint and stop; after kill -9 the last periodic
# checkpoint is intact. State committed under training/drugs-heavy/ seeds runs/drugs-heavy/ on a fresh
# clone. Changes during the run are made with `equimol train --out runs/drugs-heavy --resume --set …`,
# which appends them to the schedule in run.json.
set -euo pipefail
cd "$(dirname "$0")/.."
data_dir=../shared/data
while [ $# -gt 0 ]; do
  case "$1" in
    --data-dir) data_dir=${2:?--data-dir needs a directory}; shift 2 ;;
    *) echo "usage: bash scripts/train-drugs.sh [--data-dir DIR]" >&2; exit 2 ;;
  esac
done
name=drugs-heavy
run=runs/$name
mkdir -p runs
[ -f runs/zinc-heavy.eqd ] || node packages/cli/dist/main.js data build "$data_dir/zinc/zinc_train_conformers.sdf.gz" \
  -o runs/zinc-heavy.eqd --name zinc-heavy --elements C,N,O,F,S,Cl,Br,I,P
if [ ! -f "$run/checkpoints/latest.eqt" ] && [ -f "training/$name/latest.eqt" ]; then
  mkdir -p "$run/checkpoints"
  cp "training/$name/run.json" "training/$name/train.jsonl" "$run/"
  cp "training/$name/latest.eqt" "$run/checkpoints/latest.eqt"
fi
if [ -f "$run/run.json" ]; then
  exec node packages/cli/dist/main.js train --out "$run" --resume
fi
exec node packages/cli/dist/main.js train --config "configs/$name.json" --out "$run"

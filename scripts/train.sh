#!/usr/bin/env bash
# Trains (or resumes) one of the shipped models' runs, each described by its config file in configs/:
#   bash scripts/train.sh drugs-heavy|drugs-bonds|qm9-h|qm9-heavy [--data-dir DIR]
# DIR holds the shared training data (qm9/, zinc/; default ../shared/data). Run from the repository root
# after `pnpm install && pnpm build`. Safe to interrupt: Ctrl-C/SIGTERM write a checkpoint and stop;
# after kill -9 the last periodic checkpoint is intact. Trainer state committed under training/NAME/
# seeds runs/NAME/ on a fresh clone. Change a run as it goes with
#   node packages/cli/dist/main.js train --out runs/NAME --resume --set optimizer.learningRate=5e-5
# which appends the change to the schedule in runs/NAME/run.json.
set -euo pipefail
cd "$(dirname "$0")/.."
usage() { echo "usage: bash scripts/train.sh drugs-heavy|drugs-bonds|qm9-h|qm9-heavy [--data-dir DIR]" >&2; exit 2; }
name=${1:-}
shift || true
data_dir=../shared/data
while [ $# -gt 0 ]; do
  case "$1" in
    --data-dir) [ $# -ge 2 ] || usage; data_dir=$2; shift 2 ;;
    *) usage ;;
  esac
done
equimol() { node packages/cli/dist/main.js "$@"; }
mkdir -p runs
case "$name" in
  drugs-heavy)
    [ -f runs/zinc-heavy.eqd ] || equimol data build "$data_dir/zinc/zinc_train_conformers.sdf.gz" \
      -o runs/zinc-heavy.eqd --name zinc-heavy --elements C,N,O,F,S,Cl,Br,I,P ;;
  drugs-bonds)
    # Pilot B of #21: the same molecules with the SDF's Kekulé bonds and formal charges, as given.
    [ -f runs/zinc-bonds.eqd ] || equimol data build "$data_dir/zinc/zinc_train_conformers.sdf.gz" \
      -o runs/zinc-bonds.eqd --name zinc-bonds --elements C,N,O,F,S,Cl,Br,I,P --bonds ;;
  qm9-h|qm9-heavy)
    variant=${name#qm9-}
    [ -f "runs/$name.eqd" ] || node scripts/build-qm9-dataset.mjs "$variant" "runs/$name.eqd" --data-dir "$data_dir" ;;
  *) usage ;;
esac
run=runs/$name
if [ ! -f "$run/checkpoints/latest.eqt" ] && [ -f "training/$name/latest.eqt" ]; then
  mkdir -p "$run/checkpoints"
  cp "training/$name/run.json" "training/$name/train.jsonl" "$run/"
  cp "training/$name/latest.eqt" "$run/checkpoints/latest.eqt"
fi
if [ -f "$run/run.json" ]; then
  exec node packages/cli/dist/main.js train --out "$run" --resume
fi
# qm9-heavy was trained in two stages: stage 2 continues stage 1's state with a network input added.
if [ "$name" = qm9-heavy ] && [ ! -f runs/qm9-heavy-stage1/checkpoints/latest.eqt ]; then
  equimol train --config configs/qm9-heavy-stage1.json --out runs/qm9-heavy-stage1
fi
exec node packages/cli/dist/main.js train --config "configs/$name.json" --out "$run"

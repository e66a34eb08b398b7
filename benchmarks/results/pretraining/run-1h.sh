#!/usr/bin/env bash
# Issue 4 acceptance 3: tiny BERT (2 x 128, 2 heads, no dropout) pre-trained from scratch within one hour:
# 40,000 steps of 16 x 128, peak lr 1e-3, 1,000 warm-up steps. Run from the repository root after building
# (./bert builds if needed); PRETRAIN and HELDOUT are the corpus files made by `./bert corpus` (README.md here).
# Resumable: run it again with --resume.
set -euo pipefail
PRETRAIN=${PRETRAIN:-pretrain.txt}
HELDOUT=${HELDOUT:-heldout.txt}
OUT=${OUT:-pretrain-2x128-1h}
exec ./bert pretrain --corpus "$PRETRAIN" --eval-corpus "$HELDOUT" --eval-instances 1024 \
  --config benchmarks/results/pretraining/tiny-nodropout.json --train-vocab 8000 --steps 40000 --batch 16 --seq 128 \
  --max-predictions 20 --adam TORCH --lr 1e-3 --warmup 1000 --seed 12345 --checkpoint-every 2000 --eval-every 2000 \
  --out "$OUT" "$@"

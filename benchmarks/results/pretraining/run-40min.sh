#!/usr/bin/env bash
# Issue 4 acceptance 3, a 40-minute attempt: tiny BERT (2 x 128, no dropout) from scratch, one 4M-token shard.
export OPENBLAS_CORETYPE=SkylakeX OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=2 OPENBLAS_THREAD_TIMEOUT=10
exec java -Xmx3g -XX:+UseParallelGC --add-modules jdk.incubator.vector -jar /work/data/app-pt/quarkus-run.jar pretrain \
  --corpus /work/data/pretrain.txt --eval-corpus /work/data/heldout.txt --eval-instances 1024 \
  --config /work/data/pt-40/tiny-nodropout.json --train-vocab 8000 --steps 11000 --batch 32 --seq 128 \
  --max-predictions 20 --adam TORCH --lr 2e-3 --warmup 500 --seed 12345 --checkpoint-every 500 --eval-every 1000 \
  --out /work/data/pt-40/out "$@"

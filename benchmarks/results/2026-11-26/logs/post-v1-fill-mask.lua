wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[{"inputs": "The capital of France is [MASK]."}]]
done = function(summary, latency, requests)
  io.write(string.format("BENCH requests=%d duration_us=%d status=%d timeout=%d connect=%d read=%d write=%d p50=%d p95=%d p99=%d max=%d\n", summary.requests, summary.duration, summary.errors.status, summary.errors.timeout, summary.errors.connect, summary.errors.read, summary.errors.write, latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end

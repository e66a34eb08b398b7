-- The soak's request mix for wrk (benchmarks/reliability/soak.sh): embeddings on the default model (all-minilm-l6-v2),
-- fill-mask and next-sentence on the small pre-trained model "soak-tiny", and the model and head listings.
-- Each thread counts its responses by status; done() prints them with the latency percentiles as one line of
-- key=value pairs the soak script turns into its per-minute table. (wrk does not say which connection a response
-- belongs to, so the counts per endpoint come from the service's own metrics instead.)

local mix = {
  -- weight, name, method, path, body
  {30, "embed",      "POST", "/v1/embed", '{"inputs": "The quick brown fox jumps over the lazy dog."}'},
  {10, "embed8",     "POST", "/v1/embed", '{"inputs": ["one", "a second sentence", "the third one is a little longer than the others", "four", "five five", "six: numbers 123 456", "seven, with punctuation!", "eight"], "pooling": "cls", "normalize": false}'},
  -- A paragraph of ~100 tokens: long sequences pad every short one batched with them, so they stay a small share.
  {4,  "embedpara",  "POST", "/v1/embed", '{"inputs": "' .. string.rep("a paragraph of ordinary words, ", 16) .. '", "truncate": true}'},
  {20, "fillmask",   "POST", "/v1/fill-mask", '{"inputs": "the cat sat on the [MASK].", "top_k": 3, "model": "soak-tiny"}'},
  {5,  "fillmask2",  "POST", "/v1/fill-mask", '{"inputs": ["the [MASK] sat on the mat.", "[MASK] is the capital of [MASK]."], "model": "soak-tiny"}'},
  {15, "nsp",        "POST", "/v1/next-sentence", '{"text_a": "The cat sat on the mat.", "text_b": "Then it fell asleep.", "model": "soak-tiny"}'},
  {8,  "models",     "GET",  "/v1/models", nil},
  {7,  "heads",      "GET",  "/v1/heads", nil},
}

local total = 0
for _, m in ipairs(mix) do total = total + m[1] end

local requests = {}
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + id)
  for i, m in ipairs(mix) do
    local headers = {}
    if m[5] then headers["Content-Type"] = "application/json" end
    requests[i] = wrk.format(m[3], m[4], headers, m[5])
  end
  counts = {}      -- "status" -> n
end

function request()
  local r = math.random(total)
  local i = 1
  while r > mix[i][1] do
    r = r - mix[i][1]
    i = i + 1
  end
  return requests[i]
end

function response(status, headers, body)
  local s = tostring(status)
  counts[s] = (counts[s] or 0) + 1
end

function done(summary, latency, requests)
  local statuses = {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("counts")) do statuses[k] = (statuses[k] or 0) + v end
  end
  local function joined(tbl)
    local keys = {}
    for k in pairs(tbl) do table.insert(keys, k) end
    table.sort(keys)
    local parts = {}
    for _, k in ipairs(keys) do table.insert(parts, k .. "=" .. tbl[k]) end
    return table.concat(parts, ",")
  end
  local e = summary.errors
  io.write(string.format(
    "SOAK requests=%d duration_us=%d p50_ms=%.1f p90_ms=%.1f p99_ms=%.1f max_ms=%.1f connect=%d read=%d write=%d timeout=%d status=%s\n",
    summary.requests, summary.duration, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, e.connect, e.read, e.write, e.timeout,
    joined(statuses)))
end

-- wrk script of bench/run.py: one request, described by environment variables, sent over and over.
--   BENCH_METHOD  GET (default) or POST
--   BENCH_COOKIE  the Cookie header (session and CSRF cookies), if any
--   BENCH_BODY    the urlencoded form of a POST
-- At the end it prints one line "BENCH_JSON {...}": counts, latency percentiles (microseconds),
-- socket errors and the responses counted by status code.

local method = os.getenv("BENCH_METHOD") or "GET"
local cookie = os.getenv("BENCH_COOKIE")
local body = os.getenv("BENCH_BODY")

wrk.method = method
if cookie and cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end
if method == "POST" then
  wrk.body = body or ""
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
end

function response(status, headers, response_body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(counts) do
    table.insert(parts, string.format('"%d": %d', status, count))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d, "mean": %.1f}, "statuses": {%s}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    table.concat(parts, ", ")))
end

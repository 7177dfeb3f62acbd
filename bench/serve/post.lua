-- wrk script for the runf serve benchmark: POST a small body to the function (fprocess `cat`
-- echoes it back), and at the end print one machine-readable line with the latency
-- percentiles (microseconds), the request count and every error counter.
wrk.method = "POST"
wrk.body = "hello from wrk: a small invocation body\n"
wrk.headers["Content-Type"] = "text/plain"

-- WRK_GET=1: a plain GET instead (mode=http and its baseline fetch a small static file).
if (os.getenv("WRK_GET") or "") ~= "" then
  wrk.method = "GET"
  wrk.body = nil
  wrk.headers["Content-Type"] = nil
end

-- WRK_PACE_MS=N waits N ms between a response and the next request: latency with idle CPU in
-- between, as a function platform mostly sees it, and the time pre-warming has to prepare.
local pace = tonumber(os.getenv("WRK_PACE_MS") or "0")
if pace > 0 then
  delay = function() return pace end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"p50": %.0f, "p90": %.0f, "p99": %.0f, "mean": %.1f, "max": %.0f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean, latency.max))
end

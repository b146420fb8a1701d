-- wrk reporter for bench/harness.py: at the end of a run, print one line that the harness parses.
-- Latencies come from wrk's own histogram (microseconds) and are printed in milliseconds.
-- Headers are passed on wrk's command line (-H), so this script only reports.

done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors
  io.write(string.format(
    "YSHBENCH requests=%d duration_s=%.3f rps=%.2f p50_ms=%.3f p95_ms=%.3f p99_ms=%.3f max_ms=%.3f"
      .. " bytes=%d err_connect=%d err_read=%d err_write=%d err_status=%d err_timeout=%d\n",
    summary.requests,
    seconds,
    summary.requests / seconds,
    latency:percentile(50) / 1000,
    latency:percentile(95) / 1000,
    latency:percentile(99) / 1000,
    latency.max / 1000,
    summary.bytes,
    errors.connect,
    errors.read,
    errors.write,
    errors.status,
    errors.timeout
  ))
end

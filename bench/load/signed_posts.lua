-- wrk script: POST pre-signed status callbacks, each line of $BENCH_REQUESTS once
-- ("path<TAB>form body<TAB>signature"); thread k of T takes lines k, k+T, k+2T, ...
-- done() prints one JSON line: requests, duration, errors and latency percentiles (µs).
local threads = {}
local lines = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(os.getenv("BENCH_REQUESTS")) do
    local path, body, signature = line:match("([^\t]+)\t([^\t]+)\t([^\t]+)")
    table.insert(lines, {path, body, signature})
  end
  step = tonumber(os.getenv("BENCH_THREADS"))
  at = id + 1
end

function request()
  local item = lines[at]
  at = at + step
  if at > #lines then at = id + 1 end
  return wrk.format("POST", item[1], {["Content-Type"] = "application/x-www-form-urlencoded",
                                       ["X-Twilio-Signature"] = item[3]}, item[2])
end

function done(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d, ' ..
    '"p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout, latency:percentile(50), latency:percentile(99)))
end

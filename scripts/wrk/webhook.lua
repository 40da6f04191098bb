-- wrk script: the payment processor's webhook under load. EVENTS names a file of signed
-- events, one per line as "<Stripe-Signature header>\t<JSON body>", each a different
-- charge; with THREADS threads, thread k sends lines k, k+THREADS, k+2*THREADS… so that
-- no event is sent twice while the file lasts. Prints the status codes seen.
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("index", #threads)
end

function init(args)
  statuses = {}
  mine = {}
  local every = tonumber(os.getenv("THREADS") or "1")
  local n = 0
  for line in io.lines(os.getenv("EVENTS")) do
    n = n + 1
    if (n - index) % every == 0 then
      local tab = line:find("\t", 1, true)
      table.insert(mine, { line:sub(1, tab - 1), line:sub(tab + 1) })
    end
  end
  next_event = 0
end

function request()
  next_event = next_event % #mine + 1
  local event = mine[next_event]
  return wrk.format("POST", nil,
    { ["Content-Type"] = "application/json", ["Stripe-Signature"] = event[1] }, event[2])
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local seen = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      seen[status] = (seen[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(seen) do table.insert(parts, status .. ": " .. count) end
  io.write(string.format("  statuses {%s}; p50 %.2f ms, p99 %.2f ms\n",
    table.concat(parts, ", "), latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end

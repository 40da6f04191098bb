-- Shared by wrk scripts (loaded with dofile from the repository's root): counts the status
-- codes every thread saw and prints them with p50 and p99, so that a run of 401s is not
-- mistaken for a fast server.
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
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

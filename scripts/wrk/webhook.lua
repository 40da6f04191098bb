-- wrk script: the payment processor's webhook under load. EVENTS names a file of signed
-- events, one per line as "<Stripe-Signature header>\t<JSON body>", each a different
-- charge; with THREADS threads, thread k sends lines k, k+THREADS, k+2*THREADS… so that
-- no event is sent twice while the file lasts. Prints the status codes seen.
dofile("scripts/wrk/statuses.lua")

-- statuses.lua's setup and init, extended: each thread learns its number and reads its lines.
local count_statuses_of, reset_statuses = setup, init
local started = 0
function setup(thread)
  count_statuses_of(thread)
  started = started + 1
  thread:set("index", started)
end

function init(args)
  reset_statuses(args)
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

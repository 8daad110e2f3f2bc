-- wrk script for tests/reliability/soak.sh: cycles through a mix of routes (the HTML pages,
-- about 20 ms each, once per cycle of 20) and counts the answers that are not 200.
local turtle = { "/actor/darma-bala", "text/turtle" }
local jsonld = { "/event/report-donryung-1741", "application/ld+json" }
local sparql = { "/sparql?query=SELECT%20%3Fname%20WHERE%20%7B%20actor%3Adarma-bala%20rdfs%3Alabel%20%3Fname%20%7D", "application/sparql-results+json" }
local search = { "/search?q=%D0%94%D0%B0%D1%80%D0%BC%D0%B0", "text/html" }
local paths = { { "/actor/darma-bala", "text/html" }, { "/", "text/html" } }
for _ = 1, 6 do
  table.insert(paths, turtle)
  table.insert(paths, jsonld)
  table.insert(paths, sparql)
end
table.insert(paths, search)
table.insert(paths, search)
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  count, bad, i = 0, 0, 0
end

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i][1], { ["Accept"] = paths[i][2] })
end

function response(status, headers, body)
  count = count + 1
  if status ~= 200 then bad = bad + 1 end
end

function done(summary, latency, requests)
  local total, failed = 0, 0
  for _, t in ipairs(threads) do
    total = total + t:get("count")
    failed = failed + t:get("bad")
  end
  io.write(string.format("soak: %d answers, %d not 200\n", total, failed))
end

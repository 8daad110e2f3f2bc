-- wrk script: SPARQL lookups of random entities across the whole synthetic graph (issue 19).
--
--   wrk -t2 -c4 -d10s --latency -s bench/random-lookup.lua http://HOST:PORT -- PATH RELATIONS [SEED]
--
-- PATH is the endpoint's path (`/sparql` for histkg, `/query` for oxigraph serve), RELATIONS
-- the size `examples/synth.rs` was given. Each request asks `SELECT ?p ?o WHERE { <IRI> ?p ?o }`
-- for an entity drawn uniformly from every actor, place, source, event and assertion the
-- generator writes (the counts are its `Sizes::for_relations`). Each wrk thread draws from its
-- own seeded sequence, so two servers measured with the same SEED get the same requests.

local kinds, total, path = {}, 0, "/sparql"
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("number", threads)
end

local function add(segment, prefix, count)
  table.insert(kinds, { segment = segment, prefix = prefix, count = count })
  total = total + count
end

function init(args)
  path = args[1] or path
  local n = tonumber(args[2] or "100000")
  local seed = tonumber(args[3] or "1")
  add("actor", "actor", math.max(math.floor(n / 10), 50))
  add("place", "place", math.max(math.floor(n / 100), 20))
  add("source", "source", math.max(math.floor(n / 20), 20))
  add("event", "event", math.max(math.floor(n / 2), 20))
  add("assertion", "rel", n)
  math.randomseed(seed * 1000 + (number or 0))
end

local function encode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function request()
  local k = math.random(total) - 1
  for _, kind in ipairs(kinds) do
    if k < kind.count then
      local iri = "https://example.org/histkg/" .. kind.segment .. "/" .. kind.prefix .. "-" .. k
      local query = "SELECT ?p ?o WHERE { <" .. iri .. "> ?p ?o }"
      return wrk.format("GET", path .. "?query=" .. encode(query),
        { ["Accept"] = "application/sparql-results+json" })
    end
    k = k - kind.count
  end
end

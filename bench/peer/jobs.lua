-- bench/peer/jobs.lua: copied unchanged from ../shared/peers/wrk/jobs.lua, the PHP peer issue 13 measures GET job against (bench/api runs it); only this line was added.
-- wrk script for GET job endpoints: each request picks a random (job id, bearer token)
-- pair from a file of "UUID TOKEN" lines in which the token's user is a member of the
-- job's project, so every request should be a 200.
--   wrk -t2 -c64 -d10s --latency -s jobs.lua http://127.0.0.1:18080 -- PAIRS_FILE [PREFIX]
-- PREFIX defaults to /php/api/v1/jobs/ (a C service would pass /api/v1/jobs/).
--
-- init() must be quick: wrk starts thread 1 before it runs thread 2's init(), and starts
-- its clock only after the last init(), so a slow init() lets thread 1 send uncounted-time
-- requests (parsing 100,000 lines up front took ~0.2 s/thread and inflated req/s by ~2 %).
-- So the file is read whole (all lines must have the same length; run-peers.sh writes
-- them so) and one line is cut out per request.
local data, linelen, nlines, prefix
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
end

function init(args)
  local file = args[1] or "/tmp/peer/wrk/job_pairs.txt"
  prefix = args[2] or "/php/api/v1/jobs/"
  local f = assert(io.open(file, "rb"))
  data = f:read("*a")
  f:close()
  linelen = data:find("\n", 1, true)
  assert(linelen and #data % linelen == 0, file .. ": lines must all have the same length")
  nlines = #data / linelen
  math.randomseed(os.time() * 100 + (tid or 0))
end

function request()
  local off = (math.random(nlines) - 1) * linelen
  local id, tok = data:sub(off + 1, off + linelen - 1):match("^(%S+)%s+(%S+)")
  return wrk.format("GET", prefix .. id, { ["Authorization"] = "Bearer " .. tok })
end

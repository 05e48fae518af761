-- wrk script: one GET /api/v1/lookup per request, cycling through serials taken from the
-- file named by SERIALS_FILE (one per line) or from SERIALS (space separated).
local serials = {}
local file = os.getenv("SERIALS_FILE")
if file and #file > 0 then
  for line in io.lines(file) do
    if #line > 0 then table.insert(serials, line) end
  end
else
  for s in string.gmatch(os.getenv("SERIALS") or "", "%S+") do
    table.insert(serials, s)
  end
end
-- Each wrk thread starts at its own offset so threads do not ask for the same serials.
local threads = 0
function setup(thread)
  thread:set("offset", threads)
  threads = threads + 1
end
local i = 0
function init(args)
  i = (offset or 0) * math.floor(#serials / 2)
end
request = function()
  i = i + 1
  local serial = serials[(i % #serials) + 1]
  return wrk.format("GET", "/api/v1/lookup?serial=" .. serial)
end

-- wrk script: cycles through the sample serials given in the SERIALS environment variable
-- (space separated), one GET /api/v1/lookup per request.
local serials = {}
for s in string.gmatch(os.getenv("SERIALS") or "", "%S+") do
  table.insert(serials, s)
end
local i = 0
request = function()
  i = i + 1
  local serial = serials[(i % #serials) + 1]
  return wrk.format("GET", "/api/v1/lookup?serial=" .. serial)
end

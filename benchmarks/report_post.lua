-- wrk script: POST anonymous reports at random points of Los Angeles County.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local kinds = {"raid", "checkpoint", "arrest", "patrol", "surveillance", "other"}
math.randomseed(os.time())
request = function()
  local lat = 33.75 + math.random() * 0.55
  local lng = -118.65 + math.random() * 0.75
  local kind = kinds[math.random(#kinds)]
  local body = string.format(
    '{"kind":"%s","lat":%.6f,"lng":%.6f,"place":"benchmark","description":"seen from the bus stop","agencies":["ice"],"vehicles":3,"officers":6}',
    kind, lat, lng)
  return wrk.format(nil, "/api/v1/reports", nil, body)
end

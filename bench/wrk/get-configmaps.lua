-- wrk script: GET existing ConfigMaps by name, cycling through SKIFF_COUNT names "<prefix>-<i>".
local token = os.getenv("SKIFF_TOKEN")
local ns = os.getenv("SKIFF_NS") or "bench"
local prefix = os.getenv("SKIFF_PREFIX") or "g"
local count = tonumber(os.getenv("SKIFF_COUNT") or "1000")
local i = 0
function request()
  i = i % count + 1
  return wrk.format("GET", "/api/v1/namespaces/" .. ns .. "/configmaps/" .. prefix .. "-" .. i,
    { ["Authorization"] = "Bearer " .. token })
end

-- wrk script: POST small ConfigMaps with unique names (per thread and counter).
-- Environment: SKIFF_TOKEN (bearer token), SKIFF_NS (namespace), SKIFF_PREFIX (name prefix).
local token = os.getenv("SKIFF_TOKEN")
local ns = os.getenv("SKIFF_NS") or "bench"
local prefix = os.getenv("SKIFF_PREFIX") or "w"
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
local counter = 0
function request()
  counter = counter + 1
  local body = string.format('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"%s-%d-%d"},"data":{"key":"value"}}', prefix, tid, counter)
  return wrk.format("POST", "/api/v1/namespaces/" .. ns .. "/configmaps",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }, body)
end

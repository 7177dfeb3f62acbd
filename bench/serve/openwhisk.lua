-- wrk script for the OpenWhisk /run benchmark: post.lua's result line, with an activation as
-- OpenWhisk's invoker sends it (the action echoes its value back).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "post.lua")
wrk.path = "/run"
wrk.body = '{"value":{"name":"wrk","n":1},"activation_id":"bench","namespace":"guest","action_name":"echo","deadline":"0"}'
wrk.headers["Content-Type"] = "application/json"

-- wrk script for the mode=lambda benchmark: post.lua's result line, with a small JSON event
-- (the runtime answers with the event).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "post.lua")
wrk.path = "/2015-03-31/functions/function/invocations"
wrk.body = '{"hello":"from wrk","n":1}'
wrk.headers["Content-Type"] = "application/json"

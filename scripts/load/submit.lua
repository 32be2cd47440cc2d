-- wrk script: POST one pre-signed results bundle per request, each with its own idempotency key.
-- Usage: wrk -s scripts/load/submit.lua URL -- BODIES_FILE TOKEN   (one bundle per line)
local bodies, token, next_body, refused = {}, "", 0, 0

init = function(args)
    for line in io.lines(args[1]) do bodies[#bodies + 1] = line .. "\n" end
    token = args[2]
end

request = function()
    next_body = next_body + 1
    local body = bodies[next_body]
    if body == nil then body = bodies[#bodies] end -- out of bundles: a duplicate, answered 200 or 409
    return wrk.format("POST", "/v1/submissions", {
        ["Authorization"] = "Bearer " .. token,
        ["Idempotency-Key"] = "load-" .. next_body,
        ["Content-Type"] = "application/json",
    }, body)
end

response = function(status, headers, body)
    if status ~= 201 then refused = refused + 1 end
end

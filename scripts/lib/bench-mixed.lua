-- wrk script for the mixed run of scripts/bench-api: listings and updates across tenants.
--   wrk -t2 -c32 -d8s --latency -s scripts/lib/bench-mixed.lua http://127.0.0.1:18080 -- TARGETS [PUT_EVERY]
-- TARGETS: one source a line, tab-separated: tenant, bearer token (admin of that tenant),
-- source id, platform, source_name. Each request picks a tenant at random and sends that
-- tenant's token itself (the nginx location adds none): every PUT_EVERY-th request of a
-- thread (default 20, i.e. 5 %) is a PUT replacing one of the tenant's sources with a valid
-- body (its own platform and name, the polling interval flipping between 15 and 16 so
-- each write changes the row), the others GET the tenant's listing.
-- Every response is checked: non-2xx ones are counted, and 2xx ones are told apart by
-- their body (a listing starts with {"items":), so the printed counts show what was answered.
-- The last line is machine-readable: "mixed-counts listings=N updates=N non2xx=N sent_puts=N sent_gets=N".

local prefix = "/mixed"
local tenants = {}
local put_every = 20
-- globals, not locals: done() reads each thread's counters with thread:get
sent, sent_puts, sent_gets = 0, 0, 0
listings, updates, non2xx = 0, 0, 0
local threads = {}

function setup(thread)
    table.insert(threads, thread)
    thread:set("thread_no", #threads)
end

function init(args)
    local file = args[1] or error("usage: ... -- TARGETS [PUT_EVERY]")
    put_every = tonumber(args[2] or "20")
    local index = {}
    for line in io.lines(file) do
        local tenant, token, id, platform, name =
            line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)\t([^\t]+)\t([^\t]+)$")
        if tenant then
            local t = index[tenant]
            if not t then
                t = { token = token, sources = {} }
                t.auth = "Bearer " .. token
                t.listing = wrk.format("GET", prefix .. "/v1/cloud_api_sources", { Authorization = t.auth })
                index[tenant] = t
                table.insert(tenants, t)
            end
            table.insert(t.sources, { id = id, platform = platform, name = name })
        end
    end
    if #tenants == 0 then error("no targets in " .. file) end
    math.randomseed(thread_no * 7919 + os.time())
end

function request()
    sent = sent + 1
    local t = tenants[math.random(#tenants)]
    if sent % put_every == 0 then
        sent_puts = sent_puts + 1
        local s = t.sources[math.random(#t.sources)]
        -- source names are generated (no quotes or backslashes), so no JSON escaping is needed
        local body = string.format(
            '{"platform":"%s","source_name":"%s","polling_interval_minutes":%d,"is_enabled":true,'
            .. '"settings":{"initial_lookback_minutes":1440}}',
            s.platform, s.name, 15 + sent_puts % 2)
        return wrk.format("PUT", prefix .. "/v1/cloud_api_sources/" .. s.id,
                          { Authorization = t.auth, ["Content-Type"] = "application/json" }, body)
    end
    sent_gets = sent_gets + 1
    return t.listing
end

function response(status, headers, body)
    if status < 200 or status > 299 then
        non2xx = non2xx + 1
    elseif body:sub(1, 9) == '{"items":' then
        listings = listings + 1
    else
        updates = updates + 1
    end
end

function done(summary, latency, requests)
    local c = { listings = 0, updates = 0, non2xx = 0, sent_puts = 0, sent_gets = 0 }
    for _, thread in ipairs(threads) do
        for k, _ in pairs(c) do c[k] = c[k] + (thread:get(k) or 0) end
    end
    io.write(string.format("mixed-counts listings=%d updates=%d non2xx=%d sent_puts=%d sent_gets=%d\n",
                           c.listings, c.updates, c.non2xx, c.sent_puts, c.sent_gets))
end

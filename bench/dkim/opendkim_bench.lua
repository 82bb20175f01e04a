-- DKIM throughput of OpenDKIM, driven through its milter protocol by miltertest (package miltertest), one message
-- at a time on one connection per message (as an MTA's smtpd does per session): the counterpart of
-- bench/dkim/DkimBench.java. bench/dkim.sh starts opendkim (Mode s or v) and runs: miltertest -s opendkim_bench.lua
-- Environment: BENCH_SOCKET (e.g. unix:/tmp/x/opendkim.sock), BENCH_MESSAGE (a CRLF message file), BENCH_OP
-- (sign|verify), BENCH_COUNT (messages). Lua has no wall clock finer than a second, so dkim.sh times the whole
-- miltertest run from outside. Fails when a message is not signed (sign) or OpenDKIM's Authentication-Results does
-- not say dkim=pass (verify).
local socket = os.getenv("BENCH_SOCKET")
local op = os.getenv("BENCH_OP")
local count = tonumber(os.getenv("BENCH_COUNT"))

local f = assert(io.open(os.getenv("BENCH_MESSAGE"), "rb"))
local raw = f:read("*a")
f:close()
local split = string.find(raw, "\r\n\r\n", 1, true)
local head = string.sub(raw, 1, split + 1)
local body = string.sub(raw, split + 4)

-- header fields, continuation lines unfolded into the value as milters receive them (CRLF kept inside)
local fields = {}
for line in string.gmatch(head, "(.-)\r\n") do
  if string.match(line, "^[ \t]") then
    fields[#fields].value = fields[#fields].value .. "\r\n" .. line
  else
    local name, value = string.match(line, "^([^:]+):[ ]?(.*)$")
    fields[#fields + 1] = { name = name, value = value }
  end
end

local function one()
  local conn = mt.connect(socket, 40, 0.05)
  if conn == nil then error("cannot connect to " .. socket) end
  mt.macro(conn, SMFIC_CONNECT, "j", "bench.test", "{daemon_name}", "bench")
  assert(mt.conninfo(conn, "localhost", "127.0.0.1") == nil)
  mt.macro(conn, SMFIC_MAIL, "i", "BENCH1", "{auth_authen}", "alice")
  assert(mt.mailfrom(conn, "<alice@bench.test>") == nil)
  assert(mt.rcptto(conn, "<bob@example.test>") == nil)
  for _, h in ipairs(fields) do
    assert(mt.header(conn, h.name, h.value) == nil)
  end
  assert(mt.eoh(conn) == nil)
  local i = 1
  while i <= #body do
    assert(mt.bodystring(conn, string.sub(body, i, i + 65534)) == nil)
    i = i + 65535
  end
  assert(mt.eom(conn) == nil)
  if op == "sign" then
    if not mt.eom_check(conn, MT_HDRINSERT, "DKIM-Signature") then error("OpenDKIM did not sign") end
  else
    local ok = false
    for n = 0, 3 do
      local v = mt.getheader(conn, "Authentication-Results", n)
      if v ~= nil and string.find(v, "dkim=pass", 1, true) then ok = true end
    end
    if not ok then error("OpenDKIM did not say dkim=pass") end
  end
  mt.disconnect(conn)
end

for _ = 1, count do
  one()
end

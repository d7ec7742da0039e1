-- wrk -s post.lua: every request creates a user, as POST /api/users does.
-- The token comes with the command's --header, as the GETs' does
-- (bench/measures.py): wrk sends it on these requests too.
wrk.method = "POST"
wrk.body = '{"name": "bench"}'
wrk.headers["Content-Type"] = "application/json"

-- wrk -s post.lua: every request creates a user, as POST /api/users does.
wrk.method = "POST"
wrk.body = '{"name": "bench"}'
wrk.headers["Content-Type"] = "application/json"

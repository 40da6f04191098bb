-- wrk script: POST the server function named by the PATH env var with the session cookie
-- in COOKIE and an Origin header (state-changing requests must come from our own pages).
-- Prints the status codes seen, so that a run of 401s is not mistaken for a fast server.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = os.getenv("COOKIE")
wrk.headers["Origin"] = os.getenv("ORIGIN")
-- BODY: the form to send (empty for a function without arguments).
wrk.body = os.getenv("BODY") or ""

dofile("scripts/wrk/statuses.lua")

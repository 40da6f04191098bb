-- wrk script: GET with the bearer token in TOKEN (a connected app's FHIR read), counting
-- the status codes seen (statuses.lua).
wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.headers["Accept"] = "application/fhir+json"
dofile("scripts/wrk/statuses.lua")

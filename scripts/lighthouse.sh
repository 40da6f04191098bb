#!/usr/bin/env bash
# Lighthouse 12 (mobile: simulated slow 4G and a 4x slower CPU) on a running Portico:
# the sign-in page, and Home signed in (the session cookie passed as a header). Prints the
# median of three runs of each: score, total blocking time, LCP. Not pass/fail.
# Usage: scripts/lighthouse.sh BASE_URL USERNAME PASSWORD
# Lighthouse is fetched from npm on first use (it is only needed here, not by the tests).
set -euo pipefail
BASE=$1 USERNAME=$2 PASSWORD=$3
RUNS=3
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

cookie=$(curl -s -o /dev/null -D - -H "Origin: $BASE" --data-urlencode "username=$USERNAME" \
  --data-urlencode "password=$PASSWORD" "$BASE/api/auth/sign_in" \
  | sed -n 's/^[Ss]et-[Cc]ookie: \(portico_session=[^;]*\);.*/\1/p')
[ -n "$cookie" ] || { echo "lighthouse: could not sign in as $USERNAME" >&2; exit 1; }

audit() {
  local label=$1 url=$2 headers=$3
  for run in $(seq 1 "$RUNS"); do
    # A run now and then fails to start Chromium (a timeout in Lighthouse's launcher):
    # one more try before giving up.
    for attempt in 1 2; do
      npm exec --yes --package=lighthouse@12.8.2 -- lighthouse "$url" --quiet \
        --only-categories=performance --output=json --output-path="$WORK/$label-$run.json" \
        --chrome-path=/usr/bin/chromium --chrome-flags="--headless=new --no-sandbox --disable-gpu" \
        --extra-headers="$headers" >"$WORK/log" 2>&1 && break
      [ "$attempt" = 2 ] && { tail -5 "$WORK/log" >&2; echo "lighthouse failed on $url" >&2; exit 1; }
    done
  done
  node -e '
    const fs = require("fs");
    const [label, dir, runs] = process.argv.slice(1);
    const reports = [...Array(+runs).keys()].map((i) => JSON.parse(fs.readFileSync(`${dir}/${label}-${i + 1}.json`)));
    // A session cookie that did not take lands on the sign-in page: that is not Home.
    const landed = reports.map((r) => new URL(r.finalDisplayedUrl).pathname);
    if (label !== "sign-in" && landed.some((p) => p.startsWith("/signin"))) {
      console.error(`  ${label}: landed on ${landed.join(", ")}, not signed in`);
      process.exit(1);
    }
    const median = (f) => reports.map(f).sort((a, b) => a - b)[Math.floor(reports.length / 2)];
    const score = median((r) => r.categories.performance.score * 100);
    const tbt = median((r) => r.audits["total-blocking-time"].numericValue);
    const lcp = median((r) => r.audits["largest-contentful-paint"].numericValue);
    const requests = median((r) => r.audits["network-requests"].details.items.length);
    console.log(`  ${label}: score ${score.toFixed(0)}, total blocking time ${tbt.toFixed(0)} ms, LCP ${(lcp / 1000).toFixed(2)} s, ${requests} requests (median of ${runs})`);
  ' "$label" "$WORK" "$RUNS"
}

echo "== Lighthouse 12 mobile"
audit sign-in "$BASE/signin" '{}'
audit home-signed-in "$BASE/" "{\"Cookie\": \"$cookie\"}"

import http from "node:http";
import { AddressInfo } from "node:net";
import { test, expect, expectAccessible, hydrated, DEMO_PASSWORD } from "./helpers";

/// Connected apps (issue 18): a small SMART client, served by this test on another origin
/// (a loopback port, which the demo app's redirect URI allows), links to Avery's chart:
/// the browser goes to Portico's authorize, signs in, consents with a partial grant (no
/// medications), comes back with a code; the client's own page exchanges it (PKCE) and
/// reads FHIR with the token across origins. Avery then removes the app's access, and the
/// same token is refused.

// RFC 7636's example pair.
const VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// The client's pages: a start page with the authorize link, the callback that trades the
/// code for tokens and reads, and a page that reads again with a given token.
function clientPages(portico: string, port: number): http.RequestListener {
  const redirect = `http://127.0.0.1:${port}/callback`;
  const authorize = new URL(`${portico}/oauth/authorize`);
  for (const [k, v] of Object.entries({
    response_type: "code",
    client_id: "portico-demo-app",
    redirect_uri: redirect,
    scope: "launch/patient patient/Observation.rs patient/MedicationRequest.rs",
    state: "test-state",
    aud: `${portico}/fhir/r4`,
    code_challenge: CHALLENGE,
    code_challenge_method: "S256",
  })) {
    authorize.searchParams.set(k, v);
  }
  const page = (title: string, body: string, script = "") =>
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>` +
    `<body><main><h1>${title}</h1>${body}</main><script>${script}</script></body></html>`;
  const read = `async function read(token) {
      const r = await fetch(${JSON.stringify(portico)} + "/fhir/r4/Observation?_count=100", { headers: { Authorization: "Bearer " + token } });
      if (r.status !== 200) return "observations refused " + r.status;
      return "observations " + (await r.json()).entry.length;
    }`;
  return (req, res) => {
    const url = new URL(req.url ?? "/", `http://127.0.0.1:${port}`);
    res.setHeader("content-type", "text/html; charset=utf-8");
    if (url.pathname === "/") {
      res.end(page("Tracker", `<p><a href="${authorize.toString().replace(/&/g, "&amp;")}">Connect to Portico</a></p>`));
    } else if (url.pathname === "/callback") {
      res.end(
        page(
          "Tracker callback",
          `<p id="out">working</p>`,
          `${read}
          (async () => {
            const q = new URLSearchParams(location.search);
            const out = document.getElementById("out");
            if (q.get("state") !== "test-state") { out.textContent = "wrong state"; return; }
            const body = new URLSearchParams({ grant_type: "authorization_code", code: q.get("code"),
              redirect_uri: ${JSON.stringify(redirect)}, code_verifier: ${JSON.stringify(VERIFIER)}, client_id: "portico-demo-app" });
            const tokens = await (await fetch(${JSON.stringify(portico)} + "/oauth/token", { method: "POST", body })).json();
            window.accessToken = tokens.access_token;
            const meds = await fetch(${JSON.stringify(portico)} + "/fhir/r4/MedicationRequest", { headers: { Authorization: "Bearer " + tokens.access_token } });
            out.textContent = (await read(tokens.access_token)) + "; medications " + meds.status + "; scope " + tokens.scope;
          })();`,
        ),
      );
    } else if (url.pathname === "/read") {
      res.end(
        page(
          "Tracker reads again",
          `<p id="out">working</p>`,
          `${read}
          read(location.hash.slice(1)).then((text) => { document.getElementById("out").textContent = text; });`,
        ),
      );
    } else {
      res.statusCode = 404;
      res.end("not found");
    }
  };
}

test("A health app links with a partial grant, reads across origins, and is refused once access is removed", async ({ page, baseURL }) => {
  const portico = baseURL!;
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  server.on("request", clientPages(portico, port));
  try {
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.getByRole("link", { name: "Connect to Portico" }).click();

    // Not signed in: the sign-in page first, then the consent screen (not Home).
    await expect(page.getByRole("heading", { name: "Sign in to Portico" })).toBeVisible();
    await page.getByLabel("Username").fill("avery");
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    const consent = page.getByRole("heading", { name: "Allow Portico demo app to read your health information?" });
    await expect(consent).toBeVisible();
    await hydrated(page);
    await expect(page.getByText("Your answer goes back to the app at 127.0.0.1.")).toBeVisible();
    await expect(page.getByLabel("Your lab results")).toBeChecked();
    await expect(page.getByText("For one hour.")).toBeVisible();
    await expectAccessible(page);

    // A partial grant: lab results, not medications.
    await page.getByLabel("Your medications").uncheck();
    await page.getByRole("button", { name: "Allow Access" }).click();
    await page.waitForURL((url) => url.port === String(port) && url.pathname === "/callback");
    const out = page.locator("#out");
    await expect(out).toContainText("medications 403");
    const text = await out.innerText();
    expect(Number(/observations (\d+)/.exec(text)?.[1])).toBeGreaterThan(10);
    expect(text).toContain("patient/Observation.rs");
    expect(text).not.toContain("MedicationRequest");
    const token = await page.evaluate(() => (window as any).accessToken as string);

    // Linked apps: what it may read, for whom; removing it stops the same token at once.
    await page.goto("/account/apps");
    await hydrated(page);
    const card = page.getByRole("listitem").filter({ hasText: "Portico demo app" });
    await expect(card).toContainText("Your lab results");
    await expect(card).not.toContainText("Your medications");
    await expect(card).toContainText("Avery Smith (you)");
    await expectAccessible(page);
    await card.getByRole("button", { name: "Remove access for Portico demo app" }).click();
    await expect(page.getByText("The app's access was removed. It can no longer read anything.")).toBeVisible();
    await expect(page.getByText("You have not linked any apps.")).toBeVisible();

    await page.goto(`http://127.0.0.1:${port}/read#${token}`);
    await expect(page.locator("#out")).toHaveText("observations refused 401");

    // "Who has seen my record" names the app.
    await page.goto("/sharing/access-log");
    await expect(page.getByRole("cell", { name: "Portico demo app (an app Avery Smith linked)" }).first()).toBeVisible();
  } finally {
    server.close();
  }
});

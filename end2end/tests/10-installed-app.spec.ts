// The installed app (issue 13): the service worker registers from the first page a visitor
// sees, caches the static shell and the offline page and nothing else, shows the offline
// page without a network, leaves Chrome nothing to object to before installing, and a new
// release replaces the old shell.
import { chromium, Page } from "@playwright/test";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { test, expect, signIn } from "./helpers";

const SITE = path.resolve(__dirname, "../../target/site");

/// Waits for the worker to be active and in control of the page.
async function serviceWorkerReady(page: Page): Promise<string> {
  const script = await page.evaluate(() =>
    navigator.serviceWorker.ready.then((registration) => registration.active!.scriptURL),
  );
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  return new URL(script).pathname;
}

/// Every cache and the paths it holds.
async function cachedPaths(page: Page): Promise<Record<string, string[]>> {
  return page.evaluate(async () => {
    const found: Record<string, string[]> = {};
    for (const name of await caches.keys()) {
      const requests = await (await caches.open(name)).keys();
      found[name] = requests.map((r) => new URL(r.url).pathname).sort();
    }
    return found;
  });
}

/// The shell list public/sw.js caches.
async function shellList(page: Page): Promise<string[]> {
  const sw = await (await page.request.get("/sw.js")).text();
  return JSON.parse(sw.match(/const SHELL = (\[[^\]]*\])/)![1].replace(/,\s*\]/, "]"));
}

test("the sign-in page registers the service worker, which caches the shell and nothing else", async ({ page }) => {
  await page.goto("/signin");
  expect(await serviceWorkerReady(page)).toBe("/sw.js");
  const shell = await shellList(page);
  await expect.poll(async () => Object.values(await cachedPaths(page)).flat().sort()).toEqual([...shell].sort());

  // Signed in and on a page with health information: still only the shell is stored.
  await signIn(page, "avery");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Welcome");
  await page.goto("/results");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  const caches = await cachedPaths(page);
  expect(Object.keys(caches)).toHaveLength(1);
  expect(Object.keys(caches)[0]).toMatch(/^portico-shell-[0-9a-f]{16}$/);
  for (const cached of Object.values(caches).flat()) expect(shell).toContain(cached);
});

test("without a network a page shows the offline page", async ({ page, context }) => {
  await page.goto("/signin");
  await serviceWorkerReady(page);
  await context.setOffline(true);
  try {
    await page.goto("/help");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("You are offline");
    await expect(page.getByText("call 911")).toBeVisible();
  } finally {
    await context.setOffline(false);
  }
});

test("Chrome finds nothing that keeps Portico from being installed", async ({ baseURL }) => {
  // Installability is judged in a persistent (non-incognito) profile only.
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "portico-install-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu"],
    baseURL,
  });
  try {
    const page = await context.newPage();
    await page.goto("/signin");
    await serviceWorkerReady(page);
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
    expect(installabilityErrors).toEqual([]);
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
});

test("a new release's worker replaces the old shell", async ({ page }) => {
  await page.goto("/signin");
  await serviceWorkerReady(page);
  const [before] = Object.keys(await cachedPaths(page));
  const files = ["sw.js", "sw.js.br", "sw.js.gz"].map((name) => path.join(SITE, name));
  const saved = files.map((file) => fs.readFileSync(file));
  const next = saved[0].toString().replace(/portico-shell-[0-9a-f]{16}/, "portico-shell-0123456789abcdef");
  expect(next).not.toEqual(saved[0].toString());
  try {
    // What the server sends for the next release (it serves the precompressed files too).
    fs.writeFileSync(files[0], next);
    fs.writeFileSync(files[1], zlib.brotliCompressSync(next));
    fs.writeFileSync(files[2], zlib.gzipSync(next));
    await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r!.update()));
    await expect.poll(async () => Object.keys(await cachedPaths(page))).toEqual(["portico-shell-0123456789abcdef"]);
    expect(before).not.toEqual("portico-shell-0123456789abcdef");
  } finally {
    files.forEach((file, i) => fs.writeFileSync(file, saved[i]));
  }
});

// `make measure` helper: which JS, WASM and CSS files a browser fetches for a page, and
// their sizes raw and as the server sends them with `Accept-Encoding: br`.
// (Chromium does not offer brotli over plain http, so the sizes are fetched separately.)
// Usage: node measure-bytes.mjs <base-url> <username> <password>
import { chromium } from "@playwright/test";
import http from "node:http";

const [base, username, password] = process.argv.slice(2);
const executablePath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

function size(url, encoding) {
  return new Promise((resolve, reject) => {
    const headers = encoding ? { "Accept-Encoding": encoding } : {};
    http.get(url, { headers }, (res) => {
      let n = 0;
      res.on("data", (chunk) => (n += chunk.length));
      res.on("end", () => resolve(n));
    }).on("error", reject);
  });
}

// `visit` loads the page; what `then` (if given) fetches afterwards is what is counted.
async function report(label, visit, then) {
  const browser = await chromium.launch({ executablePath });
  const page = await browser.newPage();
  let assets = new Set();
  page.on("request", (r) => {
    const path = new URL(r.url()).pathname;
    if (/\.(js|wasm|css)$/.test(path)) assets.add(r.url());
  });
  await visit(page);
  await page.waitForLoadState("networkidle");
  if (then) {
    await page.waitForFunction(() => window.__porticoHydrated === true);
    assets = new Set();
    await then(page);
    await page.waitForFunction(() => window.__porticoHydrated === true);
    await page.waitForLoadState("networkidle");
  }
  await browser.close();
  let raw = 0, br = 0;
  console.log(`== ${label}`);
  for (const url of [...assets].sort()) {
    const [r, b] = [await size(url), await size(url, "br")];
    raw += r; br += b;
    console.log(`  ${new URL(url).pathname.padEnd(60)} raw ${String(r).padStart(8)} B   brotli ${String(b).padStart(8)} B`);
  }
  console.log(`  ${"total".padEnd(60)} raw ${String(raw).padStart(8)} B   brotli ${String(br).padStart(8)} B   ${assets.size} files`);
}

await report("the sign-in page (budget: 204800 B brotli)", (page) => page.goto(`${base}/signin`));
await report("the sign-up page (the first page that runs the wasm app)", (page) => page.goto(`${base}/enroll`));
async function signIn(page, who = username) {
  await page.goto(`${base}/signin`);
  await page.getByLabel("Username").fill(who);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
}

await report("home, right after signing in (budget: 153600 B brotli, 12 files)", (page) => signIn(page));
// Each menu entry from Home, in a browser of its own (nothing cached from another page).
// Budget for each: 40960 B brotli. Sharing also as the demo's two other kinds of owner: an
// adult who can narrow a grant (grandpa.joe) and a teen who can ask to hide parts (leo).
const MENU = [
  ["Visits", "Appointments and Visits"],
  ["Test Results", "Test Results"],
  ["Medications", "Medications"],
  ["Health Summary", "Health Summary"],
  ["Health Reminders", "Health Reminders"],
  ["Messages", "Messages"],
  ["Sharing", "Sharing and proxy access"],
];
const moves = [
  ...MENU.map(([entry, heading]) => [username, entry, heading]),
  ["grandpa.joe", "Sharing", "Sharing and proxy access"],
  ["leo", "Sharing", "Sharing and proxy access"],
];
for (const [who, entry, heading] of moves) {
  await report(`then ${entry} (${who}), from the menu (no document load)`, (page) => signIn(page, who), async (page) => {
    await page.getByRole("navigation", { name: "Menu" }).getByRole("link", { name: new RegExp(`^${entry}`) }).click();
    await page.getByRole("heading", { name: heading, level: 1 }).waitFor();
  });
}

import { expect, Page, test as base } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

export const DEMO_PASSWORD = "Portico-Demo-2026!";

/// Every test fails on a console error or an uncaught page error (CSP violations and
/// hydration failures show up there).
export const test = base.extend<{ consoleErrors: string[] }>({
  consoleErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on("console", (m) => {
        // The browser logs every 4xx answer; those are the app's expected refusals
        // (422 bad input, 401 after sign-out, 404 page), shown to the person in words.
        if (m.type() === "error" && !/responded with a status of 4\d\d/.test(m.text())) errors.push(m.text());
      });
      page.on("pageerror", (e) => errors.push(String(e)));
      await use(errors);
      expect(errors, "console errors").toEqual([]);
    },
    { auto: true },
  ],
});
export { expect };

/// Pages the server sends as plain HTML forms, without the wasm app (app/src/lib.rs).
export const PAGES_WITHOUT_WASM = ["/signin"];

/// Waits until the wasm app has hydrated (server functions and clicks then work); on a
/// page served without wasm there is nothing to wait for.
export async function hydrated(page: Page) {
  if (PAGES_WITHOUT_WASM.includes(new URL(page.url()).pathname)) return;
  // Polled from the test side: page-side polling would stall under page.clock.
  await expect.poll(() => page.evaluate(() => (window as any).__porticoHydrated === true)).toBe(true);
}

export async function signIn(page: Page, username: string, password = DEMO_PASSWORD) {
  await page.goto("/signin");
  await hydrated(page);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname !== "/signin");
  // Staff sign in in two steps (the demo's authenticator secret: README).
  if (new URL(page.url()).pathname === "/two-step") await secondStep(page, username, DEMO_TOTP_SECRET);
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  await hydrated(page);
}

/// The demo staff's authenticator secret (server/src/seed.rs, README).
export const DEMO_TOTP_SECRET = "PORTICODEMOSTAFFTOTPSECRETABCDEF";

function base32Decode(text: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of text.replace(/[\s=]/g, "").toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const bytes = bits.match(/.{8}/g) ?? [];
  return Buffer.from(bytes.map((b) => parseInt(b, 2)));
}

/// RFC 6238: the 6-digit code an authenticator app shows for `secret` at 30-second `step`.
export function totpAt(secret: string, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = crypto.createHmac("sha1", base32Decode(secret)).update(counter).digest();
  const at = mac[mac.length - 1] & 0xf;
  const value = ((mac[at] & 0x7f) << 24) | (mac[at + 1] << 16) | (mac[at + 2] << 8) | mac[at + 3];
  return (value % 1_000_000).toString().padStart(6, "0");
}

/// Steps already used per account in this run: a code works once, so a second sign-in in
/// the same 30 seconds takes the next step of the server's window (one step either side).
const usedSteps = new Map<string, number>();

export async function secondStep(page: Page, username: string, secret: string) {
  for (;;) {
    const now = Math.floor(Date.now() / 30_000);
    const last = usedSteps.get(username) ?? -1;
    const step = [now - 1, now, now + 1].find((s) => s > last);
    if (step === undefined) {
      await new Promise((r) => setTimeout(r, 2_000));
      continue;
    }
    usedSteps.set(username, step);
    await page.getByLabel("Code").fill(totpAt(secret, step));
    await page.getByRole("button", { name: "Continue" }).click();
    // Signed in: the app leaves /two-step. Refused: it stays, and the next step is tried.
    const left = await page
      .waitForURL((url) => url.pathname !== "/two-step", { timeout: 5_000 })
      .then(() => true, () => false);
    if (left) return;
  }
}

/// Signs out and waits for the sign-in page: the app navigates there itself once the server
/// has ended the session, and a `page.goto` issued before then is aborted by it.
export async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);
}

export async function expectAccessible(page: Page) {
  // Checked on a loaded page: right after a click that loads another document, axe could
  // otherwise measure it before its stylesheet applies (unstyled buttons are too small).
  await page.waitForLoadState("load");
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"])
    .analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(", ")}`)).toEqual([]);
}

/// The newest mail the SMTP sink received for `to`, as raw text.
export async function latestMailTo(to: string, after: number): Promise<string> {
  const dir = process.env.PORTICO_MAIL_DIR!;
  for (let i = 0; i < 50; i++) {
    const files = fs.existsSync(dir) ? fs.readdirSync(dir).sort().reverse() : [];
    for (const f of files) {
      const full = path.join(dir, f);
      if (fs.statSync(full).mtimeMs < after) continue;
      const text = fs.readFileSync(full, "utf8");
      if (text.includes(`To: ${to}`)) return text;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no mail to ${to}`);
}

/// How a reader of `lang` writes a date ("YYYY-MM-DD") or date-time ("YYYY-MM-DD HH:MM"),
/// by the browser engine's own Intl (ICU): the oracle the app's formatter is held to.
export function readableDate(iso: string, lang: "en" | "es" = "en", weekday = true): string {
  const [day, time] = iso.split(/[ T]/);
  const at = new Date(`${day}T${time ?? "00:00"}:00Z`);
  const options: Intl.DateTimeFormatOptions = {
    timeZone: "UTC",
    year: "numeric",
    month: "short",
    day: "numeric",
    ...(weekday ? { weekday: "short" } : {}),
    ...(time ? { hour: "numeric", minute: "2-digit", hour12: lang === "en" } : {}),
  };
  return new Intl.DateTimeFormat(lang === "en" ? "en-US" : "es", options).format(at).replace(/[\u202f\u00a0]/g, " ");
}

// Issue 15, item 9: dates and times read the way the reader's language writes them
// ("Fri, Dec 11, 2026, 9:30 AM"; "vie, 11 dic 2026, 9:30"), held to the browser engine's
// own Intl formatting, in the clinic's zone, the same in server HTML and hydrated islands
// (a hydration mismatch fails the test through the console-error fixture), with ISO left
// in <time datetime> for machines and nowhere in the text.
import { Page } from "@playwright/test";
import { test, expect, hydrated, signIn, expectAccessible, readableDate } from "./helpers";

const ISO_DATE = /\b\d{4}-\d{2}-\d{2}\b/;

/// Every <time> in main reads as `lang` writes its datetime; no ISO date is left in the
/// text. Answers how many <time> elements there were.
async function datesRead(page: Page, lang: "en" | "es"): Promise<number> {
  const times = page.locator("main time");
  const count = await times.count();
  for (let i = 0; i < count; i++) {
    const iso = (await times.nth(i).getAttribute("datetime"))!;
    expect(iso).toMatch(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?$/);
    const text = (await times.nth(i).textContent())!.trim();
    expect([readableDate(iso, lang, true), readableDate(iso, lang, false)]).toContain(text);
  }
  expect(await page.locator("main").innerText()).not.toMatch(ISO_DATE);
  return count;
}

async function visit(page: Page, path: string) {
  await page.goto(path);
  await hydrated(page);
}

test("a patient's pages read dates in English and in Spanish", async ({ page }) => {
  await signIn(page, "avery");
  let seen = 0;
  for (const path of ["/", "/visits", "/results", "/messages", "/health-summary", "/reminders", "/medications", "/account", "/account/devices", "/sharing"]) {
    await visit(page, path);
    seen += await datesRead(page, "en");
  }
  expect(seen).toBeGreaterThan(10);
  // A visit says its weekday, day and time: "Fri, Dec 11, 2026, 9:30 AM".
  await visit(page, "/visits");
  await expect(page.locator(".visit-when time").first()).toHaveText(
    /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2} (AM|PM)$/,
  );
  await expectAccessible(page);

  await page.getByRole("button", { name: "Español" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "es");
  await expect(page.locator(".visit-when time").first()).toHaveText(
    /^(lun|mar|mié|jue|vie|sáb|dom), \d{1,2} (ene|feb|mar|abr|may|jun|jul|ago|sept|oct|nov|dic) \d{4}, \d{1,2}:\d{2}$/,
  );
  for (const path of ["/", "/visits", "/results", "/messages", "/health-summary", "/reminders", "/medications", "/account"]) {
    await visit(page, path);
    await datesRead(page, "es");
  }
  await expectAccessible(page);
});

test("the trend graph, an island, reads the same dates after hydration in both languages", async ({ page }) => {
  await signIn(page, "avery");
  for (const lang of ["en", "es"] as const) {
    if (lang === "es") {
      await page.getByRole("button", { name: "Español" }).click();
      // The choice is a form post the page patches in: wait for it before leaving.
      await expect(page.locator("html")).toHaveAttribute("lang", "es");
    }
    await visit(page, "/results/trend/4548-4");
    const first = page.locator("svg.trend-graph g.point").first();
    const iso = (await first.getAttribute("data-date"))!;
    expect(iso).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    await expect(first).toHaveAttribute("aria-label", new RegExp(`^5\\.9 % ${readableDate(iso, lang, false)}, `));
    await datesRead(page, lang);
    // The island is live (its range buttons work) and still reads words, not ISO.
    await page.getByRole("button", { name: lang === "en" ? "1 year" : "1 año" }).click();
    await datesRead(page, lang);
  }
});

// On a phone (390 × 844, touch), the first screen is the patient's: one compact bar with
// whose chart is open and a Menu button; the menu reaches every entry, the chart control
// switches charts without a page load, and both states pass axe. Screenshots of each state
// are saved in test-results/phone/ for review.
import { Page } from "@playwright/test";
import { test, expect, hydrated, expectAccessible, DEMO_PASSWORD } from "./helpers";

const PHONE = { width: 390, height: 844 };
test.use({ viewport: PHONE, hasTouch: true, isMobile: true });

const shots = "test-results/phone";
const menuButton = (page: Page) => page.locator(".phone-menu > summary");
const menuPanel = (page: Page) => page.locator(".phone-menu .phone-panel");
const chartButton = (page: Page) => page.locator(".phone-charts > summary");

/// Signs in on the phone (the helper's check looks for the desktop header's Sign out).
async function phoneSignIn(page: Page, username: string, lang: "en" | "es") {
  await page.goto("/signin");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).tap();
  await page.waitForURL((url) => url.pathname !== "/signin");
  if (lang === "es") {
    await page.context().addCookies([{ name: "portico_lang", value: "es", url: page.url() }]);
    await page.goto("/");
  }
  await expect(menuButton(page)).toBeVisible();
  await hydrated(page);
}

/// Whether the element's box lies within the first screen (nothing to scroll to see it).
async function withinFirstScreen(page: Page, selector: string) {
  const box = await page.locator(selector).first().boundingBox();
  expect(box, selector).not.toBeNull();
  return box!.y >= 0 && box!.y + Math.min(box!.height, 120) <= PHONE.height;
}

for (const [username, lang, greeting] of [
  ["avery", "en", "Welcome, Avery"],
  ["avery", "es", "Avery"],
  ["jordan", "en", "Welcome, Jordan"],
  ["jordan", "es", "Jordan"],
] as const) {
  test(`Home on a phone shows ${username}'s page first (${lang})`, async ({ page }) => {
    await phoneSignIn(page, username, lang);
    await expect(page.locator("main h1")).toContainText(greeting);
    // The desktop header and menu are not shown; the phone bar is one short line.
    await expect(page.locator("header.site-header")).toBeHidden();
    await expect(page.locator("nav.menu")).toBeHidden();
    const bar = await page.locator(".phone-bar").boundingBox();
    expect(bar!.height).toBeLessThanOrEqual(64);
    expect(await withinFirstScreen(page, "main h1")).toBe(true);
    // The first card's heading and its first lines.
    await expect(page.locator("main .card").first()).toBeVisible();
    expect(await withinFirstScreen(page, "main .card")).toBe(true);
    await page.screenshot({ path: `${shots}/home-${username}-${lang}.png` });
    await expectAccessible(page);

    // Touch targets: the bar's controls are at least 44 × 44 px.
    for (const control of await page.locator(".phone-bar summary, .phone-brand").all()) {
      const box = await control.boundingBox();
      expect(box!.height).toBeGreaterThanOrEqual(44);
      expect(box!.width).toBeGreaterThanOrEqual(44);
    }
  });
}

test("the phone menu reaches every entry, by touch and by keyboard", async ({ page }) => {
  await phoneSignIn(page, "avery", "en");
  await expect(menuPanel(page)).toBeHidden();

  // Keyboard: the button opens the menu and focus moves into it; Escape closes it and
  // gives focus back to the button.
  await menuButton(page).focus();
  await page.keyboard.press("Enter");
  await expect(menuPanel(page)).toBeVisible();
  await expect(menuPanel(page).getByRole("link", { name: "Home" })).toBeFocused();
  await expect(menuPanel(page).getByRole("link", { name: "Home" })).toHaveAttribute("aria-current", "page");
  await page.screenshot({ path: `${shots}/menu-open-avery-en.png` });
  await expectAccessible(page);
  await page.keyboard.press("Escape");
  await expect(menuPanel(page)).toBeHidden();
  await expect(menuButton(page)).toBeFocused();

  // Touch: every entry, each a client-side navigation that closes the menu and marks the
  // new page as current.
  await page.evaluate(() => ((window as any).__sameDocument = true));
  const entries: [string, string][] = [
    ["Visits", "/visits"],
    ["Test Results", "/results"],
    ["Medications", "/medications"],
    ["Health Summary", "/health-summary"],
    ["Health Reminders", "/reminders"],
    ["Messages", "/messages"],
    ["Documents", "/documents"],
    ["Billing", "/billing"],
    ["Sharing", "/sharing"],
    ["Account", "/account"],
    ["Home", "/"],
  ];
  for (const [name, path] of entries) {
    await menuButton(page).tap();
    const entry = menuPanel(page).getByRole("link", { name, exact: name !== "Messages" });
    await entry.tap();
    await expect(page).toHaveURL((url) => url.pathname === path);
    await expect(menuPanel(page)).toBeHidden();
  }
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
  await menuButton(page).tap();
  await expect(menuPanel(page).getByRole("link", { name: "Home" })).toHaveAttribute("aria-current", "page");

  // Language and sign-out are in the menu.
  await menuPanel(page).getByRole("button", { name: "Español" }).tap();
  await expect(page.locator("main h1")).toContainText("Avery");
  await expect(page.locator("html")).toHaveAttribute("lang", "es");
  await menuButton(page).tap();
  await menuPanel(page).getByRole("button", { name: "English" }).tap();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await menuButton(page).tap();
  await menuPanel(page).getByRole("button", { name: "Sign out" }).tap();
  await expect(page).toHaveURL(/\/signin/);
});

test("a parent switches charts from the phone's chart control, without a page load", async ({ page }) => {
  await phoneSignIn(page, "jordan", "en");
  await expect(chartButton(page)).toContainText("Jordan");
  await expect(chartButton(page).locator(".initials")).toHaveText("JQ");
  await page.evaluate(() => ((window as any).__sameDocument = true));

  await chartButton(page).tap();
  const list = page.locator(".phone-charts").getByRole("navigation", { name: "Charts you can open" });
  await expect(list).toBeVisible();
  // (An earlier file corrects Jordan's family name: "Jordan Quinn-Reyes".)
  await expect(list.getByText(/^Jordan Quinn.* \(you\)$/)).toHaveAttribute("aria-current", "true");
  await page.screenshot({ path: `${shots}/charts-open-jordan-en.png` });
  await expectAccessible(page);

  await list.getByRole("button", { name: "Emma Quinn (parent)" }).tap();
  await expect(chartButton(page)).toContainText("Emma");
  await expect(chartButton(page).locator(".initials")).toHaveText("EQ");
  await expect(page.locator(".phone-charts .visually-hidden")).toHaveText("You are viewing Emma Quinn's chart");
  await expect(page.getByText("Ear check")).toBeVisible();
  await expect(list).toBeHidden();
  // The bar takes the chart's colour, as the desktop banner does.
  const colour = await page.locator(".phone-bar").getAttribute("class");
  await chartButton(page).tap();
  await list.getByRole("button", { name: /^Jordan Quinn.* \(you\)$/ }).tap();
  await expect(chartButton(page)).toContainText("Jordan");
  expect(await page.locator(".phone-bar").getAttribute("class")).not.toEqual(colour);
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
});

import { test, expect, hydrated, signIn, signOut, expectAccessible } from "./helpers";

const menu = (page) => page.getByRole("navigation", { name: "Menu" });
const charts = (page) => page.getByRole("navigation", { name: "Charts you can open" });
const banner = (page) => page.getByTestId("chart-banner");

test("a parent switches between two children's charts and back, without a page load", async ({ page }) => {
  await signIn(page, "jordan");
  await expect(banner(page)).toHaveText("You are viewing Jordan Quinn's chart");
  await expect(charts(page).getByText("Jordan Quinn (you)")).toHaveAttribute("aria-current", "true");
  await expectAccessible(page);
  // Set in this document: still there after every switch, so no page was loaded.
  await page.evaluate(() => ((window as any).__sameDocument = true));

  await charts(page).getByRole("button", { name: "Emma Quinn (parent)" }).click();
  await expect(banner(page)).toHaveText("You are viewing Emma Quinn's chart");
  await expect(page.getByText("Ear check")).toBeVisible();
  await expect(menu(page).getByRole("link", { name: "Medications" })).toBeVisible();
  await expectAccessible(page);

  // Leo is 15: the teen view of this clinic's policy (PORTICO_TEEN_PROXY_SECTIONS in
  // global-setup: no medication list), and nothing marked confidential.
  await charts(page).getByRole("button", { name: "Leo Quinn (parent)" }).click();
  await expect(banner(page)).toHaveText("You are viewing Leo Quinn's chart");
  await expect(menu(page).getByRole("link", { name: "Medications" })).toHaveCount(0);
  await menu(page).getByRole("link", { name: "Test Results" }).click();
  await expect(page.getByRole("link", { name: /Lipid panel/ })).toBeVisible();
  await expect(page.getByText("HIV-1 RNA")).toHaveCount(0);
  await menu(page).getByRole("link", { name: /^Messages/ }).click();
  await expect(page.getByRole("link", { name: "Sports physical form" })).toBeVisible();
  await expect(page.getByText("A private question")).toHaveCount(0);
  await expect(banner(page)).toHaveText("You are viewing Leo Quinn's chart");
  await expectAccessible(page);

  await charts(page).getByRole("button", { name: "Jordan Quinn (you)" }).click();
  await expect(banner(page)).toHaveText("You are viewing Jordan Quinn's chart");
  await expect(menu(page).getByRole("link", { name: "Medications" })).toBeVisible();
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);

  // The result the parent never saw is there for Leo himself.
  await signOut(page);
  await signIn(page, "leo");
  await menu(page).getByRole("link", { name: "Test Results" }).click();
  await expect(page.getByRole("link", { name: /HIV-1 RNA/ })).toBeVisible();
  await menu(page).getByRole("link", { name: "Sharing" }).click();
  await expect(page.getByRole("heading", { name: "Jordan Quinn (parent)" })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("link", { name: "Who has seen my record" }).click();
  await expect(page.getByRole("cell", { name: "Jordan Quinn (proxy)" }).first()).toBeVisible();
  await expectAccessible(page);
});

test("a minor request from a parent, approved by HIM, appears in the parent's switcher", async ({ page }) => {
  await signIn(page, "jordan");
  await menu(page).getByRole("link", { name: "Sharing" }).click();
  await expect(page.getByRole("heading", { name: "Sharing and proxy access" })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("link", { name: "Request Minor Proxy Access" }).click();
  await expect(page.getByRole("heading", { name: "Request Minor Proxy Access" })).toBeVisible();
  // Without the attestation, the form says so at the field.
  await page.getByLabel("Child's full name").fill("Casey Nguyen");
  await page.getByLabel("Date of birth").fill("2010-05-20");
  await page.getByLabel("Your relationship to the patient").selectOption({ label: "legal guardian" });
  await expectAccessible(page);
  await page.getByLabel(/I confirm that this information is true/).check();
  await page.getByRole("button", { name: "Send request" }).click();
  const sent = page.getByRole("status").filter({ hasText: "Request sent." });
  await expect(sent).toContainText(/Medical Records will answer by [A-Z][a-z]{2}, [A-Z][a-z]{2} \d{1,2}, \d{4}\./);
  await expectAccessible(page);
  await sent.getByRole("link", { name: "Back to Sharing" }).click();
  await expect(page.getByTestId("request-status").first()).toContainText("Waiting for Medical Records");
  await signOut(page);

  await signIn(page, "him.lee");
  await menu(page).getByRole("link", { name: "Proxy requests" }).click();
  await expect(page.getByRole("heading", { name: "Proxy access requests" })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("link", { name: "Casey Nguyen (May 20, 2010)" }).click();
  await expect(page.getByRole("heading", { name: "Proxy request for Casey Nguyen" })).toBeVisible();
  await page.getByLabel(/Nguyen, Casey · MRN 100003/).check();
  await expectAccessible(page);
  await page.getByRole("button", { name: "Approve access" }).click();
  await expect(page.getByTestId("request-status")).toContainText("Approved");
  await signOut(page);

  await signIn(page, "jordan");
  await expect(charts(page).getByRole("button", { name: "Casey Nguyen (legal guardian)" })).toBeVisible();
  await charts(page).getByRole("button", { name: "Casey Nguyen (legal guardian)" }).click();
  await expect(banner(page)).toHaveText("You are viewing Casey Nguyen's chart");
  await hydrated(page);
});

test("a teen asks to hide a section from a parent; HIM applies it and the parent's menu loses it", async ({ page }) => {
  await signIn(page, "leo");
  await menu(page).getByRole("link", { name: "Sharing" }).click();
  const ask = page.getByRole("link", { name: "Ask to hide parts of your chart from Jordan Quinn" });
  await expectAccessible(page);
  await ask.click();
  const form = page.getByRole("form", { name: "Ask to hide parts of your chart from Jordan Quinn" });
  await expect(form).toBeVisible();
  await expectAccessible(page);
  // Nothing chosen: the message is at the field (the form came back from the server).
  await form.getByRole("button", { name: "Send request" }).click();
  await expect(form.getByText("Choose at least one part of the chart.")).toBeVisible();
  await expect(form.getByRole("group", { name: "Parts to hide" })).toHaveAccessibleDescription("Choose at least one part of the chart.");
  await expect(form.getByRole("checkbox").first()).toBeFocused();
  await expectAccessible(page);
  await form.getByLabel("Messages").check();
  await form.getByLabel(/Anything the Medical Records team should know/).fill("I want to write to my doctor myself.");
  await form.getByRole("button", { name: "Send request" }).click();
  await expect(page.getByRole("heading", { name: "Sharing and proxy access", level: 1 })).toBeVisible();
  await expect(page.getByTestId("restriction-status")).toContainText(/hide: Messages\. Waiting for Medical Records/);
  await expect(ask).toHaveCount(0);
  await expectAccessible(page);
  await signOut(page);

  await signIn(page, "him.lee");
  await menu(page).getByRole("link", { name: "Proxy requests" }).click();
  const item = page.getByRole("listitem").filter({ hasText: "I want to write to my doctor myself." });
  await expect(item).toContainText("Leo Quinn · Jordan Quinn");
  await expectAccessible(page);
  await item.getByRole("button", { name: /^Apply/ }).click();
  await expect(page.getByText("No request to hide parts of a chart is waiting.")).toBeVisible();
  await signOut(page);

  await signIn(page, "jordan");
  await charts(page).getByRole("button", { name: "Leo Quinn (parent)" }).click();
  await expect(banner(page)).toHaveText("You are viewing Leo Quinn's chart");
  await expect(menu(page).getByRole("link", { name: "Test Results" })).toBeVisible();
  await expect(menu(page).getByRole("link", { name: /^Messages/ })).toHaveCount(0);
  await signOut(page);

  await signIn(page, "leo");
  await menu(page).getByRole("link", { name: "Sharing" }).click();
  await expect(page.getByTestId("restriction-status")).toContainText(/hide: Messages\. Done on [A-Z][a-z]{2}, [A-Z][a-z]{2} \d{1,2}, \d{4}\./);
});

test("HIM invites the holder of a paper authorization to a chart", async ({ page }) => {
  await signIn(page, "him.lee");
  await page.getByRole("navigation", { name: "Menu" }).getByRole("link", { name: "Proxy requests" }).click();
  await page.getByLabel("MRN or family name").fill("Carter");
  await page.getByRole("button", { name: "Find patient" }).click();
  await page.getByRole("button", { name: /^Carter, Joe/ }).click();
  await page.getByRole("link", { name: /Invite someone to see this chart \(Carter, Joe\)/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Invite someone to see this chart" })).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel("Their name").fill("Robin Carter");
  await page.getByLabel("Their e-mail address").fill("robin.carter@example.org");
  await page.getByLabel("Who they are to you").selectOption("healthcare-agent");
  await page.getByLabel("Medications").check();
  await page.getByRole("button", { name: "Send the invitation" }).click();
  await expect(page.getByText("Invitation sent.")).toBeVisible();
});

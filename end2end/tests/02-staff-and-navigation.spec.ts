import { execFileSync } from "child_process";
import * as fs from "fs";
import { test, expect, hydrated, signIn, expectAccessible, latestMailTo, DEMO_PASSWORD } from "./helpers";

test("menu entries are client-side routes: no document load", async ({ page }) => {
  await signIn(page, "dr.rivera");
  await expect(page.getByRole("heading", { name: "Welcome, Dr." })).toBeVisible();
  await expectAccessible(page);
  // A marker on window survives client-side navigation and dies with a document load.
  await page.evaluate(() => ((window as any).__sameDocument = true));
  const menu = page.getByRole("navigation", { name: "Menu" });
  await menu.getByRole("link", { name: "Activation codes" }).click();
  await expect(page).toHaveURL(/\/staff\/activation-codes$/);
  await expect(page.getByRole("heading", { name: "Activation codes" })).toBeVisible();
  await expect(menu.getByRole("link", { name: "Activation codes" })).toHaveAttribute("aria-current", "page");
  await menu.getByRole("link", { name: "Home" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("heading", { name: "Welcome, Dr." })).toBeVisible();
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
});

test("staff issue an activation code, print the letter, e-mail the link, and the teen enrolls from the link", async ({ page, browser }) => {
  const before = Date.now();
  await signIn(page, "dr.rivera");
  await page.getByRole("navigation", { name: "Menu" }).getByRole("link", { name: "Activation codes" }).click();
  await page.getByLabel("MRN or family name").fill("Nguyen");
  await page.getByRole("button", { name: "Find patient" }).click();
  await expect(page.getByRole("cell", { name: "Nguyen, Casey", exact: true })).toBeVisible();
  await page.getByRole("button", { name: "Issue code Nguyen, Casey" }).click();
  const code = (await page.getByTestId("activation-code").textContent())!.trim();
  expect(code).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}$/);
  await expect(page.getByText(/^Valid until [A-Z][a-z]{2}, [A-Z][a-z]{2} \d{1,2}, \d{4}\. It is shown only now\.$/)).toBeVisible();
  await expectAccessible(page);

  // The letter: a PDF download, the page stays as it is.
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Print an activation letter (PDF)" }).click();
  expect((await download).suggestedFilename()).toBe("activation-letter.pdf");
  const path = (await (await download).path())!;
  expect(fs.readFileSync(path).subarray(0, 5).toString()).toBe("%PDF-");
  // As a reader extracts it (pdftotext, poppler-utils): the fonts are embedded.
  expect(execFileSync("pdftotext", [path, "-"]).toString()).toContain(code);
  await expect(page.getByTestId("activation-code")).toHaveText(code);

  // The link, to the address on the chart (masked on screen).
  await page.getByRole("button", { name: "E-mail an enrollment link to c•••@example.org" }).click();
  await expect(page.getByText("Enrollment link sent to c•••@example.org.")).toBeVisible();
  const mail = (await latestMailTo("casey@example.org", before)).replace(/=\r?\n/g, "").replace(/=3D/g, "=");
  expect(mail).not.toContain("Casey");
  const link = mail.match(/https?:\/\/\S+\/enroll\?code=[0-9A-Z-]+/)![0];
  expect(link).toContain(code);

  const teen = await browser.newPage();
  await teen.goto(new URL(link).pathname + new URL(link).search);
  await hydrated(teen);
  await expect(teen.getByLabel("Activation code")).toHaveValue(code);
  await teen.getByLabel("Date of birth").fill("2010-05-20");
  await teen.getByRole("button", { name: "Continue" }).click();
  await teen.getByLabel("Username", { exact: true }).fill("casey.n");
  await teen.getByLabel("E-mail address").fill("casey@example.org");
  await teen.getByLabel("Password", { exact: true }).fill(DEMO_PASSWORD);
  await teen.getByLabel("Password again").fill(DEMO_PASSWORD);
  await teen.getByRole("button", { name: "Create my account" }).click();
  await expect(teen.getByRole("heading", { level: 1, name: "Your e-mail address" })).toBeVisible();
  await teen.close();
});

test("a patient does not get staff pages", async ({ page }) => {
  await signIn(page, "avery");
  await expect(page.getByRole("navigation", { name: "Menu" }).getByRole("link", { name: "Activation codes" })).toHaveCount(0);
  await page.goto("/staff/activation-codes");
  await hydrated(page);
  await expect(page.getByText("You do not have access to this.")).toBeVisible();
  await expect(page.getByLabel("MRN or family name")).toHaveCount(0);
  await expectAccessible(page);
});

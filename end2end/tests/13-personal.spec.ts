import { test, expect, signIn, expectAccessible } from "./helpers";

test("personal information: contact, language and demographics with their definitions; the language follows", async ({ page }) => {
  await signIn(page, "jordan");
  await page.getByRole("link", { name: "Account" }).click();
  await page.getByRole("link", { name: "Personal information" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Personal information" })).toBeVisible();
  // The seed's definitions stand beside their questions.
  await expect(page.getByText("Gender identity: Person’s internal sense of self")).toBeVisible();
  await expect(page.getByRole("group", { name: "Sexual orientation" })).toHaveAccessibleDescription(/How one identifies/);
  await expectAccessible(page);

  await page.getByLabel("Street address").fill("40 Harbor Road");
  await page.getByLabel("City").fill("Portland");
  await page.getByLabel("Their name").fill("Alex Quinn");
  await page.getByLabel("Their phone number").fill("503 555 0177");
  await page.getByLabel("Asian").check();
  await page.getByLabel("White").check();
  await page.getByRole("group", { name: "Ethnicity" }).getByLabel("Not Hispanic or Latino").check();
  await page.getByRole("group", { name: "Pronouns" }).getByLabel("they/them/their").check();
  await page.getByLabel("Preferred language").selectOption("es");
  await page.getByRole("button", { name: "Save my information" }).click();

  // Saved, and the pages are in Spanish now.
  await expect(page.getByText("Se guardó su información.")).toBeVisible();
  await expect(page.getByLabel("Dirección", { exact: true })).toHaveValue("40 Harbor Road");
  await expect(page.getByLabel("Asiático")).toBeChecked();
  await expect(page.getByRole("group", { name: "Pronombres" }).getByLabel("elle")).toBeChecked();
  await expectAccessible(page);

  // "Choose not to answer" goes alone: refused at the question, in Spanish.
  await page.getByRole("group", { name: /Raza/ }).getByLabel("Prefiero no responder").check();
  await page.getByRole("button", { name: "Guardar mi información" }).click();
  await expect(page.getByText("“Prefiero no responder” va sola")).toBeVisible();
  await expect(page.getByLabel("Asiático")).toBeChecked();
  await expectAccessible(page);
});

// After the test above: Jordan's address is on file.
test("front-desk staff find a chart and correct its personal information", async ({ page }) => {
  await signIn(page, "support.sam");
  await page.getByRole("navigation", { name: "Menu" }).getByRole("link", { name: "Activation codes" }).click();
  await page.getByLabel("MRN or family name").fill("Quinn");
  await page.getByRole("button", { name: "Find patient" }).click();
  await page.getByRole("link", { name: "Quinn, Jordan" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Personal information (staff)" })).toBeVisible();
  await expect(page.getByLabel("Street address")).toHaveValue("40 Harbor Road");
  await expectAccessible(page);
  await page.getByLabel("City").fill("Beaverton");
  await page.getByRole("button", { name: "Save the corrections" }).click();
  await expect(page.getByText("The corrections were saved.")).toBeVisible();
  await expect(page.getByLabel("City")).toHaveValue("Beaverton");
});

test("a legal name is corrected by Medical Records at the patient's request", async ({ page, browser }) => {
  await signIn(page, "jordan");
  await page.goto("/account/personal");
  await page.getByRole("textbox", { name: "Legal last name" }).fill("Quinn-Reyes");
  await page.getByRole("textbox", { name: "Legal first name" }).fill("Jordan");
  await page.getByLabel("Date of birth", { exact: true }).fill("1985-09-14");
  await page.getByLabel("Why (optional)").fill("Married in June; I will bring the certificate.");
  await page.getByRole("button", { name: "Send the request" }).click();
  await expect(page.getByText("Your request was sent to our Medical Records team.")).toBeVisible();
  await expect(page.getByText("Jordan Quinn-Reyes, Sep 14, 1985 — waiting for Medical Records")).toBeVisible();
  await expectAccessible(page);

  const him = await (await browser.newContext()).newPage();
  await signIn(him, "him.lee");
  await him.getByRole("navigation", { name: "Menu" }).getByRole("link", { name: "Name corrections" }).click();
  await expect(him.getByRole("heading", { level: 2, name: "Jordan Quinn (Sep 14, 1985)" })).toBeVisible();
  await expectAccessible(him);
  await him.getByRole("button", { name: "Approve and correct the chart" }).click();
  await expect(him.getByText("The request was decided.")).toBeVisible();
  await expect(him.getByText("No request is waiting.")).toBeVisible();

  await page.reload();
  await expect(page.getByText("Jordan Quinn-Reyes, Sep 14, 1985 — corrected")).toBeVisible();
  await expect(page.locator("dd").filter({ hasText: "Jordan Quinn-Reyes" })).toBeVisible();
});

import { test, expect, signIn, signOut, latestMailTo, expectAccessible, DEMO_PASSWORD } from "./helpers";

// grandpa.joe is used by no other browser test: his password changes here.
test("account: see the devices signed in, sign one out, change the password", async ({ page, browser }) => {
  const started = Date.now();
  // A second device (another browser context) signed in to the same account.
  const phone = await browser.newContext();
  const phonePage = await phone.newPage();
  await signIn(phonePage, "grandpa.joe");

  await signIn(page, "grandpa.joe");
  await page.getByRole("link", { name: "Account" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Your account" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Account" })).toHaveAttribute("aria-current", "page");
  await expectAccessible(page);

  await page.getByRole("link", { name: "Signed-in devices" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Signed-in devices" })).toBeVisible();
  const cards = page.locator(".device-list > li");
  await expect(cards).toHaveCount(2);
  await expect(page.getByText("This device")).toHaveCount(1);
  // Playwright's Chromium says it is Chrome on Linux.
  await expect(cards.first().getByRole("heading", { level: 2 })).toContainText("on Linux");
  await expectAccessible(page);
  const other = cards.filter({ hasNot: page.getByText("This device") });
  await other.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByText("That device was signed out.")).toBeVisible();
  await expect(cards).toHaveCount(1);
  // The other device is signed out on its next request.
  await phonePage.reload();
  await expect(phonePage).toHaveURL(/\/signin/);
  await phone.close();

  // E-mail notices: turn one kind off; the choice is kept.
  await page.getByRole("link", { name: "Back to your account" }).click();
  await page.getByRole("link", { name: "E-mail notices" }).click();
  const results = page.getByLabel("A new test result is available");
  await expect(results).toBeChecked();
  await results.uncheck();
  await page.getByRole("button", { name: "Save my choices" }).click();
  await expect(page.getByText("Your choices were saved.")).toBeVisible();
  await expect(page.getByLabel("A new test result is available")).not.toBeChecked();
  await expect(page.getByLabel("I have a new message")).toBeChecked();
  await expectAccessible(page);

  // Change the password: a wrong current one is refused at its field, focused.
  await page.getByRole("link", { name: "Back to your account" }).click();
  await page.getByRole("link", { name: "Change password" }).click();
  await page.getByLabel("Current password").fill("not my password");
  await page.getByLabel("New password").fill("harbour violet kettle 42");
  await page.getByLabel("Password again").fill("harbour violet kettle 42");
  await page.getByRole("button", { name: "Change password" }).click();
  const current = page.getByLabel("Current password");
  await expect(page.getByText("This is not your current password.")).toBeVisible();
  await expect(current).toHaveAttribute("aria-invalid", "true");
  await expect(current).toBeFocused();
  await expectAccessible(page);

  await current.fill(DEMO_PASSWORD);
  await page.getByLabel("New password").fill("harbour violet kettle 42");
  await page.getByLabel("Password again").fill("harbour violet kettle 42");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("Your password was changed.")).toBeVisible();
  const mail = await latestMailTo("joe@example.org", started);
  expect(mail).toContain("was just changed");
  expect(mail).not.toContain("Joe"); // no names in mail

  // In Spanish too.
  await page.getByRole("button", { name: "Español" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Su cuenta" })).toBeVisible();
  await page.getByRole("link", { name: "Dispositivos con sesión iniciada" }).click();
  await expect(page.getByText("Este dispositivo")).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("button", { name: "English" }).click();

  await signOut(page);
  await signIn(page, "grandpa.joe", "harbour violet kettle 42");
});

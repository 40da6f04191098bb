import { test, expect, hydrated, signIn, latestMailTo, expectAccessible } from "./helpers";

test("forgot password: code by e-mail, new password, old one refused", async ({ page }) => {
  const started = Date.now();
  await page.goto("/signin");
  await hydrated(page);
  await page.getByRole("link", { name: "Forgot password" }).click();
  // The sign-in page has no wasm: this link loads a new document.
  await expect(page).toHaveURL(/\/forgot-password/);
  await hydrated(page);
  await expectAccessible(page);
  await page.getByLabel("Username or e-mail address").fill("blake@example.org");
  await page.getByRole("button", { name: "Send code" }).click();
  await expect(page.getByText("If an account matches, we sent a code")).toBeVisible();

  const mail = await latestMailTo("blake@example.org", started);
  const code = mail.match(/Your code is: (\d{8})/)?.[1];
  expect(code).toBeTruthy();
  expect(mail).not.toContain("Blake"); // no names, no PHI in mail

  await page.getByLabel("Code from the e-mail").fill("00000000");
  await page.getByLabel("New password").fill("lantern orbit maple 42");
  await page.getByLabel("Password again").fill("lantern orbit maple 42");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("This code is not right")).toBeVisible();

  await page.getByLabel("Code from the e-mail").fill(code!);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page).toHaveURL(/\/signin\?reason=reset/);
  await expect(page.getByText("Your password was changed.")).toBeVisible();
  const notice = await latestMailTo("blake@example.org", started + 1);
  expect(notice).toContain("password");

  await page.getByLabel("Username").fill("blake");
  await page.getByLabel("Password").fill("Portico-Demo-2026!");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("The username or password is incorrect.")).toBeVisible();
  await signIn(page, "blake", "lantern orbit maple 42");
});

import { test, expect, signIn, signOut, latestMailTo, expectAccessible, DEMO_PASSWORD, DEMO_TOTP_SECRET, secondStep, totpAt } from "./helpers";

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
  await expect(page.getByLabel("A health reminder comes due")).toBeChecked();
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

test("staff sign in in two steps: a wrong code is refused at its field", async ({ page }) => {
  await page.goto("/signin");
  await page.getByLabel("Username").fill("billing.kim");
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/two-step$/);
  await expect(page.getByRole("heading", { level: 1, name: "Two-step sign-in" })).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel("Code").fill("000000");
  await page.getByRole("button", { name: "Continue" }).click();
  const code = page.getByLabel("Code");
  await expect(page.getByText("This code is not right.")).toBeVisible();
  await expect(code).toHaveAttribute("aria-invalid", "true");
  await expect(code).toBeFocused();
  await secondStep(page, "billing.kim", DEMO_TOTP_SECRET);
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  await page.getByRole("link", { name: "Account", exact: true }).click();
  await expect(page.getByText("Required for staff accounts.")).toBeVisible();
});

// sam is used by no other browser test: two-step sign-in is turned on and off here.
test("a patient turns two-step sign-in on, signs in with a recovery code, and turns it off", async ({ page }) => {
  await signIn(page, "sam");
  await page.getByRole("link", { name: "Account" }).click();
  await page.getByRole("link", { name: "Turn on two-step sign-in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Set up two-step sign-in" })).toBeVisible();
  await expect(page.locator("figure.qr svg")).toBeVisible();
  await expectAccessible(page);
  const secret = (await page.locator("code.secret").getAttribute("data-secret"))!;
  const recovery = await page.locator(".recovery-codes code").allTextContents();
  expect(recovery).toHaveLength(10);
  await page.getByLabel("Enter the 6-digit code").fill(totpAt(secret, Math.floor(Date.now() / 30_000)));
  await page.getByRole("button", { name: "Turn on two-step sign-in" }).click();
  await expect(page.getByText("Two-step sign-in is on.")).toBeVisible();
  await expect(page.getByText("10 recovery codes left")).toBeVisible();

  await signOut(page);
  await page.getByLabel("Username").fill("sam");
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/two-step$/);
  await page.getByLabel("Code").fill(recovery[0]);
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();

  await page.getByRole("link", { name: "Account" }).click();
  await expect(page.getByText("9 recovery codes left")).toBeVisible();
  await page.getByLabel("Current password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Turn off two-step sign-in" }).click();
  await expect(page.getByText("Two-step sign-in is off.")).toBeVisible();
  await signOut(page);
  await signIn(page, "sam");
});

test("a staff member's first sign-in: an authenticator first, then a password of their own", async ({ page }) => {
  const given = process.env.PORTICO_NEW_STAFF_PASSWORD!;
  await page.goto("/signin");
  await page.getByLabel("Username").fill("new.clerk");
  await page.getByLabel("Password").fill(given);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Set up two-step sign-in" })).toBeVisible();
  const secret = (await page.locator("code.secret").getAttribute("data-secret"))!;
  await page.getByLabel("Enter the 6-digit code").fill(totpAt(secret, Math.floor(Date.now() / 30_000)));
  await page.getByRole("button", { name: "Turn on two-step sign-in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Choose your own password" })).toBeVisible();
  await expectAccessible(page);
  // A slip is refused at its field.
  await page.getByLabel("New password").fill("a pass phrase of my own 7");
  await page.getByLabel("Password again").fill("a pass phrase of my own 8");
  await page.getByRole("button", { name: "Save my password" }).click();
  await expect(page.getByLabel("Password again")).toHaveAttribute("aria-invalid", "true");
  await page.getByLabel("New password").fill("a pass phrase of my own 7");
  await page.getByLabel("Password again").fill("a pass phrase of my own 7");
  await page.getByRole("button", { name: "Save my password" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  await signOut(page);
  await page.getByLabel("Username").fill("new.clerk");
  await page.getByLabel("Password").fill(given);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("The username or password is incorrect.")).toBeVisible();
});

import { test, expect, hydrated, expectAccessible, latestMailTo, DEMO_PASSWORD } from "./helpers";

test("a new patient enrolls with the demo activation code and lands signed in", async ({ page }) => {
  const code = process.env.PORTICO_DEMO_CODE!;
  await page.goto("/signin");
  await hydrated(page);
  await page.getByRole("link", { name: "Sign up with activation code" }).click();
  await expect(page.getByRole("heading", { name: "Sign up with an activation code" })).toBeVisible();
  await expectAccessible(page);

  // A wrong birth date gets the same message as a wrong code, at the code field.
  await page.getByLabel("Activation code").fill(code.toLowerCase());
  await page.getByLabel("Date of birth").fill("1990-07-05");
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByText("do not match our records")).toBeVisible();
  await expect(page.getByLabel("Activation code")).toHaveAttribute("aria-invalid", "true");

  await page.getByLabel("Date of birth").fill("1990-07-04");
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByText("Welcome, Blake.")).toBeVisible();
  await expectAccessible(page);

  await page.getByLabel("Username", { exact: true }).fill("blake");
  await page.getByLabel("E-mail address").fill("blake@example.org");
  // A weak password is refused at its field; nothing typed elsewhere is lost.
  await page.getByLabel("Password", { exact: true }).fill("password1234");
  await page.getByLabel("Password again").fill("password1234");
  await page.getByRole("button", { name: "Create my account" }).click();
  await expect(page.getByText("too easy to guess")).toBeVisible();
  await expect(page.getByLabel("Username", { exact: true })).toHaveValue("blake");

  const created = Date.now();
  await page.getByLabel("Password", { exact: true }).fill(DEMO_PASSWORD);
  await page.getByLabel("Password again").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Create my account" }).click();
  // The new account confirms the address it typed with the code mailed to it.
  await expect(page.getByRole("heading", { level: 1, name: "Your e-mail address" })).toBeVisible();
  await expect(page.getByText("Your account is ready.")).toBeVisible();
  await expectAccessible(page);
  const mail = await latestMailTo("blake@example.org", created);
  const emailCode = mail.match(/page: (\d{8})/)![1];
  await page.getByLabel("Confirmation code").fill(emailCode);
  await page.getByRole("button", { name: "Confirm" }).click();
  await expect(page.getByText("Your e-mail address is confirmed.")).toBeVisible();
  await expect(page.getByRole("link", { name: "Turn on two-step sign-in" })).toBeVisible();
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Welcome, Blake" })).toBeVisible();
  await expect(page.getByTestId("chart-banner")).toHaveText("You are viewing Blake Jones's chart");

  // The code was single-use.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin\?reason=signed-out/);
  await page.goto("/enroll");
  await hydrated(page);
  await page.getByLabel("Activation code").fill(code);
  await page.getByLabel("Date of birth").fill("1990-07-04");
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByText("already been used")).toBeVisible();
});

import type { CDPSession, Page } from "@playwright/test";
import { DEMO_PASSWORD, DEMO_TOTP_SECRET, expect, expectAccessible, secondStep, test } from "./helpers";

// Passkeys need a domain name (browsers refuse an IP address as the relying party), so
// these tests open the same server as http://localhost:3100; its public URL is
// http://127.0.0.1:3100, where the passkey controls stay hidden.
const LOCAL = (process.env.PORTICO_E2E_URL ?? "http://127.0.0.1:3100").replace("127.0.0.1", "localhost");

/// Chrome's virtual authenticator (DevTools protocol): a platform authenticator that
/// keeps discoverable credentials and verifies its user (a fingerprint, in a real phone).
async function virtualAuthenticator(page: Page): Promise<{ cdp: CDPSession; id: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, id: authenticatorId };
}

async function credentialsOn(auth: { cdp: CDPSession; id: string }) {
  const { credentials } = await auth.cdp.send("WebAuthn.getCredentials", { authenticatorId: auth.id });
  return credentials;
}

async function passwordSignIn(page: Page, username: string) {
  await page.goto(`${LOCAL}/signin`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL((url) => url.pathname !== "/signin");
}

async function signOutHere(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);
}

test("a patient adds a passkey, signs in with it instead of the password, and removes it", async ({ page }) => {
  const auth = await virtualAuthenticator(page);
  await passwordSignIn(page, "avery");
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  await page.goto(`${LOCAL}/account`);
  await page.getByRole("link", { name: "Passkeys" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Passkeys" })).toBeVisible();
  await expect(page.getByText("You have no passkeys yet.")).toBeVisible();
  await expect(page.getByText("Passkeys are not available")).toBeHidden();
  await expectAccessible(page);

  // A name over 60 characters cannot be typed (the server refuses one too: integration tests).
  await expect(page.getByLabel("Name (optional)")).toHaveAttribute("maxlength", "60");
  await page.getByLabel("Name (optional)").fill("My laptop");
  // Adding one asks for the password again; a wrong one is refused at its field.
  const again = page.locator("form[data-passkey]").getByLabel("Current password");
  await again.fill("not my password");
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "This is not your current password." })).toBeVisible();
  await expect(again).toHaveAttribute("aria-invalid", "true");
  await expect(again).toBeFocused();
  await again.fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await expect(page.getByText("Your passkey was added.")).toBeVisible();
  await expect(page.getByRole("heading", { level: 2, name: "My laptop" })).toBeVisible();
  await expect(page.getByText("Not used yet")).toBeVisible();
  const made = await credentialsOn(auth);
  expect(made).toHaveLength(1);
  expect(made[0].isResidentCredential).toBe(true);

  // Instead of the password: no username, the device offers its passkey.
  await signOutHere(page);
  await expectAccessible(page);
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  await expect(page.getByRole("heading", { level: 1, name: /Welcome/ })).toBeVisible();
  await page.goto(`${LOCAL}/account/passkeys`);
  await expect(page.getByText(/Last used/)).toBeVisible();

  // In Spanish.
  await page.getByRole("button", { name: "Español" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Llaves de acceso" })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Passkeys" })).toBeVisible();

  // Removing one needs the password; a wrong one is refused at its field.
  const removing = page.locator("form[action*='passkeys/remove']");
  await removing.getByLabel("My laptop").check();
  await removing.getByLabel("Current password").fill("not my password");
  await page.getByRole("button", { name: "Remove passkey" }).click();
  await expect(removing.getByLabel("Current password")).toHaveAttribute("aria-invalid", "true");
  await removing.getByLabel("My laptop").check();
  await removing.getByLabel("Current password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Remove passkey" }).click();
  await expect(page.getByText("The passkey was removed.")).toBeVisible();
  await expect(page.getByText("You have no passkeys yet.")).toBeVisible();

  // The device still holds it, but it signs no one in now: one clear message.
  await signOutHere(page);
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "That passkey did not work." })).toBeVisible();
  await expect(page).toHaveURL(/\/signin/);
});

test("a staff member's passkey is their second step after the password", async ({ page }) => {
  await virtualAuthenticator(page);
  await passwordSignIn(page, "support.sam");
  await secondStep(page, "support.sam", DEMO_TOTP_SECRET);
  await expect(page.getByRole("button", { name: "Sign out", exact: true })).toBeVisible();
  await page.goto(`${LOCAL}/account/passkeys`);
  await page.locator("form[data-passkey]").getByLabel("Current password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await expect(page.getByText("Your passkey was added.")).toBeVisible();

  await signOutHere(page);
  await page.getByLabel("Username").fill("support.sam");
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/two-step$/);
  await expect(page.getByText("Or enter a code from your authenticator app:")).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("button", { name: "Use my passkey" }).click();
  await expect(page).toHaveURL(`${LOCAL}/`);
  await expect(page.getByRole("button", { name: "Sign out", exact: true })).toBeVisible();

  // Removed again: the staff member keeps the authenticator app as their factor.
  await page.goto(`${LOCAL}/account/passkeys`);
  await page.locator("input[type=radio][name=id]").first().check();
  await page.locator("form[action*='passkeys/remove']").getByLabel("Current password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Remove passkey" }).click();
  await expect(page.getByText("The passkey was removed.")).toBeVisible();
});

test("at an IP address the passkey controls stay hidden and the page says why", async ({ page }) => {
  await page.goto("/signin");
  await expect(page.getByRole("button", { name: "Sign in with a passkey" })).toBeHidden();
  await page.getByLabel("Username").fill("avery");
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  await page.goto("/account/passkeys");
  await expect(page.getByText("Passkeys are not available in this browser or at this address.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Add a passkey" })).toBeHidden();
});

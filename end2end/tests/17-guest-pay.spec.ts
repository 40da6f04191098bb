import { test, expect, signIn, expectAccessible } from "./helpers";

/// Pay as Guest: from the sign-in page, with no account, the seed's printed account number
/// and the guarantor's last name; the guest sees what is due and where, pays, gets a
/// receipt, and Avery sees the guest's opening in "Who has seen my record".
test("Pay as Guest from the sign-in page: a wrong name is refused, the right one pays and gets a receipt", async ({ browser, page }) => {
  const guestContext = await browser.newContext();
  const guest = await guestContext.newPage();
  await guest.goto("/signin");
  await guest.getByRole("link", { name: "Pay as Guest" }).click();
  await expect(guest.getByRole("heading", { name: "Pay as Guest", level: 1 })).toBeVisible();
  await expectAccessible(guest);

  // A wrong last name: one answer, at the field, nothing of the account.
  await guest.getByLabel("Guarantor account number").fill("4000017");
  await guest.getByLabel("Guarantor’s last name").fill("Smyth");
  await guest.getByRole("button", { name: "Continue" }).click();
  await expect(guest.getByText("We could not find an account with that number and last name.")).toBeVisible();
  await expectAccessible(guest);

  await guest.getByLabel("Guarantor account number").fill("400-0017");
  await guest.getByLabel("Guarantor’s last name").fill("smith");
  await guest.getByRole("button", { name: "Continue" }).click();
  await expect(guest.getByRole("heading", { name: "Account ending 0017", level: 1 })).toBeVisible();
  await expect(guest.getByText("Portico Health")).toBeVisible();
  const due = await guest.locator("dd.amount").innerText();
  const before = Math.round(parseFloat(due.replace(/[$,]/g, "")) * 100);
  expect(before).toBeGreaterThan(500);
  // Only the amount due and the service area: no name, no visit, no full number.
  await expect(guest.getByText(/Avery|Office visit|4000017/)).toHaveCount(0);
  await expectAccessible(guest);

  // The same page in Spanish.
  await guest.getByRole("button", { name: "Español" }).click();
  await expect(guest.getByRole("heading", { name: "Cuenta que termina en 0017", level: 1 })).toBeVisible();
  await expectAccessible(guest);
  await guest.getByRole("button", { name: "English" }).click();

  await guest.getByLabel("Another amount").check();
  await guest.getByLabel(/^Amount in dollars/).fill("5.00");
  await guest.getByRole("button", { name: "Continue to secure payment" }).click();
  await guest.getByLabel("Card number").fill("4242 4242 4242 4242");
  await guest.getByRole("button", { name: "Pay $5.00" }).click();
  await expect(guest.getByRole("heading", { name: "Payment received", level: 1 })).toBeVisible();
  const receipt = guest.getByRole("status").filter({ hasText: "Amount paid" });
  await expect(receipt).toContainText("$5.00");
  await expect(receipt).toContainText("••••0017");
  await expect(receipt).toContainText(`$${((before - 500) / 100).toFixed(2)}`);
  await expectAccessible(guest);
  // "Done" ends the opening: the account page asks to start again.
  await guest.getByRole("button", { name: "Done" }).click();
  await expect(guest.getByRole("heading", { name: "Sign in to Portico" })).toBeVisible();
  await guest.goto("/pay-as-guest/account");
  await expect(guest.getByText("This payment session has ended.")).toBeVisible();
  await guestContext.close();

  await signIn(page, "avery");
  await page.goto("/sharing/access-log");
  await expect(page.getByRole("cell", { name: "A guest paying a bill (Pay as Guest)" }).first()).toBeVisible();
  await expect(page.getByRole("cell", { name: "Tried to open a billing account with a wrong last name" }).first()).toBeVisible();
});

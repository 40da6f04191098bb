import { test, expect, signIn, signOut, expectAccessible } from "./helpers";

const menu = (page) => page.getByRole("navigation", { name: "Menu" });
const charts = (page) => page.getByRole("navigation", { name: "Charts you can open" });
const account = (page, number: string) =>
  page.getByRole("listitem").filter({ has: page.getByRole("heading", { name: `Account ${number}` }) });

test("Billing Summary: each guarantor account with its amount due and why Pay Now is missing", async ({ page }) => {
  await signIn(page, "avery");
  await menu(page).getByRole("link", { name: "Billing" }).click();
  await expect(page.getByRole("heading", { name: "Billing Summary", level: 1 })).toBeVisible();
  await expect(page.getByRole("heading", { name: /^Account / })).toHaveCount(3);

  // A balance due at the clinic: the statement shows the ledger before the later payment.
  const due = account(page, "4000017");
  await expect(due.getByText("$52.00", { exact: true })).toBeVisible();
  await expect(due.getByText(/\$77\.00/)).toBeVisible();
  // $0.00 and a partner location: the seed's reasons, with the right phone for each.
  await expect(account(page, "4000025")).toContainText(
    "No payment is due on this account ($0.00). If this is incorrect, call our Billing Department at +1 555 0130.",
  );
  await expect(account(page, "7100033")).toContainText(
    "Harbor Urgent Care bills on its own and cannot take payment through Portico. Call the Harbor Urgent Care Billing Department at 555-0142.",
  );
  await expectAccessible(page);

  // View account: the visit's charges, what insurance paid and adjusted, Avery's share.
  await due.getByRole("link", { name: /View account/ }).click();
  await expect(page.getByRole("heading", { name: "Account 4000017", level: 1 })).toBeVisible();
  const visit = page.getByRole("table").filter({ hasText: "Office visit, established patient" });
  await expect(visit.getByRole("row", { name: /Charged/ })).toContainText("$313.00");
  await expect(visit.getByRole("row", { name: /Insurance paid/ })).toContainText("-$179.00");
  await expect(visit.getByRole("row", { name: /Your share/ })).toContainText("$77.00");
  await expect(page.getByRole("row", { name: /Payment/ })).toContainText("-$25.00");
  await expectAccessible(page);
  // The billing office's estimate for a planned MRI, as a PDF.
  await expect(page.getByRole("link", { name: "MRI of the right knee (PDF)" })).toBeVisible();
  // The statement as a PDF, here and in the Documents center.
  const file = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download the statement (PDF)" }).first().click();
  expect((await file).suggestedFilename()).toMatch(/^statement-4000017-\d{4}-\d{2}-\d{2}\.pdf$/);

  // A payment plan (offered over the demo's $50.00 minimum): set up, shown, ended.
  await page.getByLabel("Monthly amount in dollars").fill("9.99");
  await page.getByLabel("Day of the month").selectOption("15");
  await page.getByRole("button", { name: "Set up the plan" }).click();
  await expect(page.getByText("The monthly amount must pay the balance within 24 months")).toBeVisible();
  await page.getByLabel("Monthly amount in dollars").fill("10.00");
  await page.getByLabel("Day of the month").selectOption("15");
  await page.getByRole("button", { name: "Set up the plan" }).click();
  await expect(page.getByText("The payment plan is in place.")).toBeVisible();
  await expect(page.getByText("$10.00 a month, on day 15 of each month.")).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("button", { name: "End the payment plan" }).click();
  await expect(page.getByText("The payment plan has ended.")).toBeVisible();

  // Paperless billing is a plain form: saved, and shown as chosen.
  await page.getByLabel("Paperless: an e-mail notice, and the statement here").check();
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Your choice was saved.")).toBeVisible();
  await expect(page.getByLabel("Paperless: an e-mail notice, and the statement here")).toBeChecked();

  await page.getByRole("button", { name: "Español" }).click();
  await expect(page.getByRole("heading", { name: "Cuenta 4000017", level: 1 })).toBeVisible();
  await expect(page.getByText("Pagado por el seguro")).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("link", { name: "Volver al resumen de facturación" }).click();
  await expect(page.getByRole("heading", { name: "Resumen de facturación", level: 1 })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("button", { name: "English" }).click();
});

test("a parent's account for two children shows a teen's confidential test as a confidential service; a chart without Billing has none", async ({ page }) => {
  await signIn(page, "jordan");
  await menu(page).getByRole("link", { name: "Billing" }).click();
  const family = account(page, "4000041");
  await expect(family.getByText("Emma, Leo")).toBeVisible();
  await expect(family.getByText("$50.00", { exact: true })).toBeVisible();
  await family.getByRole("link", { name: /View account/ }).click();
  await expect(page.getByText("Confidential service")).toBeVisible();
  await expect(page.getByText("Well-child visit")).toBeVisible();
  await expect(page.getByText(/HIV/)).toHaveCount(0);
  await expect(page.getByText("87536")).toHaveCount(0);
  await expectAccessible(page);

  // Leo's chart under this clinic's teen policy (global-setup) has no Billing: no menu
  // entry, and the page says so rather than showing anything.
  await charts(page).getByRole("button", { name: "Leo Quinn (parent)" }).click();
  await expect(menu(page).getByRole("link", { name: "Billing" })).toHaveCount(0);
  await page.goto("/billing");
  await expect(page.getByText("You do not have access to this.")).toBeVisible();
  await expect(page.getByRole("heading", { name: /^Account / })).toHaveCount(0);
});

/// The amount due shown for an account on the Billing Summary, in cents.
async function amountDue(page, number: string): Promise<number> {
  const text = await account(page, number).locator("dd.amount").innerText();
  return Math.round(parseFloat(text.replace(/[$,]/g, "")) * 100);
}

const dollars = (cents: number) => `$${(cents / 100).toFixed(2)}`;

test("Avery pays part of a balance through the test processor; a declined card and a cancel change nothing", async ({ page }) => {
  await signIn(page, "avery");
  await menu(page).getByRole("link", { name: "Billing" }).click();
  const before = await amountDue(page, "4000017");
  // Pay Now only where the seed's rules allow it.
  await expect(account(page, "4000025").getByRole("link", { name: /Pay Now/ })).toHaveCount(0);
  await expect(account(page, "7100033").getByRole("link", { name: /Pay Now/ })).toHaveCount(0);
  await account(page, "4000017").getByRole("link", { name: /Pay Now/ }).click();
  await expect(page.getByRole("heading", { name: "Pay account 4000017", level: 1 })).toBeVisible();
  await expectAccessible(page);

  // More than is due: said at the field, and no payment opened.
  await page.getByLabel("Another amount").check();
  await page.getByLabel(/^Amount in dollars/).fill(((before + 100) / 100).toFixed(2));
  await page.getByRole("button", { name: "Continue to secure payment" }).click();
  await expect(page.getByText("You cannot pay more than the amount due.")).toBeVisible();
  await expectAccessible(page);

  // $20.00 at the processor's page: declined first (nothing charged), then a good card.
  await page.getByLabel("Another amount").check();
  await page.getByLabel(/^Amount in dollars/).fill("20.00");
  await page.getByRole("button", { name: "Continue to secure payment" }).click();
  await expect(page.getByRole("heading", { name: "Test processor: pay $20.00" })).toBeVisible();
  await page.getByLabel("Card number").fill("4000000000000002");
  await page.getByRole("button", { name: "Pay $20.00" }).click();
  await expect(page.getByRole("alert")).toContainText("Your card was declined. Nothing was charged.");
  await page.getByLabel("Card number").fill("4242 4242 4242 4242");
  await page.getByRole("button", { name: "Pay $20.00" }).click();

  await expect(page.getByRole("heading", { name: "Payment received", level: 1 })).toBeVisible();
  const receipt = page.getByRole("status").filter({ hasText: "Amount paid" });
  await expect(receipt).toContainText("$20.00");
  await expect(receipt).toContainText("••••0017");
  await expect(receipt).toContainText(dollars(before - 2000));
  await expectAccessible(page);
  await page.getByRole("link", { name: "View account" }).click();
  await expect(page.getByRole("row", { name: /Payment/ }).first()).toContainText("-$20.00");

  // Another payment, cancelled at the processor: not made, the balance unchanged.
  await page.getByRole("link", { name: /Pay Now/ }).click();
  await page.getByRole("button", { name: "Continue to secure payment" }).click();
  await page.getByRole("link", { name: "Cancel and return" }).click();
  await expect(page.getByRole("heading", { name: "Payment not made", level: 1 })).toBeVisible();
  await expect(page.getByText("The payment was not made. Your balance is unchanged.")).toBeVisible();
  await page.getByRole("link", { name: "Back to Billing Summary" }).or(page.getByRole("link", { name: "View account" })).first().click();
  await menu(page).getByRole("link", { name: "Billing" }).click();
  expect(await amountDue(page, "4000017")).toBe(before - 2000);
});

test("Contact customer service on an account reaches billing.kim with the account beside the thread", async ({ page }) => {
  await signIn(page, "avery");
  await menu(page).getByRole("link", { name: "Billing" }).click();
  await account(page, "4000017").getByRole("link", { name: /Contact customer service/ }).click();
  await expect(page.getByText("To: Billing, about account 4000017")).toBeVisible();
  // Billing's own notice, not the care team's medical ones.
  await expect(page.getByText(/Billing answers questions about your statements/)).toBeVisible();
  await expect(page.locator("main aside.urgent")).toHaveCount(0);
  await expectAccessible(page);
  const subject = `Statement question ${Date.now()}`;
  await page.getByLabel("Subject").fill(subject);
  // Words that would open the crisis dialog for the care team do not here.
  await page.getByLabel("Message").fill("The chest pain visit was billed twice on my statement.");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("dialog")).toBeHidden();
  await expect(page.getByRole("status").filter({ hasText: "Sent." })).toBeVisible();
  await page.getByRole("link", { name: "View the conversation" }).click();
  await expect(page.getByRole("link", { name: "About account 4000017" })).toBeVisible();
  await signOut(page);

  await signIn(page, "billing.kim");
  await menu(page).getByRole("link", { name: "Message inbox" }).click();
  await page.getByRole("link", { name: subject }).click();
  await expect(page.getByRole("heading", { name: subject, level: 1 })).toBeVisible();
  const beside = page.getByRole("complementary", { name: "Billing account" });
  await expect(beside.getByRole("heading", { name: "Account 4000017" })).toBeVisible();
  await expect(beside).toContainText("Portico Health");
  await expectAccessible(page);
});

test("the billing office finds an account by the guarantor's name and posts a credit with its reason", async ({ page }) => {
  await signIn(page, "billing.kim");
  await menu(page).getByRole("link", { name: "Billing accounts" }).click();
  await expect(page.getByRole("heading", { name: "Billing accounts", level: 1 })).toBeVisible();
  await page.getByLabel("Account number or guarantor’s last name").fill("smith");
  await page.getByRole("button", { name: "Find" }).click();
  await expect(page.getByRole("table", { name: "Accounts found" })).toContainText("Avery Smith (MRN 100001)");
  await expectAccessible(page);
  await page.getByRole("link", { name: "4000017" }).click();
  await expect(page.getByRole("heading", { name: "Account 4000017", level: 1 })).toBeVisible();

  // A refund while an amount is due (no credit to refund): said at the field, nothing posted.
  await page.getByLabel("Refund of a credit to the guarantor").check();
  await page.getByLabel("Amount in dollars").fill("1.00");
  await page.getByLabel("Reason").fill("Overpaid");
  await page.getByRole("button", { name: "Post", exact: true }).click();
  await expect(page.getByText("A refund cannot be more than the account’s credit.")).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel("Adjustment lowering the amount due (a credit)").check();
  await page.getByLabel("Amount in dollars").fill("1.00");
  await page.getByLabel("Reason").fill("Courtesy: parking validation");
  await page.getByRole("button", { name: "Post", exact: true }).click();
  await expect(page.getByText("Posted. The guarantor sees it on the account.")).toBeVisible();
  await expect(page.getByRole("row", { name: /Kim Park: Courtesy: parking validation/ })).toContainText("-$1.00");
  await expectAccessible(page);
});

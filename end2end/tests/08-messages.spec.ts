import { test, expect, hydrated, signIn, signOut, expectAccessible, latestMailTo, readableDate } from "./helpers";

const menu = (page) => page.getByRole("navigation", { name: "Menu" });

// A 1×1 PNG: the server reads the type from these bytes.
const PNG = Buffer.from("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63f80f000101010018dd8db00000000049454e44ae426082", "hex");

/// Three business days after today (UTC), skipping weekends and the configured holiday.
function expectedReplyDate(): string {
  const holidays = (process.env.PORTICO_HOLIDAYS ?? "").split(",");
  const day = new Date();
  let counted = 0;
  while (counted < 3) {
    day.setUTCDate(day.getUTCDate() + 1);
    const iso = day.toISOString().slice(0, 10);
    if (day.getUTCDay() !== 0 && day.getUTCDay() !== 6 && !holidays.includes(iso)) counted++;
  }
  return day.toISOString().slice(0, 10);
}

test("compose: the emergency notice, the crisis dialog, an attachment and the reply date", async ({ page }) => {
  await signIn(page, "avery");
  // The seeded billing answer is unread: the menu says so.
  await expect(menu(page).getByRole("link", { name: "Messages 1 unread" })).toBeVisible();
  await menu(page).getByRole("link", { name: /^Messages/ }).click();
  await expect(page.getByRole("heading", { name: "Messages", exact: true })).toBeVisible();
  await expect(page.getByRole("link", { name: "Question about my statement" })).toBeVisible();
  await expect(page.getByText("Conversations with a new reply: 1")).toBeVisible();
  await expectAccessible(page);

  await page.getByRole("link", { name: "New message" }).click();
  await expect(page).toHaveURL(/\/messages\/new$/);
  const before = page.getByRole("complementary", { name: "Before you write" });
  await expect(before).toContainText("911");
  await expect(before).toContainText("988");
  await expectAccessible(page);

  await page.getByLabel("To").selectOption({ label: "Dr. Alex Rivera, MD — Primary care provider · Portico Family Medicine" });
  // The provider's office, to call now instead of writing.
  await expect(before).toContainText("To speak with Portico Family Medicine now, call +1 555 0110");
  await page.getByLabel("Subject").fill("Chest pain when I run");
  await page.getByLabel("Message").fill("I get chest pain after about ten minutes of running.");
  await page.getByRole("button", { name: "Send" }).click();
  const dialog = page.getByRole("dialog", { name: "Is this an emergency?" });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText("call 911");
  await expect(dialog).toContainText("988");
  await expectAccessible(page);
  await dialog.getByRole("button", { name: "Change my message" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText("Sent.", { exact: true })).toHaveCount(0);

  // Rewritten without alarming words, with a photo attached: sent without the dialog.
  await page.getByLabel("Subject").fill("Rash on my arm");
  await page.getByLabel("Message").fill("A red rash appeared on my forearm on Monday. Photo attached.");
  await page.getByLabel("Attach images or PDFs (optional)").setInputFiles({ name: "rash.png", mimeType: "image/png", buffer: PNG });
  await page.getByRole("button", { name: "Send" }).click();
  await expect(dialog).toBeHidden();
  const sent = page.getByRole("status").filter({ hasText: "Sent." });
  await expect(sent).toContainText(`Your care team generally replies within 1–3 business days (around ${readableDate(expectedReplyDate())}).`);
  await expectAccessible(page);
  await sent.getByRole("link", { name: "View the conversation" }).click();
  await expect(page.getByRole("heading", { name: "Rash on my arm" })).toBeVisible();
  await expect(page.getByRole("link", { name: "rash.png" })).toHaveAttribute("href", /\/api\/messages\/attachment\?id=\d+$/);
  await expectAccessible(page);

  // Words that suggest an emergency may still be sent to the care team, after the guidance.
  await page.goto("/messages/new");
  await hydrated(page);
  await page.getByLabel("To").selectOption({ label: "Dr. Alex Rivera, MD — Primary care provider · Portico Family Medicine" });
  await page.getByLabel("Subject").fill("Last year");
  await page.getByLabel("Message").fill("Not urgent, but my father had a stroke last year: should I be checked?");
  await page.getByRole("button", { name: "Send" }).click();
  await dialog.getByRole("button", { name: "Send it anyway" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Sent." })).toBeVisible();

  // To technical support the page says what that team answers (not medical questions), no
  // crisis dialog, and no promise the clinic did not make.
  await page.goto("/messages/new");
  await hydrated(page);
  await page.getByLabel("To").selectOption({ label: "Customer service: technical support" });
  await expect(before).toContainText("Technical support answers questions about using Portico");
  await expect(before).not.toContainText("911");
  await expectAccessible(page);
  await page.getByLabel("Subject").fill("Portal question");
  await page.getByLabel("Message").fill("My father had a stroke last year: can I see his record here?");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(dialog).toBeHidden();
  const done = page.getByRole("status").filter({ hasText: "Sent." });
  await expect(done).toBeVisible();
  await expect(done).not.toContainText("replies");
});

test("a staff reply reaches the patient: e-mail without PHI, unread count, the schedule template", async ({ page }) => {
  await signIn(page, "dr.rivera");
  await menu(page).getByRole("link", { name: "Message inbox" }).click();
  await expect(page.getByRole("heading", { name: "Message inbox" })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("link", { name: "Rash on my arm" }).click();
  await expect(page.getByRole("heading", { name: "Rash on my arm" })).toBeVisible();
  await expect(page.getByRole("link", { name: "rash.png" })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("button", { name: "Claim" }).click();
  await expect(page.getByText("Handled by Dr. Alex Rivera")).toBeVisible();

  const sentAt = Date.now();
  await page.getByLabel("Message").fill("It looks like contact dermatitis. Use the cream twice a day.");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("status")).toContainText("Reply sent");
  await expect(page.getByText("Use the cream twice a day.")).toBeVisible();
  const mail = await latestMailTo("avery@example.org", sentAt - 1000);
  expect(mail).toContain("You have a new message in Portico");
  for (const phi of ["Rash", "rash", "cream", "dermatitis", "Rivera", "Avery"]) expect(mail).not.toContain(phi);

  await page.getByLabel("Kind of reply").selectOption({ label: "Please schedule an appointment: images attached" });
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByText("Please schedule an appointment.")).toBeVisible();
  await signOut(page);

  await signIn(page, "avery");
  await expect(menu(page).getByRole("link", { name: "Messages 2 unread" })).toBeVisible();
  await menu(page).getByRole("link", { name: /^Messages/ }).click();
  const row = page.getByRole("row", { name: /Rash on my arm/ });
  await expect(row).toContainText("New reply");
  await row.getByRole("link", { name: "Rash on my arm" }).click();
  await expect(page.getByText("Use the cream twice a day.")).toBeVisible();
  await expect(page.getByText("Your message has images that need to be looked at in a visit.")).toBeVisible();
  // Where to book: the department's phone and the clinic's online scheduling.
  const booking = page.getByRole("complementary", { name: "How to schedule" });
  await expect(booking.getByRole("link", { name: "+1 555 0110" })).toHaveAttribute("href", "tel:+15550110");
  await expect(booking.getByRole("link", { name: "Schedule an appointment online" })).toHaveAttribute(
    "href", "https://scheduling.example.org/portico");
  await expectAccessible(page);
  await expect(menu(page).getByRole("link", { name: "Messages 1 unread" })).toBeVisible();
});

test("a photo from a phone: the file input asks for the types that work, and a HEIC file is refused with how to send it", async ({ page }) => {
  await signIn(page, "avery");
  await page.goto("/messages/new");
  await hydrated(page);
  const files = page.getByLabel("Attach images or PDFs (optional)");
  // iOS converts a HEIC photo to JPEG as it uploads when the input asks for these types.
  await expect(files).toHaveAttribute("accept", "image/png,image/jpeg,application/pdf");
  await page.getByLabel("To").selectOption({ label: "Customer service: technical support" });
  await page.getByLabel("Subject").fill("A photo");
  await page.getByLabel("Message").fill("Here is a photo.");
  await files.setInputFiles({ name: "IMG_0001.HEIC", mimeType: "image/heic", buffer: Buffer.from("not really heic") });
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByText("an iPhone sends it as a JPEG")).toBeVisible();
  await expect(files).toHaveAttribute("aria-invalid", "true");
  await expectAccessible(page);
});

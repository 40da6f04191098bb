import { test, expect, hydrated, signIn, expectAccessible, readableDate } from "./helpers";

const menu = (page) => page.getByRole("navigation", { name: "Menu" });

test("a new result from Home: the not-yet-reviewed notice, its graph, ranges and table", async ({ page }) => {
  await signIn(page, "avery");
  const newResults = page.locator("section", { has: page.getByRole("heading", { name: /New results/ }) });
  await expect(page.getByRole("heading", { name: /New results \(\d+\)/ })).toBeVisible();
  await expectAccessible(page);
  await newResults.getByRole("link", { name: "Hemoglobin A1c" }).first().click();
  await expect(page).toHaveURL(/\/results\/\d+$/);
  await expect(page.getByRole("heading", { name: "Hemoglobin A1c" })).toBeVisible();
  await expect(page.getByText("may not have reviewed it yet")).toBeVisible();
  await expectAccessible(page);

  await page.getByRole("link", { name: "Graph of Hemoglobin A1c over time" }).click();
  await expect(page).toHaveURL(/\/results\/trend\/4548-4$/);
  await expect(page.getByRole("heading", { name: "Hemoglobin A1c over time" })).toBeVisible();
  const points = page.locator("svg.trend-graph g.point");
  // Avery's seed has 7 HbA1c values over 3 years.
  await expect(points).toHaveCount(7);
  // Each point is focusable and says its value and date.
  await points.first().focus();
  await expect(points.first()).toBeFocused();
  await expect(points.first()).toHaveAttribute("aria-label", /^5\.9 % [A-Z][a-z]{2} \d{1,2}, \d{4}, High$/);
  await expect(page.locator("svg.trend-graph g.point.out-of-range")).toHaveCount(7);
  await expectAccessible(page);

  await page.getByRole("button", { name: "1 year" }).click();
  await expect(points).toHaveCount(2);
  await page.getByRole("button", { name: "5 years" }).click();
  await expect(points).toHaveCount(7);

  await page.getByRole("button", { name: "Show as table" }).click();
  const rows = page.locator("table.trend-table tbody tr");
  await expect(rows).toHaveCount(7);
  await expect(rows.first()).toContainText("6.4 %");
  await expectAccessible(page);
});

test("every health-record page has its own URL, loads directly, and is accessible", async ({ page }) => {
  await signIn(page, "avery");
  for (const [entry, heading] of [
    ["Visits", "Appointments and Visits"],
    ["Test Results", "Test Results"],
    ["Medications", "Medications"],
    ["Health Summary", "Health Summary"],
    ["Health Reminders", "Health Reminders"],
  ]) {
    await menu(page).getByRole("link", { name: entry }).click();
    await expect(page.getByRole("heading", { name: heading, exact: true })).toBeVisible();
    await expectAccessible(page);
    // A deep link works too (a full load of the same URL).
    await page.reload();
    await hydrated(page);
    await expect(page.getByRole("heading", { name: heading, exact: true })).toBeVisible();
  }
  // Visits: a past visit's After Visit Summary; a lab visit without one says so.
  await page.goto("/visits");
  await hydrated(page);
  await expect(page.getByText("No After Visit Summary or Progress Note for this visit.").first()).toBeVisible();
  await page.getByRole("link", { name: "After Visit Summary" }).first().click();
  await expect(page.getByRole("heading", { name: "After Visit Summary" })).toBeVisible();
  await expectAccessible(page);
  await page.goBack();
  await expect(page.getByRole("heading", { name: "Appointments and Visits" })).toBeVisible();
  // Reminders: Avery has overdue ones.
  await page.goto("/reminders");
  await hydrated(page);
  await expect(page.getByText(/Overdue since/).first()).toBeVisible();
});

test("a renewal request, approved by the clinician, shows as approved to the patient", async ({ page, browser }) => {
  await signIn(page, "avery");
  await menu(page).getByRole("link", { name: "Medications" }).click();
  const statin = page.getByRole("listitem").filter({ has: page.getByRole("heading", { name: "Atorvastatin 20 mg tablet" }) });
  await statin.getByRole("link", { name: "Request renewal" }).click();
  await expect(page.getByRole("heading", { name: "Request a renewal", level: 1 })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Atorvastatin 20 mg tablet" })).toBeVisible();
  // A pharmacy of spaces passes the browser's check, not the server's: the error comes
  // back at the field, on the same page.
  await page.getByLabel("Pharmacy").fill("   ");
  await page.getByRole("button", { name: "Send request" }).click();
  await expect(page.getByLabel("Pharmacy")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Pharmacy")).toBeFocused();
  await expect(page.getByText("Enter the pharmacy")).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel("Pharmacy").fill("Main Street Pharmacy");
  await page.getByRole("button", { name: "Send request" }).click();
  await expect(page.getByRole("heading", { name: "Medications", level: 1 })).toBeVisible();
  await expect(statin.getByText(/waiting for your care team/)).toBeVisible();
  await expect(statin.getByRole("link", { name: "Request renewal" })).toHaveCount(0);
  await expectAccessible(page);

  const staff = await browser.newContext();
  const doctor = await staff.newPage();
  await signIn(doctor, "dr.rivera");
  await menu(doctor).getByRole("link", { name: "Renewal requests" }).click();
  const request = doctor.getByRole("listitem").filter({ hasText: "Atorvastatin" });
  await expect(request).toContainText("Main Street Pharmacy");
  await expectAccessible(doctor);
  await request.getByLabel("Refills to grant").fill("5");
  await request.getByRole("button", { name: "Approve" }).click();
  await expect(doctor.getByText("No pending renewal requests.")).toBeVisible();
  await staff.close();

  await page.reload();
  await hydrated(page);
  await expect(statin.getByText(/approved with 5 refills/)).toBeVisible();
});

test("the clinician's results page: enter a result and see it in the queue", async ({ page }) => {
  await signIn(page, "dr.rivera");
  await menu(page).getByRole("link", { name: "Results to review" }).click();
  await expect(page.getByRole("heading", { name: "Results", exact: true })).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel("MRN", { exact: true }).fill("100001");
  await page.getByLabel("Test", { exact: true }).selectOption({ label: "Hemoglobin A1c" });
  await page.getByLabel("Hemoglobin A1c (%)").fill("abc");
  await page.getByRole("button", { name: "Save result" }).click();
  await expect(page.getByText("Enter a number, like 5.6.")).toBeVisible();
  await page.getByLabel("Hemoglobin A1c (%)").fill("6.2");
  await page.getByLabel(/Hold reason/).fill("Discuss at the visit");
  await page.getByRole("button", { name: "Save result" }).click();
  await expect(page.getByText("Result saved.")).toBeVisible();
  await expect(page.getByRole("cell", { name: "Held: Discuss at the visit" })).toBeVisible();
});

test("a reminder with nothing on record says so, not a due date from decades back", async ({ page }) => {
  await signIn(page, "jordan");
  await page.goto("/reminders");
  await hydrated(page);
  const flu = page.locator("li.reminder").filter({ hasText: "Flu vaccine" });
  await expect(flu).toContainText("Flu vaccine (every year) — Due now: none on record.");
  await expect(page.getByText(/since 19/)).toHaveCount(0);
  await expectAccessible(page);
  await page.getByRole("button", { name: "Español" }).click();
  await expect(page.locator("li.reminder").filter({ hasText: "gripe" })).toContainText("Pendiente ahora: no consta en su expediente.");
  await page.getByRole("button", { name: "English" }).click();
  await expect(flu).toBeVisible();
});

test("a result from an Emergency Department visit says the ordering provider may not call", async ({ page }) => {
  await signIn(page, "avery");
  // An office draw (the newest) carries no such notice.
  await page.goto("/results");
  await hydrated(page);
  await page.locator("li").filter({ hasText: "Hemoglobin A1c" }).first().getByRole("link").click();
  await expect(page.getByRole("heading", { level: 1, name: "Hemoglobin A1c" })).toBeVisible();
  await expect(page.getByRole("note").filter({ hasText: "Emergency Department" })).toHaveCount(0);
  // The demo's draw of two years ago (732 days) was done in the Emergency Department.
  await page.goto("/results");
  await hydrated(page);
  const day = new Date(Date.now() - 732 * 86_400_000).toISOString().slice(0, 10);
  const fromEd = page.locator("li").filter({ hasText: readableDate(day) }).filter({ hasText: "Hemoglobin A1c" });
  await fromEd.getByRole("link").click();
  const notice = page.getByRole("note").filter({ hasText: "Emergency Department" });
  await expect(notice).toContainText("may not contact you about the result unless a follow-up is needed");
  await expectAccessible(page);
  await page.getByRole("button", { name: "Español" }).click();
  await expect(page.getByRole("note").filter({ hasText: "Urgencias" })).toBeVisible();
  await page.getByRole("button", { name: "English" }).click();
  await expect(notice).toBeVisible();
});

test("the provider's office phone is on each visit, and the contact page lists every configured number", async ({ page }) => {
  await signIn(page, "avery");
  await page.goto("/visits");
  await hydrated(page);
  const visit = page.locator("li.visit").filter({ hasText: "Dr. Priya Patel" }).first();
  await expect(visit).toContainText("Office phone: +1 555 0120");
  await expect(visit.getByRole("link", { name: "+1 555 0120" })).toHaveAttribute("href", "tel:+15550120");
  await expectAccessible(page);
  await page.goto("/contact");
  for (const number of ["+1 555 0130", "+1 555 0140", "+1 555 0110", "+1 555 0120"]) {
    await expect(page.getByRole("link", { name: number })).toBeVisible();
  }
  await expect(page.getByText("Release of Information (Medical Records)")).toBeVisible();
  await expectAccessible(page);
});

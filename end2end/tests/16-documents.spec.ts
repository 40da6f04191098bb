import * as fs from "fs";
import * as crypto from "crypto";
import * as zlib from "zlib";
import { execFileSync } from "child_process";
import { test, expect, signIn, signOut, expectAccessible } from "./helpers";

const menu = (page) => page.getByRole("navigation", { name: "Menu" });

/// What a health app does with a SMART Health Link: post the passcode to the manifest,
/// decrypt the record (a compact JWE, AES-256-GCM under the link's key, deflated).
async function readShlink(request, shlink: string, passcode: string) {
  const link = JSON.parse(Buffer.from(shlink.slice("shlink:/".length), "base64url").toString());
  expect(link.flag).toBe("P");
  const response = await request.post(link.url, { data: { recipient: "E2E app", passcode } });
  if (response.status() !== 200) return { status: response.status(), bundle: null };
  const [header, , iv, ciphertext, tag] = (await response.json()).files[0].embedded.split(".");
  const decipher = crypto.createDecipheriv("aes-256-gcm", Buffer.from(link.key, "base64url"), Buffer.from(iv, "base64url"));
  decipher.setAAD(Buffer.from(header, "ascii"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  const deflated = Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]);
  return { status: 200, bundle: JSON.parse(zlib.inflateRawSync(deflated).toString()) };
}

/// The text of a downloaded PDF, as a reader shows it (pdftotext, poppler-utils).
async function pdfText(download): Promise<string> {
  const path = (await download.path())!;
  expect(fs.readFileSync(path).subarray(0, 5).toString()).toBe("%PDF-");
  return execFileSync("pdftotext", [path, "-"]).toString();
}

test("a patient ticks two visits and downloads them as one PDF and as FHIR, and a document on file", async ({ page }) => {
  await signIn(page, "avery");
  await menu(page).getByRole("link", { name: "Documents" }).click();
  await expect(page.getByRole("heading", { name: "Document Center", level: 1 })).toBeVisible();
  await expectAccessible(page);

  // Nothing ticked: the server says so on the page, and nothing is downloaded.
  await page.getByRole("link", { name: "Visit records" }).click();
  await expect(page).toHaveURL(/\/documents\?kind=visit-records$/);
  await expect(page.getByRole("link", { name: "Visit records" })).toHaveAttribute("aria-current", "page");
  await page.getByRole("button", { name: "Download selected visits (PDF)" }).click();
  await expect(page.getByText("Tick at least one visit to put in the record.")).toBeVisible();

  // Avery's two most recent finished visits: the lab draw six days ago and the video visit.
  await page.getByRole("checkbox", { name: "Lab visit - Blood draw" }).first().check();
  await page.getByRole("checkbox", { name: "Video visit - Diabetes follow-up" }).check();
  // The browser posts the form itself: one request, one PDF made, one audit row.
  const posts: string[] = [];
  page.on("request", (r) => { if (r.url().includes("/api/documents/visit_records")) posts.push(r.method()); });
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download selected visits (PDF)" }).click();
  expect((await download).suggestedFilename()).toBe("visit-records.pdf");
  expect(posts).toEqual(["POST"]);
  const text = await pdfText(await download);
  expect(text).toContain("Avery Smith");
  expect(text).toContain("Diabetes follow-up");
  expect(text).toContain("Blood draw");
  expect(text).not.toContain("Annual physical");
  expect(text).toMatch(/Page 1 of \d/);

  // The same two visits as a FHIR R4 bundle: the same facts, for another clinic's system.
  const fhir = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download selected visits (FHIR)" }).click();
  expect((await fhir).suggestedFilename()).toBe("visit-records.json");
  const bundle = JSON.parse(fs.readFileSync((await (await fhir).path())!, "utf8"));
  expect(bundle.resourceType).toBe("Bundle");
  const resources = bundle.entry.map((e) => e.resource);
  const encounters = resources.filter((r) => r.resourceType === "Encounter");
  expect(encounters.map((e) => e.reasonCode?.[0]?.text).sort()).toEqual(["Blood draw", "Diabetes follow-up"]);
  expect(resources.find((r) => r.resourceType === "Patient").name[0].family).toBe("Smith");
  // Every reference names an entry of the bundle: it stands alone.
  const urls = new Set(bundle.entry.map((e) => e.fullUrl));
  const references = JSON.stringify(bundle).match(/"reference":"[^"]+"/g)!.map((r) => r.slice(13, -1));
  expect(references.length).toBeGreaterThan(2);
  expect(references.filter((r) => !urls.has(r))).toEqual([]);

  // The same two visits read in the page.
  await page.getByRole("button", { name: "Read selected visits here" }).click();
  await expect(page.getByRole("heading", { name: "Your visit records", level: 1 })).toBeVisible();
  await expect(page.getByRole("heading", { name: /Video visit/, level: 3 })).toBeVisible();
  await expect(page.getByRole("heading", { name: /Lab visit/, level: 3 })).toBeVisible();
  await expect(page.getByText("Annual physical")).toHaveCount(0);
  await expectAccessible(page);
  await page.getByRole("link", { name: "Back to documents" }).click();

  await page.getByRole("link", { name: "Documents on file" }).click();
  const summary = page.getByRole("button", { name: "Download Emergency Department discharge summary" });
  await expect(page.locator(".document-title", { hasText: "Operative report: right knee arthroscopy" })).toBeVisible();
  const onFile = page.waitForEvent("download");
  await summary.click();
  expect((await onFile).suggestedFilename()).toMatch(/^document-\d+\.pdf$/);
  expect(await pdfText(await onFile)).toContain("Heart attack ruled out");
  // The clinic's Notice of Privacy Practices (PORTICO_PRIVACY_NOTICE), on file for everyone.
  const notice = page.waitForEvent("download");
  await page.getByRole("button", { name: /^Download Notice of Privacy Practices/ }).click();
  expect((await notice).suggestedFilename()).toBe("notice-of-privacy-practices.pdf");
  expect(await pdfText(await notice)).toContain("Your rights");
  await expectAccessible(page);

  await page.getByRole("button", { name: "Español" }).click();
  await expect(page.getByRole("heading", { name: "Centro de documentos", level: 1 })).toBeVisible();
  await page.getByRole("link", { name: "Formularios" }).click();
  const form = page.waitForEvent("download");
  await page.getByRole("button", { name: /^Descargar Formulario de autorización/ }).click();
  expect(await pdfText(await form)).toContain("Autorización de acceso de apoderado");
  await expectAccessible(page);
  await page.getByRole("button", { name: "English" }).click();
});

test("a proxy without the Documents section has no menu entry and is refused", async ({ page }) => {
  // Jordan's own chart has it; Sam's grant on Joe's chart (messages and medications) does not.
  await signIn(page, "jordan");
  await expect(menu(page).getByRole("link", { name: "Documents" })).toBeVisible();
  await signOut(page);
  await signIn(page, "sam");
  await expect(page.getByTestId("chart-banner")).toHaveText("You are viewing Joe Carter's chart");
  await expect(menu(page).getByRole("link", { name: /^Messages/ })).toBeVisible();
  await expect(menu(page).getByRole("link", { name: "Documents" })).toHaveCount(0);
  await page.goto("/documents");
  await expect(page.getByText("You do not have access to this.")).toBeVisible();
  await expectAccessible(page);
  await signOut(page);
});

test("a patient requests a copy, HIM makes it, the patient downloads it", async ({ page }) => {
  await signIn(page, "avery");
  await menu(page).getByRole("link", { name: "Documents" }).click();
  // The demo's answered request is on the Requested records shelf.
  await page.getByRole("link", { name: "Requested records" }).click();
  await expect(page.locator(".document-title", { hasText: "Copy of your record" })).toHaveCount(1);
  await page.getByRole("link", { name: "Request a copy of your record" }).click();
  await expect(page.getByRole("heading", { name: "Request a copy of your record", level: 1 })).toBeVisible();
  await expectAccessible(page);
  for (const part of ["Problems", "Allergies", "Medications", "Immunizations", "Visits and their notes"]) {
    await page.getByLabel(part).uncheck();
  }
  await page.getByLabel("From", { exact: true }).fill("2026-02-01");
  await page.getByLabel("To", { exact: true }).fill("2026-01-01");
  await page.getByRole("button", { name: "Send request" }).click();
  await expect(page.getByLabel("To", { exact: true })).toHaveAccessibleDescription("The end date is before the start date.");
  await page.getByLabel("Test results").check();
  await page.getByLabel("From", { exact: true }).fill("");
  await page.getByLabel("To", { exact: true }).fill("");
  await page.getByRole("button", { name: "Send request" }).click();
  await expect(page.getByRole("status")).toHaveText("Your request was sent.");
  await expect(page.locator(".document").first()).toContainText("Waiting. Answered by");
  await expectAccessible(page);
  await signOut(page);

  await signIn(page, "him.lee");
  await menu(page).getByRole("link", { name: "Record copies" }).click();
  await expect(page.getByRole("heading", { name: "Requests for a copy of the record", level: 1 })).toBeVisible();
  const request = page.locator(".queued-request", { has: page.getByRole("heading", { name: /^Smith, Avery/ }) });
  await expect(request).toContainText("asked by Avery Smith (the patient)");
  await expectAccessible(page);
  await request.getByRole("button", { name: "Make the copy and send it" }).click();
  await expect(page.getByRole("status")).toHaveText("The copy was made and the requester told.");
  await signOut(page);

  await signIn(page, "avery");
  await page.goto("/documents/request");
  const ready = page.locator(".document").first();
  await expect(ready).toContainText("Ready.");
  const copy = page.waitForEvent("download");
  await ready.getByRole("button", { name: /^Download/ }).click();
  const text = await pdfText(await copy);
  expect(text).toContain("Copy of your health record");
  expect(text).toContain("Hemoglobin A1c");
  expect(text).not.toContain("Current medications");
});

test("HIM posts a document to a chart and the patient finds it on file", async ({ page }) => {
  await signIn(page, "him.lee");
  await menu(page).getByRole("link", { name: "Post a document" }).click();
  await expect(page.getByRole("heading", { name: "Post a document to a chart", level: 1 })).toBeVisible();
  await expectAccessible(page);
  const scan = { name: "letter.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4\n% Cardiology letter\n%%EOF\n") };
  await page.getByLabel("Patient MRN").fill("100001");
  await page.getByLabel("Kind").selectOption({ label: "Letter" });
  await page.getByLabel("Title").fill("Cardiology consult letter");
  await page.getByLabel("Date of the document").fill("2026-01-15");
  await page.getByLabel("From (department or clinician)").fill("Cardiology, Lakeside Hospital");
  // An HTML file named .pdf is refused by its bytes, at the field.
  await page.getByLabel("File", { exact: true }).setInputFiles({ ...scan, buffer: Buffer.from("<html><script>alert(1)</script>") });
  await page.getByRole("button", { name: "Post the document" }).click();
  await expect(page.getByText(/Only PNG or JPEG images and PDF documents/)).toBeVisible();
  await page.getByLabel("Patient MRN").fill("100001");
  await page.getByLabel("Title").fill("Cardiology consult letter");
  await page.getByLabel("Date of the document").fill("2026-01-15");
  await page.getByLabel("From (department or clinician)").fill("Cardiology, Lakeside Hospital");
  await page.getByLabel("File", { exact: true }).setInputFiles(scan);
  await page.getByRole("button", { name: "Post the document" }).click();
  await expect(page.getByRole("status")).toHaveText("The document was posted.");
  await signOut(page);

  await signIn(page, "avery");
  await page.goto("/documents?kind=on-file");
  await expect(page.locator(".document-title", { hasText: "Cardiology consult letter" })).toBeVisible();
});

test("a patient shares a visit with a code, a clinician opens it without an account, the patient ends it", async ({ page, browser, request }) => {
  await signIn(page, "avery");
  await menu(page).getByRole("link", { name: "Documents" }).click();
  await page.getByRole("link", { name: "Share your record with a clinician elsewhere" }).click();
  await expect(page.getByRole("heading", { name: "Share your record", level: 1 })).toBeVisible();
  await expectAccessible(page);

  // Visits chosen but none ticked: said at the field, nothing made.
  await page.getByLabel("The visits I tick below, with their notes and results").check();
  await page.getByRole("button", { name: "Make a code" }).click();
  await expect(page.getByText("Tick at least one visit to put in the record.")).toBeVisible();
  await page.getByLabel("The visits I tick below, with their notes and results").check();
  await page.getByRole("checkbox", { name: /Video visit - Diabetes follow-up/ }).check();
  await page.getByLabel("For how long").selectOption({ label: "1 hour" });
  await page.getByRole("button", { name: "Make a code" }).click();
  const code = (await page.locator(".share-code strong").textContent())!.trim();
  expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  // The same share as a SMART Health Link, for a health app: its QR code and its text.
  await expect(page.getByRole("img", { name: "QR code of the SMART Health Link" })).toBeVisible();
  const shlink = await page.getByLabel("The link as text").inputValue();
  expect(shlink).toMatch(/^shlink:\/[A-Za-z0-9_-]+$/);
  await expectAccessible(page);
  // Shown once: a reload shows the code's last four characters only.
  await page.reload();
  await expect(page.locator(".share-code")).toHaveCount(0);
  const name = `Code ending ${code.slice(-4)}`;
  await expect(page.locator(".document-title", { hasText: name })).toBeVisible();
  await page.getByRole("button", { name: "Español" }).click();
  await expect(page.getByRole("heading", { name: "Compartir su expediente", level: 1 })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.getByRole("heading", { name: "Share your record", level: 1 })).toBeVisible();

  // A clinician elsewhere, in a browser of their own with no account.
  const clinicianContext = await browser.newContext();
  const clinician = await clinicianContext.newPage();
  await clinician.goto("/share");
  await expect(clinician.getByRole("heading", { name: "Open a shared health record", level: 1 })).toBeVisible();
  await expectAccessible(clinician);
  await clinician.getByLabel("Share code").fill(code.toLowerCase());
  await clinician.getByLabel("Patient's date of birth").fill("1984-03-13");
  await clinician.getByRole("button", { name: "Open" }).click();
  await expect(clinician.getByText("That code and date of birth do not open a share.")).toBeVisible();
  await clinician.getByLabel("Share code").fill(code);
  await clinician.getByLabel("Patient's date of birth").fill("1984-03-12");
  await clinician.getByRole("button", { name: "Open" }).click();
  await expect(clinician).toHaveURL(/\/share\/view$/);
  await expect(clinician.getByRole("heading", { name: "Avery Smith", level: 1 })).toBeVisible();
  await expect(clinician.getByRole("heading", { name: /Video visit/, level: 3 })).toBeVisible();
  await expect(clinician.getByText("Annual physical")).toHaveCount(0);
  await expectAccessible(clinician);

  // The patient sees the opening, then ends the code; the clinician's next look is refused.
  await page.reload();
  await expect(page.getByRole("table", { name: `When ${name} was opened` }).getByRole("row")).toHaveCount(2);
  // A health app reads the same visit through the link; the patient sees that too.
  const { bundle } = await readShlink(request, shlink, "1984-03-12");
  const kinds = bundle.entry.map((e) => e.resource.resourceType);
  expect(kinds).toContain("Encounter");
  expect(JSON.stringify(bundle)).toContain("Diabetes follow-up");
  expect(JSON.stringify(bundle)).not.toContain("Annual physical");
  await page.reload();
  await expect(page.getByRole("cell", { name: "SMART Health Link: E2E app" })).toBeVisible();
  await page.getByRole("button", { name: `End now ${name}` }).click();
  await expect(page.getByRole("button", { name: `End now ${name}` })).toHaveCount(0);
  await clinician.reload();
  await expect(clinician.getByText("This share has ended or expired. Ask the patient for a new code.")).toBeVisible();
  await expect(clinician.getByRole("heading", { name: "Avery Smith" })).toHaveCount(0);
  expect((await readShlink(request, shlink, "1984-03-12")).status).toBe(404);
  // The README's demo code: Avery's health summary.
  await clinician.goto("/share");
  await clinician.getByLabel("Share code").fill("DEM0-SHAR-E7Q4");
  await clinician.getByLabel("Patient's date of birth").fill("1984-03-12");
  await clinician.getByRole("button", { name: "Open" }).click();
  await expect(clinician.getByRole("heading", { name: "Problems", level: 2 })).toBeVisible();
  await expect(clinician.getByText("Essential hypertension (I10)")).toBeVisible();
  await clinicianContext.close();

  await page.goto("/sharing/access-log");
  await expect(page.getByRole("cell", { name: "Someone with a share code" }).first()).toBeVisible();
});

test("a patient prepares their whole record as one archive and downloads it", async ({ page }) => {
  await signIn(page, "avery");
  await menu(page).getByRole("link", { name: "Documents" }).click();
  await page.getByRole("link", { name: "Download my whole record" }).click();
  await expect(page.getByRole("heading", { name: "Download my whole record", level: 1 })).toBeVisible();
  await page.getByRole("button", { name: /^Prepare (my whole record|a new archive)$/ }).click();
  // Made in the background: the page refreshes itself until the archive is ready.
  const download = page.getByRole("button", { name: /^Download my whole record \(ZIP, \d+ KB\)$/ });
  await expect(download).toBeVisible({ timeout: 30_000 });
  await expectAccessible(page);
  const file = page.waitForEvent("download");
  await download.click();
  expect((await file).suggestedFilename()).toBe("my-health-record.zip");
  const listing = execFileSync("unzip", ["-l", (await (await file).path())!]).toString();
  expect(listing).toContain("record.pdf");
  expect(listing).toContain("record-fhir.json");
  expect(listing).toContain("documents/notice-of-privacy-practices.pdf");
});

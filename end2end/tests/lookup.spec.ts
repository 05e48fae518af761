import { expect, test } from '@playwright/test';
import { sample } from './samples';

// What a person sees for each sample outcome after typing the serial and pressing Look up.
const expectations: [string, RegExp][] = [
  ['active_warranty', /Under warranty until \d{4}-\d{2}-\d{2}/],
  ['expired_warranty', /Warranty expired on \d{4}-\d{2}-\d{2}/],
  ['recalled', /Open — this unit still needs the remedy/],
  ['component_recall', /battery cells may overheat/],
  ['remedied', /Remedied — the remedy has been carried out/],
  ['stolen', /Reported stolen — do not buy; contact police\./],
  ['not_found', /Not in our records/],
  ['invalid', /Not a valid serial number/],
];

for (const [outcome, text] of expectations) {
  test(`typing a ${outcome} serial shows its answer`, async ({ page }) => {
    await page.goto('/');
    // Wait for hydration: the instant feedback below the field comes from the wasm parser.
    const field = page.getByLabel('Serial number, IMEI, barcode data or product link');
    await field.click();
    await field.pressSequentially(sample(outcome).serial, { delay: 5 });
    await expect(page.locator('#serial-feedback')).not.toBeEmpty();
    await page.getByRole('button', { name: 'Look up' }).click();
    await expect(page).toHaveURL(/\/lookup\?serial=/);
    await expect(page.locator('main')).toContainText(text);
    await expect(page.locator('main')).not.toContainText('CASE-');
  });
}

test('instant feedback flags a malformed serial before submitting', async ({ page }) => {
  await page.goto('/');
  const field = page.getByLabel('Serial number, IMEI, barcode data or product link');
  await field.click();
  await field.pressSequentially('AB<12', { delay: 5 });
  await expect(page.locator('#serial-feedback')).toContainText('position 3');
  await field.fill('');
  await field.pressSequentially('(01)09506000134352(21)XY9', { delay: 5 });
  await expect(page.locator('#serial-feedback')).toContainText('Barcode read: serial number XY9');
});

test('a GS1 Digital Link opens the portal on that unit', async ({ page }) => {
  const pump = sample('remedied');
  await page.goto(`/01/${pump.gtin}/10/LOT1/21/${pump.serial}?17=301231`);
  await expect(page).toHaveURL(/\/lookup\?serial=/);
  await expect(page.getByRole('heading', { name: /Medilinea IP3 infusion pump/ })).toBeVisible();
  await expect(page.locator('main')).toContainText('Remedied');
});

test('a serial shared by two products lists both to pick from', async ({ page }) => {
  await page.goto(`/lookup?serial=${sample('several_products').serial}`);
  await expect(page.getByText('Which product is yours?')).toBeVisible();
  await expect(page.getByRole('heading', { name: /Brightline 55-inch TV/ })).toBeVisible();
  await expect(page.getByRole('heading', { name: /Brightline 65-inch TV/ })).toBeVisible();
});

test('the recall list searches and a recall page checks a unit', async ({ page }) => {
  await page.goto('/recalls');
  await page.getByLabel('Search').fill('battery');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByText('1 active recall')).toBeVisible();
  await page.getByRole('link', { name: /battery cells may overheat/ }).click();
  await expect(page.getByRole('heading', { name: 'Is my unit affected?' })).toBeVisible();
  const field = page.getByLabel('Serial number, IMEI, barcode data or product link');
  await field.fill(sample('component_recall').serial);
  await page.getByRole('button', { name: 'Look up' }).click();
  await expect(page.locator('main')).toContainText('battery cells may overheat');
});

import { expect, test } from '@playwright/test';
import { sample } from './samples';

// With JavaScript off, the lookup is a plain form and the answer is rendered on the server.
test('a lookup works with JavaScript disabled', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Serial number, IMEI, barcode data or product link').fill(sample('stolen').serial);
  await page.getByRole('button', { name: 'Look up' }).click();
  await expect(page).toHaveURL(/\/lookup\?serial=/);
  await expect(page.locator('main')).toContainText('Reported stolen — do not buy; contact police.');
});

test('an empty lookup explains itself with JavaScript disabled', async ({ page }) => {
  const response = await page.goto('/lookup?serial=');
  expect(response?.status()).toBe(400);
  await expect(page.locator('main')).toContainText('Enter a serial number');
});

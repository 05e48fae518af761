import { Browser, expect, test } from '@playwright/test';
import { DEMO_PASSWORD, signIn } from './accounts';

// Scan to look up, with or without JavaScript (the spec files call this once per project).
// Chromium here has no BarcodeDetector, so the camera button explains the fallback and the
// photo of a QR code (a label the staff back office printed) is read on the server.

// A new HC-L14 serial and a PNG of its label's QR code (its GS1 Digital Link).
async function labelPhoto(browser: Browser): Promise<{ serial: string; png: Buffer }> {
  const context = await browser.newContext();
  const staff = await context.newPage();
  await signIn(staff, 'staff@demo.serialtrace.test', DEMO_PASSWORD);
  await expect(staff).toHaveURL(/\/account$/);
  await staff.goto('/staff/products');
  await staff.getByRole('link', { name: 'HC-L14', exact: true }).click();
  await staff.getByLabel('How many').fill('1');
  await staff.getByRole('button', { name: 'Make the serials' }).click();
  await expect(staff.locator('.notice')).toContainText('1 new serials made');
  const serial = (await staff.locator('.label-serial').first().textContent())?.trim() ?? '';
  const code = staff.locator('.label svg').first();
  await code.evaluate((el) => {
    el.setAttribute('width', '360');
    el.setAttribute('height', '360');
  });
  const png = await code.screenshot();
  await context.close();
  return { serial, png };
}

export function scanFlows(javascript: boolean) {
  test('a photo of a label\'s QR code leads to the unit\'s answer', async ({ page, browser }) => {
    const { serial, png } = await labelPhoto(browser);
    await page.goto('/');
    await page.getByText('Scan the barcode or QR code instead').click();
    if (javascript) {
      await page.getByRole('button', { name: 'Scan with the camera' }).click();
      await expect(page.locator('.scan-message')).toContainText(/upload a photo/i);
    } else {
      await expect(page.getByRole('button', { name: 'Scan with the camera' })).toBeVisible();
    }
    await page.getByLabel('Or take or upload a photo of the code').setInputFiles({ name: 'label.png', mimeType: 'image/png', buffer: png });
    await page.getByRole('button', { name: 'Read the photo' }).click();
    await expect(page).toHaveURL(/\/lookup\?serial=/);
    await expect(page.locator(`article.unit[data-serial="${serial}"]`)).toBeVisible();
    await expect(page.locator('main')).toContainText('In the manufacturer\'s records');
  });
}

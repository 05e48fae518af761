import { expect, test } from '@playwright/test';
import { DEMO_PASSWORD, signIn } from './accounts';

// The back office as a manufacturer's staff member uses it, with or without JavaScript.
export function staffFlows(javascript: boolean) {
  test('staff import a CSV of units and the public lookup knows them', async ({ page }) => {
    const serial = `E2E${javascript ? 'J' : 'N'}${Date.now() % 1e9}`;
    await signIn(page, 'staff@demo.serialtrace.test', DEMO_PASSWORD);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Back office' }).click();
    await expect(page.getByRole('heading', { name: 'Back office · Hallmark Computing' })).toBeVisible();
    await page.getByRole('link', { name: 'Import units from a CSV file' }).click();
    const csv = [
      'manufacturer,model,serial,lot,manufactured_on,sold_on,warranty_months',
      `hallmark,HC-CELL,${serial},E2E-LOT,2026-01-02,,`,
      'nordvik,NV-P8,353320110000028,,,,',
    ].join('\n');
    await page.getByLabel('CSV file').setInputFiles({ name: 'units.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Import' }).click();
    await expect(page.getByRole('heading', { name: 'Import: units.csv' })).toBeVisible();
    // The page refreshes itself until the import is done.
    await expect(page.locator('.summary')).toContainText('2 rows: 1 created, 0 updated, 0 unchanged, 1 rejected.', { timeout: 15_000 });
    await expect(page.locator('table.problems')).toContainText('is not your manufacturer');

    await page.goto(`/lookup?serial=${serial}`);
    await expect(page.locator('main')).toContainText('Hallmark');
    await expect(page.locator('main')).not.toContainText('Not in our records');
  });
}

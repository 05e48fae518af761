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

  test('staff create a product, make serials, link a component, publish a component recall; lookups show it', async ({ page }) => {
    const tag = `${javascript ? 'J' : 'N'}${Date.now() % 1e6}`;
    const model = `E2E-${tag}`;
    await signIn(page, 'staff@demo.serialtrace.test', DEMO_PASSWORD);

    // A product with a structured serial format (the form's defaults: safe body, ISO 7064 check).
    await page.goto('/staff/products');
    await page.getByLabel('Model number').fill(model);
    await page.getByLabel('Name', { exact: true }).fill(`Test cell ${tag}`);
    await page.getByLabel('Category').fill('battery cell');
    await page.getByLabel('GTINs').fill('1234');
    await page.getByLabel('Prefix').fill(`Q${tag}`);
    await page.getByRole('button', { name: 'Add the product' }).click();
    // A bad GTIN is answered next to its field; what was typed stays.
    await expect(page.locator('#f-gtins-problem')).toContainText('A GTIN has 8, 12, 13 or 14 digits');
    await expect(page.getByLabel('Model number')).toHaveValue(model);
    await page.getByLabel('GTINs').fill('');
    await page.getByRole('button', { name: 'Add the product' }).click();
    await expect(page.getByRole('heading', { name: `${model} · Test cell ${tag}` })).toBeVisible();

    // Two new serials, with their labels.
    await page.getByLabel('How many').fill('2');
    await page.getByRole('button', { name: 'Make the serials' }).click();
    await expect(page.locator('.notice')).toContainText('2 new serials made');
    const serials = await page.locator('.label-serial').allTextContents();
    expect(serials).toHaveLength(2);
    const [cell, pack] = serials;
    await expect(page.locator('.label svg')).toHaveCount(2);

    // The cell is built into the pack.
    await page.goto(`/staff/units?serial=${pack}`);
    await page.getByRole('link', { name: `${pack} · ${model}` }).click();
    await page.getByLabel('Serial or lot code').fill(cell);
    await page.getByRole('button', { name: 'Link the component' }).click();
    await expect(page.locator('.notice')).toContainText('The component has been linked.');
    await expect(page.locator('ul.components')).toContainText(`unit ${cell} · ${model}`);

    // A recall of the cell reaches the pack.
    const number = `E2E-R-${tag}`;
    await page.goto('/staff/recalls');
    await page.getByLabel('Recall number').fill(number);
    await page.getByLabel('Title').fill('Cells may swell');
    await page.getByLabel('Hazard').fill('fire');
    await page.getByLabel('Description').fill('A batch of cells can swell when charged.');
    await page.getByLabel('What owners should do').fill('Stop charging and book a replacement.');
    await page.getByLabel('Starts on').fill('2026-11-01');
    await page.getByRole('button', { name: 'Save the draft' }).click();
    await expect(page.getByRole('heading', { name: `${number} · Cells may swell` })).toBeVisible();
    await page.getByLabel('Add a rule covering').selectOption('component_serial');
    await page.getByLabel('Serials', { exact: true }).fill(cell);
    await page.getByRole('button', { name: 'Add the rule' }).click();
    await expect(page.locator('.preview')).toContainText('Preview: 2 units would be affected.');
    await page.getByRole('button', { name: 'Publish the recall' }).click();
    await expect(page.locator('.notice')).toContainText('The recall is published');

    await page.goto(`/lookup?serial=${pack}`);
    await expect(page.locator('main')).toContainText(number);
    await expect(page.locator('main')).toContainText('Cells may swell');
  });
}

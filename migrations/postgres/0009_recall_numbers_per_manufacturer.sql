-- A recall number is unique within its manufacturer, not across all of them: one maker can
-- neither probe nor take another's (unpublished) numbers. Public URLs name both.
ALTER TABLE recalls DROP CONSTRAINT recalls_number_key;
ALTER TABLE recalls ADD CONSTRAINT recalls_number_key UNIQUE (manufacturer_id, number);
-- The public page and the old one-segment links find a number across manufacturers.
CREATE INDEX recalls_number ON recalls (number);

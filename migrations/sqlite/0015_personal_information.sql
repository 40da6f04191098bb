-- Personal information (issue 14, part 2): kept by the patient on their own chart. The
-- demographics are USCDI codes (CDC Race & Ethnicity, SNOMED CT, LOINC, HL7 NullFlavor
-- ASKU for "choose not to answer"); NULL is "not asked". `races` holds several codes,
-- comma-separated. `postal_code` and `phone` (digits) came with sign-up (0013).
ALTER TABLE patients ADD COLUMN preferred_name TEXT;
ALTER TABLE patients ADD COLUMN address_line TEXT;
ALTER TABLE patients ADD COLUMN city TEXT;
ALTER TABLE patients ADD COLUMN region TEXT;
ALTER TABLE patients ADD COLUMN emergency_name TEXT;
ALTER TABLE patients ADD COLUMN emergency_relationship TEXT;
ALTER TABLE patients ADD COLUMN emergency_phone TEXT;
ALTER TABLE patients ADD COLUMN language TEXT;
ALTER TABLE patients ADD COLUMN races TEXT;
ALTER TABLE patients ADD COLUMN ethnicity TEXT;
ALTER TABLE patients ADD COLUMN sexual_orientation TEXT;
ALTER TABLE patients ADD COLUMN gender_identity TEXT;
ALTER TABLE patients ADD COLUMN pronouns TEXT;
ALTER TABLE patients ADD COLUMN personal_updated_at INTEGER;

-- An account an administrator disabled (`portico admin disable-staff`): it signs in no
-- more (the generic sign-in failure) and its sessions end at once; enabling clears it.
ALTER TABLE users ADD COLUMN disabled_at BIGINT;

-- A password someone else chose (`portico admin create-staff` prints one): the first
-- sign-in replaces it before anything else.
ALTER TABLE users ADD COLUMN must_change_password BIGINT NOT NULL DEFAULT 0;

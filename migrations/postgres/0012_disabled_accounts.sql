-- An account an administrator disabled (`portico admin disable-staff`): it signs in no
-- more (the generic sign-in failure) and its sessions end at once; enabling clears it.
ALTER TABLE users ADD COLUMN disabled_at BIGINT;

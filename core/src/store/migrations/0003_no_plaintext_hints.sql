-- Schema 3 (seal format 2). The plaintext hint columns go: 本人/家族 (`members.relationship`),
-- the document kind and hand-entered vs signed (`records.kind`, `records.provenance`), and the
-- day of the last change (`updated_day`). Each is already inside the row's sealed data, and no
-- query needs it. Columns that stay, and why:
--   members.ordinal      the display order (ORDER BY, and max + 1 for a new member); it says
--                        only in which order members were added;
--   records.member_id,   the owner, for "this member's records", the member's cascade and the
--   card_checks.member_id  one-check-per-member rule (random ids, compared with the sealed
--                        owner on every read);
--   *.lookup             the keyed hashes (HMAC) for equality search;
--   records.signed       always filled from now on (a hand-entered record gets a sealed empty
--                        value), so NULL or not no longer tells the two kinds apart.
-- In the same transaction (core/src/store/migrate.rs) every sealed value is opened with the
-- format-1 associated data and sealed again in format 2 (length-prefixed associated data,
-- padded plaintext), the canary too, and the sealed row list (`meta` row `manifest`) is
-- written. The tables are rebuilt (SQLite's DROP COLUMN trips over the comments in
-- schema 1's column list), with foreign keys off for the migration's transaction (core/src/store/open.rs),
-- so dropping an old table deletes nothing else; `secure_delete` zeroes the old pages.
CREATE TABLE members_v3 (
    id      TEXT PRIMARY KEY,                 -- random UUID
    ordinal INTEGER NOT NULL,                 -- display order
    data    BLOB NOT NULL                     -- sealed: name, kana, birth date, sex, relationship
) STRICT;
INSERT INTO members_v3 (id, ordinal, data) SELECT id, ordinal, data FROM members;

CREATE TABLE records_v3 (
    id        TEXT PRIMARY KEY,               -- random UUID
    member_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    lookup    BLOB NOT NULL,                  -- HMAC of 保険者番号, 記号, 番号, 枝番 (folded)
    data      BLOB NOT NULL,                  -- sealed: the record (kind included), provenance
    signed    BLOB                            -- sealed signed bytes; sealed empty if hand-entered
) STRICT;
INSERT INTO records_v3 (id, member_id, lookup, data, signed)
    SELECT id, member_id, lookup, data, signed FROM records;

CREATE TABLE card_checks_v3 (
    id        TEXT PRIMARY KEY,               -- random UUID
    member_id TEXT NOT NULL UNIQUE REFERENCES members(id) ON DELETE CASCADE,
    lookup    BLOB NOT NULL,                  -- HMAC of the card key's fingerprint
    data      BLOB NOT NULL                   -- sealed: StoredCardCheck (its time included)
) STRICT;
INSERT INTO card_checks_v3 (id, member_id, lookup, data)
    SELECT id, member_id, lookup, data FROM card_checks;

DROP TABLE card_checks;
DROP TABLE records;
DROP TABLE members;
ALTER TABLE members_v3 RENAME TO members;
ALTER TABLE records_v3 RENAME TO records;
ALTER TABLE card_checks_v3 RENAME TO card_checks;
CREATE INDEX records_member ON records(member_id);
CREATE INDEX records_lookup ON records(lookup);
CREATE INDEX card_checks_lookup ON card_checks(lookup);

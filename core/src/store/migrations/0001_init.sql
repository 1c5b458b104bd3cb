-- Schema 1. Plaintext columns hold only random ids, ordinals, kinds and coarse (day) timestamps.
-- Every personal value lives in a sealed column (AES-256-GCM, associated data = table, row id,
-- column, schema version). `lookup` is an HMAC under a key derived from the data key.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
) STRICT;

CREATE TABLE members (
    id           TEXT PRIMARY KEY,         -- random UUID
    ordinal      INTEGER NOT NULL,         -- display order
    relationship INTEGER NOT NULL,         -- 1 本人, 2 家族
    data         BLOB NOT NULL,            -- sealed JSON: name, kana, birth date, sex
    updated_day  INTEGER NOT NULL          -- days since 1970-01-01 (UTC)
) STRICT;

CREATE TABLE records (
    id          TEXT PRIMARY KEY,          -- random UUID
    member_id   TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    kind        INTEGER NOT NULL,          -- 1 お知らせ, 2 マイナポータル, 3 資格確認書
    provenance  INTEGER NOT NULL,          -- 1 issuer-signed, 2 hand-entered
    lookup      BLOB NOT NULL,             -- HMAC of 保険者番号, 記号, 番号, 枝番 (folded)
    data        BLOB NOT NULL,             -- sealed JSON: the record and provenance metadata
    signed      BLOB,                      -- sealed signed document bytes (issuer-signed only)
    updated_day INTEGER NOT NULL
) STRICT;

CREATE INDEX records_member ON records(member_id);
CREATE INDEX records_lookup ON records(lookup);

-- The latest My Number Card check per member (at most one row per member). The whole result,
-- 基本4情報 and key fingerprint included, is sealed; `lookup` is an HMAC of the fingerprint so
-- the member holding a given card can be found.
CREATE TABLE card_checks (
    id          TEXT PRIMARY KEY,          -- random UUID
    member_id   TEXT NOT NULL UNIQUE REFERENCES members(id) ON DELETE CASCADE,
    lookup      BLOB NOT NULL,
    data        BLOB NOT NULL,             -- sealed JSON: StoredCardCheck
    updated_day INTEGER NOT NULL
) STRICT;

CREATE INDEX card_checks_lookup ON card_checks(lookup);

-- The clinic desk's store, schema 1. Plaintext columns hold only positions and keyed hashes:
-- every personal value (claim fields, declarations, the operator's name, the time of the visit)
-- is sealed with AES-256-GCM (associated data = table, row, column, seal format). `day` and
-- `patient` are HMACs under the look-up key derived from the data key, so the indexes answer
-- "a day's visits" and "a patient's last visit" without any readable date or number on disk.
-- No plaintext time column: a keyed hash of the day (in Japan) suffices for every query (a
-- date range is one index probe per day), so none is kept.
CREATE TABLE desk_meta (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
) STRICT;

-- The visit log: append-only, one row per entry, `seq` = position in the chain (1, 2, …).
-- `hash` = HMAC-SHA-256 (a key derived from the data key) over the previous entry's hash and this
-- row's stored bytes (docs/clinic.md);
-- the chain head (count and last hash) is sealed in desk_meta('log_head').
CREATE TABLE visits (
    seq     INTEGER PRIMARY KEY,
    day     BLOB NOT NULL,             -- HMAC of the visit's day in Japan (YYYY-MM-DD)
    patient BLOB,                      -- HMAC of 保険者番号, 記号, 番号, 枝番 (folded); NULL if unknown
    data    BLOB NOT NULL,             -- sealed JSON: the entry
    hash    BLOB NOT NULL              -- the chain hash (32 bytes)
) STRICT;

CREATE INDEX visits_day ON visits(day, seq);
CREATE INDEX visits_patient ON visits(patient, seq) WHERE patient IS NOT NULL;

-- Schema 2. The presentation document (format version 2, docs/protocol.md) an issuer signs
-- beside each full document: what a clinic reads from the QR code. At most one per record; it
-- goes with its record. `data` is sealed (AES-256-GCM, associated data = table, record id,
-- column) like every other personal value.
CREATE TABLE presentations (
    record_id TEXT PRIMARY KEY REFERENCES records(id) ON DELETE CASCADE,
    data      BLOB NOT NULL            -- sealed signed presentation bytes (COSE_Sign1)
) STRICT;

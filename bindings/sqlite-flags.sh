# shellcheck shell=bash
# Sourced by bindings/build-ffi.sh (and so by android/build-rust.sh, ios/build-xcframework.sh and
# scripts/ffi-size): the SQLite compile options of the app builds, read by libsqlite3-sys's
# `bundled` build. The host tests keep libsqlite3-sys's defaults. What each group saves is
# measured in docs/decisions/0007-ffi-size.md.
#
# The core uses plain tables with STRICT, indexes, foreign keys with ON DELETE CASCADE, UPSERT,
# transactions, WAL with wal_checkpoint, and the pragmas secure_delete, temp_store, foreign_keys,
# synchronous, journal_mode, application_id and user_version (read through the pragma_…
# table-valued functions, so virtual tables stay). Only options that leave the SQL grammar alone
# are used (SQLite's parser in the amalgamation is generated with every feature):
#
# - extensions the core never uses: full-text search (FTS3/FTS5), R-tree, dbstat, STAT4, soundex,
#   column metadata, JSON functions, loadable extensions;
# - APIs and SQL functions neither rusqlite (with the core's features) nor the core calls: the
#   progress callback, the authorizer, declared types, UTF-16 APIs, sqlite3_complete,
#   sqlite3_get_table, tracing, (de)serialisation, incremental blob I/O, compile-option and
#   introspection pragmas, the schema pragmas (table_info and friends), integrity_check, the
#   date and time functions, auto-vacuum, worker threads for sorting, sqlite3_release_memory;
# - query-planner optimisations none of the core's statements can use (no LIKE, OR or BETWEEN
#   in a WHERE, no INSERT … SELECT, no join without an index);
# - SQLite's recommended DEFAULT_MEMSTATUS=0, OMIT_DEPRECATED and OMIT_SHARED_CACHE;
# - what none of the core's statements or settings reach: the test hooks (UNTESTABLE),
#   memory-mapped I/O (MAX_MMAP_SIZE=0; the default mmap size is 0 and the core sets none),
#   generated columns, `$name` parameters (the core binds `?` and `?N`), the case_sensitive_like
#   pragma, the truncate optimisation of an unfiltered DELETE.
#
# scripts/ffi-size fails if any of these removed a function rusqlite still calls (an undefined
# sqlite3 symbol would only fail at load time on the phone).
export LIBSQLITE3_FLAGS="-USQLITE_ENABLE_FTS3 -USQLITE_ENABLE_FTS3_PARENTHESIS -USQLITE_ENABLE_FTS5 \
-USQLITE_ENABLE_RTREE -USQLITE_ENABLE_DBSTAT_VTAB -USQLITE_ENABLE_STAT4 -USQLITE_SOUNDEX \
-USQLITE_ENABLE_COLUMN_METADATA -DSQLITE_OMIT_JSON -DSQLITE_OMIT_LOAD_EXTENSION \
-DSQLITE_OMIT_PROGRESS_CALLBACK -DSQLITE_OMIT_AUTHORIZATION -DSQLITE_OMIT_DECLTYPE \
-DSQLITE_OMIT_UTF16 -DSQLITE_OMIT_COMPLETE -DSQLITE_OMIT_GET_TABLE -DSQLITE_OMIT_TRACE \
-DSQLITE_OMIT_DESERIALIZE -DSQLITE_OMIT_INCRBLOB -DSQLITE_OMIT_COMPILEOPTION_DIAGS \
-DSQLITE_OMIT_INTROSPECTION_PRAGMAS -DSQLITE_OMIT_SCHEMA_PRAGMAS -DSQLITE_OMIT_INTEGRITY_CHECK \
-DSQLITE_OMIT_DATETIME_FUNCS -DSQLITE_OMIT_AUTOVACUUM -DSQLITE_MAX_WORKER_THREADS=0 \
-USQLITE_ENABLE_MEMORY_MANAGEMENT -DSQLITE_OMIT_LIKE_OPTIMIZATION -DSQLITE_OMIT_OR_OPTIMIZATION \
-DSQLITE_OMIT_BETWEEN_OPTIMIZATION -DSQLITE_OMIT_XFER_OPT -DSQLITE_OMIT_AUTOMATIC_INDEX \
-DSQLITE_DEFAULT_MEMSTATUS=0 -DSQLITE_OMIT_DEPRECATED -DSQLITE_OMIT_SHARED_CACHE \
-DSQLITE_UNTESTABLE -DSQLITE_MAX_MMAP_SIZE=0 -DSQLITE_OMIT_GENERATED_COLUMNS \
-DSQLITE_OMIT_TCL_VARIABLE -DSQLITE_OMIT_CASE_SENSITIVE_LIKE_PRAGMA \
-DSQLITE_OMIT_TRUNCATE_OPTIMIZATION"

# Sourced by android/build-rust.sh, ios/build-xcframework.sh and scripts/ffi-size: SQLite
# compile options of the app builds (read by libsqlite3-sys's `bundled` build). The core uses
# none of these extensions (no full-text search, R-tree, dbstat, STAT4, soundex or column
# metadata); compiling them out saves ~0.3 MiB. The host tests keep libsqlite3-sys's defaults.
export LIBSQLITE3_FLAGS="-USQLITE_ENABLE_FTS3 -USQLITE_ENABLE_FTS3_PARENTHESIS -USQLITE_ENABLE_FTS5 -USQLITE_ENABLE_RTREE -USQLITE_ENABLE_DBSTAT_VTAB -USQLITE_ENABLE_STAT4 -USQLITE_SOUNDEX -USQLITE_ENABLE_COLUMN_METADATA -DSQLITE_DEFAULT_MEMSTATUS=0 -DSQLITE_OMIT_DEPRECATED -DSQLITE_OMIT_SHARED_CACHE"

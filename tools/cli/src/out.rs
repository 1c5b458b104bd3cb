//! Writing to standard output without panicking: `out!` and `outln!` return an error (from the
//! enclosing function, with `?`) when stdout is closed, e.g. `shikaku household | head`.

/// Writes to stdout, returning an error (instead of panicking) when stdout is closed.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($arg)*)?
    }};
}

/// [`out!`] with a newline.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)?
    }};
}

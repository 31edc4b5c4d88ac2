//! Measuring the `quotes` stage (filled in as its lab code moves here from the stage crate).

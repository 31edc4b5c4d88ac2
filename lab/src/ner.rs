//! Measuring the `entities` stage (filled in as its lab code moves here from the stage crate).

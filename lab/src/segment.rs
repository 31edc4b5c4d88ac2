//! Measuring the `segment` stage (`newsflow.articles.ingested` → `newsflow.articles.segmented`)
//! from outside it, through its public [`newsflow_segment::segment_text`]: the English Golden
//! Rules score ([`eval`], `newsflow eval segment`) and the speed over CoNLL-2003 news text
//! ([`mod@bench`], `newsflow bench segment`), each beside pySBD measured in the same run (`pysbd`,
//! through `scripts/pysbd_runner.py`). A missing pySBD is reported, never an error.

pub mod bench;
pub mod eval;
mod pysbd;

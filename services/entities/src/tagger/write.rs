//! Writing a model file, the counterpart of [`Model::from_bytes`]; and building the weight tables
//! it holds from trained float weights. Training's side of the format (the `train` feature).

use super::{MAGIC, Model, Table};
use crate::clusters::Clusters;
use crate::gazetteer::Gazetteer;
use crate::tags::NTAGS;
use crate::word_classes::{WordClass, WordClasses};

impl Table {
    /// Builds a table from dense weights (`(1 << bits) * NTAGS` of them), keeping the rows with
    /// a non-zero weight.
    fn from_dense(bits: u32, weights: &[i16]) -> Table {
        let rows = weights
            .chunks_exact(NTAGS)
            .enumerate()
            .filter(|(_, w)| w.iter().any(|&x| x != 0))
            .map(|(r, w)| (r, w.try_into().expect("rows are NTAGS long")));
        Table::from_rows(bits, rows)
    }

    /// The stored rows with their row numbers, in row order.
    fn stored(&self) -> impl Iterator<Item = (usize, &[i16; NTAGS])> + '_ {
        self.index
            .iter()
            .enumerate()
            .flat_map(|(bi, b)| {
                (0..64)
                    .filter(move |k| b.present & (1 << k) != 0)
                    .map(move |k| bi * 64 + k)
            })
            .zip(&self.rows[1..])
    }

    /// Quantises averaged float weights to `i16` and zeroes those below `prune`.
    pub(crate) fn from_float(bits: u32, w: &[f32], prune: i16) -> Table {
        let max = w.iter().fold(0f32, |m, &x| m.max(x.abs()));
        // Scale so the largest weight fits; sums of ~60 rows stay far inside i32.
        let scale = if max > 0.0 { 32_000.0 / max } else { 1.0 };
        let weights: Vec<i16> = w
            .iter()
            .map(|&x| {
                let q = (x * scale).round().clamp(-32_767.0, 32_767.0) as i16;
                if q.unsigned_abs() < prune as u16 {
                    0
                } else {
                    q
                }
            })
            .collect();
        Table::from_dense(bits, &weights)
    }

    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.bits.to_le_bytes());
        let rows: Vec<(usize, &[i16; NTAGS])> = self
            .stored()
            .filter(|(_, w)| w.iter().any(|&x| x != 0))
            .collect();
        out.extend_from_slice(&(rows.len() as u32).to_le_bytes());
        let mut prev = 0usize;
        for &(r, _) in &rows {
            put_varint(out, (r - prev) as u64);
            prev = r;
        }
        for (_, w) in &rows {
            for &x in w.iter() {
                out.extend_from_slice(&x.to_le_bytes());
            }
        }
    }
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

impl Model {
    pub(crate) fn new(
        tables: Vec<Table>,
        gaz: Gazetteer,
        clusters: Clusters,
        classes: WordClasses,
    ) -> Model {
        Model {
            tables,
            gaz,
            clusters,
            classes,
        }
    }

    /// Serialises the model: header, gazetteer, clusters, word classes, then each table's
    /// non-zero rows.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(NTAGS as u32).to_le_bytes());
        let mut gaz: Vec<(u64, u8)> = self.gaz.map.iter().map(|(&k, &v)| (k, v)).collect();
        gaz.sort_unstable();
        out.extend_from_slice(&(gaz.len() as u32).to_le_bytes());
        for (k, v) in gaz {
            out.extend_from_slice(&k.to_le_bytes());
            out.push(v);
        }
        let mut cl: Vec<(u64, (u16, u16))> =
            self.clusters.map.iter().map(|(&k, &v)| (k, v)).collect();
        cl.sort_unstable();
        out.extend_from_slice(&(cl.len() as u32).to_le_bytes());
        for (k, (f, c)) in cl {
            out.extend_from_slice(&k.to_le_bytes());
            out.extend_from_slice(&f.to_le_bytes());
            out.extend_from_slice(&c.to_le_bytes());
        }
        let mut wc: Vec<(u64, WordClass)> =
            self.classes.map.iter().map(|(&k, &v)| (k, v)).collect();
        wc.sort_unstable_by_key(|x| x.0);
        out.extend_from_slice(&(wc.len() as u32).to_le_bytes());
        for (k, c) in wc {
            out.extend_from_slice(&k.to_le_bytes());
            for l in c.levels {
                out.extend_from_slice(&l.to_le_bytes());
            }
            out.push(c.neighbours);
        }
        out.extend_from_slice(&(self.tables.len() as u32).to_le_bytes());
        for t in &self.tables {
            t.write(&mut out);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::words::lower_hash;

    impl Table {
        /// All `(1 << bits) * NTAGS` weights.
        fn dense(&self) -> Vec<i16> {
            let mut out = vec![0i16; (1usize << self.bits) * NTAGS];
            for (r, w) in self.stored() {
                out[r * NTAGS..(r + 1) * NTAGS].copy_from_slice(w);
            }
            out
        }
    }

    #[test]
    fn model_bytes_round_trip() {
        let mut g = Gazetteer::default();
        g.add(&["New", "York"], 2);
        let mut w = vec![0f32; (1 << 10) * NTAGS];
        w[5] = 1.5;
        w[NTAGS * 700 + 3] = -2.0;
        let mut classes = WordClasses::default();
        let kursk = WordClass {
            levels: [7, 3, 1],
            neighbours: 0x2F,
        };
        classes
            .map
            .insert(lower_hash("Kursk", &mut Vec::new()), kursk);
        let m = Model::new(
            vec![Table::from_float(10, &w, 0)],
            g,
            Clusters::default(),
            classes,
        );
        let bytes = m.to_bytes();
        let back = Model::from_bytes(&bytes).unwrap();
        assert_eq!(back.tables[0].dense(), m.tables[0].dense());
        assert_eq!(back.gaz.map, m.gaz.map);
        assert_eq!(
            back.classes.get(lower_hash("kursk", &mut Vec::new())),
            Some(kursk)
        );
        let mut older = bytes.clone();
        older[7] = 3;
        let err = Model::from_bytes(&older).err().unwrap().to_string();
        assert!(err.contains("retrain"), "{err}");
    }
}

//! The wire codec against raw prost, frame kind by frame kind (issue 12, benchmark 4: at least 90 % of raw prost).
//!
//! For each kind of frame, a representative frame is encoded and decoded by imsim's codec (`encode_frame`, the
//! `Deframer`) and by raw prost on the same message with the same 4-byte length prefix written and read by hand,
//! in the same process: `codec_vs_prost/<kind>/{imsim,prost}_{encode,decode}`. The ratio of each pair is what to read
//! (what the codec adds: the size check, the copy into the deframer's buffer and its error handling). The frames are
//! those of `imsim bench`'s codec workloads (`imsim_sim::bench::codec`), which measure the round trip as a rate. The deframer
//! is kept across iterations, as a connection keeps it.

use criterion::{Criterion, criterion_group, criterion_main};
use imsim_engine::codec::{Deframer, encode_frame};
use imsim_sim::bench::codec::{frames, prost_decode, prost_encode};
use std::hint::black_box;

fn codec_vs_prost(c: &mut Criterion) {
    for (kind, frame) in frames() {
        let mut bytes = Vec::new();
        encode_frame(&frame, &mut bytes).expect("fits");
        let mut group = c.benchmark_group(format!("codec_vs_prost/{kind}"));
        let mut out = Vec::with_capacity(bytes.len());
        group.bench_function("imsim_encode", |b| {
            b.iter(|| {
                out.clear();
                encode_frame(black_box(&frame), &mut out).expect("fits");
            })
        });
        group.bench_function("prost_encode", |b| {
            b.iter(|| {
                out.clear();
                prost_encode(black_box(&frame), &mut out);
            })
        });
        // One deframer for the whole run, as a connection keeps one: its buffer's capacity is reused.
        let mut deframer = Deframer::new();
        group.bench_function("imsim_decode", |b| {
            b.iter(|| {
                deframer.push(black_box(&bytes));
                deframer.next_frame().expect("valid").expect("whole")
            })
        });
        group.bench_function("prost_decode", |b| b.iter(|| prost_decode(black_box(&bytes)).0));
        group.finish();
    }
}

criterion_group!(benches, codec_vs_prost);
criterion_main!(benches);

// GPU routing plan for cvmm: a stable counting sort of the R*S slots by expert, entirely on the GPU (no readback).
//
//   count  [nChunks, EB]             per chunk of CHUNK slots, how many slots go to each bucket (workgroup atomics)
//   scan   [nChunks*EB + EB + 1]     base[c, e] = where chunk c's slots of bucket e start in sorted order; then the
//                                    bucket offsets off[0..EB] (off[e]..off[e+1] = bucket e's sorted positions)
//   rank   order [N]                 sorted position m -> slot; the rank of a slot inside its chunk and bucket is
//                                    the number of earlier slots of the chunk with the same bucket (stable)
//
// Buckets: EB = nExp + 1. Expert ids outside [0, nExp) go to the last bucket; the products give those slots zeros
// (and no weight gradient), so an invalid id can never read out of bounds.
import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

export const CHUNK = 256; // slots per workgroup in count and rank (= workgroup size)
export const MAX_BUCKETS = 4095; // (EB + 1) i32 must fit the 16 KiB of workgroup memory WebGPU guarantees

/** Shared WGSL: the bucket of an expert id. */
export const bucketSnippet = (nExp: number) => `
  fn bucketOf(e : i32) -> i32 { return select(${nExp}, e, e >= 0 && e < ${nExp}); }
`;

abstract class RoutingProgram implements WebGPUProgram {
  abstract variableNames: string[];
  abstract outputShape: number[];
  abstract shaderKey: string;
  dispatchLayout = { x: [0], y: [1] }; // not flat: main() takes no index, we use workgroupId/localIndex
  workgroupSize: [number, number, number] = [CHUNK, 1, 1];
  dispatch: [number, number, number] = [1, 1, 1];
  uniforms = 'nSlots : i32, nChunks : i32,';
  abstract getUserCode(): string;
}

/** counts[c * EB + e] = number of slots of chunk c in bucket e. */
export class CountProgram extends RoutingProgram {
  variableNames = ['experts'];
  outputShape: number[];
  shaderKey: string;
  constructor(
    private nSlots: number,
    private nExp: number,
  ) {
    super();
    const nChunks = Math.ceil(nSlots / CHUNK);
    this.outputShape = [nChunks * (nExp + 1)];
    this.dispatch = [nChunks, 1, 1];
    this.shaderKey = `shCvmmCount_${nExp}`;
  }
  getUserCode(): string {
    const EB = this.nExp + 1;
    return `
  ${bucketSnippet(this.nExp)}
  var<workgroup> hist : array<atomic<i32>, ${EB}>;
  fn main() {
    let chunk = i32(workgroupId.x);
    for (var e = i32(localIndex); e < ${EB}; e += ${CHUNK}) { atomicStore(&hist[e], 0); }
    workgroupBarrier();
    let slot = chunk * ${CHUNK} + i32(localIndex);
    if (slot < uniforms.nSlots) { atomicAdd(&hist[bucketOf(experts[slot])], 1); }
    workgroupBarrier();
    for (var e = i32(localIndex); e < ${EB}; e += ${CHUNK}) { result[chunk * ${EB} + e] = atomicLoad(&hist[e]); }
  }`;
  }
}

/** One workgroup: bucket totals, their exclusive scan (offsets), then each chunk's base per bucket. */
export class ScanProgram extends RoutingProgram {
  variableNames = ['counts'];
  outputShape: number[];
  shaderKey: string;
  constructor(
    private nSlots: number,
    private nExp: number,
  ) {
    super();
    const nChunks = Math.ceil(nSlots / CHUNK),
      EB = nExp + 1;
    this.outputShape = [nChunks * EB + EB + 1];
    this.shaderKey = `shCvmmScan_${nExp}`;
  }
  getUserCode(): string {
    const EB = this.nExp + 1;
    return `
  var<workgroup> start : array<i32, ${EB + 1}>;
  fn main() {
    let nChunks = uniforms.nChunks;
    for (var e = i32(localIndex); e < ${EB}; e += ${CHUNK}) {
      var total = 0;
      for (var c = 0; c < nChunks; c++) { total += counts[c * ${EB} + e]; }
      start[e + 1] = total;
    }
    workgroupBarrier();
    if (localIndex == 0u) {
      start[0] = 0;
      for (var e = 0; e < ${EB}; e++) { start[e + 1] += start[e]; }
    }
    workgroupBarrier();
    for (var e = i32(localIndex); e < ${EB}; e += ${CHUNK}) {
      var run = start[e];
      for (var c = 0; c < nChunks; c++) { result[c * ${EB} + e] = run; run += counts[c * ${EB} + e]; }
    }
    for (var e = i32(localIndex); e <= ${EB}; e += ${CHUNK}) { result[nChunks * ${EB} + e] = start[e]; }
  }`;
  }
}

/** order[base[c, b] + rank] = slot, rank = earlier slots of the same chunk in the same bucket b. */
export class RankProgram extends RoutingProgram {
  variableNames = ['experts', 'table'];
  outputShape: number[];
  shaderKey: string;
  constructor(
    private nSlots: number,
    private nExp: number,
  ) {
    super();
    this.outputShape = [nSlots];
    this.dispatch = [Math.ceil(nSlots / CHUNK), 1, 1];
    this.shaderKey = `shCvmmRank_${nExp}`;
  }
  getUserCode(): string {
    return `
  ${bucketSnippet(this.nExp)}
  var<workgroup> ids : array<i32, ${CHUNK}>;
  fn main() {
    let chunk = i32(workgroupId.x);
    let i = i32(localIndex);
    let slot = chunk * ${CHUNK} + i;
    var b = -1;
    if (slot < uniforms.nSlots) { b = bucketOf(experts[slot]); }
    ids[i] = b;
    workgroupBarrier();
    if (slot < uniforms.nSlots) {
      var r = 0;
      for (var j = 0; j < i; j++) { if (ids[j] == b) { r++; } }
      result[table[chunk * ${this.nExp + 1} + b] + r] = slot;
    }
  }`;
  }
}

/** Program-defined uniforms, one i32 each (tfjs aligns a 2-element entry as a vec2). */
export const scalars = (xs: number[]) => xs.map((x) => ({ type: 'int32', data: [x] }));

/** Uniform values shared by the routing programs. */
export function routingUniforms(nSlots: number) {
  return scalars([nSlots, Math.ceil(nSlots / CHUNK)]);
}

/** Index in the scan table where the bucket offsets start. */
export const offsetsBase = (nSlots: number, nExp: number) => Math.ceil(nSlots / CHUNK) * (nExp + 1);

// The expert-sorted products of cvmm, tiled through workgroup memory (TM x TN outputs per workgroup of 64 threads,
// 4 x 4 per thread, K in steps of TK). Rows are visited in sorted order (routing.ts), so a tile of TM sorted rows
// holds one or a few experts: the workgroup walks its tile segment by segment (one expert each) and multiplies
// every segment by that expert's matrix only, as the official CVMM kernel does.
//
//   SortedMatmulProgram  out[slot_m] = A[slot_m / rowDiv] @ B_e      (B_e = W[e], or W[e]^T when transposeW)
//                        forward: A = x [R, dIn], rowDiv = S, out [R*S, dOut]
//                        input gradient: A = dy [R*S, dOut], rowDiv = 1, transposeW, out [R*S, dIn], then SumSlotsProgram
//   SumSlotsProgram      dx[r] = sum_s dxSlots[r, s]  (tfjs's sum over a middle axis is very slow on SwiftShader)
//   WeightGradProgram    dW[e] = sum over sorted rows m of expert e of x[slot_m / S]^T dy[slot_m]   [nExp, dIn, dOut]
//                        one workgroup per (dIn tile, dOut tile, expert); nothing of size [R*S, dIn, dOut] exists.
//
// All control values that guard barriers go through workgroupUniformLoad (WGSL uniformity rules).
import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { bucketSnippet } from './routing';

const TM = 32,
  TN = 32,
  TK = 16,
  THREADS = 64; // 8 x 8 threads, each 4 x 4 outputs

const accumulate = (aTile: string, bTile: string, aIdx: (i: string) => string, bIdx: (j: string) => string) => `
      for (var kk = 0; kk < ${TK}; kk++) {
        var a : array<f32, 4>; var b : array<f32, 4>;
        for (var i = 0; i < 4; i++) { a[i] = ${aTile}[${aIdx('i')}]; b[i] = ${bTile}[${bIdx('i')}]; }
        for (var i = 0; i < 4; i++) { for (var j = 0; j < 4; j++) { acc[i][j] = fma(a[i], b[j], acc[i][j]); } }
      }`;

const threadCoords = `
    let tr = i32(localIndex) / 8; // thread row block: rows tr*4 .. tr*4+3 of the tile
    let tc = i32(localIndex) % 8; // thread column block`;

export class SortedMatmulProgram implements WebGPUProgram {
  variableNames = ['A', 'W', 'experts', 'order', 'table'];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [0], y: [1] };
  workgroupSize: [number, number, number] = [THREADS, 1, 1];
  dispatch: [number, number, number];
  uniforms = 'nSlots : i32, K : i32, nCols : i32, rowDiv : i32, offBase : i32,';
  constructor(
    outputShape: number[],
    nSlots: number,
    nCols: number,
    private nExp: number,
    private transposeW: boolean,
  ) {
    this.outputShape = outputShape;
    this.dispatch = [Math.ceil(nCols / TN), Math.ceil(nSlots / TM), 1];
    this.shaderKey = `shCvmmMatmul_${nExp}_${transposeW}`;
  }
  getUserCode(): string {
    // B_e[k][n]: W[e] is [K, nCols] for the forward, [nCols, K] (read transposed) for the input gradient.
    const bAt = this.transposeW ? 'W[wBase + n * uniforms.K + k]' : 'W[wBase + k * uniforms.nCols + n]';
    return `
  ${bucketSnippet(this.nExp)}
  var<workgroup> As : array<f32, ${TM * TK}>; // [TM][TK]
  var<workgroup> Bs : array<f32, ${TK * TN}>; // [TK][TN]
  var<workgroup> wgSeg : vec3<i32>; // (first sorted row, bucket, end) of the current segment
  fn main() {
    ${threadCoords}
    let m0 = i32(workgroupId.y) * ${TM};
    let n0 = i32(workgroupId.x) * ${TN};
    let tileEnd = min(m0 + ${TM}, uniforms.nSlots);
    var segStart = m0;
    loop {
      if (localIndex == 0u) {
        var seg = vec3<i32>(segStart, 0, segStart);
        if (segStart < tileEnd) {
          let e = bucketOf(experts[order[segStart]]);
          seg = vec3<i32>(segStart, e, min(tileEnd, table[uniforms.offBase + e + 1]));
        }
        wgSeg = seg;
      }
      let seg = workgroupUniformLoad(&wgSeg);
      if (seg.x >= seg.z) { break; }
      var acc : array<array<f32, 4>, 4>;
      if (seg.y < ${this.nExp}) {
        let wBase = seg.y * uniforms.K * uniforms.nCols;
        for (var k0 = 0; k0 < uniforms.K; k0 += ${TK}) {
          for (var t = i32(localIndex); t < ${TM * TK}; t += ${THREADS}) {
            let m = m0 + t / ${TK};
            let k = k0 + t % ${TK};
            var v = 0.0;
            if (m >= seg.x && m < seg.z && k < uniforms.K) { v = A[(order[m] / uniforms.rowDiv) * uniforms.K + k]; }
            As[t] = v;
          }
          for (var t = i32(localIndex); t < ${TK * TN}; t += ${THREADS}) {
            let k = k0 + t / ${TN};
            let n = n0 + t % ${TN};
            var v = 0.0;
            if (k < uniforms.K && n < uniforms.nCols) { v = ${bAt}; }
            Bs[t] = v;
          }
          workgroupBarrier();
          ${accumulate(
            'As',
            'Bs',
            (i) => `(tr * 4 + ${i}) * ${TK} + kk`,
            (j) => `kk * ${TN} + tc * 4 + ${j}`,
          )}
          workgroupBarrier();
        }
      }
      for (var i = 0; i < 4; i++) {
        let m = m0 + tr * 4 + i;
        if (m >= seg.x && m < seg.z) {
          let slot = order[m];
          for (var j = 0; j < 4; j++) {
            let n = n0 + tc * 4 + j;
            if (n < uniforms.nCols) { result[slot * uniforms.nCols + n] = acc[i][j]; }
          }
        }
      }
      segStart = seg.z;
    }
  }`;
  }
}

export class WeightGradProgram implements WebGPUProgram {
  variableNames = ['x', 'dy', 'order', 'table'];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [0], y: [1], z: [2] };
  workgroupSize: [number, number, number] = [THREADS, 1, 1];
  dispatch: [number, number, number];
  uniforms = 'dIn : i32, dOut : i32, S : i32, offBase : i32,';
  constructor(nExp: number, dIn: number, dOut: number) {
    this.outputShape = [nExp, dIn, dOut];
    this.dispatch = [Math.ceil(dOut / TN), Math.ceil(dIn / TM), nExp];
    this.shaderKey = 'shCvmmWeightGrad';
  }
  getUserCode(): string {
    return `
  var<workgroup> Xs : array<f32, ${TK * TM}>; // [TK][TM]: x rows of the expert's sorted slots, dIn tile
  var<workgroup> Ds : array<f32, ${TK * TN}>; // [TK][TN]: dy rows of the same slots, dOut tile
  var<workgroup> wgRange : vec2<i32>;
  fn main() {
    ${threadCoords}
    let e = i32(workgroupId.z);
    let i0 = i32(workgroupId.y) * ${TM};
    let j0 = i32(workgroupId.x) * ${TN};
    if (localIndex == 0u) { wgRange = vec2<i32>(table[uniforms.offBase + e], table[uniforms.offBase + e + 1]); }
    let range = workgroupUniformLoad(&wgRange);
    var acc : array<array<f32, 4>, 4>;
    for (var r0 = range.x; r0 < range.y; r0 += ${TK}) {
      for (var t = i32(localIndex); t < ${TK * TM}; t += ${THREADS}) {
        let m = r0 + t / ${TM};
        let i = i0 + t % ${TM};
        var v = 0.0;
        if (m < range.y && i < uniforms.dIn) { v = x[(order[m] / uniforms.S) * uniforms.dIn + i]; }
        Xs[t] = v;
      }
      for (var t = i32(localIndex); t < ${TK * TN}; t += ${THREADS}) {
        let m = r0 + t / ${TN};
        let j = j0 + t % ${TN};
        var v = 0.0;
        if (m < range.y && j < uniforms.dOut) { v = dy[order[m] * uniforms.dOut + j]; }
        Ds[t] = v;
      }
      workgroupBarrier();
      ${accumulate(
        'Xs',
        'Ds',
        (i) => `kk * ${TM} + tr * 4 + ${i}`,
        (j) => `kk * ${TN} + tc * 4 + ${j}`,
      )}
      workgroupBarrier();
    }
    for (var i = 0; i < 4; i++) {
      let ii = i0 + tr * 4 + i;
      for (var j = 0; j < 4; j++) {
        let jj = j0 + tc * 4 + j;
        if (ii < uniforms.dIn && jj < uniforms.dOut) { result[(e * uniforms.dIn + ii) * uniforms.dOut + jj] = acc[i][j]; }
      }
    }
  }`;
  }
}

export class SumSlotsProgram implements WebGPUProgram {
  variableNames = ['slots'];
  outputShape: number[];
  shaderKey = 'shCvmmSumSlots';
  dispatchLayout = { x: [0] };
  workgroupSize: [number, number, number] = [64, 1, 1];
  dispatch: [number, number, number];
  size = true;
  uniforms = 'S : i32, d : i32,';
  constructor(R: number, d: number) {
    this.outputShape = [R, d];
    this.dispatch = [Math.ceil((R * d) / 64), 1, 1];
  }
  getUserCode(): string {
    return `
  fn main(index : i32) {
    if (index < uniforms.size) {
      let r = index / uniforms.d;
      let i = index - r * uniforms.d;
      var total = 0.0;
      for (var s = 0; s < uniforms.S; s++) { total += slots[(r * uniforms.S + s) * uniforms.d + i]; }
      setOutputAtIndex(index, total);
    }
  }`;
  }
}

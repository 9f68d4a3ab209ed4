#!/usr/bin/env node
// Numeric check of exported models on ONNX Runtime (onnxruntime-node from npm; Debian has no Python
// onnxruntime). For each model folder: run golden.json's inputs through model.onnx and compare every output with
// the PyTorch values (max abs diff <= golden.atol, 1e-4); then run batch sizes 1 and 3 (slices of the golden
// batch) to check the dynamic batch axis. Prints one line per folder and a closing count; exit 1 on failure.
//
//   NODE_PATH=.cache/onnxruntime-node/node_modules node scripts/train/ort_check.js DIR [DIR...]
'use strict';
const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

function tensorOf(spec, from, to) {
  const per = spec.shape.slice(1).reduce((a, b) => a * b, 1);
  const shape = [to - from].concat(spec.shape.slice(1));
  const data = spec.data.slice(from * per, to * per);
  if (spec.dtype === 'float32') return new ort.Tensor('float32', Float32Array.from(data), shape);
  if (spec.dtype === 'int64') return new ort.Tensor('int64', BigInt64Array.from(data.map(BigInt)), shape);
  throw new Error('dtype ' + spec.dtype);
}

// The graphs of a folder: model.onnx with golden.json, and a shapes model's second graph (encoder / text encoder).
function graphsOf(dir) {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  const graphs = [[manifest, 'golden.json']];
  for (const key of ['encoder', 'textEncoder']) {
    if (manifest[key]) graphs.push([manifest[key], manifest[key].golden]);
  }
  return graphs;
}

async function checkFolder(dir) {
  let worst = 0;
  for (const [manifest, golden] of graphsOf(dir)) worst = Math.max(worst, await checkGraph(dir, manifest, golden));
  return worst;
}

async function checkGraph(dir, manifest, goldenFile) {
  const golden = JSON.parse(fs.readFileSync(path.join(dir, goldenFile), 'utf8'));
  const session = await ort.InferenceSession.create(path.join(dir, manifest.file),
    { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  const want = (l) => l.map((t) => t.name).join(',');
  if (session.inputNames.join(',') !== want(manifest.inputs)) throw new Error('inputs ' + session.inputNames);
  if (session.outputNames.join(',') !== want(manifest.outputs)) throw new Error('outputs ' + session.outputNames);
  const atol = golden.atol;
  const batch = Object.values(golden.inputs)[0].shape[0];
  let worst = 0;
  for (const [from, to] of [[0, batch], [0, 1], [1, 4]]) {
    const feeds = {};
    for (const [name, spec] of Object.entries(golden.inputs)) feeds[name] = tensorOf(spec, from, to);
    const res = await session.run(feeds);
    for (const [name, spec] of Object.entries(golden.outputs)) {
      const out = res[name];
      const per = spec.shape.slice(1).reduce((a, b) => a * b, 1);
      const expShape = [to - from].concat(spec.shape.slice(1));
      if (out.dims.join(',') !== expShape.join(',')) throw new Error(`${name} dims ${out.dims} vs ${expShape}`);
      for (let i = 0; i < out.data.length; i++) {
        const d = Math.abs(out.data[i] - spec.data[from * per + i]);
        if (!(d <= atol)) throw new Error(`${name}[${from * per + i}] ort ${out.data[i]} vs torch ${spec.data[from * per + i]} (batch ${from}..${to})`);
        if (d > worst) worst = d;
      }
    }
  }
  return worst;
}

(async () => {
  let passed = 0, failed = 0;
  for (const dir of process.argv.slice(2)) {
    try {
      const worst = await checkFolder(dir);
      passed++;
      console.log(`  ok    ${dir}: ONNX Runtime ${ort.env.versions ? ort.env.versions.common : ''} reproduces the golden files, max abs diff ${worst.toExponential(2)} (batches 4, 1, 3)`);
    } catch (e) {
      failed++;
      console.log(`  FAIL  ${dir}: ${e.message}`);
    }
  }
  console.log(`ort_check: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
})();
